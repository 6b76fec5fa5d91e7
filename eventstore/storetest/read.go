package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/eventstore"
)

// appended is a commit and where the store said it landed.
type appended struct {
	c   eventstore.Commit
	res eventstore.AppendResult
}

// checkLog asserts that got, the events of some streams read from the log,
// are exactly the commits in want, each once, in append order.
func checkLog(t *testing.T, got []eventstore.RecordedEvent, want []appended) {
	t.Helper()
	i := 0
	for n, a := range want {
		for k := range a.c.Events {
			if i >= len(got) {
				t.Fatalf("the log ends after %d events: commit %d of %d (%s) is missing", len(got), n+1, len(want), a.c.CommandID)
			}
			e := got[i]
			if e.CommandID != a.c.CommandID || e.Index != k {
				t.Fatalf("event %d of the log is %s v%d (command %s, index %d), want index %d of command %s",
					i, e.Stream, e.StreamVersion, e.CommandID, e.Index, k, a.c.CommandID)
			}
			checkEvent(t, e, a.c, k, a.res)
			i++
		}
	}
	if i < len(got) {
		e := got[i]
		t.Fatalf("the log holds %d more events than were appended, from %s v%d (command %s)", len(got)-i, e.Stream, e.StreamVersion, e.CommandID)
	}
}

// checkPositions asserts that events read from the log advance: positions
// strictly increase between commits and are shared within one.
func checkPositions(t *testing.T, evs []eventstore.RecordedEvent) {
	t.Helper()
	for i := 1; i < len(evs); i++ {
		p, e := evs[i-1], evs[i]
		if p.LastInCommit() {
			if e.Position <= p.Position || e.Index != 0 {
				t.Fatalf("after the end of commit %d came position %d index %d", p.Position, e.Position, e.Index)
			}
		} else if e.Position != p.Position || e.Index != p.Index+1 {
			t.Fatalf("inside commit %d (index %d of %d) came position %d index %d", p.Position, p.Index, p.CommitSize, e.Position, e.Index)
		}
	}
}

