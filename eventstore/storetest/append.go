package storetest

import (
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/eventstore"
)

// appendLoad: what goes in comes back, with the envelope the store adds.
func (s suite) appendLoad(t *testing.T) {
	st := s.store(t)
	ctx := testContext(t)
	stream := newStream()
	base := lastPosition(t, ctx, st)

	c1 := eventstore.Commit{
		Stream: stream, ExpectedVersion: eventstore.NoStream, CommandID: newID("cmd"),
		CausationID: newID("cause"), CorrelationID: newID("corr"), Actor: newID("user"),
		Events: []eventstore.Event{
			{ID: "0190f3a2-7c1e-7000-8000-" + randomHex(6), Type: "RetroStarted", SchemaVersion: 1,
				Payload: json.RawMessage(`{"title":"Sprint 42","columns":["went well","to improve"]}`)},
			{Type: "CardAdded", SchemaVersion: 2, Payload: json.RawMessage(`{"card":"c1","text":"more pairing","votes":0}`)},
			// Whitespace, characters encoding/json escapes, a number beyond float64.
			{Type: "Noted", SchemaVersion: 0, Payload: json.RawMessage(" {\"text\": \"<b>é & ☃</b>\",\n \"n\": 12345678901234567890, \"list\": [1, 2.50, null, true]} ")},
		},
	}
	before := time.Now()
	r1 := appendOK(t, ctx, st, c1)
	after := time.Now()
	if r1.StreamVersion != 3 || r1.Duplicate || r1.Position <= base {
		t.Fatalf("first commit of 3 events: got %+v, want version 3, not duplicate, position after %d", r1, base)
	}
	evs := loadOK(t, ctx, st, stream, 0)
	if len(evs) != 3 {
		t.Fatalf("load after one commit of 3 events: got versions %v", versions(evs))
	}
	for i, e := range evs {
		checkEvent(t, e, c1, i, r1)
		if e.RecordedAt.Location() != time.UTC {
			t.Errorf("v%d recorded at %v: not in UTC", e.StreamVersion, e.RecordedAt)
		}
		// A minute of slack allows for a server's clock that differs a little.
		if e.RecordedAt.Before(before.Add(-time.Minute)) || e.RecordedAt.After(after.Add(time.Minute)) {
			t.Errorf("v%d recorded at %v, appended between %v and %v", e.StreamVersion, e.RecordedAt, before.UTC(), after.UTC())
		}
	}
	if evs[0].EventID != c1.Events[0].ID {
		t.Errorf("the caller's event ID %q came back as %q", c1.Events[0].ID, evs[0].EventID)
	}

	// Optional metadata stays empty; the next commit continues the versions.
	c2 := commitOf(stream, 3, 1)
	r2 := appendOK(t, ctx, st, c2)
	if r2.StreamVersion != 4 || r2.Position <= r1.Position {
		t.Fatalf("second commit: got %+v, want version 4 at a position after %d", r2, r1.Position)
	}
	evs = loadOK(t, ctx, st, stream, 0)
	if len(evs) != 4 {
		t.Fatalf("load after two commits: got versions %v, want 1..4", versions(evs))
	}
	checkEvent(t, evs[3], c2, 0, r2)
	ids := map[string]bool{}
	for _, e := range evs {
		if e.EventID == "" || ids[e.EventID] {
			t.Errorf("v%d: event ID %q is empty or not unique", e.StreamVersion, e.EventID)
		}
		ids[e.EventID] = true
	}
	if p := lastPosition(t, ctx, st); p < r2.Position {
		t.Errorf("last position %d is before the commit just appended at %d", p, r2.Position)
	}

	// Any appends whatever the version, on an existing and on a new stream.
	r3 := appendOK(t, ctx, st, commitOf(stream, eventstore.Any, 2))
	if r3.StreamVersion != 6 {
		t.Errorf("append with Any to a stream at version 4: got version %d, want 6", r3.StreamVersion)
	}
	fresh := newStream()
	if r := appendOK(t, ctx, st, commitOf(fresh, eventstore.Any, 1)); r.StreamVersion != 1 {
		t.Errorf("append with Any to a new stream: got version %d, want 1", r.StreamVersion)
	}
}

