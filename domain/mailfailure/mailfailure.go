// Package mailfailure is the record of mail that a mail server refused for
// good (an SMTP 5xx), kept per workspace so that its admins see which
// people do not get their mail and can clear an address once it is fixed.
// An address is known by a keyed hash; the address itself is sealed under
// its owner's key (crypto-shredded with the person), and the server's
// reply is stored with the address taken out, so the log holds no address
// in the clear.
//
// An address refused SuppressAfter times (not cleared in between) gets no
// more mail in that workspace until an admin clears it: sending again to a
// mailbox that does not exist only hurts the sender's reputation.
package mailfailure

import (
	"cmp"
	"maps"
	"slices"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
)

// SuppressAfter is how many refusals of an address stop mail to it.
const SuppressAfter = 3

// MaxReplyBytes is the longest server reply kept.
const MaxReplyBytes = 512

// Rejection codes, stable for clients.
const (
	CodeActorRequired  = "actor-required"
	CodeFieldsRequired = "mail-failure-fields-required"
	CodeNotFound       = "mail-failure-not-found"
	CodeUnknownCommand = "unknown-command"
)

// Category is the stream category: a workspace's failures are stored under
// mailfailures-<workspace ID>.
const Category = "mailfailures"

// Event is something that happened to a workspace's failed addresses.
type Event interface{ EventType() string }

// Refused: a mail of Kind to UserID's address, sent because of the event
// Cause, was refused for good with Reply (the address taken out).
type Refused struct {
	UserID        string    `json:"userId"`
	AddressHash   string    `json:"addressHash"`
	AddressSealed []byte    `json:"addressSealed"`
	Kind          string    `json:"kind"`
	Cause         string    `json:"cause"`
	MessageID     string    `json:"messageId"`
	Reply         string    `json:"reply"`
	At            time.Time `json:"at"`
}

// Cleared: an admin said the address works again; its refusals are
// forgotten and mail to it goes again.
type Cleared struct {
	AddressHash string    `json:"addressHash"`
	ClearedBy   string    `json:"clearedBy"`
	At          time.Time `json:"at"`
}

// Event type names as stored in the log, by the rule in package domain.
const (
	TypeRefused = "mailfailure.Refused"
	TypeCleared = "mailfailure.Cleared"
)

// EventType names the event in the log.
func (Refused) EventType() string { return TypeRefused }

// EventType names the event in the log.
func (Cleared) EventType() string { return TypeCleared }

// Command is a request to change the record. The set is closed.
type Command interface{ isCommand() }

// RecordRefusal records a refusal; the same MessageID recorded again (the
// mail reactor sends a cause again after a crash) records nothing.
type RecordRefusal struct {
	At            time.Time
	UserID        string
	AddressHash   string
	AddressSealed []byte
	Kind          string
	Cause         string
	MessageID     string
	Reply         string
}

// Clear forgets an address's refusals. The application checks that the
// actor administers the workspace.
type Clear struct {
	Actor       domain.Actor
	At          time.Time
	AddressHash string
}

func (RecordRefusal) isCommand() {}
func (Clear) isCommand()         {}

// Events lists one value of every event type, once.
func Events() []Event { return []Event{Refused{}, Cleared{}} }

// Commands lists one value of every command type, once.
func Commands() []Command { return []Command{RecordRefusal{}, Clear{}} }

// Refusal is one refused mail.
type Refusal struct {
	Kind      string
	Cause     string
	MessageID string
	Reply     string
	At        time.Time
}

// Address is a failed address and its refusals since it was last cleared,
// oldest first.
type Address struct {
	UserID        string
	AddressHash   string
	AddressSealed []byte
	Refusals      []Refusal
}

// Suppressed reports whether mail to the address is held back.
func (a Address) Suppressed() bool { return len(a.Refusals) >= SuppressAfter }

// State is a workspace's failed addresses by hash.
type State struct {
	Addresses map[string]Address
}

// Initial is the state before any event: no failures.
func Initial() State { return State{} }

// Suppressed reports whether mail to the address with this hash is held back.
func Suppressed(s State, addressHash string) bool {
	a, ok := s.Addresses[addressHash]
	return ok && a.Suppressed()
}

