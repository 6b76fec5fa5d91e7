package eventstore

import (
	"fmt"
	"strings"
)

// StreamID names one aggregate's stream: a category (the aggregate's kind,
// such as "retro") and the aggregate's ID. Backends map it to their own
// naming: JetStream subject ev.<category>.<id>, KurrentDB stream <category>-<id>.
type StreamID struct {
	Category string
	ID       string
}

// String gives the KurrentDB-style name <category>-<id>, also used in logs.
func (s StreamID) String() string { return s.Category + "-" + s.ID }

// ParseStreamID reads the <category>-<id> form back. The category holds no
// dash, so the first dash separates the two.
func ParseStreamID(name string) (StreamID, error) {
	cat, id, ok := strings.Cut(name, "-")
	if !ok {
		return StreamID{}, invalidf("stream name %q has no <category>-<id> form", name)
	}
	s := StreamID{Category: cat, ID: id}
	if err := s.Validate(); err != nil {
		return StreamID{}, err
	}
	return s, nil
}

// Validate checks that the stream ID is safe as a NATS subject token and a
// KurrentDB stream name: categories are lower-case [a-z0-9_], IDs are
// [A-Za-z0-9_-], neither empty nor longer than MaxIDLength.
func (s StreamID) Validate() error {
	if s.Category == "" || len(s.Category) > 64 {
		return invalidf("stream category must be 1 to 64 characters, got %d", len(s.Category))
	}
	for _, r := range s.Category {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return invalidf("stream category %q: only a-z, 0-9 and _ are allowed", s.Category)
		}
	}
	if s.ID == "" || len(s.ID) > MaxIDLength {
		return invalidf("stream ID must be 1 to %d characters, got %d", MaxIDLength, len(s.ID))
	}
	for _, r := range s.ID {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return invalidf("stream ID %q: only letters, digits, _ and - are allowed", s.ID)
		}
	}
	return nil
}

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidArgument}, args...)...)
}