// load: reading part of a stream, or a stream that does not exist.
func (s suite) load(t *testing.T) {
	st := s.store(t)
	ctx := testContext(t)
	stream := newStream()
	for v := int64(0); v < 5; v++ {
		appendOK(t, ctx, st, commitOf(stream, v, 1))
	}
	for _, tc := range []struct {
		after int64
		want  []int64
	}{{0, []int64{1, 2, 3, 4, 5}}, {2, []int64{3, 4, 5}}, {4, []int64{5}}, {5, nil}, {50, nil}} {
		evs := loadOK(t, ctx, st, stream, tc.after)
		if got := versions(evs); len(got) != len(tc.want) || len(got) > 0 && (got[0] != tc.want[0] || got[len(got)-1] != tc.want[len(tc.want)-1]) {
			t.Errorf("load after version %d: got versions %v, want %v", tc.after, got, tc.want)
		}
	}

	if _, err := st.Load(ctx, newStream(), 0); !errors.Is(err, eventstore.ErrStreamNotFound) {
		t.Errorf("load of a stream never written: got %v, want ErrStreamNotFound", err)
	}
	// A commit that was refused does not bring its stream into being.
	refused := newStream()
	if _, err := st.Append(ctx, commitOf(refused, 3, 1)); !errors.Is(err, eventstore.ErrConflict) {
		t.Fatalf("append expecting version 3 to a new stream: got %v, want a conflict", err)
	}
	if _, err := st.Load(ctx, refused, 0); !errors.Is(err, eventstore.ErrStreamNotFound) {
		t.Errorf("load of a stream whose only append conflicted: got %v, want ErrStreamNotFound", err)
	}
	if _, err := st.Load(ctx, eventstore.StreamID{Category: category, ID: "a.b"}, 0); !errors.Is(err, eventstore.ErrInvalidArgument) {
		t.Errorf("load of stream ID a.b: got %v, want ErrInvalidArgument", err)
	}
}

// conflict: optimistic concurrency per stream.
func (s suite) conflict(t *testing.T) {
	st := s.store(t)
	ctx := testContext(t)

	t.Run("Race", func(t *testing.T) {
		// Writers that decided on the same version race; exactly one wins.
		stream := newStream()
		const rounds, writers = 8, 4
		var winners []string
		for v := int64(0); v < rounds; v++ {
			var wg sync.WaitGroup
			start := make(chan struct{})
			commits := make([]eventstore.Commit, writers)
			errs := make([]error, writers)
			for w := range writers {
				commits[w] = commitOf(stream, v, 1)
				wg.Go(func() {
					<-start
					_, errs[w] = st.Append(ctx, commits[w])
				})
			}
			close(start)
			wg.Wait()
			won := 0
			for w, err := range errs {
				if err == nil {
					won++
					winners = append(winners, commits[w].CommandID)
					continue
				}
				checkConflict(t, err, stream, v, v+1)
			}
			if won != 1 {
				t.Fatalf("%d writers appended expecting version %d: %d won, want exactly 1", writers, v, won)
			}
		}
		evs := loadOK(t, ctx, st, stream, 0)
		if len(evs) != rounds {
			t.Fatalf("after %d races the stream holds versions %v", rounds, versions(evs))
		}
		for i, e := range evs {
			if e.CommandID != winners[i] {
				t.Errorf("v%d was written by %s, the winner was %s", e.StreamVersion, e.CommandID, winners[i])
			}
		}
	})

	t.Run("Stale", func(t *testing.T) {
		stream := newStream()
		appendOK(t, ctx, st, commitOf(stream, eventstore.NoStream, 2))
		for _, expected := range []int64{eventstore.NoStream, 1, 3, 100} {
			_, err := st.Append(ctx, commitOf(stream, expected, 1))
			checkConflict(t, err, stream, expected, 2)
		}
		if evs := loadOK(t, ctx, st, stream, 0); len(evs) != 2 {
			t.Errorf("conflicting appends wrote: the stream holds versions %v, want 1..2", versions(evs))
		}
		if r := appendOK(t, ctx, st, commitOf(stream, 2, 1)); r.StreamVersion != 3 {
			t.Errorf("append with the right version after conflicts: version %d, want 3", r.StreamVersion)
		}
	})
}

