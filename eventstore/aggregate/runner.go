// Package aggregate runs deciders against the log: it loads a stream, folds
// it, decides, appends the new events with the version it decided on, and on
// a conflict does it all again. It is generic over state, command and event
// types and knows nothing of the domain; the domain's pure Decide and Evolve
// and its codec are handed in.
//
// Commands for one stream take turns on its writer (one per stream on this
// node, gone when idle), which decides on the cached state without reading
// the store: the expected version of the append checks it, so on one node
// concurrent commands never conflict, and only another node's write makes
// the writer read the stream again. Follow keeps cached states current from
// the log, so other nodes' writes reach them without a read either.
package aggregate

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/hindsight-retro/hindsight/eventstore"
)

// DefaultMaxRetries is how often a command is decided again after conflicts
// when Runner.MaxRetries is zero.
const DefaultMaxRetries = 10

// retryPause is how long a command waits before it is decided again after
// its attempt-th conflict: growing, capped, and jittered so that writers who
// collided do not collide again in lockstep (with an in-memory log, retrying
// at once let one writer lose every race).
func retryPause(attempt int) time.Duration {
	ceiling := time.Millisecond << min(attempt, 6) // up to 64 ms
	return ceiling/2 + rand.N(ceiling/2+1)
}

// Runner handles the commands of one kind of aggregate.
type Runner[S, C, E any] struct {
	Store eventstore.Store
	// Category is the aggregate's kind, the category of its streams.
	Category string
	Initial  func() S
	Decide   func(S, C) ([]E, error)
	// Evolve folds one event into a state. It must not change the state it
	// is given (copy what it changes): states are shared through the cache
	// and handed to concurrent callers.
	Evolve func(S, E) S
	// EvolveAll, when set, folds several events at once (an aggregate
	// whose Evolve copies its state can copy it once per batch instead of
	// once per event). Same contract as Evolve.
	EvolveAll func(S, []E) S
	Codec     Codec[E]
	// MaxRetries is how many times a command is decided again after a
	// conflict; zero means DefaultMaxRetries, a negative value none.
	MaxRetries int
	// Cache keeps folded states between calls; nil folds every stream from
	// its start on every call.
	Cache *Cache[S]

	writers writers
}

// Meta is what the log records about a command besides its events.
type Meta struct {
	// CommandID is the idempotency key: a command whose ID is already stored
	// on the stream is answered as a duplicate and written once. The runner
	// recognises the latest commits of a stream itself, before deciding
	// again; older ones only when Decide produces events again, which the
	// store then de-duplicates.
	CommandID     string
	CausationID   string
	CorrelationID string
	// Actor is who acted: a user ID, or a pseudonym in anonymous contexts.
	Actor string
}

// Result is what a handled command did.
type Result[S, E any] struct {
	// Events are the events the command produced; for a duplicate, those it
	// produced the first time.
	Events []E
	// State is the state after the command's events. It may be shared with
	// the cache and other callers: read it, do not change it.
	State S
	// Version is the stream's version after the command's events; for a
	// command that produced no events, the version it was decided on.
	Version int64
	// Position is the global position of the command's commit, 0 if the
	// command produced no events.
	Position uint64
	// Duplicate is true when the command had been stored before and this
	// call wrote nothing.
	Duplicate bool
}

func (r *Runner[S, C, E]) stream(id string) (eventstore.StreamID, error) {
	s := eventstore.StreamID{Category: r.Category, ID: id}
	if err := s.Validate(); err != nil {
		return s, fmt.Errorf("aggregate %s %q: %w", r.Category, id, err)
	}
	return s, nil
}

