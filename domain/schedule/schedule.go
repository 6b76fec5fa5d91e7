// Package schedule is a team's recurring retro: its cadence (when, in the
// team's time zone), what each retro is made of, and which occurrences
// have fired. A schedule is stored under schedule-<team ID>.
//
// Firing an occurrence is a command like any other, so it is claimed
// through the log: the node that appends OccurrenceFired first (with the
// stream's expected version) wins, and a node that raced it is refused
// (CodeAlreadyFired) when it decides again on the state it lost to. Timers
// are therefore no node's memory: every node can compute from the log
// which occurrence is due next (Due), and the log says whether it fired.
package schedule

import (
	"time"

	"github.com/hindsight-retro/hindsight/domain"
)

// Bounds of the settings.
const (
	MinLeadTime    = time.Hour
	MaxLeadTime    = 14 * 24 * time.Hour
	MaxTitleLength = 200
)

// Rejection codes, stable for clients.
const (
	CodeActorRequired   = "actor-required"
	CodeTeamRequired    = "team-required"
	CodeCadenceInvalid  = "cadence-invalid"
	CodeTemplateMissing = "template-required"
	CodeLeadTimeInvalid = "lead-time-invalid"
	CodeTitleTooLong    = "title-too-long"
	CodeNoCadence       = "no-cadence"
	CodeCadenceChanged  = "cadence-changed"
	CodeAlreadyFired    = "occurrence-fired"
	CodeNotDue          = "occurrence-not-due"
	CodeOccurrencePast  = "occurrence-past"
	CodeRetroRequired   = "retro-required"
	CodeUnknownCommand  = "unknown-command"
)

// Settings are a schedule's cadence and what each of its retros is made of.
type Settings struct {
	Cadence Cadence `json:"cadence"`
	// Title of each retro; the occurrence's local date is appended.
	Title      string `json:"title"`
	TemplateID string `json:"templateId"`
	Anonymous  bool   `json:"anonymous,omitempty"`
	// LeadTimeMinutes is how long before an occurrence its retro is
	// created (and its survey sent).
	LeadTimeMinutes int `json:"leadTimeMinutes"`
	// SurveyPackID, when set, names a catalogue question pack sent to the
	// team as a survey when the retro is created, closing when it starts.
	SurveyPackID string `json:"surveyPackId,omitempty"`
}

// LeadTime is how long before an occurrence it fires.
func (s Settings) LeadTime() time.Duration { return time.Duration(s.LeadTimeMinutes) * time.Minute }

// Event is something that happened to a schedule.
type Event interface{ EventType() string }

// CadenceSet: the team's retros recur by Settings from now on (set or
// changed). Occurrences fired before stay fired.
type CadenceSet struct {
	TeamID   string    `json:"teamId"`
	Settings Settings  `json:"settings"`
	SetBy    string    `json:"setBy"`
	At       time.Time `json:"at"`
}

// CadenceRemoved: the team's retros no longer recur.
type CadenceRemoved struct {
	RemovedBy string    `json:"removedBy"`
	At        time.Time `json:"at"`
}

// OccurrenceFired: the occurrence starting at Occurrence is claimed; its
// retro RetroID is to be created, moderated by Moderator, with Settings
// (as they were when it fired).
type OccurrenceFired struct {
	Occurrence time.Time `json:"occurrence"`
	RetroID    string    `json:"retroId"`
	Moderator  string    `json:"moderator"`
	Settings   Settings  `json:"settings"`
	At         time.Time `json:"at"`
}

// Category is the stream category of schedules.
const Category = "schedule"

// Event type names as stored in the log, by the rule in package domain.
const (
	TypeCadenceSet      = "schedule.CadenceSet"
	TypeCadenceRemoved  = "schedule.CadenceRemoved"
	TypeOccurrenceFired = "schedule.OccurrenceFired"
)

// EventType names the event in the log.
func (CadenceSet) EventType() string { return TypeCadenceSet }

// EventType names the event in the log.
func (CadenceRemoved) EventType() string { return TypeCadenceRemoved }

// EventType names the event in the log.
func (OccurrenceFired) EventType() string { return TypeOccurrenceFired }

// Command is a request to change a schedule. The set is closed.
type Command interface{ isCommand() }

