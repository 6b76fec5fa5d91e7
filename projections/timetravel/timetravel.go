// Package timetravel shows a retro as it stood at any point of the log: its
// state after the events up to a global position (or a time), as a given
// viewer may see it. It goes through retro.View, so concealment and
// anonymity hold in the past exactly as they did live.
package timetravel

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/eventstore"
)

// ErrNotFound: the log has no such retro.
var ErrNotFound = errors.New("timetravel: no such retro")

// ErrBeforeCreation: the retro did not exist yet at that point.
var ErrBeforeCreation = errors.New("timetravel: the retro did not exist yet at that point")

// Snapshot is a retro as one viewer saw it at a point of the log.
type Snapshot struct {
	RetroID string `json:"retroId"`
	// Position is that of the last of the retro's events applied (at or
	// before the one asked for); RecordedAt is when it was written.
	Position   uint64          `json:"position"`
	RecordedAt time.Time       `json:"recordedAt"`
	View       retro.RetroView `json:"view"`
	// Positions are those of all the retro's commits, oldest first: the
	// points a reader can step or slide to. Stepping back one at a time
	// finds each of them anyway, so listing them tells nothing more.
	Positions []uint64 `json:"positions"`
}

// Load reads and decodes a retro's stream.
func Load(ctx context.Context, store eventstore.Store, retroID string) ([]eventstore.RecordedEvent, []retro.Event, error) {
	recs, err := store.Load(ctx, eventstore.StreamID{Category: retro.Category, ID: retroID}, 0)
	if errors.Is(err, eventstore.ErrStreamNotFound) {
		return nil, nil, fmt.Errorf("%w: %s", ErrNotFound, retroID)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("timetravel: load retro %s: %w", retroID, err)
	}
	evs := make([]retro.Event, len(recs))
	for i, r := range recs {
		if evs[i], err = retro.DecodeEvent(r.Type, r.SchemaVersion, r.Payload); err != nil {
			return nil, nil, fmt.Errorf("timetravel: retro %s at position %d: %w", retroID, r.Position, err)
		}
	}
	return recs, evs, nil
}

// Until folds the events for which keep holds, stopping at the first that
// does not (the stream is in log order, so every later one fails too).
// It returns the state and the last applied record's index, -1 for none.
func Until(recs []eventstore.RecordedEvent, evs []retro.Event, keep func(eventstore.RecordedEvent) bool) (retro.State, int) {
	n := 0
	for n < len(recs) && keep(recs[n]) {
		n++
	}
	return retro.Fold(evs[:n]), n - 1
}

// AtPosition is the retro after every event at or before position, as
// viewer may see it under p.
func AtPosition(ctx context.Context, store eventstore.Store, retroID string, position uint64, viewer retro.Viewer, p retro.Policy) (Snapshot, error) {
	return at(ctx, store, retroID, viewer, p, func(e eventstore.RecordedEvent) bool { return e.Position <= position })
}

// AtTime is the retro after every event recorded at or before t.
func AtTime(ctx context.Context, store eventstore.Store, retroID string, t time.Time, viewer retro.Viewer, p retro.Policy) (Snapshot, error) {
	return at(ctx, store, retroID, viewer, p, func(e eventstore.RecordedEvent) bool { return !e.RecordedAt.After(t) })
}

func at(ctx context.Context, store eventstore.Store, retroID string, viewer retro.Viewer, p retro.Policy, keep func(eventstore.RecordedEvent) bool) (Snapshot, error) {
	recs, evs, err := Load(ctx, store, retroID)
	if err != nil {
		return Snapshot{}, err
	}
	st, last := Until(recs, evs, keep)
	if last < 0 || !st.Created {
		return Snapshot{}, fmt.Errorf("%w: %s", ErrBeforeCreation, retroID)
	}
	// A card the moderator hid later is hidden in the past too: hiding takes
	// a text off the board for good, not from a point in time on.
	for _, e := range evs[last+1:] {
		if h, ok := e.(retro.CardHidden); ok {
			st = retro.Evolve(st, h)
		}
	}
	return Snapshot{RetroID: retroID, Position: recs[last].Position, RecordedAt: recs[last].RecordedAt, View: retro.View(st, viewer, p),
		Positions: positions(recs)}, nil
}

// positions lists each commit's position once (a commit's events share it).
func positions(recs []eventstore.RecordedEvent) []uint64 {
	out := make([]uint64, 0, len(recs))
	for _, r := range recs {
		if n := len(out); n == 0 || out[n-1] != r.Position {
			out = append(out, r.Position)
		}
	}
	return out
}
