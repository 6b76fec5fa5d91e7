package natsjs

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/hindsight-retro/hindsight/eventstore"
)

// A server follows the log with many subscriptions (`hindsight serve` has
// eight, nine with mail: the live feeds, the read models, the aggregates'
// caches, the whiteboards and the reactors). Each with a consumer of its
// own, the server delivered every commit eight times and each subscription
// decoded it again (BENCHMARKS.md, "One reader at the log's end"). So the
// store keeps one reader at the log's end, its tail, and a subscription
// that has caught up takes its commits from the tail's hand; only a
// subscription that is behind reads with a consumer of its own, up to where
// the tail was when it joined.

// followerBuffer is how many commits the tail holds for one follower. A
// follower whose handler falls further behind is let go and catches up with
// a consumer of its own, so a slow handler never holds up the others.
const followerBuffer = 512

// tail reads the log's new commits once and hands them to its followers.
type tail struct {
	cancel context.CancelFunc
	done   chan struct{} // closed once the tail's consumer is gone

	mu     sync.Mutex
	pos    uint64 // the last commit handed out: a joiner reads up to it alone
	follow map[*follower]struct{}
}

// follower is one subscription taking commits from the tail. The tail
// closes ch when it lets the follower go: err nil when the follower fell
// behind (it catches up and joins again), else why the tail ended.
type follower struct {
	ch  chan tailCommit
	err error
}

type tailCommit struct {
	seq    uint64
	events []eventstore.RecordedEvent
}

// Subscribe delivers the commits after position after, then the new ones as
// they arrive, until ctx is done, h fails or the store closes. It reads
// what lies behind the tail with an ordered consumer of its own (which
// recreates itself after a disconnect, so there is no gap and no
// duplicate), then takes the tail's commits. When a read fails (the cluster
// is without a leader for a while), it starts over after the last commit it
// delivered whole.
func (s *Store) Subscribe(ctx context.Context, after uint64, h eventstore.Handler) error {
	wait := minResubscribe
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		before := after
		retry, err := s.follow(ctx, &after, h)
		if !retry {
			return err
		}
		if !s.pauseBeforeResuming(ctx, &wait, after != before, "natsjs: subscription interrupted; resuming", after, err) {
			return ctx.Err()
		}
	}
}

// pauseBeforeResuming waits before a read of the log starts over:
// minResubscribe after a read that moved on, else twice the last wait, up
// to maxResubscribe. It reports false if ctx ended first.
func (s *Store) pauseBeforeResuming(ctx context.Context, wait *time.Duration, moved bool, msg string, after uint64, err error) bool {
	if moved {
		*wait = minResubscribe
	}
	s.log.Warn(msg, "after", after, "in", *wait, "err", err)
	select {
	case <-ctx.Done():
		return false
	case <-time.After(*wait):
	}
	*wait = min(2*(*wait), maxResubscribe)
	return true
}

// follow joins the tail, reads alone up to where the tail was, then
// delivers the tail's commits, joining again whenever the tail lets it go
// for falling behind.
func (s *Store) follow(ctx context.Context, after *uint64, h eventstore.Handler) (retry bool, err error) {
	for {
		t, f, pos, err := s.joinTail(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return false, ctx.Err()
			}
			return !errors.Is(err, eventstore.ErrClosed), err
		}
		if *after < pos {
			if retry, err := s.consume(ctx, after, pos, h); err != nil {
				s.leaveTail(t, f)
				return retry, err
			}
		}
		for caughtUp := true; caughtUp; {
			select {
			case <-ctx.Done():
				s.leaveTail(t, f)
				return false, ctx.Err()
			case c, ok := <-f.ch:
				if !ok {
					if f.err != nil {
						return false, f.err
					}
					caughtUp = false // fell behind: catch up and join again
					break
				}
				if c.seq <= *after {
					continue
				}
				for i := range c.events {
					if err := h(ctx, c.events[i]); err != nil {
						s.leaveTail(t, f)
						return false, err
					}
				}
				*after = c.seq
			}
		}
	}
}

// joinTail adds a follower to the store's tail, starting the tail at the
// log's end if none runs, and returns where the tail is: the follower gets
// every commit after it.
func (s *Store) joinTail(ctx context.Context) (*tail, *follower, uint64, error) {
	if s.isClosed() {
		return nil, nil, 0, eventstore.ErrClosed
	}
	s.tailMu.Lock()
	defer s.tailMu.Unlock()
	t := s.tail
	if t == nil {
		last, err := s.LastPosition(ctx)
		if err != nil {
			return nil, nil, 0, err
		}
		tctx, cancel := context.WithCancel(context.Background())
		t = &tail{cancel: cancel, done: make(chan struct{}), pos: last, follow: map[*follower]struct{}{}}
		s.tail = t
		go s.runTail(tctx, t, last)
	}
	f := &follower{ch: make(chan tailCommit, followerBuffer)}
	t.mu.Lock()
	t.follow[f] = struct{}{}
	pos := t.pos
	t.mu.Unlock()
	return t, f, pos, nil
}

// leaveTail takes a follower off the tail. The tail stops with its last
// follower, and leaveTail returns once its consumer is deleted, so a
// subscription that ended leaves no consumer behind.
func (s *Store) leaveTail(t *tail, f *follower) {
	s.tailMu.Lock()
	t.mu.Lock()
	delete(t.follow, f)
	empty := len(t.follow) == 0
	t.mu.Unlock()
	stop := empty && s.tail == t
	if stop {
		s.tail = nil
		t.cancel()
	}
	s.tailMu.Unlock()
	if stop {
		<-t.done
	}
}

// runTail reads the log after position from and hands each commit to the
// followers until ctx is done or the read fails for good, then lets every
// follower go with the reason.
func (s *Store) runTail(ctx context.Context, t *tail, from uint64) {
	defer close(t.done)
	after := from
	wait := minResubscribe
	var err error
	for {
		before := after
		var retry bool
		retry, err = s.consumeCommits(ctx, &after, 0, t.hand)
		if !retry || ctx.Err() != nil {
			break
		}
		if !s.pauseBeforeResuming(ctx, &wait, after != before, "natsjs: the log's tail was interrupted; resuming", after, err) {
			break
		}
	}
	if err == nil || ctx.Err() != nil {
		err = eventstore.ErrClosed // stopped with no follower left, or by Close
	}
	s.tailMu.Lock()
	if s.tail == t {
		s.tail = nil
	}
	t.mu.Lock()
	for f := range t.follow {
		f.err = err
		close(f.ch)
	}
	t.follow = nil
	t.mu.Unlock()
	s.tailMu.Unlock()
	t.cancel()
}

// hand gives one commit to every follower, letting go of those whose buffer
// is full.
func (t *tail) hand(_ context.Context, seq uint64, evs []eventstore.RecordedEvent) error {
	c := tailCommit{seq: seq, events: slices.Clone(evs)}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.pos = seq
	for f := range t.follow {
		select {
		case f.ch <- c:
		default:
			delete(t.follow, f)
			close(f.ch)
		}
	}
	return nil
}