// SetCadence sets or changes the cadence. The application checks that the
// actor administers the team, that the time zone is known and that the
// template and pack exist before it asks.
type SetCadence struct {
	Actor    domain.Actor
	At       time.Time
	TeamID   string
	Settings Settings
}

// RemoveCadence stops the recurrence (team admins, checked by the app).
type RemoveCadence struct {
	Actor domain.Actor
	At    time.Time
}

// FireOccurrence claims the occurrence starting at Occurrence, due at At,
// decided on the cadence of version CadenceVersion. The timer asks; no
// person does.
type FireOccurrence struct {
	At             time.Time
	Occurrence     time.Time
	CadenceVersion int
	RetroID        string
	Moderator      string
}

func (SetCadence) isCommand()     {}
func (RemoveCadence) isCommand()  {}
func (FireOccurrence) isCommand() {}

// Events lists one value of every schedule event type, once.
func Events() []Event { return []Event{CadenceSet{}, CadenceRemoved{}, OccurrenceFired{}} }

// Commands lists one value of every schedule command type, once.
func Commands() []Command { return []Command{SetCadence{}, RemoveCadence{}, FireOccurrence{}} }

// Fired is one occurrence that fired and the retro it made.
type Fired struct {
	Occurrence time.Time `json:"occurrence"`
	RetroID    string    `json:"retroId"`
	Duration   int       `json:"durationMinutes"`
}

// State of a team's schedule.
type State struct {
	TeamID   string
	Active   bool
	Settings Settings
	SetBy    string
	// Version counts the cadences set, so a fire decided on an older one
	// is refused.
	Version int
	// SetAt is when the current cadence was set: no occurrence before it
	// fires.
	SetAt time.Time
	// LastFired is the latest occurrence that fired, under any cadence.
	LastFired time.Time
	// Fired lists every occurrence that fired, oldest first.
	Fired []Fired
}

// Initial is the state before any event: no cadence.
func Initial() State { return State{} }

// Decide turns a command into events, or rejects it with a *domain.Error.
func Decide(s State, c Command) ([]Event, error) {
	switch c := c.(type) {
	case SetCadence:
		return decideSet(c)
	case RemoveCadence:
		if c.Actor.UserID == "" {
			return nil, domain.Errorf(domain.Invalid, CodeActorRequired, "a cadence is removed by someone")
		}
		if !s.Active {
			return nil, domain.Errorf(domain.NotFound, CodeNoCadence, "the team has no cadence")
		}
		return []Event{CadenceRemoved{RemovedBy: c.Actor.UserID, At: c.At.UTC()}}, nil
	case FireOccurrence:
		return decideFire(s, c)
	}
	return nil, domain.Errorf(domain.Invalid, CodeUnknownCommand, "unknown command %T", c)
}

func decideSet(c SetCadence) ([]Event, error) {
	st := c.Settings
	switch {
	case c.Actor.UserID == "":
		return nil, domain.Errorf(domain.Invalid, CodeActorRequired, "a cadence is set by someone")
	case c.TeamID == "":
		return nil, domain.Errorf(domain.Invalid, CodeTeamRequired, "a cadence is a team's")
	case st.TemplateID == "":
		return nil, domain.Errorf(domain.Invalid, CodeTemplateMissing, "a recurring retro needs a template")
	case st.LeadTime() < MinLeadTime || st.LeadTime() > MaxLeadTime:
		return nil, domain.Errorf(domain.Invalid, CodeLeadTimeInvalid, "the lead time must be %s to %s", MinLeadTime, MaxLeadTime)
	case len([]rune(st.Title)) > MaxTitleLength:
		return nil, domain.Errorf(domain.Invalid, CodeTitleTooLong, "a title has at most %d characters", MaxTitleLength)
	}
	if err := st.Cadence.check(); err != nil {
		return nil, domain.Errorf(domain.Invalid, CodeCadenceInvalid, "%v", err)
	}
	return []Event{CadenceSet{TeamID: c.TeamID, Settings: st, SetBy: c.Actor.UserID, At: c.At.UTC()}}, nil
}

