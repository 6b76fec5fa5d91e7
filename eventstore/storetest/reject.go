package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

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

// limits: input right at the limits is accepted by every backend.
func (s suite) limits(t *testing.T) {
	st := s.store(t)
	ctx := testContext(t)

	t.Run("MaxEvents", func(t *testing.T) {
		c := commitOf(newStream(), eventstore.NoStream, eventstore.MaxEventsPerCommit)
		res := appendOK(t, ctx, st, c)
		evs := loadOK(t, ctx, st, c.Stream, 0)
		if res.StreamVersion != eventstore.MaxEventsPerCommit || len(evs) != eventstore.MaxEventsPerCommit {
			t.Fatalf("commit of %d events: version %d, %d loaded", eventstore.MaxEventsPerCommit, res.StreamVersion, len(evs))
		}
		for i, e := range evs {
			checkEvent(t, e, c, i, res)
		}
	})

	t.Run("LargePayload", func(t *testing.T) {
		// Close to MaxCommitBytes: a backend's own envelope must still fit.
		c := commitOf(newStream(), eventstore.NoStream, 1)
		c.Events[0].Payload = json.RawMessage(`{"blob":"` + strings.Repeat("b", eventstore.MaxCommitBytes-1024) + `"}`)
		res := appendOK(t, ctx, st, c)
		evs := loadOK(t, ctx, st, c.Stream, 0)
		if len(evs) != 1 {
			t.Fatalf("load of a large commit: versions %v", versions(evs))
		}
		checkEvent(t, evs[0], c, 0, res)
	})

	t.Run("LongNames", func(t *testing.T) {
		long := func(ch string, n int) string { return strings.Repeat(ch, n-8) + randomHex(4) }
		c := commitOf(eventstore.StreamID{Category: strings.Repeat("c", 64), ID: "A_b-" + long("z", eventstore.MaxIDLength-4)}, eventstore.NoStream, 1)
		c.CommandID = long("k", eventstore.MaxIDLength)
		c.CausationID = long("s", eventstore.MaxIDLength)
		c.CorrelationID = long("r", eventstore.MaxIDLength)
		c.Actor = long("~", eventstore.MaxIDLength)
		c.Events[0].ID = long("e", eventstore.MaxIDLength)
		c.Events[0].Type = strings.Repeat("T", eventstore.MaxTypeLength)
		res := appendOK(t, ctx, st, c)
		evs := loadOK(t, ctx, st, c.Stream, 0)
		if len(evs) != 1 {
			t.Fatalf("load: versions %v", versions(evs))
		}
		checkEvent(t, evs[0], c, 0, res)
	})
}

// payloadIsolation: callers own the bytes they pass in and get back.
func (s suite) payloadIsolation(t *testing.T) {
	st := s.store(t)
	ctx := testContext(t)
	c := commitOf(newStream(), eventstore.NoStream, 1)
	want := bytes.Clone(c.Events[0].Payload)
	appendOK(t, ctx, st, c)
	copy(c.Events[0].Payload, `{"changed":1}`)
	evs := loadOK(t, ctx, st, c.Stream, 0)
	if !bytes.Equal(evs[0].Payload, want) {
		t.Fatalf("changing the appended buffer changed the stored payload: %s", evs[0].Payload)
	}
	copy(evs[0].Payload, `{"changed":2}`)
	if again := loadOK(t, ctx, st, c.Stream, 0); !bytes.Equal(again[0].Payload, want) {
		t.Errorf("changing a loaded payload changed the stored one: %s", again[0].Payload)
	}
	err := st.ReadAll(ctx, evs[0].Position-1, func(_ context.Context, e eventstore.RecordedEvent) error {
		if e.Stream == c.Stream {
			copy(e.Payload, `{"changed":3}`)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("read all: %v", err)
	}
	if again := loadOK(t, ctx, st, c.Stream, 0); !bytes.Equal(again[0].Payload, want) {
		t.Errorf("changing a payload read from the log changed the stored one: %s", again[0].Payload)
	}
}

// close: a closed store refuses work with ErrClosed and ends subscriptions.
func (s suite) close(t *testing.T) {
	st := s.open(t)
	var once sync.Once
	closeStore := func() error {
		var err error
		once.Do(func() { err = st.Close() })
		return err
	}
	t.Cleanup(func() { _ = closeStore() })
	ctx := testContext(t)

	stream := newStream()
	base := lastPosition(t, ctx, st)
	sub := subscribe(ctx, st, base, stream, 2)
	appendOK(t, ctx, st, commitOf(stream, eventstore.NoStream, 1))
	// Wait until the subscription is live: it has seen the first commit.
	for deadline := time.Now().Add(stall); ; time.Sleep(5 * time.Millisecond) {
		sub.mu.Lock()
		n := len(sub.own)
		sub.mu.Unlock()
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the subscription did not deliver a commit for %v", stall)
		}
	}
	if err := closeStore(); err != nil {
		t.Fatalf("close: %v", err)
	}
	wait(t, sub.returned, "a subscription running when the store closed")
	if sub.err == nil {
		t.Errorf("a subscription ended by Close returned no error")
	}

	if _, err := st.Append(ctx, commitOf(stream, 1, 1)); !errors.Is(err, eventstore.ErrClosed) {
		t.Errorf("append after close: got %v, want ErrClosed", err)
	}
	if _, err := st.Load(ctx, stream, 0); !errors.Is(err, eventstore.ErrClosed) {
		t.Errorf("load after close: got %v, want ErrClosed", err)
	}
	if _, err := st.LastPosition(ctx); !errors.Is(err, eventstore.ErrClosed) {
		t.Errorf("last position after close: got %v, want ErrClosed", err)
	}
	noop := func(context.Context, eventstore.RecordedEvent) error { return nil }
	if err := st.ReadAll(ctx, base, noop); !errors.Is(err, eventstore.ErrClosed) {
		t.Errorf("read all after close: got %v, want ErrClosed", err)
	}
	if err := st.Subscribe(ctx, base, noop); !errors.Is(err, eventstore.ErrClosed) {
		t.Errorf("subscribe after close: got %v, want ErrClosed", err)
	}
}
