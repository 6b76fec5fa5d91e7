// Package calfeed is a team's calendar feed: a secret URL a calendar app
// polls without a session, showing the team's scheduled retros. It opens
// for whoever presents its secret until it is revoked, and only while the
// member who made it is in the team (the application checks that). The
// log keeps only the secret's SHA-256, so reading the log opens no feed.
package calfeed

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
)

// Rejection codes, stable for clients.
const (
	CodeActorRequired  = "actor-required"
	CodeIDRequired     = "id-required"
	CodeSecretHash     = "secret-hash-invalid"
	CodeExists         = "calendar-feed-exists"
	CodeNotFound       = "calendar-feed-not-found"
	CodeNotYours       = "calendar-feed-not-yours"
	CodeRevoked        = "calendar-feed-revoked"
	CodeUnknownCommand = "unknown-command"
	hashHexLen         = sha256.Size * 2
)

// Event is something that happened to a feed.
type Event interface{ EventType() string }

// FeedCreated: a feed of TeamID's calendar opens for the secret whose
// SHA-256 (hex) is SecretHash.
type FeedCreated struct {
	FeedID     string    `json:"feedId"`
	TeamID     string    `json:"teamId"`
	CreatedBy  string    `json:"createdBy"`
	SecretHash string    `json:"secretHash"`
	At         time.Time `json:"at"`
}

// FeedRevoked: the feed opens for nobody from now on.
type FeedRevoked struct {
	RevokedBy string    `json:"revokedBy"`
	At        time.Time `json:"at"`
}

// Category is the stream category of feeds: calfeed-<feed ID>.
const Category = "calfeed"

// Event type names as stored in the log, by the rule in package domain.
const (
	TypeFeedCreated = "calfeed.FeedCreated"
	TypeFeedRevoked = "calfeed.FeedRevoked"
)

// EventType names the event in the log.
func (FeedCreated) EventType() string { return TypeFeedCreated }

// EventType names the event in the log.
func (FeedRevoked) EventType() string { return TypeFeedRevoked }

// Command is a request to change a feed. The set is closed.
type Command interface{ isCommand() }

// CreateFeed makes a feed. The application checks the actor is a member
// of the team before it asks.
type CreateFeed struct {
	Actor      domain.Actor
	At         time.Time
	FeedID     string
	TeamID     string
	SecretHash string
}

// RevokeFeed closes the feed for good: its creator, or a team admin
// (ActorIsTeamAdmin, established by the application).
type RevokeFeed struct {
	Actor            domain.Actor
	At               time.Time
	ActorIsTeamAdmin bool
}

func (CreateFeed) isCommand() {}
func (RevokeFeed) isCommand() {}

// Events lists one value of every feed event type, once.
func Events() []Event { return []Event{FeedCreated{}, FeedRevoked{}} }

// Commands lists one value of every feed command type, once.
func Commands() []Command { return []Command{CreateFeed{}, RevokeFeed{}} }

// State of a feed.
type State struct {
	Created    bool
	FeedID     string
	TeamID     string
	CreatedBy  string
	CreatedAt  time.Time
	SecretHash string
	Revoked    bool
	RevokedAt  time.Time
}

// Initial is the state before any event: no feed.
func Initial() State { return State{} }

// Decide turns a command into events, or rejects it with a *domain.Error.
func Decide(s State, c Command) ([]Event, error) {
	switch c := c.(type) {
	case CreateFeed:
		switch {
		case c.Actor.UserID == "":
			return nil, domain.Errorf(domain.Invalid, CodeActorRequired, "a feed is created by someone")
		case c.FeedID == "" || c.TeamID == "":
			return nil, domain.Errorf(domain.Invalid, CodeIDRequired, "a feed needs its ID and its team")
		case !isHashHex(c.SecretHash):
			return nil, domain.Errorf(domain.Invalid, CodeSecretHash, "the secret's hash must be a SHA-256 in hex")
		case s.Created:
			return nil, domain.Errorf(domain.Conflict, CodeExists, "feed %s exists", c.FeedID)
		}
		return []Event{FeedCreated{FeedID: c.FeedID, TeamID: c.TeamID, CreatedBy: c.Actor.UserID, SecretHash: c.SecretHash, At: c.At.UTC()}}, nil
	case RevokeFeed:
		switch {
		case !s.Created:
			return nil, domain.Errorf(domain.NotFound, CodeNotFound, "no such calendar feed")
		case c.Actor.UserID == "" || (c.Actor.UserID != s.CreatedBy && !c.ActorIsTeamAdmin):
			return nil, domain.Errorf(domain.Forbidden, CodeNotYours, "only the feed's creator or a team admin revokes it")
		case s.Revoked:
			return nil, nil // revoked already: revoking again changes nothing
		}
		return []Event{FeedRevoked{RevokedBy: c.Actor.UserID, At: c.At.UTC()}}, nil
	}
	return nil, domain.Errorf(domain.Invalid, CodeUnknownCommand, "unknown command %T", c)
}

// Evolve folds one event into the state.
func Evolve(s State, e Event) State {
	switch e := e.(type) {
	case FeedCreated:
		s = State{Created: true, FeedID: e.FeedID, TeamID: e.TeamID, CreatedBy: e.CreatedBy, CreatedAt: e.At, SecretHash: e.SecretHash}
	case FeedRevoked:
		s.Revoked, s.RevokedAt = true, e.At
	}
	return s
}

// Decider is the feed's rules as one value, for tests and the runner.
func Decider() domain.Decider[State, Command, Event] {
	return domain.Decider[State, Command, Event]{Initial: Initial, Decide: Decide, Evolve: Evolve}
}

// HashSecret is how a secret is kept: its SHA-256 in hex. A feed's secret
// is 256 random-looking bits, so an unsalted hash is as hard to reverse as
// guessing the secret.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Open checks a presented secret against the feed: nil if it opens. A
// wrong secret and an unknown feed are the same to the holder (not
// found); revoked is told only to the right secret.
func Open(s State, secret string) error {
	got := HashSecret(secret)
	if !s.Created || subtle.ConstantTimeCompare([]byte(got), []byte(s.SecretHash)) != 1 {
		return domain.Errorf(domain.NotFound, CodeNotFound, "no such calendar feed")
	}
	if s.Revoked {
		return domain.Errorf(domain.NotFound, CodeRevoked, "the calendar feed was revoked")
	}
	return nil
}

func isHashHex(s string) bool {
	if len(s) != hashHexLen {
		return false
	}
	b, err := hex.DecodeString(s)
	return err == nil && hex.EncodeToString(b) == s
}

func codecFor(typ string) (domain.Schema[Event], bool) {
	switch typ {
	case TypeFeedCreated:
		return domain.Current[Event, FeedCreated](1), true
	case TypeFeedRevoked:
		return domain.Current[Event, FeedRevoked](1), true
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
