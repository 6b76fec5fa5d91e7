package storetest

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/hindsight-retro/hindsight/eventstore"
)

type rejection struct {
	name string
	// hint is what the error message must mention (case-insensitive), so a
	// caller can tell what to fix.
	hint string
	edit func(c *eventstore.Commit)
}

func rejections() []rejection {
	setID := func(id string) func(*eventstore.Commit) { return func(c *eventstore.Commit) { c.Stream.ID = id } }
	setCategory := func(cat string) func(*eventstore.Commit) {
		return func(c *eventstore.Commit) { c.Stream.Category = cat }
	}
	payload := func(p string) func(*eventstore.Commit) {
		return func(c *eventstore.Commit) { c.Events[0].Payload = json.RawMessage(p) }
	}
	big := func(n int) json.RawMessage { return json.RawMessage(`"` + strings.Repeat("a", n) + `"`) }
	return []rejection{
		{"EmptyCategory", "category", setCategory("")},
		{"UpperCaseCategory", "category", setCategory("Retro")},
		{"DashInCategory", "category", setCategory("re-tro")},
		{"LongCategory", "category", setCategory(strings.Repeat("c", 65))},
		{"EmptyStreamID", "stream id", setID("")},
		{"DotInStreamID", "stream id", setID("a.b")},
		{"SpaceInStreamID", "stream id", setID("a b")},
		{"StarStreamID", "stream id", setID("*")},
		{"GreaterStreamID", "stream id", setID(">")},
		{"WildcardInStreamID", "stream id", setID("ab*")},
		{"NonASCIIStreamID", "stream id", setID("café")},
		{"LongStreamID", "stream id", setID(strings.Repeat("x", eventstore.MaxIDLength+1))},
		{"ExpectedBelowAny", "expected version", func(c *eventstore.Commit) { c.ExpectedVersion = -2 }},
		{"EmptyCommandID", "command id", func(c *eventstore.Commit) { c.CommandID = "" }},
		{"LongCommandID", "command id", func(c *eventstore.Commit) { c.CommandID = strings.Repeat("k", eventstore.MaxIDLength+1) }},
		{"ControlInCommandID", "command id", func(c *eventstore.Commit) { c.CommandID = "cmd\n1" }},
		{"LongCorrelationID", "correlation id", func(c *eventstore.Commit) { c.CorrelationID = strings.Repeat("r", eventstore.MaxIDLength+1) }},
		{"NonASCIIActor", "actor", func(c *eventstore.Commit) { c.Actor = "jürgen" }},
		{"NoEvents", "event", func(c *eventstore.Commit) { c.Events = nil }},
		{"EmptyEvents", "event", func(c *eventstore.Commit) { c.Events = []eventstore.Event{} }},
		{"TooManyEvents", "events", func(c *eventstore.Commit) {
			c.Events = commitOf(c.Stream, 0, eventstore.MaxEventsPerCommit+1).Events
		}},
		{"EmptyType", "type", func(c *eventstore.Commit) { c.Events[0].Type = "" }},
		{"LongType", "type", func(c *eventstore.Commit) { c.Events[0].Type = strings.Repeat("T", eventstore.MaxTypeLength+1) }},
		{"LongEventID", "id", func(c *eventstore.Commit) { c.Events[0].ID = strings.Repeat("e", eventstore.MaxIDLength+1) }},
		{"NegativeSchemaVersion", "schema version", func(c *eventstore.Commit) { c.Events[0].SchemaVersion = -1 }},
		{"EmptyPayload", "json", payload("")},
		{"TruncatedPayload", "json", payload(`{"a":`)},
		{"TextPayload", "json", payload(`hello`)},
		{"TwoValuesPayload", "json", payload(`{} {}`)},
		{"PayloadTooLarge", "bytes", func(c *eventstore.Commit) { c.Events[0].Payload = big(eventstore.MaxCommitBytes) }},
		{"CommitTooLarge", "bytes", func(c *eventstore.Commit) {
			// Each payload fits, their sum does not.
			for i := range c.Events {
				c.Events[i].Payload = big(eventstore.MaxCommitBytes/len(c.Events) + 1024)
			}
		}},
		{"LastEventBad", "json", func(c *eventstore.Commit) { c.Events[len(c.Events)-1].Payload = json.RawMessage("nope") }},
	}
}

// rejections: malformed or oversized input is refused with ErrInvalidArgument
// and a message that says what is wrong, and nothing of it is written.
func (s suite) rejections(t *testing.T) {
	st := s.store(t)
	ctx := testContext(t)
	for _, rc := range rejections() {
		t.Run(rc.name, func(t *testing.T) {
			t.Parallel()
			check := func(c eventstore.Commit) {
				t.Helper()
				_, err := st.Append(ctx, c)
				if !errors.Is(err, eventstore.ErrInvalidArgument) {
					t.Fatalf("got %v, want ErrInvalidArgument", err)
				}
				if !strings.Contains(strings.ToLower(err.Error()), rc.hint) {
					t.Errorf("message %q does not mention %q", err, rc.hint)
				}
			}

			// On a new stream: the stream does not come into being.
			fresh := commitOf(newStream(), eventstore.NoStream, 3)
			rc.edit(&fresh)
			check(fresh)
			if fresh.Stream.Validate() == nil {
				if _, err := st.Load(ctx, fresh.Stream, 0); !errors.Is(err, eventstore.ErrStreamNotFound) {
					t.Errorf("load after a refused first commit: got %v, want ErrStreamNotFound", err)
				}
			}

			// On an existing stream: its version does not move, and the
			// command ID is not used up, so the corrected command goes in.
			stream := newStream()
			appendOK(t, ctx, st, commitOf(stream, eventstore.NoStream, 1))
			bad := commitOf(stream, 1, 3)
			rc.edit(&bad)
			check(bad)
			fixed := commitOf(stream, 1, 1)
			if bad.Stream == stream && eventstore.ValidateCommit(eventstore.Commit{
				Stream: stream, CommandID: bad.CommandID, Events: fixed.Events,
			}) == nil {
				fixed.CommandID = bad.CommandID
			}
			if res := appendOK(t, ctx, st, fixed); res.Duplicate || res.StreamVersion != 2 {
				t.Errorf("the corrected command after a refusal: got %+v, want a new commit at version 2", res)
			}
		})
	}
}
