// Package teamhistory is the read model of each team's retros: per retro its
// date, duration, participants, cards, votes, actions and ROTI average, and
// for a closed retro its archive: the board as everyone saw it at the end.
//
// The archive is retro.View for a viewer who took no part (retro.Viewer{}):
// concealed cards show only that they existed, anonymous retros name no
// author, votes and ROTI appear only as the published totals, health and
// ROTI results of fewer answers than the minimum group as their number. So
// an archive is safe to show to every member of the team, now and later.
//
// An open retro is kept as its decoded events and folded with retro.Fold
// when read (linear, where folding on every event through retro.Evolve
// would copy the state each time); at RetroClosed its entry and archive are
// computed once and the events dropped.
package teamhistory

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/projections"
)

// Name of the read model.
const Name = "team-history"

// Entry is one retro in a team's history. Aggregates only: nothing in it
// says who wrote or voted what.
type Entry struct {
	RetroID   string     `json:"retroId"`
	TeamID    string     `json:"teamId"`
	Title     string     `json:"title"`
	Anonymous bool       `json:"anonymous"`
	CreatedAt time.Time  `json:"createdAt"`
	ClosedAt  *time.Time `json:"closedAt,omitempty"`
	// DurationSeconds is from creation to close, 0 while open.
	DurationSeconds float64 `json:"durationSeconds"`
	// Participants counts the people who joined, moderator included.
	Participants int `json:"participants"`
	// Cards on the board, imported ones included, deleted drafts not.
	Cards int `json:"cards"`
	// Votes is the sum of published totals (a round still open is not counted).
	Votes   int `json:"votes"`
	Actions int `json:"actions"`
	// RotiAverage once the retro shows it (everyone rated, or the ROTI or
	// the retro closed); nil before, or with fewer ratings than the
	// minimum group.
	RotiAverage *float64 `json:"rotiAverage,omitempty"`
	RotiRatings int      `json:"rotiRatings"`
	// RotiScale is what RotiAverage is on: "1-5", or "0-10" for a retro
	// created before ROTI moved to the classic scale.
	RotiScale string `json:"rotiScale,omitempty"`
}

// History is the read model.
type History struct {
	*projections.Fold[state]
	policy retro.Policy
}

type state struct {
	// MinGroup is the minimum group the archives and entries were computed
	// under; a snapshot under another (or from before it was recorded) is
	// not restored, so a changed --min-group-size applies to every retro.
	MinGroup int                 `json:"minGroup"`
	Retros   map[string]*record  `json:"retros"`
	ByTeam   map[string][]string `json:"byTeam"` // team ID → retro IDs in creation order
}

// record is one retro: its events while open, its frozen entry and
// archive once closed.
type record struct {
	Entry Entry      `json:"entry"`
	Open  []rawEvent `json:"open,omitempty"`
	// Archive is the final view as JSON: a closed retro is read rarely,
	// and bytes cost the garbage collector nothing to scan, where the view's
	// many small strings and slices would be scanned on every cycle.
	Archive json.RawMessage `json:"archive,omitempty"`
	// events are Open decoded; rebuilt from Open after a restore.
	events []retro.Event
}

// rawEvent is an open retro's event as the snapshot keeps it.
type rawEvent struct {
	Type    string          `json:"t"`
	Version int             `json:"v"`
	Payload json.RawMessage `json:"p"`
}

// New returns an empty read model whose views withhold health and ROTI
// results under p.
func New(p retro.Policy) *History {
	least := p.MinimumRespondents()
	newState := func() *state {
		return &state{MinGroup: least, Retros: map[string]*record{}, ByTeam: map[string][]string{}}
	}
	return &History{Fold: projections.NewFold(Name, newState, fold, projections.Categories(retro.Category)), policy: p}
}

// Restore restores a snapshot taken under the same minimum group.
func (h *History) Restore(b []byte) error {
	if err := h.Fold.Restore(b); err != nil {
		return err
	}
	var got int
	h.Read(func(s *state) { got = s.MinGroup })
	if want := h.policy.MinimumRespondents(); got != want {
		return fmt.Errorf("%s: restore: the snapshot was taken under a minimum group of %d, not %d", Name, got, want)
	}
	return nil
}

// UnmarshalJSON leaves MinGroup 0 when the snapshot has none, whatever the
// state decoded into held.
func (s *state) UnmarshalJSON(b []byte) error {
	type plain state
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	if p.Retros == nil {
		p.Retros = map[string]*record{}
	}
	if p.ByTeam == nil {
		p.ByTeam = map[string][]string{}
	}
	*s = state(p)
	return nil
}

func (s *state) policy() retro.Policy { return retro.Policy{MinRespondents: s.MinGroup} }