// Handle decides cmd on the current state of aggregate id and appends the
// events it produces. Decide's error is returned as it is, so callers can
// branch on the domain's rejections; a command that produces no events
// writes nothing. A conflict is retried on the new state; once the retries
// are spent the error matches eventstore.ErrConflict.
func (r *Runner[S, C, E]) Handle(ctx context.Context, id string, meta Meta, cmd C) (Result[S, E], error) {
	stream, err := r.stream(id)
	if err != nil {
		return Result[S, E]{}, err
	}
	if meta.CommandID == "" {
		return Result[S, E]{}, fmt.Errorf("command on %s: %w: a command needs a command ID", stream, eventstore.ErrInvalidArgument)
	}
	retries := r.MaxRetries
	if retries == 0 {
		retries = DefaultMaxRetries
	}
	// One writer per stream on this node: commands to one aggregate take
	// turns, so they never race each other on a version (only another
	// node's write can make an append conflict).
	release, err := r.writers.acquire(ctx, stream)
	if err != nil {
		return Result[S, E]{}, fmt.Errorf("command %s on %s: wait for its writer: %w", meta.CommandID, stream, err)
	}
	defer release()
	// The writer decides on the state it holds without asking the store
	// first: the append's expected version checks it. Only an append that
	// succeeded is trusted that way; a refusal, or nothing to do, is
	// checked again on the store's current state (checked).
	snap, cached := r.Cache.get(stream)
	if !cached {
		if snap, err = r.current(ctx, stream, r.Cache.epoch(stream)); err != nil {
			return Result[S, E]{}, err
		}
	}
	checked := !cached
	for attempt := 0; ; {
		// A retry of a command already stored: answer as the first time,
		// even if deciding it again would now be refused.
		if ref, ok := snap.find(meta.CommandID); ok {
			return r.duplicate(ctx, stream, meta.CommandID, ref.version, ref.position)
		}
		events, err := r.Decide(snap.state, cmd)
		if (err != nil || len(events) == 0) && !checked {
			if snap, err = r.current(ctx, stream, r.Cache.epoch(stream)); err != nil {
				return Result[S, E]{}, err
			}
			checked = true
			continue
		}
		if err != nil {
			return Result[S, E]{State: snap.state, Version: snap.version}, err
		}
		if len(events) == 0 {
			return Result[S, E]{State: snap.state, Version: snap.version}, nil
		}
		commit, err := r.commit(stream, snap.version, meta, events)
		if err != nil {
			return Result[S, E]{}, err
		}
		epoch := r.Cache.epoch(stream)
		res, err := r.Store.Append(ctx, commit)
		if errors.Is(err, eventstore.ErrConflict) && attempt < retries {
			// Another node wrote: wait a jittered while (so two nodes
			// do not collide again in lockstep), then read what it wrote.
			select {
			case <-ctx.Done():
				return Result[S, E]{}, fmt.Errorf("command %s on %s, attempt %d: %w", meta.CommandID, stream, attempt+1, ctx.Err())
			case <-time.After(retryPause(attempt)):
			}
			attempt++
			if snap, err = r.current(ctx, stream, r.Cache.epoch(stream)); err != nil {
				return Result[S, E]{}, err
			}
			checked = true
			continue
		}
		if err != nil {
			return Result[S, E]{}, fmt.Errorf("command %s on %s, attempt %d: %w", meta.CommandID, stream, attempt+1, err)
		}
		if res.Duplicate {
			return r.duplicate(ctx, stream, meta.CommandID, res.StreamVersion, res.Position)
		}
		var state S
		if r.EvolveAll != nil {
			state = r.EvolveAll(snap.state, events)
		} else {
			state = snap.state
			for _, e := range events {
				state = r.Evolve(state, e)
			}
		}
		r.Cache.put(stream, snapshot[S]{
			state: state, version: res.StreamVersion,
			recent: snap.withCommit(commitRef{meta.CommandID, res.StreamVersion, res.Position}),
		}, epoch)
		return Result[S, E]{Events: events, State: state, Version: res.StreamVersion, Position: res.Position}, nil
	}
}

// Load returns the current state of aggregate id and its version; version 0
// means the aggregate has no events yet, and the state is the initial one.
func (r *Runner[S, C, E]) Load(ctx context.Context, id string) (S, int64, error) {
	stream, err := r.stream(id)
	if err != nil {
		var zero S
		return zero, 0, err
	}
	snap, err := r.current(ctx, stream, r.Cache.epoch(stream))
	if err != nil {
		var zero S
		return zero, 0, err
	}
	return snap.state, snap.version, nil
}

func (r *Runner[S, C, E]) commit(stream eventstore.StreamID, version int64, meta Meta, events []E) (eventstore.Commit, error) {
	c := eventstore.Commit{
		Stream: stream, ExpectedVersion: version, CommandID: meta.CommandID,
		CausationID: meta.CausationID, CorrelationID: meta.CorrelationID, Actor: meta.Actor,
		Events: make([]eventstore.Event, len(events)),
	}
	for i, e := range events {
		typ, sv, payload, err := r.Codec.Encode(e)
		if err != nil {
			return c, fmt.Errorf("command %s on %s: encode event %d (%T): %w", meta.CommandID, stream, i, e, err)
		}
		c.Events[i] = eventstore.Event{Type: typ, SchemaVersion: sv, Payload: payload}
	}
	return c, nil
}

