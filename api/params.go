package api

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/hindsight-retro/hindsight/api/problem"
)

// Idempotency keys: a client picks one per command and resends it with every
// retry; the key becomes the command ID, so the log stores the command once.
const (
	IdempotencyHeader = "Idempotency-Key"
	maxIdempotencyKey = 128
)

// Paging limits of every list.
const (
	DefaultPageLimit = 50
	MaxPageLimit     = 200
)

// parseIdempotencyKey returns the command ID for a request: the client's key
// (a UUID, or up to 128 printable ASCII characters without spaces), or a
// fresh UUIDv7 when the client sent none.
func parseIdempotencyKey(h string, newID func() string) (string, *problem.Problem) {
	if h == "" {
		return newID(), nil
	}
	if len(h) > maxIdempotencyKey {
		return "", problem.New(problem.Validation, "Idempotency-Key is too long").
			WithField(IdempotencyHeader, fmt.Sprintf("at most %d characters", maxIdempotencyKey))
	}
	for i := 0; i < len(h); i++ {
		if h[i] < 0x21 || h[i] > 0x7e {
			return "", problem.New(problem.Validation, "Idempotency-Key holds a space, control or non-ASCII character").
				WithField(IdempotencyHeader, "printable ASCII only, e.g. a UUID")
		}
	}
	// A UUID is stored in its canonical lower-case form, so two spellings of
	// one key are one command.
	if u, err := uuid.Parse(h); err == nil && len(h) == 36 {
		return u.String(), nil
	}
	return h, nil
}

func newUUIDv7() string {
	u, err := uuid.NewV7()
	if err != nil {
		// Only a failing random source stops NewV7; a v4 is still unique.
		return uuid.NewString()
	}
	return u.String()
}

// cursorPrefix versions the cursor's content, so a later change of paging
// (keys instead of offsets) can tell old cursors apart.
const cursorPrefix = "o1:"

// encodeCursor makes the opaque cursor of the page starting at offset.
func encodeCursor(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + strconv.Itoa(offset)))
}

// parseCursor reads a cursor made by encodeCursor; "" is the first page.
func parseCursor(s string) (int, *problem.Problem) {
	if s == "" {
		return 0, nil
	}
	bad := problem.New(problem.Validation, "the cursor is not one this server handed out").
		WithField("cursor", "pass nextCursor from a previous page unchanged")
	if len(s) > 64 {
		return 0, bad
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil {
		return 0, bad
	}
	rest, ok := strings.CutPrefix(string(raw), cursorPrefix)
	if !ok {
		return 0, bad
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n < 0 || strconv.Itoa(n) != rest {
		return 0, bad
	}
	return n, nil
}

// parseLimit reads the page size; "" is DefaultPageLimit.
func parseLimit(s string) (int, *problem.Problem) {
	if s == "" {
		return DefaultPageLimit, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > MaxPageLimit {
		return 0, problem.New(problem.Validation, "limit is out of range").
			WithField("limit", fmt.Sprintf("an integer from 1 to %d", MaxPageLimit))
	}
	return n, nil
}

// Page is one page of a list. NextCursor is absent on the last page.
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"nextCursor,omitempty"`
}

// paginate cuts items by the request's cursor and limit.
func paginate[T any](q url.Values, items []T) (Page[T], *problem.Problem) {
	offset, p := parseCursor(q.Get("cursor"))
	if p != nil {
		return Page[T]{}, p
	}
	limit, p := parseLimit(q.Get("limit"))
	if p != nil {
		return Page[T]{}, p
	}
	out := Page[T]{Items: []T{}}
	if offset >= len(items) {
		return out, nil
	}
	end := min(offset+limit, len(items))
	out.Items = items[offset:end]
	if end < len(items) {
		out.NextCursor = encodeCursor(end)
	}
	return out, nil
}
