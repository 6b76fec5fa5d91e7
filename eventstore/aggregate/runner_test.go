package aggregate_test

import (
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/aggregate"
)

// Both with and without a cache, the runner behaves the same.
func eachRunner(t *testing.T, f func(t *testing.T, st eventstore.Store, r *runner)) {
	t.Run("NoCache", func(t *testing.T) {
		st := newStore(t)
		f(t, st, newRunner(st, nil))
	})
	t.Run("Cache", func(t *testing.T) {
		st := newStore(t)
		f(t, st, newRunner(st, aggregate.NewCache[state](16)))
	})
}

func TestHandleAppendsWhatWasDecided(t *testing.T) {
	eachRunner(t, func(t *testing.T, st eventstore.Store, r *runner) {
		// Given a counter at 5, one event stored in an old schema.
		given(t, st, "c1", addedV1(2), addedV2(3))
		// When 4 is added.
		m := meta()
		res, err := r.Handle(t.Context(), "c1", m, command{Add: 4})
		if err != nil {
			t.Fatal(err)
		}
		// Then one event is appended on version 2 and the counter is at 9.
		if !reflect.DeepEqual(res.Events, []event{added{4}}) || res.State.N != 9 || res.Version != 3 || res.Position == 0 || res.Duplicate {
			t.Fatalf("result %+v, want event added{4}, N 9, version 3, a position", res)
		}
		evs, err := st.Load(t.Context(), stream("c1"), 2)
		if err != nil || len(evs) != 1 {
			t.Fatalf("load after version 2: %v %v", evs, err)
		}
		e := evs[0]
		if e.Type != "Added" || e.SchemaVersion != 2 || string(e.Payload) != `{"by":4}` || e.Position != res.Position {
			t.Errorf("stored %s v%d %s at %d", e.Type, e.SchemaVersion, e.Payload, e.Position)
		}
		if e.CommandID != m.CommandID || e.CausationID != m.CausationID || e.CorrelationID != m.CorrelationID || e.Actor != m.Actor {
			t.Errorf("stored metadata %q %q %q %q, want %+v", e.CommandID, e.CausationID, e.CorrelationID, e.Actor, m)
		}
		s, v, err := r.Load(t.Context(), "c1")
		if err != nil || s.N != 9 || v != 3 {
			t.Errorf("load: %+v v%d %v, want N 9 at version 3", s, v, err)
		}
	})
}

func TestHandleNewAggregate(t *testing.T) {
	eachRunner(t, func(t *testing.T, st eventstore.Store, r *runner) {
		s, v, err := r.Load(t.Context(), "fresh")
		if err != nil || v != 0 || s != (state{}) {
			t.Fatalf("load of an aggregate with no events: %+v v%d %v, want the initial state at 0", s, v, err)
		}
		res, err := r.Handle(t.Context(), "fresh", meta(), command{Add: 1})
		if err != nil || res.Version != 1 || res.State.N != 1 {
			t.Fatalf("first command: %+v %v", res, err)
		}
	})
}

func TestRejectionWritesNothing(t *testing.T) {
	eachRunner(t, func(t *testing.T, st eventstore.Store, r *runner) {
		given(t, st, "c1", limit(5), addedV2(4))
		res, err := r.Handle(t.Context(), "c1", meta(), command{Add: 2})
		if !errors.Is(err, errOverLimit) {
			t.Fatalf("adding past the limit: %v, want the decider's error", err)
		}
		if res.State.N != 4 || res.Version != 2 {
			t.Errorf("result of a refused command: %+v, want the state it was decided on", res)
		}
		if v := storedVersion(t, st, "c1"); v != 2 {
			t.Errorf("a refused command wrote: version %d", v)
		}
	})
}

func TestNoEventsWritesNothing(t *testing.T) {
	eachRunner(t, func(t *testing.T, st eventstore.Store, r *runner) {
		res, err := r.Handle(t.Context(), "c1", meta(), command{Add: 0})
		if err != nil || res.Version != 0 || res.Position != 0 || len(res.Events) != 0 {
			t.Fatalf("a command without events: %+v %v", res, err)
		}
		if _, err := st.Load(t.Context(), stream("c1"), 0); !errors.Is(err, eventstore.ErrStreamNotFound) {
			t.Errorf("a command without events created its stream: %v", err)
		}
	})
}