// current brings the stream's state up to date: from the cached snapshot
// when there is one, reading only the events after it. epoch is the
// cache's count for the stream taken before this read (Cache.put).
func (r *Runner[S, C, E]) current(ctx context.Context, stream eventstore.StreamID, epoch uint64) (snapshot[S], error) {
	if snap, ok := r.Cache.get(stream); ok {
		next, err := r.catchUp(ctx, stream, snap, epoch)
		if err == nil {
			return next, nil
		}
		if !errors.Is(err, errOutOfStep) {
			return snapshot[S]{}, err
		}
		// The cache holds something the store does not (a store rebuilt
		// under a long-lived cache): start over from the log.
		r.Cache.drop(stream)
	}
	next, err := r.catchUp(ctx, stream, snapshot[S]{state: r.Initial()}, epoch)
	if errors.Is(err, errOutOfStep) {
		return snapshot[S]{}, fmt.Errorf("load %s: %w", stream, err)
	}
	return next, err
}

var errOutOfStep = errors.New("the store's versions do not follow on")

// catchUp folds the events after snap's version into it.
func (r *Runner[S, C, E]) catchUp(ctx context.Context, stream eventstore.StreamID, snap snapshot[S], epoch uint64) (snapshot[S], error) {
	evs, err := r.Store.Load(ctx, stream, snap.version)
	if errors.Is(err, eventstore.ErrStreamNotFound) {
		if snap.version > 0 {
			return snap, fmt.Errorf("stream %s not found after version %d: %w", stream, snap.version, errOutOfStep)
		}
		return snap, nil
	}
	if err != nil {
		return snap, fmt.Errorf("load %s after version %d: %w", stream, snap.version, err)
	}
	if len(evs) == 0 {
		r.Cache.put(stream, snap, epoch) // now known to be current
		return snap, nil
	}
	next := snapshot[S]{state: snap.state, version: snap.version, recent: snap.recent}
	decoded := make([]E, 0, len(evs))
	for _, re := range evs {
		if re.StreamVersion != next.version+1 {
			return snap, fmt.Errorf("stream %s: version %d follows %d: %w", stream, re.StreamVersion, next.version, errOutOfStep)
		}
		e, err := r.Codec.Decode(re.Type, re.SchemaVersion, re.Payload)
		if err != nil {
			return snap, fmt.Errorf("load %s: decode version %d (%s, schema %d): %w", stream, re.StreamVersion, re.Type, re.SchemaVersion, err)
		}
		decoded = append(decoded, e)
		next.version = re.StreamVersion
		if re.LastInCommit() {
			next.recent = next.withCommit(commitRef{re.CommandID, re.StreamVersion, re.Position})
		}
	}
	if r.EvolveAll != nil {
		next.state = r.EvolveAll(next.state, decoded)
	} else {
		for _, e := range decoded {
			next.state = r.Evolve(next.state, e)
		}
	}
	r.Cache.put(stream, next, epoch)
	return next, nil
}

// duplicate answers a command stored before as it was answered then: the
// events it produced and the state right after them.
func (r *Runner[S, C, E]) duplicate(ctx context.Context, stream eventstore.StreamID, commandID string, version int64, position uint64) (Result[S, E], error) {
	evs, err := r.Store.Load(ctx, stream, 0)
	if err != nil {
		return Result[S, E]{}, fmt.Errorf("command %s on %s was stored before; load it: %w", commandID, stream, err)
	}
	res := Result[S, E]{State: r.Initial(), Version: version, Position: position, Duplicate: true}
	for _, re := range evs {
		if re.StreamVersion > version {
			break
		}
		e, err := r.Codec.Decode(re.Type, re.SchemaVersion, re.Payload)
		if err != nil {
			return Result[S, E]{}, fmt.Errorf("load %s: decode version %d (%s, schema %d): %w", stream, re.StreamVersion, re.Type, re.SchemaVersion, err)
		}
		res.State = r.Evolve(res.State, e)
		if re.CommandID == commandID && re.Position == position {
			res.Events = append(res.Events, e)
		}
	}
	return res, nil
}
