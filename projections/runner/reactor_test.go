package runner_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
	"github.com/hindsight-retro/hindsight/projections/runner"
)

// sent is a reactor's outside world: how often each cause was reacted to.
// A reaction to "ping" events fails while failing is set.
type sent struct {
	mu      sync.Mutex
	times   map[string]int
	failing bool
	tries   int
}

func (s *sent) reactor(t *testing.T, store eventstore.Store) *runner.Reactor {
	t.Helper()
	r, err := runner.NewReactor(runner.ReactorConfig{
		Name: "mailer", Store: store,
		Reacts: func(e eventstore.RecordedEvent) bool { return e.Type == "ping" },
		React: func(_ context.Context, e eventstore.RecordedEvent) error {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.tries++
			if s.failing {
				return errors.New("mail server unreachable")
			}
			s.times[e.EventID]++
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (s *sent) count(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.times[id]
}

func (s *sent) setFailing(f bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failing = f
}

func (s *sent) attempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tries
}

// appendPing writes one commit of a "ping" (reacted to) and a "noise"
// event (not) and returns the ping's event ID and the commit's position.
func appendPing(t *testing.T, store eventstore.Store, n int) (string, uint64) {
	t.Helper()
	id := fmt.Sprintf("ping-%d", n)
	res, err := store.Append(t.Context(), eventstore.Commit{
		Stream: eventstore.StreamID{Category: "thing", ID: fmt.Sprint(n)}, ExpectedVersion: eventstore.NoStream,
		CommandID: fmt.Sprintf("cmd-%d", n),
		Events: []eventstore.Event{{ID: id, Type: "ping", SchemaVersion: 1, Payload: []byte(`{}`)},
			{Type: "noise", SchemaVersion: 1, Payload: []byte(`{}`)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return id, res.Position
}

func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// A reactor that stopped resumes from its checkpoint in the log: it reacts
// to what was written while it was away, and to nothing it did before.
func TestAReactorThatStoppedReactsOnceToWhatItMissedAndNeverAgainToWhatItDid(t *testing.T) {
	store := memstore.New(nil)
	s := &sent{times: map[string]int{}}
	first, pos1 := appendPing(t, store, 1)
	r := s.reactor(t, store)
	ctx, stop := context.WithCancel(t.Context())
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	// Done is a whole commit: a reaction in a commit the reactor had not
	// finished is offered again, which idempotence per cause absorbs.
	waitUntil(t, "the first commit reacted to", func() bool { return r.Checkpoint() >= pos1 })
	stop()
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}

	// While no reactor runs, two more causes are written.
	missed := []string{}
	for n := 2; n <= 3; n++ {
		id, _ := appendPing(t, store, n)
		missed = append(missed, id)
	}
	// A new reactor (a restarted process) on the same log.
	again := s.reactor(t, store)
	if err := again.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	waitUntil(t, "the missed pings reacted to", func() bool { return s.count(missed[0]) == 1 && s.count(missed[1]) == 1 })
	// A fourth cause written live proves the follower has read past the old ones.
	live, pos := appendPing(t, store, 4)
	waitUntil(t, "the live ping reacted to", func() bool { return again.Checkpoint() >= pos })
	for _, id := range []string{first, missed[0], missed[1], live} {
		if n := s.count(id); n != 1 {
			t.Errorf("%s reacted to %d times, want once", id, n)
		}
	}
}

// A reaction that fails is retried until it succeeds; the reactor neither
// skips it nor reacts to later causes before it, and a writer waiting for
// its own cause (CatchUp) hears of the failure.
func TestAFailingReactionHoldsTheReactorUntilItSucceeds(t *testing.T) {
	store := memstore.New(nil)
	s := &sent{times: map[string]int{}, failing: true}
	r := s.reactor(t, store)
	if err := r.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	first, _ := appendPing(t, store, 1)
	second, pos := appendPing(t, store, 2)
	if err := r.CatchUp(t.Context(), pos); err == nil {
		t.Fatal("CatchUp with the reaction failing: no error")
	}
	waitUntil(t, "several attempts", func() bool { return s.attempts() >= 5 })
	if s.count(first) != 0 || s.count(second) != 0 || r.Checkpoint() >= pos {
		t.Fatalf("while failing: first %d, second %d, checkpoint %d", s.count(first), s.count(second), r.Checkpoint())
	}
	// Its metrics show it stuck: behind the log, with failed attempts.
	reg := prometheus.NewRegistry()
	reg.MustRegister(r.Collector())
	stuck := metricValues(t, reg)
	if stuck["hindsight_reactor_lag_positions"] == 0 || stuck["hindsight_reactor_failed_attempts_total"] < 5 {
		t.Errorf("metrics of the stuck reactor: %v, want lag and at least 5 failed attempts", stuck)
	}
	s.setFailing(false)
	waitUntil(t, "both reacted to", func() bool { return r.Checkpoint() >= pos })
	// Each reaction saved a checkpoint commit after it, which the reactor
	// then reads past: once it did, its lag is at most the last one's.
	waitUntil(t, "the lag back to the checkpoint's own commit", func() bool {
		return metricValues(t, reg)["hindsight_reactor_lag_positions"] <= 1
	})
	if s.count(first) != 1 || s.count(second) != 1 {
		t.Errorf("after recovery: first %d, second %d, want once each", s.count(first), s.count(second))
	}
}

// CatchUp does the reactions up to a position in the caller's goroutine,
// with no follower running, and saves the checkpoint a later start resumes
// from.
func TestCatchUpReactsUpToThePositionAndAStartResumesAfterIt(t *testing.T) {
	store := memstore.New(nil)
	s := &sent{times: map[string]int{}}
	first, pos := appendPing(t, store, 1)
	r := s.reactor(t, store)
	if err := r.CatchUp(t.Context(), pos); err != nil {
		t.Fatal(err)
	}
	if s.count(first) != 1 {
		t.Fatalf("after CatchUp: %d reactions, want 1", s.count(first))
	}
	second, pos2 := appendPing(t, store, 2)
	next := s.reactor(t, store)
	if err := next.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer next.Close()
	waitUntil(t, "the second ping", func() bool { return next.Checkpoint() >= pos2 })
	if s.count(first) != 1 || s.count(second) != 1 {
		t.Errorf("first %d, second %d, want once each", s.count(first), s.count(second))
	}
}

// metricValues gathers reg's single-series metrics by name.
func metricValues(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			switch {
			case m.GetGauge() != nil:
				out[mf.GetName()] = m.GetGauge().GetValue()
			case m.GetCounter() != nil:
				out[mf.GetName()] = m.GetCounter().GetValue()
			}
		}
	}
	return out
}
