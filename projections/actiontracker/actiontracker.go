// Package actiontracker is the read model of action items: open, done and
// discarded per team and per assignee, their age, the overdue ones as of a
// given time, and the retro each came from.
//
// The team's stream is where an action lives (team.ActionRecorded and
// team.ActionStatusChanged, recorded by the application's reactors). A
// retro's ActionAssigned and ActionDueDateSet have no team event yet, so
// they are taken from the retro stream: the action has the same ID in both.
package actiontracker

import (
	"slices"
	"strings"
	"time"

	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/projections"
)

// Name of the read model.
const Name = "action-tracker"

// Status of an action as the tracker groups it: "kept" in a review is open.
type Status string

const (
	Open      Status = "open"
	Done      Status = "done"
	Discarded Status = "discarded"
)

// Action is an action item as the tracker knows it.
type Action struct {
	ID            string     `json:"id"`
	TeamID        string     `json:"teamId"`
	Title         string     `json:"title"`
	Assignee      string     `json:"assignee,omitempty"`
	Due           *time.Time `json:"due,omitempty"`
	Status        Status     `json:"status"`
	OriginRetroID string     `json:"originRetroId,omitempty"`
	CreatedAt     time.Time  `json:"createdAt"`
	// ClosedAt is when it was done or discarded.
	ClosedAt *time.Time `json:"closedAt,omitempty"`
	// ReviewedIn lists the retros whose action review looked at it.
	ReviewedIn []string `json:"reviewedIn,omitempty"`
}

// Item is an action as of a moment: its age then and whether it was overdue.
type Item struct {
	Action
	// AgeDays is from creation to asOf (open) or to its closing.
	AgeDays float64 `json:"ageDays"`
	Overdue bool    `json:"overdue"`
}

// Summary is a team's or an assignee's actions as of a moment, oldest first.
type Summary struct {
	AsOf      time.Time `json:"asOf"`
	Open      []Item    `json:"open"`
	Done      []Item    `json:"done"`
	Discarded []Item    `json:"discarded"`
	// Overdue counts the open actions past their due date.
	Overdue int `json:"overdue"`
}

// Tracker is the read model.
type Tracker struct {
	*projections.Fold[state]
}

type state struct {
	Actions map[string]*Action `json:"actions"`
	// Pending holds assignee and due changes seen in a retro before the
	// team recorded the action.
	Pending map[string]*pending `json:"pending,omitempty"`
}

type pending struct {
	Assignee *string    `json:"assignee,omitempty"`
	Due      *time.Time `json:"due,omitempty"`
	DueSet   bool       `json:"dueSet,omitempty"`
}

// New returns an empty read model.
func New() *Tracker {
	return &Tracker{projections.NewFold(Name, newState, fold, projections.Types(
		team.ActionRecorded{}, team.ActionStatusChanged{}, retro.ActionAssigned{}, retro.ActionDueDateSet{}, retro.ActionCreated{}))}
}

func newState() *state {
	return &state{Actions: map[string]*Action{}, Pending: map[string]*pending{}}
}

func statusOf(s team.ActionStatus) Status {
	switch s {
	case team.StatusDone:
		return Done
	case team.StatusDiscarded:
		return Discarded
	}
	return Open
}

