package runner_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
	"github.com/hindsight-retro/hindsight/projections/projtest"
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
