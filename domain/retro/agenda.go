package retro

import (
	"slices"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
)

// StepKind is what happens in a step.
type StepKind string

const (
	KindLobby        StepKind = "lobby"
	KindIcebreaker   StepKind = "icebreaker"
	KindActionReview StepKind = "action-review"
	KindHealthCheck  StepKind = "health-check"
	KindCollect      StepKind = "collect"
	KindGroup        StepKind = "group"
	KindVote         StepKind = "vote"
	KindDiscuss      StepKind = "discuss"
	KindRoti         StepKind = "roti"
	KindClosed       StepKind = "closed"
	// KindWhiteboard is an extra step for one topic on a whiteboard.
	KindWhiteboard StepKind = "whiteboard"
)

var stepKinds = []StepKind{KindLobby, KindIcebreaker, KindActionReview, KindHealthCheck,
	KindCollect, KindGroup, KindVote, KindDiscuss, KindRoti, KindClosed, KindWhiteboard}

// Step of the agenda. Topic names the card or group a whiteboard step is for.
type Step struct {
	ID      string   `json:"id"`
	Kind    StepKind `json:"kind"`
	Title   string   `json:"title,omitempty"`
	Topic   string   `json:"topic,omitempty"`
	Skipped bool     `json:"skipped,omitempty"`
}

// DefaultAgenda is the agenda of a retro created without one; step IDs are
// the kinds.
func DefaultAgenda() []Step {
	kinds := []StepKind{KindLobby, KindIcebreaker, KindActionReview, KindHealthCheck,
		KindCollect, KindGroup, KindVote, KindDiscuss, KindRoti, KindClosed}
	out := make([]Step, len(kinds))
	for i, k := range kinds {
		out[i] = Step{ID: string(k), Kind: k}
	}
	return out
}

// CheckAgenda is the agenda rule below, for an agenda made ahead of a retro
// (a workspace's retro template's steps).
func CheckAgenda(agenda []Step) error { return checkAgenda(agenda) }

// checkAgenda: unique IDs, known kinds, the lobby first and the closed step
// last, each exactly once (the retro starts in the one and ends in the other).
func checkAgenda(agenda []Step) error {
	if len(agenda) < 2 || agenda[0].Kind != KindLobby || agenda[len(agenda)-1].Kind != KindClosed {
		return domain.Errorf(domain.Invalid, CodeAgendaInvalid, "an agenda starts with the lobby and ends with the closed step")
	}
	seen := map[string]bool{}
	for i, st := range agenda {
		if st.ID == "" || seen[st.ID] {
			return domain.Errorf(domain.Invalid, CodeAgendaInvalid, "step IDs must be present and unique (%q)", st.ID)
		}
		seen[st.ID] = true
		if !slices.Contains(stepKinds, st.Kind) {
			return domain.Errorf(domain.Invalid, CodeAgendaInvalid, "unknown step kind %q", st.Kind)
		}
		if (st.Kind == KindLobby || st.Kind == KindClosed) && i != 0 && i != len(agenda)-1 {
			return domain.Errorf(domain.Invalid, CodeAgendaInvalid, "only one lobby and one closed step")
		}
		if st.Skipped && (st.Kind == KindLobby || st.Kind == KindClosed) {
			return domain.Errorf(domain.Invalid, CodeAgendaInvalid, "the lobby and the closed step cannot be skipped")
		}
	}
	return nil
}

// GoToStep moves the retro to a step, forward or back. Going to a skipped
// step brings it back; going to the closed step closes the retro.
type GoToStep struct {
	Actor  domain.Actor
	At     time.Time
	StepID string
}

// SkipStep marks a step to be passed over.
type SkipStep struct {
	Actor  domain.Actor
	At     time.Time
	StepID string
}

// ReorderSteps puts the agenda in a new order (all step IDs, once each).
type ReorderSteps struct {
	Actor domain.Actor
	At    time.Time
	Order []string
}

// AddStep inserts a step after another (After "" means before the closed
// step), for example a whiteboard step for one topic.
type AddStep struct {
	Actor domain.Actor
	At    time.Time
	Step  Step
	After string
}

// StartTimer starts the current step's timer; the deadline is At+Duration.
type StartTimer struct {
	Actor    domain.Actor
	At       time.Time
	Duration time.Duration
}

// ExtendTimer moves the running timer's deadline by By.
type ExtendTimer struct {
	Actor domain.Actor
	At    time.Time
	By    time.Duration
}

// StopTimer stops the running timer.
type StopTimer struct {
	Actor domain.Actor
	At    time.Time
}

