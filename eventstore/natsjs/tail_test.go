package natsjs

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/eventstore"
)

// follower records what one subscription was handed.
type recorder struct {
	mu   sync.Mutex
	seen []eventstore.RecordedEvent
	news chan struct{}
}

func newRecorder() *recorder { return &recorder{news: make(chan struct{}, 1)} }

func (r *recorder) handle(_ context.Context, e eventstore.RecordedEvent) error {
	r.mu.Lock()
	r.seen = append(r.seen, e)
	r.mu.Unlock()
	select {
	case r.news <- struct{}{}:
	default:
	}
	return nil
}

func (r *recorder) events() []eventstore.RecordedEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]eventstore.RecordedEvent(nil), r.seen...)
}

// waitFor waits until the recorder holds n events.
func (r *recorder) waitFor(t *testing.T, n int, who string) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for len(r.events()) < n {
		select {
		case <-r.news:
		case <-deadline:
			t.Fatalf("%s holds %d events after 30 s, want %d", who, len(r.events()), n)
		}
	}
}

func consumers(t *testing.T, s *Store) int {
	t.Helper()
	st, err := s.JetStream().Stream(testCtx(t), "EVENTS")
	if err != nil {
		t.Fatal(err)
	}
	return st.CachedInfo().State.Consumers
}

// checkCommits fails unless evs are the commits of the log after position
// from, each once, in order: one event per commit here.
func checkCommits(t *testing.T, who string, evs []eventstore.RecordedEvent, want []eventstore.AppendResult) {
	t.Helper()
	if len(evs) != len(want) {
		t.Fatalf("%s got %d events, want %d", who, len(evs), len(want))
	}
	for i, e := range evs {
		if e.Position != want[i].Position {
			t.Fatalf("%s's event %d is at position %d, want %d (the log's order, each commit once)", who, i, e.Position, want[i].Position)
		}
	}
}

func TestSubscriptionsAtTheLogsEndShareOneReader(t *testing.T) {
	s := openEmbedded(t, t.TempDir())
	stream := eventstore.StreamID{Category: "tail", ID: "a"}
	mustAppend(t, s, newCommit(stream, eventstore.NoStream, "c0", 1))
	from, err := s.LastPosition(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(testCtx(t))
	const n = 9
	recs := make([]*recorder, n)
	done := make(chan error, n)
	for i := range recs {
		recs[i] = newRecorder()
		go func() { done <- s.Subscribe(ctx, from, recs[i].handle) }()
	}
	var want []eventstore.AppendResult
	for v := range 3 {
		want = append(want, mustAppend(t, s, newCommit(stream, int64(v+1), fmt.Sprintf("c%d", v+1), 1)))
	}
	for i, r := range recs {
		r.waitFor(t, len(want), fmt.Sprintf("subscription %d", i))
		checkCommits(t, fmt.Sprintf("subscription %d", i), r.events(), want)
	}
	// A subscription that joined after the tail had moved on read up to it
	// with a consumer of its own, deleted once that read returns.
	settled := time.Now().Add(10 * time.Second)
	for consumers(t, s) != 1 && time.Now().Before(settled) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := consumers(t, s); got != 1 {
		t.Errorf("%d subscriptions at the log's end hold %d consumers on the server, want 1 between them", n, got)
	}
	want = append(want, mustAppend(t, s, newCommit(stream, 4, "c4", 1)))
	for i, r := range recs {
		r.waitFor(t, len(want), fmt.Sprintf("subscription %d", i))
		checkCommits(t, fmt.Sprintf("subscription %d", i), r.events(), want)
	}
	cancel()
	for range n {
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("a cancelled subscription returned %v, want context.Canceled", err)
		}
	}
	if got := consumers(t, s); got != 0 {
		t.Errorf("%d consumers left once every subscription ended, want 0", got)
	}
}

func TestASubscriptionTooSlowForTheTailCatchesUpAloneAndHoldsNobodyUp(t *testing.T) {
	s := openEmbedded(t, t.TempDir())
	stream := eventstore.StreamID{Category: "tail", ID: "b"}
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()

	fast, slow := newRecorder(), newRecorder()
	release := make(chan struct{})
	done := make(chan error, 2)
	go func() { done <- s.Subscribe(ctx, 0, fast.handle) }()
	go func() {
		done <- s.Subscribe(ctx, 0, func(ctx context.Context, e eventstore.RecordedEvent) error {
			if e.StreamVersion == 2 {
				<-release // stuck in its handler while the log grows past its buffer
			}
			return slow.handle(ctx, e)
		})
	}()
	var want []eventstore.AppendResult
	total := followerBuffer + 300
	for v := range total {
		want = append(want, mustAppend(t, s, newCommit(stream, int64(v), fmt.Sprintf("c%d", v), 1)))
	}
	fast.waitFor(t, total, "the fast subscription, while the slow one is stuck")
	checkCommits(t, "the fast subscription", fast.events(), want)
	if got := len(slow.events()); got > 1 {
		t.Fatalf("the stuck subscription handled %d events, want at most 1", got)
	}
	close(release)
	slow.waitFor(t, total, "the slow subscription, released")
	// And it follows live again afterwards.
	want = append(want, mustAppend(t, s, newCommit(stream, int64(total), "last", 1)))
	slow.waitFor(t, total+1, "the slow subscription, after catching up")
	fast.waitFor(t, total+1, "the fast subscription, at the end")
	checkCommits(t, "the slow subscription", slow.events(), want)
	checkCommits(t, "the fast subscription", fast.events(), want)
	cancel()
	for range 2 {
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("a cancelled subscription returned %v, want context.Canceled", err)
		}
	}
}

func TestClosingTheStoreEndsSubscriptionsWaitingOnTheTail(t *testing.T) {
	s := openEmbedded(t, t.TempDir())
	stream := eventstore.StreamID{Category: "tail", ID: "c"}
	r := newRecorder()
	done := make(chan error, 1)
	go func() { done <- s.Subscribe(testCtx(t), 0, r.handle) }()
	mustAppend(t, s, newCommit(stream, eventstore.NoStream, "c0", 1))
	r.waitFor(t, 1, "the subscription")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, eventstore.ErrClosed) {
			t.Errorf("a subscription on a closed store returned %v, want ErrClosed", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("a subscription waiting on the tail did not end when the store closed")
	}
}
