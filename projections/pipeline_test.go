package projections_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
	"github.com/hindsight-retro/hindsight/projections"
)

func filled(t *testing.T, n int) *memstore.Store {
	t.Helper()
	s := memstore.New(nil)
	for i := range n {
		if _, err := s.Append(context.Background(), eventstore.Commit{Stream: eventstore.StreamID{Category: "x", ID: "a"},
			ExpectedVersion: eventstore.Any, CommandID: fmt.Sprint(i), Events: []eventstore.Event{{Type: "T", Payload: []byte(`{}`)}}}); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func TestAPipelineAppliesEveryEventInOrder(t *testing.T) {
	store := filled(t, 2000)
	var got []uint64
	err := projections.Pipeline(context.Background(), func(ctx context.Context, h eventstore.Handler) error {
		return store.ReadAll(ctx, 0, h)
	}, func(e eventstore.RecordedEvent) error { got = append(got, e.Position); return nil })
	if err != nil || len(got) != 2000 {
		t.Fatalf("applied %d events (%v)", len(got), err)
	}
	for i, p := range got {
		if p != uint64(i+1) {
			t.Fatalf("event %d at position %d", i, p)
		}
	}
}

func TestAPipelineStopsOnTheFirstApplyError(t *testing.T) {
	store := filled(t, 2000)
	boom := errors.New("boom")
	n := 0
	err := projections.Pipeline(context.Background(), func(ctx context.Context, h eventstore.Handler) error {
		return store.ReadAll(ctx, 0, h)
	}, func(e eventstore.RecordedEvent) error {
		if n++; e.Position == 700 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) || n != 700 {
		t.Errorf("error %v after %d events, want boom after 700", err, n)
	}
	// ErrStop ends it cleanly.
	err = projections.Pipeline(context.Background(), func(ctx context.Context, h eventstore.Handler) error {
		return store.ReadAll(ctx, 0, h)
	}, func(e eventstore.RecordedEvent) error {
		if e.Position == 10 {
			return projections.ErrStop
		}
		return nil
	})
	if err != nil {
		t.Errorf("ErrStop gave %v", err)
	}
}

func TestADecodePipelineHandsOverEveryEventDecodedInOrder(t *testing.T) {
	store := filled(t, 2000)
	bad := errors.New("undecodable")
	var got []uint64
	failed := 0
	err := projections.DecodePipeline(context.Background(), func(ctx context.Context, h eventstore.Handler) error {
		return store.ReadAll(ctx, 0, h)
	}, func(e eventstore.RecordedEvent) (any, error) {
		if e.Position%100 == 0 {
			return nil, bad
		}
		return e.Position * 2, nil
	}, func(b []projections.Decoded) error {
		for _, d := range b {
			got = append(got, d.Event.Position)
			switch {
			case d.Err != nil:
				failed++
			case d.Ev != d.Event.Position*2:
				t.Fatalf("event at %d decoded as %v", d.Event.Position, d.Ev)
			}
		}
		return nil
	})
	if err != nil || len(got) != 2000 || failed != 20 {
		t.Fatalf("applied %d events, %d failed (%v)", len(got), failed, err)
	}
	for i, p := range got {
		if p != uint64(i+1) {
			t.Fatalf("event %d at position %d", i, p)
		}
	}
}

func TestADecodePipelineStopsOnTheFirstApplyError(t *testing.T) {
	store := filled(t, 5000)
	boom := errors.New("boom")
	n := 0
	read := func(ctx context.Context, h eventstore.Handler) error { return store.ReadAll(ctx, 0, h) }
	decode := func(eventstore.RecordedEvent) (any, error) { return nil, nil }
	err := projections.DecodePipeline(context.Background(), read, decode, func(b []projections.Decoded) error {
		n += len(b)
		if n >= 1000 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) || n >= 2000 {
		t.Errorf("error %v after %d events, want boom before 2000", err, n)
	}
	n = 0
	err = projections.DecodePipeline(context.Background(), read, decode, func(b []projections.Decoded) error {
		if n += len(b); n >= 1000 {
			return projections.ErrStop
		}
		return nil
	})
	if err != nil || n >= 2000 {
		t.Errorf("ErrStop gave %v after %d events", err, n)
	}
}