func (GoToStep) isCommand()     {}
func (SkipStep) isCommand()     {}
func (ReorderSteps) isCommand() {}
func (AddStep) isCommand()      {}
func (StartTimer) isCommand()   {}
func (ExtendTimer) isCommand()  {}
func (StopTimer) isCommand()    {}

// StepChanged: the retro moved from one step to another.
type StepChanged struct {
	From string    `json:"from"`
	To   string    `json:"to"`
	At   time.Time `json:"at"`
}

// StepSkipped: a step will be passed over.
type StepSkipped struct {
	StepID string    `json:"stepId"`
	At     time.Time `json:"at"`
}

// StepsReordered: the agenda's new order.
type StepsReordered struct {
	Order []string  `json:"order"`
	At    time.Time `json:"at"`
}

// StepAdded: a step was inserted after another.
type StepAdded struct {
	Step  Step      `json:"step"`
	After string    `json:"after"`
	At    time.Time `json:"at"`
}

// TimerStarted: the step's timer runs until Deadline.
type TimerStarted struct {
	StepID   string    `json:"stepId"`
	Deadline time.Time `json:"deadline"`
	At       time.Time `json:"at"`
}

// TimerExtended: the running timer's new deadline.
type TimerExtended struct {
	StepID   string    `json:"stepId"`
	Deadline time.Time `json:"deadline"`
	At       time.Time `json:"at"`
}

// TimerStopped: the timer no longer runs.
type TimerStopped struct {
	StepID string    `json:"stepId"`
	At     time.Time `json:"at"`
}

func (StepChanged) EventType() string    { return TypeStepChanged }
func (StepSkipped) EventType() string    { return TypeStepSkipped }
func (StepsReordered) EventType() string { return TypeStepsReordered }
func (StepAdded) EventType() string      { return TypeStepAdded }
func (TimerStarted) EventType() string   { return TypeTimerStarted }
func (TimerExtended) EventType() string  { return TypeTimerExtended }
func (TimerStopped) EventType() string   { return TypeTimerStopped }

func (s State) step(id string) (int, bool) {
	for i, st := range s.Agenda {
		if st.ID == id {
			return i, true
		}
	}
	return -1, false
}

func decideGoToStep(s State, c GoToStep) ([]Event, error) {
	if err := s.asModerator(c.Actor); err != nil {
		return nil, err
	}
	i, ok := s.step(c.StepID)
	if !ok {
		return nil, domain.Errorf(domain.NotFound, CodeStepNotFound, "no step %q", c.StepID)
	}
	if c.StepID == s.Current {
		return nil, nil
	}
	evs := []Event{StepChanged{From: s.Current, To: c.StepID, At: c.At}}
	if s.Agenda[i].Kind == KindClosed {
		evs2, err := decideClose(s, CloseRetro{Actor: c.Actor, At: c.At})
		if err != nil {
			return nil, err
		}
		evs = append(evs, evs2...)
	}
	return evs, nil
}

func decideSkipStep(s State, c SkipStep) ([]Event, error) {
	if err := s.asModerator(c.Actor); err != nil {
		return nil, err
	}
	i, ok := s.step(c.StepID)
	if !ok {
		return nil, domain.Errorf(domain.NotFound, CodeStepNotFound, "no step %q", c.StepID)
	}
	if k := s.Agenda[i].Kind; k == KindLobby || k == KindClosed {
		return nil, domain.Errorf(domain.Invalid, CodeStepNotSkippable, "the %s step cannot be skipped", k)
	}
	if c.StepID == s.Current {
		return nil, domain.Errorf(domain.Conflict, CodeStepCurrent, "the current step cannot be skipped; go to another first")
	}
	if s.Agenda[i].Skipped {
		return nil, nil
	}
	return []Event{StepSkipped{StepID: c.StepID, At: c.At}}, nil
}

func decideReorder(s State, c ReorderSteps) ([]Event, error) {
	if err := s.asModerator(c.Actor); err != nil {
		return nil, err
	}
	if len(c.Order) != len(s.Agenda) {
		return nil, domain.Errorf(domain.Invalid, CodeOrderMismatch, "the order must name every step once")
	}
	byID := map[string]Step{}
	for _, st := range s.Agenda {
		byID[st.ID] = st
	}
	next := make([]Step, 0, len(c.Order))
	for _, id := range c.Order {
		st, ok := byID[id]
		if !ok {
			return nil, domain.Errorf(domain.Invalid, CodeOrderMismatch, "the order must name every step once (%q)", id)
		}
		delete(byID, id)
		next = append(next, st)
	}
	if err := checkAgenda(next); err != nil {
		return nil, err
	}
	return []Event{StepsReordered{Order: slices.Clone(c.Order), At: c.At}}, nil
}