func TestConflictIsDecidedAgain(t *testing.T) {
	for _, withCache := range []bool{false, true} {
		st := &hooked{Store: newStore(t)}
		r := newRunner(st, nil)
		if withCache {
			r.Cache = aggregate.NewCache[state](4)
		}
		given(t, st.Store, "c1", addedV2(1))
		if _, _, err := r.Load(t.Context(), "c1"); err != nil { // warms the cache
			t.Fatal(err)
		}
		// Another node adds 10 between this runner's load and its append.
		st.before = func(n int64, c eventstore.Commit) {
			if n == 1 {
				given(t, st.Store, "c1", addedV2(10))
			}
		}
		res, err := r.Handle(t.Context(), "c1", meta(), command{Add: 1})
		if err != nil {
			t.Fatalf("cache %v: %v", withCache, err)
		}
		if res.State.N != 12 || res.Version != 3 || st.appends.Load() != 2 {
			t.Errorf("cache %v: %+v after %d appends, want N 12 at version 3 after 2", withCache, res, st.appends.Load())
		}
	}
}

func TestConflictCanTurnIntoRefusal(t *testing.T) {
	st := &hooked{Store: newStore(t)}
	r := newRunner(st, nil)
	given(t, st.Store, "c1", limit(10), addedV2(8))
	st.before = func(n int64, c eventstore.Commit) {
		if n == 1 {
			given(t, st.Store, "c1", addedV2(2))
		}
	}
	// Decided on 8 the command fits; decided again on 10 it does not.
	if _, err := r.Handle(t.Context(), "c1", meta(), command{Add: 1}); !errors.Is(err, errOverLimit) {
		t.Fatalf("got %v, want the refusal on the new state", err)
	}
	if v := storedVersion(t, st, "c1"); v != 3 {
		t.Errorf("version %d, want 3 (only the other node's event)", v)
	}
}

func TestConflictRetriesRunOut(t *testing.T) {
	st := &hooked{Store: newStore(t)}
	r := newRunner(st, nil)
	r.MaxRetries = 2
	st.before = func(int64, eventstore.Commit) { given(t, st.Store, "c1", addedV2(1)) }
	_, err := r.Handle(t.Context(), "c1", meta(), command{Add: 1})
	var ce *eventstore.ConflictError
	if !errors.Is(err, eventstore.ErrConflict) || !errors.As(err, &ce) || ce.Stream != stream("c1") {
		t.Fatalf("always overtaken: %v, want the store's conflict", err)
	}
	if n := st.appends.Load(); n != 3 {
		t.Errorf("%d attempts, want 1 + MaxRetries = 3", n)
	}
}