// ordering: the global log keeps append order within and across streams.
func (s suite) ordering(t *testing.T) {
	st := s.store(t)
	ctx := testContext(t)
	streams := []eventstore.StreamID{newStream(), newStream(), newStream()}
	base := lastPosition(t, ctx, st)
	var log []appended
	version := make([]int64, len(streams))
	for i := range 30 {
		k := i % len(streams)
		c := commitOf(streams[k], version[k], 1+i%3)
		res := appendOK(t, ctx, st, c)
		version[k] = res.StreamVersion
		if n := len(log); n > 0 && res.Position <= log[n-1].res.Position {
			t.Fatalf("commit %d landed at position %d, not after the previous one at %d", i, res.Position, log[n-1].res.Position)
		}
		log = append(log, appended{c, res})
	}

	t.Run("All", func(t *testing.T) {
		got := readOwn(t, ctx, st, base, setOf(streams...))
		checkLog(t, got, log)
		checkPositions(t, got)
	})

	t.Run("After", func(t *testing.T) {
		// Reading resumes after a commit's position with the next commit.
		from := log[11].res.Position
		checkLog(t, readOwn(t, ctx, st, from, setOf(streams...)), log[12:])
	})

	t.Run("EndsWhereItBegan", func(t *testing.T) {
		// Commits appended while ReadAll runs are after its end.
		late := newStream()
		wrote := false
		var seen []eventstore.RecordedEvent
		err := st.ReadAll(ctx, base, func(ctx context.Context, e eventstore.RecordedEvent) error {
			if e.Stream == late {
				seen = append(seen, e)
			}
			if !wrote && e.Stream == streams[0] {
				wrote = true
				if _, err := st.Append(ctx, commitOf(late, eventstore.NoStream, 1)); err != nil {
					return fmt.Errorf("append while reading: %w", err)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("read all: %v", err)
		}
		if len(seen) > 0 {
			t.Errorf("read all returned a commit appended after it began")
		}
	})

	t.Run("HandlerError", func(t *testing.T) {
		stop := errors.New("handler had enough")
		calls := 0
		err := st.ReadAll(ctx, base, func(context.Context, eventstore.RecordedEvent) error {
			calls++
			return stop
		})
		if !errors.Is(err, stop) || calls != 1 {
			t.Errorf("read all with a failing handler: %v after %d calls, want the handler's error after 1", err, calls)
		}
	})
}

// subscription collects one subscriber's events; it is done when it has seen
// the last event of the watched stream.
type subscription struct {
	mu       sync.Mutex
	all      []eventstore.RecordedEvent // every event, any stream
	own      []eventstore.RecordedEvent // the watched stream's events
	first    chan struct{}              // closed on the watched stream's first event
	returned chan struct{}
	err      error
}

var errSeenAll = errors.New("subscriber saw the last event")

// subscribe starts a subscription from after that watches stream until it
// sees version last; it returns, with errSeenAll, from its handler then.
func subscribe(ctx context.Context, st eventstore.Store, after uint64, stream eventstore.StreamID, last int64) *subscription {
	sub := &subscription{first: make(chan struct{}), returned: make(chan struct{})}
	go func() {
		defer close(sub.returned)
		sub.err = st.Subscribe(ctx, after, func(_ context.Context, e eventstore.RecordedEvent) error {
			sub.mu.Lock()
			defer sub.mu.Unlock()
			sub.all = append(sub.all, e)
			if e.Stream != stream {
				return nil
			}
			if len(sub.own) == 0 {
				close(sub.first)
			}
			sub.own = append(sub.own, e)
			if e.StreamVersion == last {
				return errSeenAll
			}
			return nil
		})
	}()
	return sub
}

// subscribe: catch-up then live, with a writer busy across the switch.
func (s suite) subscribe(t *testing.T) {
	st := s.store(t)
	ctx := testContext(t)

	t.Run("CatchUpThenLive", func(t *testing.T) {
		stream, noise := newStream(), newStream()
		base := lastPosition(t, ctx, st)
		const before, during = 40, 160
		plan := make([]eventstore.Commit, before+during)
		var last int64
		for i := range plan {
			plan[i] = commitOf(stream, last, 1+i%3)
			last += int64(1 + i%3)
		}
		log := make([]appended, 0, len(plan))
		for _, c := range plan[:before] {
			log = append(log, appended{c, appendOK(t, ctx, st, c)})
		}

		// Subscribers join while the writer runs: at its start, a third of
		// the way through and two thirds of the way through.
		joins := []int{0, during / 3, 2 * during / 3}
		var subs []*subscription
		progress := make(chan int)
		var writeErr error
		written := make(chan struct{})
		go func() {
			defer close(written)
			defer close(progress)
			noiseVersion := int64(0)
			for i, c := range plan[before:] {
				progress <- i
				res, err := st.Append(ctx, c)
				if err != nil {
					writeErr = fmt.Errorf("commit %d: %w", before+i, err)
					return
				}
				log = append(log, appended{c, res})
				if i%4 == 0 {
					// Other streams' commits interleave in the global log.
					if _, err := st.Append(ctx, commitOf(noise, noiseVersion, 1)); err != nil {
						writeErr = fmt.Errorf("noise: %w", err)
						return
					}
					noiseVersion++
				}
			}
		}()
		for i := range progress {
			if len(subs) < len(joins) && i == joins[len(subs)] {
				subs = append(subs, subscribe(ctx, st, base, stream, last))
			}
		}
		<-written
		if writeErr != nil {
			t.Fatal(writeErr)
		}
		for n, sub := range subs {
			wait(t, sub.returned, fmt.Sprintf("subscriber %d waiting for version %d", n, last))
			if !errors.Is(sub.err, errSeenAll) {
				t.Fatalf("subscriber %d returned %v, want its handler's error", n, sub.err)
			}
			checkLog(t, sub.own, log)
			checkPositions(t, sub.all)
		}
	})

	t.Run("CancelWhileWaiting", func(t *testing.T) {
		// A live subscription with nothing to deliver ends with its context.
		stream := newStream()
		subCtx, cancel := context.WithCancel(ctx)
		defer cancel()
		sub := subscribe(subCtx, st, lastPosition(t, ctx, st), stream, 2)
		appendOK(t, ctx, st, commitOf(stream, eventstore.NoStream, 1))
		wait(t, sub.first, "a subscription waiting for its first commit")
		cancel()
		wait(t, sub.returned, "a cancelled subscription")
		if !errors.Is(sub.err, context.Canceled) {
			t.Errorf("cancelled subscription returned %v, want context.Canceled", sub.err)
		}
	})

	t.Run("CancelAndResume", func(t *testing.T) {
		stream := newStream()
		base := lastPosition(t, ctx, st)
		var log []appended
		var version int64
		write := func(n int) {
			for i := range n {
				c := commitOf(stream, version, 1+i%2)
				res := appendOK(t, ctx, st, c)
				version = res.StreamVersion
				log = append(log, appended{c, res})
			}
		}
		write(10)
		cancelAt := log[4].res.StreamVersion

		// The first subscriber cancels its context at the end of commit 5;
		// it resumes from the position of the last commit it saw whole.
		subCtx, cancel := context.WithCancel(ctx)
		var checkpoint uint64
		var first []eventstore.RecordedEvent
		done := make(chan error, 1)
		go func() {
			done <- st.Subscribe(subCtx, base, func(_ context.Context, e eventstore.RecordedEvent) error {
				if e.Stream == stream {
					first = append(first, e)
				}
				if e.LastInCommit() {
					checkpoint = e.Position
				}
				if e.Stream == stream && e.StreamVersion == cancelAt {
					cancel()
				}
				return nil
			})
		}()
		var err error
		select {
		case err = <-done:
		case <-time.After(stall):
			t.Fatalf("subscription did not return after its context was cancelled")
		}
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled subscription returned %v, want context.Canceled", err)
		}
		seen := 0
		for seen < len(log) && log[seen].res.Position <= checkpoint {
			seen++
		}
		if seen < 5 {
			t.Fatalf("cancelled at the end of commit 5, the subscription's last whole commit is at position %d, before commit 5 at %d", checkpoint, log[4].res.Position)
		}
		checkLog(t, first[:min(len(first), countEvents(log[:seen]))], log[:seen])

		// Resume from the checkpoint while more is written: exactly the rest.
		sub := subscribe(ctx, st, checkpoint, stream, version+15)
		write(10)
		wait(t, sub.returned, "resumed subscription")
		if !errors.Is(sub.err, errSeenAll) {
			t.Fatalf("resumed subscription returned %v", sub.err)
		}
		checkLog(t, sub.own, log[seen:])
		checkPositions(t, sub.all)
	})
}

func countEvents(log []appended) int {
	n := 0
	for _, a := range log {
		n += len(a.c.Events)
	}
	return n
}
