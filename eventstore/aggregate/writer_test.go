package aggregate_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/aggregate"
)

// counting counts what a runner asks of the store.
type counting struct {
	eventstore.Store
	appends, conflicts, loads atomic.Int64
}

func (c *counting) Append(ctx context.Context, cm eventstore.Commit) (eventstore.AppendResult, error) {
	c.appends.Add(1)
	res, err := c.Store.Append(ctx, cm)
	if errors.Is(err, eventstore.ErrConflict) {
		c.conflicts.Add(1)
	}
	return res, err
}

func (c *counting) Load(ctx context.Context, s eventstore.StreamID, after int64) ([]eventstore.RecordedEvent, error) {
	c.loads.Add(1)
	return c.Store.Load(ctx, s, after)
}

// follow runs a follower for the runners until the test ends.
func follow(t *testing.T, st eventstore.Store, runners ...aggregate.Followed) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- aggregate.Follow(ctx, st, runners...) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("follow: %v", err)
		}
	})
}

// poll calls f until it reports true, failing the test after 10 s.
func poll(t *testing.T, what string, f func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !f() {
		if time.Now().After(deadline) {
			t.Fatalf("after 10 s: %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// Commands for one aggregate arriving at once on one node take turns on its
// writer: none is decided on a version another already used, so the store
// refuses none and no caller sees a conflict, even with no retries at all.
func TestOneNodesConcurrentCommandsToOneAggregateNeverConflict(t *testing.T) {
	st := &counting{Store: newStore(t)}
	r := newRunner(st, aggregate.NewCache[state](4))
	r.MaxRetries = -1 // a conflict would reach the caller
	const callers, each = 32, 10
	var wg sync.WaitGroup
	for range callers {
		wg.Go(func() {
			for range each {
				if _, err := r.Handle(t.Context(), "c1", meta(), command{Add: 1}); err != nil {
					t.Errorf("handle: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	if n := st.conflicts.Load(); n != 0 {
		t.Errorf("the store refused %d appends as conflicts, want none", n)
	}
	s, v, err := newRunner(st.Store, nil).Load(t.Context(), "c1")
	if err != nil || s.N != callers*each || v != callers*each {
		t.Errorf("after %d adds: %+v at version %d (%v)", callers*each, s, v, err)
	}
	if n := r.Writing(); n != 0 {
		t.Errorf("%d writers left after the commands ended, want none (idle aggregates hold no writer)", n)
	}
}

// Two nodes write to one aggregate at once: each node's writer reloads
// when the other node's append overtook it, so both nodes' commands all
// succeed and the log holds every one of them.
func TestTwoNodesWritingOneAggregateBothSucceedAndLoseNothing(t *testing.T) {
	st := &counting{Store: newStore(t)}
	const nodes, callers, each = 2, 8, 10
	var wg sync.WaitGroup
	for range nodes {
		r := newRunner(st, aggregate.NewCache[state](4))
		r.MaxRetries = 1000
		follow(t, st, r)
		for range callers {
			wg.Go(func() {
				for range each {
					if _, err := r.Handle(t.Context(), "c1", meta(), command{Add: 1}); err != nil {
						t.Errorf("handle: %v", err)
						return
					}
				}
			})
		}
	}
	wg.Wait()
	s, v, err := newRunner(st.Store, nil).Load(t.Context(), "c1")
	if want := nodes * callers * each; err != nil || s.N != want || v != int64(want) {
		t.Errorf("after %d adds: %+v at version %d (%v)", want, s, v, err)
	}
}

// A followed node keeps its cached state current from the log: another
// node's write reaches it without a read of the stream, and its next
// command is decided on that state and appended once, again without one.
func TestAFollowedNodeSeesAnotherNodesWriteWithoutReadingTheStream(t *testing.T) {
	st := &counting{Store: newStore(t)}
	r := newRunner(st, aggregate.NewCache[state](4))
	follow(t, st, r)
	if _, err := r.Handle(t.Context(), "c1", meta(), command{Add: 1}); err != nil {
		t.Fatal(err)
	}
	poll(t, "the follower never vouched for the cached state", func() bool {
		before := st.loads.Load()
		if _, _, err := r.Current(t.Context(), "c1"); err != nil {
			t.Fatal(err)
		}
		return st.loads.Load() == before
	})
	loads := st.loads.Load()
	if _, err := newRunner(st.Store, nil).Handle(t.Context(), "c1", meta(), command{Add: 5}); err != nil {
		t.Fatal(err)
	}
	poll(t, "another node's write never reached the followed state", func() bool {
		s, _, err := r.Current(t.Context(), "c1")
		if err != nil {
			t.Fatal(err)
		}
		return s.N == 6
	})
	appends := st.appends.Load()
	res, err := r.Handle(t.Context(), "c1", meta(), command{Add: 1})
	if err != nil || res.State.N != 7 || res.Version != 3 {
		t.Fatalf("handle: %+v %v, want N 7 at version 3", res, err)
	}
	if n := st.loads.Load() - loads; n != 0 {
		t.Errorf("the stream was read %d times, want none", n)
	}
	if n := st.appends.Load() - appends; n != 1 {
		t.Errorf("%d appends, want 1 (decided on the followed state)", n)
	}
}

// The writer decides on the state it holds without reading the store; when
// that state is behind and the command is refused on it, the refusal is
// checked on the store's state first, where another node's write may
// allow it.
func TestARefusalIsMadeOnTheStoresStateNotOnAStaleOne(t *testing.T) {
	st := newStore(t)
	r := newRunner(st, aggregate.NewCache[state](4))
	for _, c := range []command{{SetLimit: 5}, {Add: 5}} {
		if _, err := r.Handle(t.Context(), "c1", meta(), c); err != nil {
			t.Fatal(err)
		}
	}
	// Another node raises the limit; this node's cached state still says 5.
	if _, err := newRunner(st, nil).Handle(t.Context(), "c1", meta(), command{SetLimit: 10}); err != nil {
		t.Fatal(err)
	}
	res, err := r.Handle(t.Context(), "c1", meta(), command{Add: 1})
	if err != nil || res.State.N != 6 || res.Version != 4 {
		t.Fatalf("handle: %+v %v, want N 6 at version 4 (the raised limit allows it)", res, err)
	}
	// And a refusal still stands when the store's state refuses too.
	if _, err := r.Handle(t.Context(), "c1", meta(), command{Add: 5}); !errors.Is(err, errOverLimit) {
		t.Fatalf("over the raised limit: %v, want the refusal", err)
	}
}

// A command that waits for its aggregate's writer gives up when its caller
// does, and leaves no writer behind.
func TestACommandWaitingForItsWriterStopsWithItsContext(t *testing.T) {
	st := &hooked{Store: newStore(t)}
	r := newRunner(st, aggregate.NewCache[state](4))
	entered, leave := make(chan struct{}), make(chan struct{})
	st.before = func(n int64, _ eventstore.Commit) {
		if n == 1 {
			close(entered)
			<-leave
		}
	}
	first := make(chan error, 1)
	go func() {
		_, err := r.Handle(t.Context(), "c1", meta(), command{Add: 1})
		first <- err
	}()
	<-entered
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := r.Handle(ctx, "c1", meta(), command{Add: 1}); !errors.Is(err, context.Canceled) {
		t.Errorf("waiting with a cancelled context: %v, want context.Canceled", err)
	}
	close(leave)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if n := r.Writing(); n != 0 {
		t.Errorf("%d writers left, want none", n)
	}
}