func decideFire(s State, c FireOccurrence) ([]Event, error) {
	switch {
	case !s.Active:
		return nil, domain.Errorf(domain.NotFound, CodeNoCadence, "the team has no cadence")
	case c.CadenceVersion != s.Version:
		return nil, domain.Errorf(domain.Conflict, CodeCadenceChanged, "the cadence changed since the occurrence was computed")
	case !c.Occurrence.After(s.LastFired):
		return nil, domain.Errorf(domain.Conflict, CodeAlreadyFired, "the occurrence at %s has fired", c.Occurrence.UTC().Format(time.RFC3339))
	case !c.Occurrence.After(c.At):
		return nil, domain.Errorf(domain.Conflict, CodeOccurrencePast, "the occurrence at %s has begun", c.Occurrence.UTC().Format(time.RFC3339))
	case c.Occurrence.Sub(c.At) > s.Settings.LeadTime():
		return nil, domain.Errorf(domain.Conflict, CodeNotDue, "the occurrence at %s is not due yet", c.Occurrence.UTC().Format(time.RFC3339))
	case c.RetroID == "" || c.Moderator == "":
		return nil, domain.Errorf(domain.Invalid, CodeRetroRequired, "a fired occurrence names its retro and moderator")
	}
	return []Event{OccurrenceFired{Occurrence: c.Occurrence.UTC(), RetroID: c.RetroID, Moderator: c.Moderator,
		Settings: s.Settings, At: c.At.UTC()}}, nil
}

// Evolve folds one event into the state.
func Evolve(s State, e Event) State {
	switch e := e.(type) {
	case CadenceSet:
		s.TeamID, s.Active, s.Settings, s.SetBy, s.SetAt = e.TeamID, true, e.Settings, e.SetBy, e.At
		s.Version++
	case CadenceRemoved:
		s.Active = false
		s.Settings = Settings{}
	case OccurrenceFired:
		if e.Occurrence.After(s.LastFired) {
			s.LastFired = e.Occurrence
		}
		s.Fired = append(s.Fired[:len(s.Fired):len(s.Fired)], Fired{Occurrence: e.Occurrence, RetroID: e.RetroID,
			Duration: e.Settings.Cadence.DurationMinutes})
	}
	return s
}

// Decider is the schedule's rules as one value, for tests and the runner.
func Decider() domain.Decider[State, Command, Event] {
	return domain.Decider[State, Command, Event]{Initial: Initial, Decide: Decide, Evolve: Evolve}
}

// Due is the occurrence a timer should fire at now, if any: the first one
// after the last fired, after the cadence was set and after now (one that
// has begun is skipped: a retro is not created for a meeting that already
// started), once now is within the lead time of it. loc is the cadence's
// time zone.
func Due(s State, loc *time.Location, now time.Time) (time.Time, bool) {
	if !s.Active {
		return time.Time{}, false
	}
	after := now
	for _, t := range []time.Time{s.LastFired, s.SetAt} {
		if t.After(after) {
			after = t
		}
	}
	next := s.Settings.Cadence.Next(loc, after)
	if next.IsZero() || next.Sub(now) > s.Settings.LeadTime() {
		return time.Time{}, false
	}
	return next, true
}

// Upcoming lists the next n occurrences that have not fired.
func Upcoming(s State, loc *time.Location, now time.Time, n int) []time.Time {
	if !s.Active {
		return nil
	}
	after := now
	if s.LastFired.After(after) {
		after = s.LastFired
	}
	return s.Settings.Cadence.Upcoming(loc, after, n)
}

func codecFor(typ string) (domain.Schema[Event], bool) {
	switch typ {
	case TypeCadenceSet:
		return domain.Current[Event, CadenceSet](1), true
	case TypeCadenceRemoved:
		return domain.Current[Event, CadenceRemoved](1), true
	case TypeOccurrenceFired:
		return domain.Current[Event, OccurrenceFired](1), true
	}
	return domain.Schema[Event]{}, false
}

func codec() domain.Codec[Event] {
	return domain.Codec[Event]{Aggregate: Category, Lookup: codecFor}
}

// EncodeEvent turns an event into its stored form.
func EncodeEvent(e Event) (typ string, schemaVersion int, payload []byte, err error) {
	return codec().Encode(e)
}

// DecodeEvent reads a stored event.
func DecodeEvent(typ string, schemaVersion int, payload []byte) (Event, error) {
	return codec().Decode(typ, schemaVersion, payload)
}
