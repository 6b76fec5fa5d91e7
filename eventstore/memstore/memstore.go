// Package memstore is an in-memory Store for fast tests of other packages. It
// keeps the same contract as the durable backends, and nothing survives Close.
package memstore

import (
	"context"
	"sync"
	"time"

	"github.com/hindsight-retro/hindsight/eventstore"
)

type streamState struct {
	events []eventstore.RecordedEvent
	// commits maps a command ID to where its commit landed, for de-duplication.
	commits map[string]eventstore.AppendResult
}

// Store keeps the log in memory.
type Store struct {
	now func() time.Time

	mu      sync.Mutex
	log     []eventstore.RecordedEvent
	streams map[eventstore.StreamID]*streamState
	// changed is closed and replaced on every append, waking subscribers.
	changed chan struct{}
	closed  bool
}

// New returns an empty store. now stamps recorded times; nil means time.Now.
func New(now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{now: now, streams: map[eventstore.StreamID]*streamState{}, changed: make(chan struct{})}
}

var _ eventstore.Store = (*Store)(nil)

func (s *Store) Append(ctx context.Context, c eventstore.Commit) (eventstore.AppendResult, error) {
	if err := eventstore.ValidateCommit(c); err != nil {
		return eventstore.AppendResult{}, err
	}
	if err := ctx.Err(); err != nil {
		return eventstore.AppendResult{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return eventstore.AppendResult{}, eventstore.ErrClosed
	}
	st := s.streams[c.Stream]
	if st == nil {
		st = &streamState{commits: map[string]eventstore.AppendResult{}}
		s.streams[c.Stream] = st
	}
	if prev, ok := st.commits[c.CommandID]; ok {
		prev.Duplicate = true
		return prev, nil
	}
	version := int64(len(st.events))
	if c.ExpectedVersion != eventstore.Any && c.ExpectedVersion != version {
		return eventstore.AppendResult{}, &eventstore.ConflictError{Stream: c.Stream, Expected: c.ExpectedVersion, Actual: version}
	}
	pos := uint64(len(s.log)) + 1
	// Positions are per commit: the log index of the commit's first event is
	// not used, so that positions stay dense like JetStream sequences.
	if n := len(s.log); n > 0 {
		pos = s.log[n-1].Position + 1
	}
	at := s.now().UTC()
	for i, e := range c.Events {
		version++
		re := eventstore.RecordedEvent{
			EventID: eventstore.EventID(c, i), Type: e.Type, Stream: c.Stream, StreamVersion: version,
			Position: pos, Index: i, CommitSize: len(c.Events), RecordedAt: at,
			CommandID: c.CommandID, CausationID: c.CausationID, CorrelationID: c.CorrelationID,
			Actor: c.Actor, SchemaVersion: e.SchemaVersion, Payload: append([]byte(nil), e.Payload...),
		}
		st.events = append(st.events, re)
		s.log = append(s.log, re)
	}
	res := eventstore.AppendResult{StreamVersion: version, Position: pos}
	st.commits[c.CommandID] = res
	close(s.changed)
	s.changed = make(chan struct{})
	return res, nil
}

func (s *Store) Load(ctx context.Context, stream eventstore.StreamID, afterVersion int64) ([]eventstore.RecordedEvent, error) {
	if err := stream.Validate(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, eventstore.ErrClosed
	}
	st := s.streams[stream]
	if st == nil || len(st.events) == 0 {
		return nil, eventstore.ErrStreamNotFound
	}
	if afterVersion < 0 {
		afterVersion = 0
	}
	if afterVersion >= int64(len(st.events)) {
		return []eventstore.RecordedEvent{}, nil
	}
	return clone(st.events[afterVersion:]), nil
}

// clone copies events and their payloads: a caller that changes a payload it
// was given must not change the log.
func clone(evs []eventstore.RecordedEvent) []eventstore.RecordedEvent {
	out := make([]eventstore.RecordedEvent, len(evs))
	for i, e := range evs {
		e.Payload = append([]byte(nil), e.Payload...)
		out[i] = e
	}
	return out
}

// since returns a copy of the events after position after, and the channel
// that is closed on the next append.
func (s *Store) since(after uint64) ([]eventstore.RecordedEvent, <-chan struct{}, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, nil, eventstore.ErrClosed
	}
	// Positions are dense and commits hold at least one event, so a binary
	// search finds the first event after the position.
	lo, hi := 0, len(s.log)
	for lo < hi {
		m := (lo + hi) / 2
		if s.log[m].Position <= after {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return clone(s.log[lo:]), s.changed, nil
}

func (s *Store) ReadAll(ctx context.Context, after uint64, h eventstore.Handler) error {
	evs, _, err := s.since(after)
	if err != nil {
		return err
	}
	for _, e := range evs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := h(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) Subscribe(ctx context.Context, after uint64, h eventstore.Handler) error {
	for {
		evs, changed, err := s.since(after)
		if err != nil {
			return err
		}
		for _, e := range evs {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := h(ctx, e); err != nil {
				return err
			}
			after = e.Position
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
		}
	}
}

func (s *Store) LastPosition(ctx context.Context) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, eventstore.ErrClosed
	}
	if n := len(s.log); n > 0 {
		return s.log[n-1].Position, nil
	}
	return 0, nil
}

func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		close(s.changed)
	}
	return nil
}