func fold(s *state, e eventstore.RecordedEvent, ev any) {
	switch ev := ev.(type) {
	case team.ActionRecorded:
		if _, ok := s.Actions[ev.ActionID]; ok {
			return
		}
		a := &Action{ID: ev.ActionID, TeamID: e.Stream.ID, Title: ev.Title, Assignee: ev.Assignee,
			Status: Open, OriginRetroID: ev.OriginRetroID, CreatedAt: ev.At}
		if !ev.Due.IsZero() {
			d := ev.Due
			a.Due = &d
		}
		if p, ok := s.Pending[ev.ActionID]; ok {
			if p.Assignee != nil {
				a.Assignee = *p.Assignee
			}
			if p.DueSet {
				a.Due = p.Due
			}
			delete(s.Pending, ev.ActionID)
		}
		s.Actions[ev.ActionID] = a
	case team.ActionStatusChanged:
		a, ok := s.Actions[ev.ActionID]
		if !ok {
			return
		}
		a.Status = statusOf(ev.To)
		if a.Status == Open {
			a.ClosedAt = nil
		} else {
			at := ev.At
			a.ClosedAt = &at
		}
		if ev.RetroID != "" && !slices.Contains(a.ReviewedIn, ev.RetroID) {
			a.ReviewedIn = append(a.ReviewedIn, ev.RetroID)
		}
	case retro.ActionAssigned:
		if a, ok := s.Actions[ev.ActionID]; ok {
			a.Assignee = ev.Assignee
			return
		}
		who := ev.Assignee
		s.pendingFor(ev.ActionID).Assignee = &who
	case retro.ActionDueDateSet:
		due := copyTime(ev.Due)
		if a, ok := s.Actions[ev.ActionID]; ok {
			a.Due = due
			return
		}
		p := s.pendingFor(ev.ActionID)
		p.Due, p.DueSet = due, true
	case retro.ActionCreated:
		// The team records it (with its assignee and due) through the
		// reactor; a due date or assignee set here first waits in Pending.
		if _, ok := s.Actions[ev.ActionID]; ok {
			return
		}
		p := s.pendingFor(ev.ActionID)
		if ev.Assignee != "" && p.Assignee == nil {
			who := ev.Assignee
			p.Assignee = &who
		}
		if ev.Due != nil && !p.DueSet {
			p.Due, p.DueSet = copyTime(ev.Due), true
		}
	}
}

func (s *state) pendingFor(id string) *pending {
	p, ok := s.Pending[id]
	if !ok {
		p = &pending{}
		s.Pending[id] = p
	}
	return p
}

func copyTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	c := *t
	return &c
}

// Team returns the team's actions as of asOf.
func (t *Tracker) Team(teamID string, asOf time.Time) Summary {
	return t.summary(asOf, func(a *Action) bool { return a.TeamID == teamID })
}

// Assignee returns the actions assigned to userID, across teams, as of asOf.
func (t *Tracker) Assignee(userID string, asOf time.Time) Summary {
	return t.summary(asOf, func(a *Action) bool { return userID != "" && a.Assignee == userID })
}

// Action returns one action, false if unknown.
func (t *Tracker) Action(id string) (Action, bool) {
	var (
		out Action
		ok  bool
	)
	t.Read(func(s *state) {
		var a *Action
		if a, ok = s.Actions[id]; ok {
			out = *a
			out.Due = copyTime(a.Due)
			out.ClosedAt = copyTime(a.ClosedAt)
			out.ReviewedIn = slices.Clone(a.ReviewedIn)
		}
	})
	return out, ok
}

func (t *Tracker) summary(asOf time.Time, keep func(*Action) bool) Summary {
	out := Summary{AsOf: asOf, Open: []Item{}, Done: []Item{}, Discarded: []Item{}}
	t.Read(func(s *state) {
		for _, a := range s.Actions {
			if !keep(a) || a.CreatedAt.After(asOf) {
				continue
			}
			it := Item{Action: *a}
			it.Due, it.ClosedAt, it.ReviewedIn = copyTime(a.Due), copyTime(a.ClosedAt), slices.Clone(a.ReviewedIn)
			end := asOf
			status := a.Status
			if a.ClosedAt != nil && a.ClosedAt.After(asOf) {
				status = Open // it was still open at asOf
			} else if a.ClosedAt != nil {
				end = *a.ClosedAt
			}
			it.Status = status
			it.AgeDays = end.Sub(a.CreatedAt).Hours() / 24
			switch status {
			case Open:
				it.Overdue = a.Due != nil && a.Due.Before(asOf)
				if it.Overdue {
					out.Overdue++
				}
				out.Open = append(out.Open, it)
			case Done:
				out.Done = append(out.Done, it)
			case Discarded:
				out.Discarded = append(out.Discarded, it)
			}
		}
	})
	for _, l := range [][]Item{out.Open, out.Done, out.Discarded} {
		slices.SortFunc(l, func(a, b Item) int {
			if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
				return c
			}
			return strings.Compare(a.ID, b.ID)
		})
	}
	return out
}

// All returns every action, by creation time then ID.
func (t *Tracker) All() []Action {
	var out []Action
	t.Read(func(s *state) {
		for _, a := range s.Actions {
			c := *a
			c.Due, c.ClosedAt, c.ReviewedIn = copyTime(a.Due), copyTime(a.ClosedAt), slices.Clone(a.ReviewedIn)
			out = append(out, c)
		}
	})
	slices.SortFunc(out, func(a, b Action) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}