// List is the failed addresses, the most recently refused first.
func List(s State) []Address {
	out := slices.Collect(maps.Values(s.Addresses))
	slices.SortFunc(out, func(a, b Address) int {
		if c := b.Refusals[len(b.Refusals)-1].At.Compare(a.Refusals[len(a.Refusals)-1].At); c != 0 {
			return c
		}
		return cmp.Compare(a.AddressHash, b.AddressHash)
	})
	return out
}

// Decide turns a command into events, or rejects it with a *domain.Error.
func Decide(s State, c Command) ([]Event, error) {
	switch c := c.(type) {
	case RecordRefusal:
		return decideRecord(s, c)
	case Clear:
		return decideClear(s, c)
	}
	return nil, domain.Errorf(domain.Invalid, CodeUnknownCommand, "unknown command %T", c)
}

func decideRecord(s State, c RecordRefusal) ([]Event, error) {
	if c.UserID == "" || c.AddressHash == "" || len(c.AddressSealed) == 0 || c.Kind == "" || c.Cause == "" || c.MessageID == "" {
		return nil, domain.Errorf(domain.Invalid, CodeFieldsRequired,
			"a refusal names the user, the address (hashed and sealed), the kind, the cause and the message")
	}
	if a, ok := s.Addresses[c.AddressHash]; ok && slices.ContainsFunc(a.Refusals, func(r Refusal) bool { return r.MessageID == c.MessageID }) {
		return nil, nil // the same mail again: recorded already
	}
	reply := c.Reply
	if len(reply) > MaxReplyBytes {
		reply = truncate(reply, MaxReplyBytes)
	}
	return []Event{Refused{UserID: c.UserID, AddressHash: c.AddressHash, AddressSealed: c.AddressSealed, Kind: c.Kind,
		Cause: c.Cause, MessageID: c.MessageID, Reply: reply, At: c.At.UTC()}}, nil
}

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

func decideClear(s State, c Clear) ([]Event, error) {
	if c.Actor.UserID == "" {
		return nil, domain.Errorf(domain.Invalid, CodeActorRequired, "an address is cleared by someone")
	}
	if _, ok := s.Addresses[c.AddressHash]; !ok {
		return nil, domain.Errorf(domain.NotFound, CodeNotFound, "no failed address with that hash")
	}
	return []Event{Cleared{AddressHash: c.AddressHash, ClearedBy: c.Actor.UserID, At: c.At.UTC()}}, nil
}

// Evolve folds one event into the state; the state's map is copied, never
// changed in place, so a state handed out stays as it was.
func Evolve(s State, e Event) State {
	switch e := e.(type) {
	case Refused:
		next := maps.Clone(s.Addresses)
		if next == nil {
			next = map[string]Address{}
		}
		a := next[e.AddressHash]
		a.UserID, a.AddressHash, a.AddressSealed = e.UserID, e.AddressHash, e.AddressSealed
		a.Refusals = append(slices.Clone(a.Refusals), Refusal{Kind: e.Kind, Cause: e.Cause, MessageID: e.MessageID, Reply: e.Reply, At: e.At})
		next[e.AddressHash] = a
		s.Addresses = next
	case Cleared:
		next := maps.Clone(s.Addresses)
		delete(next, e.AddressHash)
		s.Addresses = next
	}
	return s
}

// Decider is the rules as one value, for tests and the runner.
func Decider() domain.Decider[State, Command, Event] {
	return domain.Decider[State, Command, Event]{Initial: Initial, Decide: Decide, Evolve: Evolve}
}

func codecFor(typ string) (domain.Schema[Event], bool) {
	switch typ {
	case TypeRefused:
		return domain.Current[Event, Refused](1), true
	case TypeCleared:
		return domain.Current[Event, Cleared](1), true
	}
	return domain.Schema[Event]{}, false
}

func codec() domain.Codec[Event] {
	return domain.Codec[Event]{Aggregate: "mailfailure", Lookup: codecFor}
}

// EncodeEvent turns an event into its stored form.
func EncodeEvent(e Event) (typ string, schemaVersion int, payload []byte, err error) {
	return codec().Encode(e)
}

// DecodeEvent reads a stored event.
func DecodeEvent(typ string, schemaVersion int, payload []byte) (Event, error) {
	return codec().Decode(typ, schemaVersion, payload)
}