func decideAddStep(s State, c AddStep) ([]Event, error) {
	if err := s.asModerator(c.Actor); err != nil {
		return nil, err
	}
	if err := checkID("step-id", c.Step.ID, CodeStepIDRequired, CodeStepIDInvalid); err != nil {
		return nil, err
	}
	if !slices.Contains(stepKinds, c.Step.Kind) || c.Step.Kind == KindLobby || c.Step.Kind == KindClosed {
		return nil, domain.Errorf(domain.Invalid, CodeStepKindInvalid, "cannot add a step of kind %q", c.Step.Kind)
	}
	if len(c.Step.Title) > MaxTitleLen {
		return nil, domain.Errorf(domain.Invalid, CodeTitleTooLong, "the step title is too long")
	}
	if _, ok := s.step(c.Step.ID); ok {
		return nil, domain.Errorf(domain.Conflict, CodeStepExists, "a step %q already exists", c.Step.ID)
	}
	after := c.After
	if after == "" {
		after = s.Agenda[len(s.Agenda)-2].ID
	} else if i, ok := s.step(after); !ok {
		return nil, domain.Errorf(domain.NotFound, CodeStepNotFound, "no step %q", after)
	} else if s.Agenda[i].Kind == KindClosed {
		return nil, domain.Errorf(domain.Invalid, CodeAgendaInvalid, "nothing comes after the closed step")
	}
	if c.Step.Topic != "" {
		if _, err := s.topic(c.Step.Topic); err != nil {
			return nil, err
		}
	}
	st := c.Step
	st.Skipped = false
	return []Event{StepAdded{Step: st, After: after, At: c.At}}, nil
}

const maxTimer = 24 * time.Hour

func decideStartTimer(s State, c StartTimer) ([]Event, error) {
	if err := s.asModerator(c.Actor); err != nil {
		return nil, err
	}
	if c.Duration <= 0 || c.Duration > maxTimer {
		return nil, domain.Errorf(domain.Invalid, CodeDurationInvalid, "a timer runs for more than 0 and at most 24h, not %s", c.Duration)
	}
	if s.Timer != nil {
		return nil, domain.Errorf(domain.Conflict, CodeTimerRunning, "a timer already runs; extend or stop it")
	}
	return []Event{TimerStarted{StepID: s.Current, Deadline: c.At.Add(c.Duration), At: c.At}}, nil
}

func decideExtendTimer(s State, c ExtendTimer) ([]Event, error) {
	if err := s.asModerator(c.Actor); err != nil {
		return nil, err
	}
	if c.By <= 0 || c.By > maxTimer {
		return nil, domain.Errorf(domain.Invalid, CodeDurationInvalid, "extend by more than 0 and at most 24h, not %s", c.By)
	}
	if s.Timer == nil {
		return nil, domain.Errorf(domain.Conflict, CodeTimerNotRunning, "no timer runs")
	}
	// An expired timer extends from now, so extending gives the time asked for.
	base := s.Timer.Deadline
	if base.Before(c.At) {
		base = c.At
	}
	return []Event{TimerExtended{StepID: s.Timer.StepID, Deadline: base.Add(c.By), At: c.At}}, nil
}

func decideStopTimer(s State, c StopTimer) ([]Event, error) {
	if err := s.asModerator(c.Actor); err != nil {
		return nil, err
	}
	if s.Timer == nil {
		return nil, domain.Errorf(domain.Conflict, CodeTimerNotRunning, "no timer runs")
	}
	return []Event{TimerStopped{StepID: s.Timer.StepID, At: c.At}}, nil
}

func evolveAgenda(s State, e Event) State {
	switch e := e.(type) {
	case StepChanged:
		s.Current = e.To
		s.Timer = nil // a timer belongs to its step
		if i, ok := s.step(e.To); ok {
			s.Agenda[i].Skipped = false
		}
	case StepSkipped:
		if i, ok := s.step(e.StepID); ok {
			s.Agenda[i].Skipped = true
		}
	case StepsReordered:
		byID := map[string]Step{}
		for _, st := range s.Agenda {
			byID[st.ID] = st
		}
		next := make([]Step, 0, len(e.Order))
		for _, id := range e.Order {
			if st, ok := byID[id]; ok {
				next = append(next, st)
				delete(byID, id)
			}
		}
		s.Agenda = next
	case StepAdded:
		i, ok := s.step(e.After)
		if !ok {
			i = len(s.Agenda) - 1
		}
		s.Agenda = slices.Insert(s.Agenda, i+1, e.Step)
	case TimerStarted:
		s.Timer = &Timer{StepID: e.StepID, Deadline: e.Deadline}
	case TimerExtended:
		s.Timer = &Timer{StepID: e.StepID, Deadline: e.Deadline}
	case TimerStopped:
		s.Timer = nil
	}
	return s
}
