// Package reminder holds the mail timers that come due: a reminder before
// an action's due date and when it is overdue, a survey's opening and the
// reminder before it closes, a team's weekly digest. What is due is
// computed by every node from the log; a node claims a due reminder with
// Claim on the subject's stream (reminder-<action, survey or team ID>)
// appended at the expected version and under a command ID per reminder
// key, so when two nodes race only one Claimed is stored, and the other's
// retry is refused (CodeAlreadyClaimed). What a claim causes (the mails)
// is a reaction to Claimed, so it happens once and survives a restart.
package reminder

import (
	"time"

	"github.com/hindsight-retro/hindsight/domain"
)

// Kind is what a reminder is about.
type Kind string

// The kinds of reminder.
const (
	// KindActionDueSoon: an open action is due within a day.
	KindActionDueSoon Kind = "action-due-soon"
	// KindActionOverdue: an open action's due date passed.
	KindActionOverdue Kind = "action-overdue"
	// KindSurveyOpened: a survey planned for later opened.
	KindSurveyOpened Kind = "survey-opened"
	// KindSurveyClosing: an open survey closes within a day.
	KindSurveyClosing Kind = "survey-closing"
	// KindDigest: a team's week is over; its admins' digest is due.
	KindDigest Kind = "digest"
)

// Kinds lists every kind, once.
func Kinds() []Kind {
	return []Kind{KindActionDueSoon, KindActionOverdue, KindSurveyOpened, KindSurveyClosing, KindDigest}
}

// Rejection codes, stable for clients.
const (
	CodeKeyRequired    = "reminder-key-required"
	CodeKindUnknown    = "reminder-kind-unknown"
	CodeAlreadyClaimed = "reminder-claimed"
	CodeUnknownCommand = "unknown-command"
)

// Event is something that happened to a subject's reminders.
type Event interface{ EventType() string }

// Claimed: the reminder Key of Kind came due (at Due) and was claimed at
// At; its mails are to be sent. TeamID, ActionID and SurveyID name what
// it is about (those that apply).
type Claimed struct {
	Key      string    `json:"key"`
	Kind     Kind      `json:"kind"`
	TeamID   string    `json:"teamId,omitempty"`
	ActionID string    `json:"actionId,omitempty"`
	SurveyID string    `json:"surveyId,omitempty"`
	Due      time.Time `json:"due"`
	At       time.Time `json:"at"`
}

// Category is the stream category of reminders: reminder-<subject ID>.
const Category = "reminder"

// TypeClaimed is Claimed's name in the log.
const TypeClaimed = "reminder.Claimed"

// EventType names the event in the log.
func (Claimed) EventType() string { return TypeClaimed }

// Command is a request about a subject's reminders. The set is closed.
type Command interface{ isCommand() }

// Claim claims a due reminder. The caller computed from the log that it
// is due; the decider only makes sure it is claimed once.
type Claim struct {
	Key      string
	Kind     Kind
	TeamID   string
	ActionID string
	SurveyID string
	Due      time.Time
	At       time.Time
}

func (Claim) isCommand() {}

// Events lists one value of every event type, once.
func Events() []Event { return []Event{Claimed{}} }

// Commands lists one value of every command type, once.
func Commands() []Command { return []Command{Claim{}} }

// State is the reminders of one subject claimed so far, by key.
type State struct {
	Claimed map[string]time.Time
}

// Initial is the state before any event: nothing claimed.
func Initial() State { return State{} }

// Has reports whether the reminder key was claimed.
func (s State) Has(key string) bool { _, ok := s.Claimed[key]; return ok }

// Decide turns a command into events, or rejects it with a *domain.Error.
func Decide(s State, c Command) ([]Event, error) {
	switch c := c.(type) {
	case Claim:
		switch {
		case c.Key == "":
			return nil, domain.Errorf(domain.Invalid, CodeKeyRequired, "a reminder is claimed by its key")
		case !known(c.Kind):
			return nil, domain.Errorf(domain.Invalid, CodeKindUnknown, "no reminder kind %q", c.Kind)
		case s.Has(c.Key):
			return nil, domain.Errorf(domain.Conflict, CodeAlreadyClaimed, "reminder %s was claimed", c.Key)
		}
		return []Event{Claimed{Key: c.Key, Kind: c.Kind, TeamID: c.TeamID, ActionID: c.ActionID, SurveyID: c.SurveyID,
			Due: c.Due.UTC(), At: c.At.UTC()}}, nil
	}
	return nil, domain.Errorf(domain.Invalid, CodeUnknownCommand, "unknown command %T", c)
}

func known(k Kind) bool {
	for _, x := range Kinds() {
		if x == k {
			return true
		}
	}
	return false
}

// Evolve folds one event into the state.
func Evolve(s State, e Event) State {
	if e, ok := e.(Claimed); ok {
		claimed := make(map[string]time.Time, len(s.Claimed)+1)
		for k, v := range s.Claimed {
			claimed[k] = v
		}
		claimed[e.Key] = e.At
		s.Claimed = claimed
	}
	return s
}

// Decider is the reminders' rules as one value, for tests and the runner.
func Decider() domain.Decider[State, Command, Event] {
	return domain.Decider[State, Command, Event]{Initial: Initial, Decide: Decide, Evolve: Evolve}
}

func codecFor(typ string) (domain.Schema[Event], bool) {
	if typ == TypeClaimed {
		return domain.Current[Event, Claimed](1), true
	}
	return domain.Schema[Event]{}, false
}

func codec() domain.Codec[Event] { return domain.Codec[Event]{Aggregate: Category, Lookup: codecFor} }

// EncodeEvent turns an event into its stored form.
func EncodeEvent(e Event) (typ string, schemaVersion int, payload []byte, err error) {
	return codec().Encode(e)
}

// DecodeEvent reads a stored event.
func DecodeEvent(typ string, schemaVersion int, payload []byte) (Event, error) {
	return codec().Decode(typ, schemaVersion, payload)
}
