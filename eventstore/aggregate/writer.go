package aggregate

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/hindsight-retro/hindsight/eventstore"
)

// writers gives each stream one writer on this node at a time. A stream's
// turn exists only while commands for it are in flight or waiting, so an
// idle aggregate costs nothing here; its folded state waits in the Cache,
// whose size bounds the memory.
type writers struct {
	mu    sync.Mutex
	turns map[eventstore.StreamID]*turn
}

type turn struct {
	token chan struct{} // holds one token while nobody writes
	users int           // commands writing or waiting
}

// acquire waits for the stream's turn; release hands it on.
func (w *writers) acquire(ctx context.Context, stream eventstore.StreamID) (release func(), err error) {
	w.mu.Lock()
	if w.turns == nil {
		w.turns = map[eventstore.StreamID]*turn{}
	}
	t, ok := w.turns[stream]
	if !ok {
		t = &turn{token: make(chan struct{}, 1)}
		t.token <- struct{}{}
		w.turns[stream] = t
	}
	t.users++
	w.mu.Unlock()
	leave := func() {
		w.mu.Lock()
		t.users--
		if t.users == 0 {
			delete(w.turns, stream)
		}
		w.mu.Unlock()
	}
	select {
	case <-t.token:
		return func() { t.token <- struct{}{}; leave() }, nil
	case <-ctx.Done():
		leave()
		return nil, ctx.Err()
	}
}

// active is the number of streams with a command in flight or waiting.
func (w *writers) active() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.turns)
}

// Writing is the number of aggregates with a command in flight or waiting
// on this runner; an idle aggregate has no writer.
func (r *Runner[S, C, E]) Writing() int { return r.writers.active() }

// Current returns the state of aggregate id as this node's follower keeps
// it (Follow), without asking the store; when the follower does not vouch
// for a cached state, it reads the store as Load does. It may lag the log
// by the follower's delay: use it where a command checks something the
// log will check again (the expected version) or where a moment's lag is
// harmless, and use Load to read one's own writes made on another node.
func (r *Runner[S, C, E]) Current(ctx context.Context, id string) (S, int64, error) {
	stream, err := r.stream(id)
	if err != nil {
		var zero S
		return zero, 0, err
	}
	if snap, ok := r.Cache.getFresh(stream); ok {
		return snap.state, snap.version, nil
	}
	return r.Load(ctx, id)
}

// Followed is a runner whose cache a follower keeps current.
type Followed interface {
	category() string
	follow(on bool)
	observe(e eventstore.RecordedEvent) error
}

func (r *Runner[S, C, E]) category() string { return r.Category }

func (r *Runner[S, C, E]) follow(on bool) {
	if r.Cache != nil {
		r.Cache.follow(on)
	}
}

// observe folds an event of the log into the cached state of its stream,
// if that state is the one just before it.
func (r *Runner[S, C, E]) observe(e eventstore.RecordedEvent) error {
	if r.Cache == nil {
		return nil
	}
	snap, ok := r.Cache.following(e.Stream, e.StreamVersion)
	if !ok {
		return nil
	}
	ev, err := r.Codec.Decode(e.Type, e.SchemaVersion, e.Payload)
	if err != nil {
		// The store decodes nothing a writer did not encode; a state that
		// cannot take the event is dropped and read again when needed.
		r.Cache.drop(e.Stream)
		return fmt.Errorf("follow %s: decode version %d (%s): %w", e.Stream, e.StreamVersion, e.Type, err)
	}
	next := snapshot[S]{state: r.Evolve(snap.state, ev), version: e.StreamVersion, recent: snap.recent}
	if e.LastInCommit() {
		next.recent = snap.withCommit(commitRef{e.CommandID, e.StreamVersion, e.Position})
	}
	r.Cache.advance(e.Stream, snap.version, next)
	return nil
}

// Follow keeps the runners' cached states current from the log: every new
// event of a runner's category is folded into the state cached for its
// stream, so Current answers without reading the store and Handle decides
// on the state other nodes left. It starts at the log's end and returns
// when ctx is done (nil) or the subscription fails. One subscription
// serves all the runners given.
func Follow(ctx context.Context, store eventstore.Store, runners ...Followed) error {
	from, err := store.LastPosition(ctx)
	if err != nil {
		return fmt.Errorf("aggregate: follow the log: %w", err)
	}
	byCategory := make(map[string][]Followed, len(runners))
	for _, r := range runners {
		byCategory[r.category()] = append(byCategory[r.category()], r)
		r.follow(true)
	}
	defer func() {
		for _, r := range runners {
			r.follow(false)
		}
	}()
	err = store.Subscribe(ctx, from, func(_ context.Context, e eventstore.RecordedEvent) error {
		for _, r := range byCategory[e.Stream.Category] {
			// A state that cannot take an event is dropped (observe); the
			// follower goes on with the others.
			_ = r.observe(e)
		}
		return nil
	})
	if err == nil || (ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded))) {
		return nil
	}
	return fmt.Errorf("aggregate: follow the log: %w", err)
}