func fold(s *state, e eventstore.RecordedEvent, ev any) {
	re, ok := ev.(retro.Event)
	if !ok || e.Stream.Category != retro.Category {
		return
	}
	id := e.Stream.ID
	r, ok := s.Retros[id]
	if !ok {
		c, isCreate := re.(retro.RetroCreated)
		if !isCreate {
			return // a stream that does not start with RetroCreated is none of ours
		}
		r = &record{Entry: Entry{RetroID: id, TeamID: c.TeamID, Title: c.Title, Anonymous: c.Anonymous, CreatedAt: c.At}}
		s.Retros[id] = r
		s.ByTeam[c.TeamID] = append(s.ByTeam[c.TeamID], id)
	}
	if r.Entry.ClosedAt != nil {
		return
	}
	r.decode()
	r.events = append(r.events, re)
	r.Open = append(r.Open, rawEvent{Type: e.Type, Version: e.SchemaVersion, Payload: e.Payload})
	if c, ok := re.(retro.RetroClosed); ok {
		st := retro.Fold(r.events)
		// One view serves both the entry and the archive.
		view := retro.View(st, retro.Viewer{}, s.policy())
		r.Entry = entryOf(st, view, r.Entry.CreatedAt)
		at := c.At
		r.Entry.ClosedAt = &at
		r.Entry.DurationSeconds = at.Sub(r.Entry.CreatedAt).Seconds()
		// A RetroView always encodes; an error here would be a bug in it.
		r.Archive, _ = json.Marshal(view)
		r.Open, r.events = nil, nil
	}
}

// decode rebuilds the decoded events after a restore. They were decoded
// once before the snapshot, so one that fails now means a damaged snapshot:
// it is dropped from both lists rather than stalling the read model.
func (r *record) decode() {
	if len(r.events) == len(r.Open) {
		return
	}
	r.events = make([]retro.Event, 0, len(r.Open))
	kept := r.Open[:0]
	for _, raw := range r.Open {
		if ev, err := retro.DecodeEvent(raw.Type, raw.Version, raw.Payload); err == nil {
			r.events = append(r.events, ev)
			kept = append(kept, raw)
		}
	}
	r.Open = kept
}

// entryOf sums up s; view is retro.View(s, retro.Viewer{}, policy).
func entryOf(s retro.State, view retro.RetroView, createdAt time.Time) Entry {
	e := Entry{
		RetroID: s.RetroID, TeamID: s.TeamID, Title: s.Title, Anonymous: s.Anonymous, CreatedAt: createdAt,
		Participants: len(s.Participants), Cards: s.Cards.Len(), Actions: len(s.Actions),
	}
	for _, n := range s.Tally {
		e.Votes += n
	}
	// The view decides when the ROTI average may be shown; a viewer who
	// took no part sees only what everyone sees.
	roti := view.Roti
	e.RotiRatings = roti.Ratings
	e.RotiScale = string(roti.Scale)
	if roti.Result != nil && roti.Result.Average != nil {
		avg := *roti.Result.Average
		e.RotiAverage = &avg
	}
	return e
}

func (r *record) entry(p retro.Policy) Entry {
	if r.Entry.ClosedAt != nil {
		e := r.Entry
		at := *e.ClosedAt
		e.ClosedAt = &at
		if e.RotiAverage != nil {
			avg := *e.RotiAverage
			e.RotiAverage = &avg
		}
		return e
	}
	r.decode()
	st := retro.Fold(r.events)
	return entryOf(st, retro.View(st, retro.Viewer{}, p), r.Entry.CreatedAt)
}

// TeamRetros returns the team's retros, oldest first. The caller decides
// who may see them (members of the team).
func (h *History) TeamRetros(teamID string) []Entry {
	var out []Entry
	h.Read(func(s *state) {
		ids := s.ByTeam[teamID]
		out = make([]Entry, 0, len(ids))
		for _, id := range ids {
			out = append(out, s.Retros[id].entry(s.policy()))
		}
	})
	return out
}

// Retro returns one retro's entry, false if unknown.
func (h *History) Retro(retroID string) (Entry, bool) {
	var (
		e  Entry
		ok bool
	)
	h.Read(func(s *state) {
		var r *record
		if r, ok = s.Retros[retroID]; ok {
			e = r.entry(s.policy())
		}
	})
	return e, ok
}

// ErrNotClosed is returned for the archive of a retro still running.
var ErrNotClosed = fmt.Errorf("the retro is not closed: it has no archive yet")

// ErrUnknown is returned for a retro the read model has not seen.
var ErrUnknown = fmt.Errorf("no such retro in the history")

// Archive returns a closed retro's board as everyone saw it at the end.
func (h *History) Archive(retroID string) (retro.RetroView, error) {
	var (
		v   retro.RetroView
		err error
	)
	h.Read(func(s *state) {
		r, ok := s.Retros[retroID]
		switch {
		case !ok:
			err = fmt.Errorf("archive of %s: %w", retroID, ErrUnknown)
		case r.Archive == nil:
			err = fmt.Errorf("archive of %s: %w", retroID, ErrNotClosed)
		default:
			err = json.Unmarshal(r.Archive, &v)
		}
	})
	return v, err
}

// Teams returns every team with at least one retro.
func (h *History) Teams() []string {
	var out []string
	h.Read(func(s *state) {
		for t := range s.ByTeam {
			out = append(out, t)
		}
	})
	return out
}

// RetroIDs returns every retro the history knows, team by team in
// creation order (teams sorted).
func (h *History) RetroIDs() []string {
	var out []string
	h.Read(func(s *state) {
		teams := make([]string, 0, len(s.ByTeam))
		for t := range s.ByTeam {
			teams = append(teams, t)
		}
		sort.Strings(teams)
		for _, t := range teams {
			out = append(out, s.ByTeam[t]...)
		}
	})
	return out
}