// idempotency: a command ID already stored on the stream is a success that
// writes nothing.
func (s suite) idempotency(t *testing.T) {
	st := s.store(t)
	ctx := testContext(t)

	t.Run("RetryAfterSuccess", func(t *testing.T) {
		stream := newStream()
		c := commitOf(stream, eventstore.NoStream, 2)
		first := appendOK(t, ctx, st, c)
		again := appendOK(t, ctx, st, c)
		if !again.Duplicate || again.StreamVersion != first.StreamVersion || again.Position != first.Position {
			t.Errorf("retry of a stored command: got %+v, want duplicate of %+v", again, first)
		}
		if first.Duplicate {
			t.Errorf("the first append of a command was reported as a duplicate")
		}
		if evs := loadOK(t, ctx, st, stream, 0); len(evs) != 2 {
			t.Errorf("after a retry the stream holds versions %v, want the commit once (1..2)", versions(evs))
		}
	})

	t.Run("RetryAfterOtherCommits", func(t *testing.T) {
		// The retry carries the version it was decided on, which is stale by
		// now: it is still the same command, so it succeeds and writes nothing.
		stream := newStream()
		base := lastPosition(t, ctx, st)
		c1 := commitOf(stream, eventstore.NoStream, 2)
		r1 := appendOK(t, ctx, st, c1)
		c2 := commitOf(stream, 2, 1)
		r2 := appendOK(t, ctx, st, c2)
		appendOK(t, ctx, st, commitOf(stream, eventstore.Any, 1))
		appendOK(t, ctx, st, commitOf(stream, 4, 1))
		for _, tc := range []struct {
			c    eventstore.Commit
			want eventstore.AppendResult
		}{{c1, r1}, {c2, r2}} {
			got, err := st.Append(ctx, tc.c)
			if err != nil {
				t.Fatalf("retry of command %s (expected version %d) after later commits: %v", tc.c.CommandID, tc.c.ExpectedVersion, err)
			}
			if !got.Duplicate || got.StreamVersion != tc.want.StreamVersion || got.Position != tc.want.Position {
				t.Errorf("retry after later commits: got %+v, want duplicate of %+v", got, tc.want)
			}
		}
		retryAny := c1
		retryAny.ExpectedVersion = eventstore.Any
		if got := appendOK(t, ctx, st, retryAny); !got.Duplicate || got.StreamVersion != r1.StreamVersion {
			t.Errorf("retry with Any: got %+v, want duplicate of %+v", got, r1)
		}
		if evs := readOwn(t, ctx, st, base, setOf(stream)); len(evs) != 5 {
			t.Errorf("the log holds versions %v of the stream, want 1..5 once each", versions(evs))
		}
	})

	t.Run("SameCommandOtherStream", func(t *testing.T) {
		// De-duplication is per stream: the same command ID elsewhere is new.
		a, b := newStream(), newStream()
		ca := commitOf(a, eventstore.NoStream, 1)
		cb := commitOf(b, eventstore.NoStream, 1)
		cb.CommandID = ca.CommandID
		appendOK(t, ctx, st, ca)
		rb := appendOK(t, ctx, st, cb)
		if rb.Duplicate || rb.StreamVersion != 1 {
			t.Errorf("command ID of stream %s appended to %s: got %+v, want a new commit at version 1", a, b, rb)
		}
		if evs := loadOK(t, ctx, st, b, 0); len(evs) != 1 || evs[0].Stream != b {
			t.Errorf("stream %s holds %v", b, evs)
		}
	})

	t.Run("ConcurrentRetries", func(t *testing.T) {
		// A client that retries while its first attempt is in flight.
		const copies = 4
		for range 3 {
			stream := newStream()
			c := commitOf(stream, eventstore.NoStream, 2)
			results := make([]eventstore.AppendResult, copies)
			errs := make([]error, copies)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range copies {
				wg.Go(func() {
					<-start
					results[i], errs[i] = st.Append(ctx, c)
				})
			}
			close(start)
			wg.Wait()
			fresh := 0
			for i := range copies {
				if errs[i] != nil {
					t.Fatalf("concurrent copy of one command: %v", errs[i])
				}
				if !results[i].Duplicate {
					fresh++
				}
				if results[i].StreamVersion != 2 || results[i].Position != results[0].Position {
					t.Errorf("copies of one command report %+v and %+v", results[i], results[0])
				}
			}
			if fresh != 1 {
				t.Errorf("%d concurrent copies of one command: %d reported as written, want 1", copies, fresh)
			}
			if evs := loadOK(t, ctx, st, stream, 0); len(evs) != 2 {
				t.Errorf("the stream holds versions %v, want the commit once", versions(evs))
			}
		}
	})
}