func TestTwoHandlersBothSucceed(t *testing.T) {
	st := &hooked{Store: newStore(t)}
	// The first two appends wait for each other: both were decided on the
	// same version, so one of them conflicts and is decided again.
	var arrived sync.WaitGroup
	arrived.Add(2)
	st.before = func(n int64, c eventstore.Commit) {
		if n <= 2 {
			arrived.Done()
			arrived.Wait()
		}
	}
	var wg sync.WaitGroup
	results := make([]aggregate.Result[state, event], 2)
	errs := make([]error, 2)
	for i := range 2 {
		r := newRunner(st, aggregate.NewCache[state](4)) // two nodes
		wg.Go(func() { results[i], errs[i] = r.Handle(t.Context(), "c1", meta(), command{Add: i + 1}) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("handler %d: %v", i, err)
		}
	}
	last := results[0]
	if results[1].Version > last.Version {
		last = results[1]
	}
	if last.Version != 2 || last.State.N != 3 || st.appends.Load() != 3 {
		t.Errorf("results %+v after %d appends, want the later one at version 2 with N 3", results, st.appends.Load())
	}
}

func TestConcurrentHandlersLoseNothing(t *testing.T) {
	st := newStore(t)
	const handlers, each = 4, 25
	var wg sync.WaitGroup
	for range handlers {
		r := newRunner(st, aggregate.NewCache[state](4))
		r.MaxRetries = 1000
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
	s, v, err := newRunner(st, nil).Load(t.Context(), "c1")
	if err != nil || s.N != handlers*each || v != handlers*each {
		t.Errorf("after %d adds: %+v at version %d (%v)", handlers*each, s, v, err)
	}
}

func TestDecodeErrorSaysWhere(t *testing.T) {
	for name, bad := range map[string]eventstore.Event{
		"UnknownType": {Type: "Exploded", SchemaVersion: 1, Payload: []byte(`{}`)},
		"BadPayload":  {Type: "Added", SchemaVersion: 2, Payload: []byte(`{"by":"three"}`)},
	} {
		t.Run(name, func(t *testing.T) {
			eachRunner(t, func(t *testing.T, st eventstore.Store, r *runner) {
				given(t, st, "c1", addedV2(1), bad)
				_, err := r.Handle(t.Context(), "c1", meta(), command{Add: 1})
				if err == nil {
					t.Fatal("handled a command on a stream that cannot be read")
				}
				for _, want := range []string{"counter-c1", "version 2", bad.Type} {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q does not mention %q", err, want)
					}
				}
				if name == "UnknownType" && !errors.Is(err, errUnknownType) {
					t.Errorf("error %v does not wrap the codec's", err)
				}
				if _, _, err := r.Load(t.Context(), "c1"); err == nil {
					t.Error("loaded a stream that cannot be read")
				}
				if v := storedVersion(t, st, "c1"); v != 2 {
					t.Errorf("version %d after a failed read, want 2", v)
				}
			})
		})
	}
}

func TestEncodeErrorWritesNothing(t *testing.T) {
	st := newStore(t)
	_, err := newRunner(st, nil).Handle(t.Context(), "c1", meta(), command{Add: 13})
	if !errors.Is(err, errUnlucky) || !strings.Contains(err.Error(), "counter-c1") {
		t.Fatalf("got %v, want the codec's error naming the stream", err)
	}
	if v := storedVersion(t, st, "c1"); v != 0 {
		t.Errorf("version %d after an encode error", v)
	}
}

func TestRetriedCommandIsAnsweredAsBefore(t *testing.T) {
	eachRunner(t, func(t *testing.T, st eventstore.Store, r *runner) {
		given(t, st, "c1", limit(3))
		x := meta()
		first, err := r.Handle(t.Context(), "c1", x, command{Add: 3})
		if err != nil {
			t.Fatal(err)
		}
		// The counter is at its limit now: deciding the retry again would
		// refuse it, but it is the same command and it succeeded.
		again, err := r.Handle(t.Context(), "c1", x, command{Add: 3})
		if err != nil {
			t.Fatalf("retry: %v", err)
		}
		first.Duplicate = true
		if !reflect.DeepEqual(again, first) {
			t.Errorf("retry answered %+v, want %+v", again, first)
		}
		// Also after other commands, and from a node that never saw it.
		if _, err := r.Handle(t.Context(), "c1", meta(), command{SetLimit: 10}); err != nil {
			t.Fatal(err)
		}
		for _, rr := range []*runner{r, newRunner(st, nil)} {
			again, err = rr.Handle(t.Context(), "c1", x, command{Add: 3})
			if err != nil || !reflect.DeepEqual(again, first) {
				t.Errorf("retry after another command: %+v %v, want %+v", again, err, first)
			}
		}
		if v := storedVersion(t, st, "c1"); v != 3 {
			t.Errorf("version %d, want 3: the retries wrote", v)
		}
	})
}

func TestDuplicateReportedByTheStore(t *testing.T) {
	// The first attempt lands while the retry is between its load and its
	// append: only the store can tell.
	st := &hooked{Store: newStore(t)}
	r := newRunner(st, nil)
	given(t, st.Store, "c1", addedV2(1))
	st.before = func(n int64, c eventstore.Commit) {
		if n == 1 {
			if _, err := st.Store.Append(t.Context(), c); err != nil {
				t.Errorf("first attempt: %v", err)
			}
		}
	}
	res, err := r.Handle(t.Context(), "c1", meta(), command{Add: 5})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Duplicate || res.Version != 2 || res.State.N != 6 || !reflect.DeepEqual(res.Events, []event{added{5}}) {
		t.Errorf("got %+v, want the duplicate at version 2 with N 6", res)
	}
	if v := storedVersion(t, st, "c1"); v != 2 {
		t.Errorf("version %d, want 2", v)
	}
}

func TestBadInput(t *testing.T) {
	st := newStore(t)
	r := newRunner(st, nil)
	if _, err := r.Handle(t.Context(), "c1", aggregate.Meta{}, command{Add: 1}); !errors.Is(err, eventstore.ErrInvalidArgument) {
		t.Errorf("command without ID: %v, want ErrInvalidArgument", err)
	}
	if _, err := r.Handle(t.Context(), "a.b", meta(), command{Add: 1}); !errors.Is(err, eventstore.ErrInvalidArgument) {
		t.Errorf("aggregate ID a.b: %v, want ErrInvalidArgument", err)
	}
	if _, _, err := r.Load(t.Context(), ""); !errors.Is(err, eventstore.ErrInvalidArgument) {
		t.Errorf("load of an empty ID: %v, want ErrInvalidArgument", err)
	}
	if v := storedVersion(t, st, "c1"); v != 0 {
		t.Errorf("bad input wrote: version %d", v)
	}
}

func TestCacheReadsOnlyWhatIsNew(t *testing.T) {
	st := &hooked{Store: newStore(t)}
	r := newRunner(st, aggregate.NewCache[state](2))
	if _, err := r.Handle(t.Context(), "c1", meta(), command{Add: 1}); err != nil {
		t.Fatal(err)
	}
	// Another node writes; this runner's next read catches up from its
	// cached version instead of the stream's start.
	if _, err := newRunner(st.Store, nil).Handle(t.Context(), "c1", meta(), command{Add: 5}); err != nil {
		t.Fatal(err)
	}
	st.loadedAfter = nil
	s, v, err := r.Load(t.Context(), "c1")
	if err != nil || s.N != 6 || v != 2 {
		t.Fatalf("load after another node wrote: %+v v%d %v, want N 6 at 2", s, v, err)
	}
	if !reflect.DeepEqual(st.loadedAfter, []int64{1}) {
		t.Errorf("read the stream after versions %v, want after 1 (the cached version)", st.loadedAfter)
	}
	// Bounded: a third stream pushes out the least recently used.
	for _, id := range []string{"c2", "c3"} {
		if _, err := r.Handle(t.Context(), id, meta(), command{Add: 1}); err != nil {
			t.Fatal(err)
		}
	}
	if n := r.Cache.Len(); n != 2 {
		t.Errorf("cache of size 2 holds %d streams", n)
	}
	st.loadedAfter = nil
	if _, _, err := r.Load(t.Context(), "c1"); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(st.loadedAfter, []int64{0}) {
		t.Errorf("evicted stream read after versions %v, want from the start", st.loadedAfter)
	}
}

func TestCacheOutlivingItsStore(t *testing.T) {
	cache := aggregate.NewCache[state](4)
	old := newStore(t)
	if _, err := newRunner(old, cache).Handle(t.Context(), "c1", meta(), command{Add: 4}); err != nil {
		t.Fatal(err)
	}
	s, v, err := newRunner(newStore(t), cache).Load(t.Context(), "c1")
	if err != nil || v != 0 || s.N != 0 {
		t.Errorf("load from an empty store through a cache filled elsewhere: %+v v%d %v, want the initial state", s, v, err)
	}
}

// An aggregate that can fold a batch at once gets every new event in one
// call, and the state comes out as Evolve would make it.
func TestEvolveAllFoldsTheNewEventsInOneCall(t *testing.T) {
	st := newStore(t)
	given(t, st, "c1", addedV2(1), addedV2(2), addedV2(3))
	r := newRunner(st, aggregate.NewCache[state](4))
	var batches [][]event
	r.EvolveAll = func(s state, es []event) state {
		batches = append(batches, es)
		for _, e := range es {
			s = evolve(s, e)
		}
		return s
	}
	s, v, err := r.Load(t.Context(), "c1")
	if err != nil || s.N != 6 || v != 3 {
		t.Fatalf("load: %+v v%d %v, want N 6 at version 3", s, v, err)
	}
	if len(batches) != 1 || len(batches[0]) != 3 {
		t.Fatalf("EvolveAll got batches %v, want the three events in one", batches)
	}
	given(t, st, "c1", addedV2(4))
	if s, _, err := r.Load(t.Context(), "c1"); err != nil || s.N != 10 {
		t.Fatalf("after one more event: %+v %v, want N 10", s, err)
	}
	if len(batches) != 2 || len(batches[1]) != 1 {
		t.Fatalf("the cached state was not caught up with the one new event: batches %v", batches)
	}
}
