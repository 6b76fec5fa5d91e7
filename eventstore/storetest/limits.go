package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/hindsight-retro/hindsight/eventstore"
)

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
	wait(t, sub.first, "a subscription waiting for its first commit")
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
