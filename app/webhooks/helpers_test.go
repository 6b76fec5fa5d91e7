package webhooks_test

import (
	"strconv"
	"time"
)

const fiveMinutes = 5 * time.Minute

func timeNow() time.Time { return time.Now() }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
