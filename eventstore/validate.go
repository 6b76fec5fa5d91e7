package eventstore

import (
	"crypto/sha1"
	"encoding/json"
	"fmt"
)

// ValidateCommit checks a commit before any backend writes it, so every
// backend rejects the same input with the same error.
func ValidateCommit(c Commit) error {
	if err := c.Stream.Validate(); err != nil {
		return err
	}
	if c.ExpectedVersion < Any {
		return invalidf("expected version %d: use Any (-1), NoStream (0) or a stream version", c.ExpectedVersion)
	}
	if c.CommandID == "" {
		return invalidf("a commit needs a command ID")
	}
	for name, v := range map[string]string{"command ID": c.CommandID, "causation ID": c.CausationID, "correlation ID": c.CorrelationID, "actor": c.Actor} {
		if len(v) > MaxIDLength {
			return invalidf("%s is %d bytes, at most %d allowed", name, len(v), MaxIDLength)
		}
		if !printable(v) {
			return invalidf("%s holds control or non-ASCII characters", name)
		}
	}
	if len(c.Events) == 0 {
		return invalidf("a commit needs at least one event")
	}
	if len(c.Events) > MaxEventsPerCommit {
		return invalidf("a commit holds %d events, at most %d allowed", len(c.Events), MaxEventsPerCommit)
	}
	size := len(c.CommandID) + len(c.CausationID) + len(c.CorrelationID) + len(c.Actor)
	for i, e := range c.Events {
		if e.Type == "" || len(e.Type) > MaxTypeLength || !printable(e.Type) {
			return invalidf("event %d: type must be 1 to %d printable ASCII characters", i, MaxTypeLength)
		}
		if len(e.ID) > MaxIDLength || !printable(e.ID) {
			return invalidf("event %d: ID must be at most %d printable ASCII characters", i, MaxIDLength)
		}
		if e.SchemaVersion < 0 {
			return invalidf("event %d: negative schema version %d", i, e.SchemaVersion)
		}
		if len(e.Payload) == 0 || !json.Valid(e.Payload) {
			return invalidf("event %d (%s): payload is not valid JSON", i, e.Type)
		}
		size += len(e.Payload) + len(e.Type) + len(e.ID) + 16
	}
	if size > MaxCommitBytes {
		return invalidf("commit is %d bytes, at most %d allowed", size, MaxCommitBytes)
	}
	return nil
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// EventID returns the ID of the commit's i-th event: the caller's, or one
// derived from the command ID, so a retried command yields the same IDs (a
// name-based UUID, version 5 layout, in the stream's namespace).
func EventID(c Commit, i int) string {
	if id := c.Events[i].ID; id != "" {
		return id
	}
	h := sha1.New()
	fmt.Fprintf(h, "%s\x00%s\x00%d", c.Stream, c.CommandID, i)
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = (u[6] & 0x0f) | 0x50
	u[8] = (u[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}
