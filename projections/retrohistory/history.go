// Package retrohistory is a read model of each team's retros, folded from
// the log: per retro its title, when it was created and closed, and counts
// (participants, cards, published votes, actions, the ROTI average once it
// is shown). Aggregates only: nothing in an Entry says who wrote or voted
// what, so it is safe to show to every member of the team.
//
// It is fed event by event (Apply) in log order, by a subscription that
// starts at position 0 (or a later checkpoint once issue 5 adds them), and
// it is safe for concurrent use: one writer, any number of readers.
package retrohistory

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/eventstore"
)

// Category is the stream category the read model folds; events of other
// streams only move its position on.
const Category = "retro"

// Entry is one retro in a team's history.
type Entry struct {
	RetroID   string     `json:"retroId"`
	TeamID    string     `json:"teamId"`
	Title     string     `json:"title"`
	Anonymous bool       `json:"anonymous"`
	CreatedAt time.Time  `json:"createdAt"`
	ClosedAt  *time.Time `json:"closedAt,omitempty"`
	// Participants counts the people who joined, moderator included.
	Participants int `json:"participants"`
	// Cards counts the feedback cards on the board (imported ones too,
	// deleted drafts not).
	Cards int `json:"cards"`
	// Votes is the sum of the published totals: votes of a round still open
	// are not counted until it closes.
	Votes   int `json:"votes"`
	Actions int `json:"actions"`
	// RotiAverage is the ROTI average once the retro shows it (everyone
	// rated, or the ROTI or the retro closed); nil before or without ratings.
	RotiAverage *float64 `json:"rotiAverage,omitempty"`
	RotiRatings int      `json:"rotiRatings"`
}

// History is the read model. The zero value is not ready; use New.
type History struct {
	mu sync.RWMutex
	// pos and idx are the last event applied: a commit's position and the
	// event's index in it. done is the position of the last commit applied
	// whole, what WaitFor compares with.
	pos  uint64
	idx  int
	done uint64
	// advanced is closed and replaced whenever done moves, waking WaitFor.
	advanced chan struct{}

	retros map[string]*record
	byTeam map[string][]string // team ID → retro IDs in creation order
}

// record is one retro: its folded state while it is open, its frozen entry
// once closed (a closed retro takes no more commands, so its state is no
// longer needed and is dropped to keep memory flat).
type record struct {
	state     retro.State
	createdAt time.Time
	closed    *Entry
}

// New returns an empty read model at position 0.
func New() *History {
	return &History{advanced: make(chan struct{}), retros: map[string]*record{}, byTeam: map[string][]string{}}
}

// Apply folds one event. Events at or before the last one applied (by
// position and index) are ignored, so a subscription resumed from an older
// position, or one event delivered twice, changes nothing. An event of a
// retro stream that cannot be decoded is skipped (the position still moves
// on, so the read model never stalls on one bad event) and reported.
func (h *History) Apply(e eventstore.RecordedEvent) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if e.Position < h.pos || (e.Position == h.pos && e.Index <= h.idx && h.pos != 0) {
		return nil
	}
	h.pos, h.idx = e.Position, e.Index
	defer func() {
		if e.LastInCommit() {
			h.done = e.Position
			close(h.advanced)
			h.advanced = make(chan struct{})
		}
	}()
	if e.Stream.Category != Category {
		return nil
	}
	ev, err := retro.DecodeEvent(e.Type, e.SchemaVersion, e.Payload)
	if err != nil {
		return fmt.Errorf("retro history: skip %s at position %d: %w", e.Stream, e.Position, err)
	}
	h.fold(e.Stream.ID, ev)
	return nil
}

func (h *History) fold(retroID string, ev retro.Event) {
	r, ok := h.retros[retroID]
	if !ok {
		created, isCreate := ev.(retro.RetroCreated)
		if !isCreate {
			// A stream that does not start with RetroCreated is none of
			// ours to show.
			return
		}
		r = &record{state: retro.Initial(), createdAt: created.At}
		h.retros[retroID] = r
		h.byTeam[created.TeamID] = append(h.byTeam[created.TeamID], retroID)
		r.state = retro.Evolve(r.state, ev)
		return
	}
	if r.closed != nil {
		return
	}
	r.state = retro.Evolve(r.state, ev)
	if c, ok := ev.(retro.RetroClosed); ok {
		e := r.entryOf()
		at := c.At
		e.ClosedAt = &at
		r.closed = &e
		r.state = retro.State{}
	}
}

func (r *record) entryOf() Entry {
	s := r.state
	e := Entry{
		RetroID: s.RetroID, TeamID: s.TeamID, Title: s.Title, Anonymous: s.Anonymous, CreatedAt: r.createdAt,
		Participants: len(s.Participants), Cards: len(s.Cards), Actions: len(s.Actions),
	}
	for _, n := range s.Tally {
		e.Votes += n
	}
	// The view decides when the ROTI average may be shown; an empty viewer
	// sees only what everyone sees.
	roti := retro.View(s, retro.Viewer{}).Roti
	e.RotiRatings = roti.Ratings
	if roti.Result != nil && roti.Result.Count > 0 {
		avg := roti.Result.Average
		e.RotiAverage = &avg
	}
	return e
}

// TeamRetros returns the team's retros in the order they were created,
// oldest first. The caller decides who may see them (members only).
func (h *History) TeamRetros(teamID string) []Entry {
	h.mu.RLock()
	defer h.mu.RUnlock()
	ids := h.byTeam[teamID]
	out := make([]Entry, 0, len(ids))
	for _, id := range ids {
		out = append(out, h.entry(id))
	}
	return out
}

// Retro returns one retro's entry, and false if the read model has not
// seen it.
func (h *History) Retro(retroID string) (Entry, bool) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	if _, ok := h.retros[retroID]; !ok {
		return Entry{}, false
	}
	return h.entry(retroID), true
}

func (h *History) entry(id string) Entry {
	r := h.retros[id]
	if r.closed != nil {
		e := *r.closed
		if e.ClosedAt != nil {
			at := *e.ClosedAt
			e.ClosedAt = &at
		}
		if e.RotiAverage != nil {
			avg := *e.RotiAverage
			e.RotiAverage = &avg
		}
		return e
	}
	return r.entryOf()
}

// Position is the position of the last commit applied whole.
func (h *History) Position() uint64 {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.done
}

// WaitFor returns once every commit up to position has been applied, so a
// caller that just wrote at position reads its own write; or with ctx's
// error when ctx ends first.
func (h *History) WaitFor(ctx context.Context, position uint64) error {
	for {
		h.mu.RLock()
		done, ch := h.done, h.advanced
		h.mu.RUnlock()
		if done >= position {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("retro history at position %d, waiting for %d: %w", done, position, ctx.Err())
		}
	}
}
