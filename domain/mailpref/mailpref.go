// Package mailpref is a person's choice of the mails they get: which kinds
// they unsubscribed from, and whether they opted in to the weekly digest.
// A person's preferences are stored under mailpref-<user ID>. Every kind
// but the digest is sent until its person unsubscribes; the digest is
// sent only after they opt in. Security mails (address verification,
// password reset, guest proof) are no kind here: nobody unsubscribes
// from them.
package mailpref

import (
	"slices"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
)

// Kind is a kind of mail a person may turn off.
type Kind string

// The kinds of mail a person chooses.
const (
	KindSummary        Kind = "summary"
	KindInvitation     Kind = "invitation"
	KindActionReminder Kind = "action-reminder"
	KindSurvey         Kind = "survey"
	KindDigest         Kind = "digest"
)

// Kinds lists every kind a person chooses, once, in the order shown.
func Kinds() []Kind {
	return []Kind{KindSummary, KindInvitation, KindActionReminder, KindSurvey, KindDigest}
}

// Known reports whether k is one of Kinds.
func Known(k Kind) bool { return slices.Contains(Kinds(), k) }

// OptIn reports whether k is sent only to those who asked for it.
func OptIn(k Kind) bool { return k == KindDigest }

// Rejection codes, stable for clients.
const (
	CodeUserRequired   = "user-required"
	CodeKindUnknown    = "mail-kind-unknown"
	CodeUnknownCommand = "unknown-command"
)

// Via says how a person unsubscribed.
type Via string

// The ways to unsubscribe.
const (
	// ViaOneClick: the mail's List-Unsubscribe-Post (RFC 8058), sent by
	// the person's mail program.
	ViaOneClick Via = "one-click"
	// ViaPage: the confirm page the mail's link opens.
	ViaPage Via = "page"
)

// Event is something that happened to a person's preferences.
type Event interface{ EventType() string }

// Unsubscribed: the person gets no more mail of Kind.
type Unsubscribed struct {
	UserID string    `json:"userId"`
	Kind   Kind      `json:"kind"`
	Via    Via       `json:"via"`
	At     time.Time `json:"at"`
}

// PreferencesSet: the person chose, for every kind, whether they get it.
type PreferencesSet struct {
	UserID string        `json:"userId"`
	Kinds  map[Kind]bool `json:"kinds"`
	At     time.Time     `json:"at"`
}

// Category is the stream category of preferences: mailpref-<user ID>.
const Category = "mailpref"

// Event type names as stored in the log, by the rule in package domain.
const (
	TypeUnsubscribed   = "mailpref.Unsubscribed"
	TypePreferencesSet = "mailpref.PreferencesSet"
)

// EventType names the event in the log.
func (Unsubscribed) EventType() string { return TypeUnsubscribed }

// EventType names the event in the log.
func (PreferencesSet) EventType() string { return TypePreferencesSet }

// Command is a request to change a person's preferences. The set is closed.
type Command interface{ isCommand() }

// Unsubscribe stops one kind for the person (from a mail's link, which
// proves who they are by its signed token, or from their settings).
type Unsubscribe struct {
	UserID string
	Kind   Kind
	Via    Via
	At     time.Time
}

// SetPreferences sets, for the kinds named, whether the person gets them;
// kinds not named keep what they were.
type SetPreferences struct {
	Actor domain.Actor
	Kinds map[Kind]bool
	At    time.Time
}

func (Unsubscribe) isCommand()    {}
func (SetPreferences) isCommand() {}

// Events lists one value of every event type, once.
func Events() []Event { return []Event{Unsubscribed{}, PreferencesSet{}} }

// Commands lists one value of every command type, once.
func Commands() []Command { return []Command{Unsubscribe{}, SetPreferences{}} }

// State is a person's preferences: the kinds they chose, each on or off.
// A kind never chosen is on, except an opt-in kind, which is off.
type State struct {
	UserID string
	Chosen map[Kind]bool
}

// Initial is the state before any event: every kind as its default.
func Initial() State { return State{} }

// Gets reports whether the person gets mail of kind k.
func (s State) Gets(k Kind) bool {
	if on, ok := s.Chosen[k]; ok {
		return on
	}
	return !OptIn(k)
}

// All is every kind and whether the person gets it.
func (s State) All() map[Kind]bool {
	out := make(map[Kind]bool, len(Kinds()))
	for _, k := range Kinds() {
		out[k] = s.Gets(k)
	}
	return out
}

// Decide turns a command into events, or rejects it with a *domain.Error.
func Decide(s State, c Command) ([]Event, error) {
	switch c := c.(type) {
	case Unsubscribe:
		switch {
		case c.UserID == "":
			return nil, domain.Errorf(domain.Invalid, CodeUserRequired, "unsubscribe whom?")
		case !Known(c.Kind):
			return nil, domain.Errorf(domain.Invalid, CodeKindUnknown, "no mail kind %q", c.Kind)
		case !s.Gets(c.Kind):
			return nil, nil // off already: a second click changes nothing
		}
		via := c.Via
		if via != ViaPage {
			via = ViaOneClick
		}
		return []Event{Unsubscribed{UserID: c.UserID, Kind: c.Kind, Via: via, At: c.At.UTC()}}, nil
	case SetPreferences:
		if c.Actor.UserID == "" {
			return nil, domain.Errorf(domain.Invalid, CodeUserRequired, "preferences are someone's")
		}
		next := s.All()
		changed := false
		for k, on := range c.Kinds {
			if !Known(k) {
				return nil, domain.Errorf(domain.Invalid, CodeKindUnknown, "no mail kind %q", k)
			}
			changed = changed || next[k] != on
			next[k] = on
		}
		if !changed {
			return nil, nil
		}
		return []Event{PreferencesSet{UserID: c.Actor.UserID, Kinds: next, At: c.At.UTC()}}, nil
	}
	return nil, domain.Errorf(domain.Invalid, CodeUnknownCommand, "unknown command %T", c)
}

// Evolve folds one event into the state.
func Evolve(s State, e Event) State {
	switch e := e.(type) {
	case Unsubscribed:
		s = s.with(e.UserID, map[Kind]bool{e.Kind: false})
	case PreferencesSet:
		s = s.with(e.UserID, e.Kinds)
	}
	return s
}

// with copies the chosen map, so a State held by a caller never changes.
func (s State) with(userID string, kinds map[Kind]bool) State {
	chosen := make(map[Kind]bool, len(s.Chosen)+len(kinds))
	for k, v := range s.Chosen {
		chosen[k] = v
	}
	for k, v := range kinds {
		chosen[k] = v
	}
	return State{UserID: userID, Chosen: chosen}
}

// Decider is the preferences' rules as one value, for tests and the runner.
func Decider() domain.Decider[State, Command, Event] {
	return domain.Decider[State, Command, Event]{Initial: Initial, Decide: Decide, Evolve: Evolve}
}

func codecFor(typ string) (domain.Schema[Event], bool) {
	switch typ {
	case TypeUnsubscribed:
		return domain.Current[Event, Unsubscribed](1), true
	case TypePreferencesSet:
		return domain.Current[Event, PreferencesSet](1), true
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
