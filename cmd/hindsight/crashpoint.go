//go:build !crashpoints

package main

import (
	"log/slog"

	"github.com/hindsight-retro/hindsight/eventstore"
)

// crashpoint is where a test build of the binary stops to be killed (see
// crashpoint_on.go); a released binary has none.
type crashpoint = func(point string, cause eventstore.RecordedEvent)

func newCrashpoint(func(string) string, *slog.Logger) crashpoint { return nil }
