package projections

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/hindsight-retro/hindsight/eventstore"
)

// OccurredAt is when an event happened in the domain: the "at" every
// retro, team, survey and workspace event carries (the time the command
// was decided), not the time the log stored it. The two differ for imported
// or generated histories, and a question such as "the dashboards as they
// stood on 1 June" is about the former. It reports false for an event
// without such a time.
func OccurredAt(e eventstore.RecordedEvent) (time.Time, bool) {
	// A payload without the key cannot have the time; skip decoding it.
	if !bytes.Contains(e.Payload, []byte(`"at"`)) {
		return time.Time{}, false
	}
	var p struct {
		At time.Time `json:"at"`
	}
	if err := json.Unmarshal(e.Payload, &p); err != nil || p.At.IsZero() {
		return time.Time{}, false
	}
	return p.At, true
}

// HappenedAfter reports whether e happened in the domain after t. Events
// without a domain time count as not after: they belong to the command
// around them.
func HappenedAfter(e eventstore.RecordedEvent, t time.Time) bool {
	at, ok := OccurredAt(e)
	return ok && at.After(t)
}
