package runner_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
	"github.com/hindsight-retro/hindsight/projections/actiontracker"
	"github.com/hindsight-retro/hindsight/projections/projtest"
	"github.com/hindsight-retro/hindsight/projections/runner"
)

// countingStore counts the subscriptions opened on the log.
type countingStore struct {
	*memstore.Store
	subs atomic.Int64
}

func (s *countingStore) Subscribe(ctx context.Context, after uint64, h eventstore.Handler) error {
	s.subs.Add(1)
	return s.Store.Subscribe(ctx, after, h)
}

func TestEveryReadModelFollowsTheLogLiveThroughOneSubscription(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	store := &countingStore{Store: memstore.New(nil)}
	l := projtest.New(t, t0)
	retroLog(t, l, "r1", 1)
	projtest.AppendAll(ctx, t, store, l.Events)

	f := startOn(t, ctx, store, "")
	defer f.r.Close()

	for i, id := range []string{"r2", "r3", "r4"} {
		more := projtest.New(t, t0)
		retroLog(t, more, id, i+1)
		pos := projtest.AppendAll(ctx, t, store, more.Events)
		if err := f.r.WaitFor(ctx, pos); err != nil {
			t.Fatal(err)
		}
	}
	if got := f.history.Current().TeamRetros("team-a"); len(got) != 4 || got[3].Cards != 3 {
		t.Errorf("team history live: %+v", got)
	}
	pos := f.r.Positions()
	if pos["team-history"] != pos["action-tracker"] || pos["team-history"] == 0 {
		t.Errorf("read models at %v, want both at the log's end", pos)
	}
	if n := store.subs.Load(); n != 1 {
		t.Errorf("%d subscriptions to the log for two read models, want 1", n)
	}
}

// countingTracker is the action tracker, counting the events its handler
// gave it.
type countingTracker struct {
	*actiontracker.Tracker
	handled *atomic.Int64
}

func (c countingTracker) ApplyDecoded(e eventstore.RecordedEvent, ev any) error {
	c.handled.Add(1)
	return c.Tracker.ApplyDecoded(e, ev)
}

func TestAReadModelIsMovedPastWhatItDoesNotFoldWithoutItsHandler(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	store := memstore.New(nil)
	handled := &atomic.Int64{}
	history := runner.NewSlot(newHistory)
	actions := runner.NewSlot(func() countingTracker { return countingTracker{actiontracker.New(), handled} })
	r, err := runner.New(runner.Config{Store: store, MaxRetries: 1}, history, actions)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer r.Close()

	// Given a retro with ten cards, written while the read models follow
	// the log: the action tracker folds none of its events.
	l := projtest.New(t, t0)
	retroLog(t, l, "r1", 10)
	pos := projtest.AppendAll(ctx, t, store, l.Events)
	// Then both read models reach the log's end, so a reader waiting for
	// its own write is answered, and the tracker's handler saw none of it.
	if err := r.WaitFor(ctx, pos); err != nil {
		t.Fatal(err)
	}
	if got := r.Positions(); got["action-tracker"] != pos || got["team-history"] != pos {
		t.Errorf("read models at %v, want both at %d", got, pos)
	}
	if n := handled.Load(); n != 0 {
		t.Errorf("the action tracker's handler got %d events of a retro's cards, want none", n)
	}
	if got := history.Current().TeamRetros("team-a"); len(got) != 1 || got[0].Cards != 10 {
		t.Errorf("team history: %+v, want the retro with its ten cards", got)
	}

	// When an action is recorded, the tracker's handler gets it and folds it.
	more := projtest.New(t, t0)
	more.Team("team-a", team.ActionRecorded{ActionID: "a1", Title: "Ship it", Assignee: "u-mod", RecordedBy: "u-mod", At: t0})
	pos = projtest.AppendAll(ctx, t, store, more.Events)
	if err := r.WaitFor(ctx, pos); err != nil {
		t.Fatal(err)
	}
	if n := handled.Load(); n != 1 {
		t.Errorf("the action tracker's handler got %d events, want the one action", n)
	}
}
