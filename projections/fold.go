package projections

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sync"

	"github.com/hindsight-retro/hindsight/eventstore"
)

// Fold is the machinery a read model shares: its state S behind a lock, the
// cursor stored with it, idempotent apply, snapshots, and waiting for a
// position. A read model embeds *Fold[S] and adds its queries (through Read).
// S must encode as JSON: it is the snapshot.
type Fold[S any] struct {
	name     string
	newState func() *S
	fold     func(s *S, e eventstore.RecordedEvent, ev any)
	folds    Selector

	mu  sync.RWMutex
	cur Cursor
	s   *S
	// advanced is closed when the checkpoint moves. It is made only when
	// someone waits (nil otherwise): a replay moves the checkpoint at every
	// commit, and a channel per commit per read model was pure garbage.
	advanced chan struct{}
}

// NewFold makes the machinery for a read model called name, whose state
// starts as newState() and moves by fold. fold sees the events folds
// selects, decoded (ev), once; the others only move the cursor.
func NewFold[S any](name string, newState func() *S, fold func(s *S, e eventstore.RecordedEvent, ev any), folds Selector) *Fold[S] {
	return &Fold[S]{name: name, newState: newState, fold: fold, folds: folds, s: newState()}
}

// Selector says whether a read model folds a decoded event. It is the one
// list of what a read model reads: the fold is called for nothing else, in
// a replay, at catch-up and live alike, and the live runner passes the
// rest by without a handler call (runner, fanOut).
type Selector func(e eventstore.RecordedEvent, ev any) bool

// Types selects the events of the types of the values given (one value of
// each, e.g. retro.CardAdded{}).
func Types(values ...any) Selector {
	set := make(map[reflect.Type]bool, len(values))
	for _, v := range values {
		set[reflect.TypeOf(v)] = true
	}
	return func(_ eventstore.RecordedEvent, ev any) bool { return set[reflect.TypeOf(ev)] }
}

// Categories selects every event of the streams of the categories given.
func Categories(categories ...string) Selector {
	return func(e eventstore.RecordedEvent, _ any) bool {
		for _, c := range categories {
			if e.Stream.Category == c {
				return true
			}
		}
		return false
	}
}

// Name of the read model.
func (f *Fold[S]) Name() string { return f.name }

// Folds reports whether the read model folds e, decoded as ev: ApplyDecoded
// of anything else only moves the cursor.
func (f *Fold[S]) Folds(e eventstore.RecordedEvent, ev any) bool {
	return ev != nil && f.folds(e, ev)
}

// Apply decodes e and folds it.
func (f *Fold[S]) Apply(e eventstore.RecordedEvent) error {
	f.mu.RLock()
	seen := f.cur.Seen(e)
	f.mu.RUnlock()
	if seen {
		return nil
	}
	ev, err := Decode(e)
	if err != nil {
		return fmt.Errorf("%s: %w", f.name, err)
	}
	return f.ApplyDecoded(e, ev)
}

// ApplyDecoded folds e, decoded as ev (nil for categories no read model
// folds: they only move the cursor).
func (f *Fold[S]) ApplyDecoded(e eventstore.RecordedEvent, ev any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cur.Seen(e) {
		return nil
	}
	if f.Folds(e, ev) {
		f.fold(f.s, e, ev)
	}
	f.advance(e)
	return nil
}

// Skip moves the cursor past e without folding it.
func (f *Fold[S]) Skip(e eventstore.RecordedEvent) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.cur.Seen(e) {
		f.advance(e)
	}
}

func (f *Fold[S]) advance(e eventstore.RecordedEvent) {
	before := f.cur.Done
	f.cur.Advance(e)
	if f.cur.Done != before {
		f.wake()
	}
}

// Checkpoint is the position of the last commit applied whole.
func (f *Fold[S]) Checkpoint() uint64 {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.cur.Done
}

// Read runs fn with the state under the read lock; fn must not keep it.
func (f *Fold[S]) Read(fn func(s *S)) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	fn(f.s)
}

// snapshot is what Snapshot writes: the state and the cursor it is at,
// together, so a restored read model resumes exactly where its state is.
type snapshot[S any] struct {
	Name   string `json:"name"`
	Cursor Cursor `json:"cursor"`
	State  *S     `json:"state"`
}

// Snapshot encodes the state with its cursor.
func (f *Fold[S]) Snapshot() ([]byte, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	b, err := json.Marshal(snapshot[S]{Name: f.name, Cursor: f.cur, State: f.s})
	if err != nil {
		return nil, fmt.Errorf("%s: snapshot: %w", f.name, err)
	}
	return b, nil
}

// Restore replaces the state and cursor with a snapshot's.
func (f *Fold[S]) Restore(b []byte) error {
	snap := snapshot[S]{State: f.newState()}
	if err := json.Unmarshal(b, &snap); err != nil {
		return fmt.Errorf("%s: restore: %w", f.name, err)
	}
	if snap.Name != f.name {
		return fmt.Errorf("%s: restore: the snapshot is of %q", f.name, snap.Name)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.s, f.cur = snap.State, snap.Cursor
	f.wake()
	return nil
}

// wake releases the waiters, if any; the caller holds the write lock.
func (f *Fold[S]) wake() {
	if f.advanced != nil {
		close(f.advanced)
		f.advanced = nil
	}
}

// WaitFor returns once every commit up to position is applied, so a caller
// that wrote at position reads its own write; or with ctx's error.
func (f *Fold[S]) WaitFor(ctx context.Context, position uint64) error {
	for {
		f.mu.Lock()
		done := f.cur.Done
		if done >= position {
			f.mu.Unlock()
			return nil
		}
		if f.advanced == nil {
			f.advanced = make(chan struct{})
		}
		ch := f.advanced
		f.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("%s at position %d, waiting for %d: %w", f.name, done, position, ctx.Err())
		}
	}
}
