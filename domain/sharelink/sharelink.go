// Package sharelink is a read-only link to a closed retro's summary for
// someone outside the team: it opens for whoever presents its secret until
// it expires or is revoked. The log keeps only the secret's SHA-256, so
// reading the log opens no link; revoking is an event, so every node that
// reads the link's stream sees it at once.
package sharelink

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
)

// MaxTTL is the longest a link may stay open.
const MaxTTL = 90 * 24 * time.Hour

// Rejection codes, stable for clients.
const (
	CodeActorRequired  = "actor-required"
	CodeIDRequired     = "id-required"
	CodeSecretHash     = "secret-hash-invalid"
	CodeExpiryInvalid  = "share-link-expiry-invalid"
	CodeExists         = "share-link-exists"
	CodeNotFound       = "share-link-not-found"
	CodeNotYours       = "share-link-not-yours"
	CodeRevoked        = "share-link-revoked"
	CodeExpired        = "share-link-expired"
	CodeUnknownCommand = "unknown-command"
	hashHexLen         = sha256.Size * 2
)

// Event is something that happened to a share link.
type Event interface{ EventType() string }

// LinkCreated: a link to RetroID's summary opens for the secret whose
// SHA-256 (hex) is SecretHash, until ExpiresAt.
type LinkCreated struct {
	LinkID     string    `json:"linkId"`
	RetroID    string    `json:"retroId"`
	TeamID     string    `json:"teamId"`
	CreatedBy  string    `json:"createdBy"`
	SecretHash string    `json:"secretHash"`
	ExpiresAt  time.Time `json:"expiresAt"`
	At         time.Time `json:"at"`
}

// LinkRevoked: the link opens for nobody from now on.
type LinkRevoked struct {
	RevokedBy string    `json:"revokedBy"`
	At        time.Time `json:"at"`
}

// Category is the stream category of share links: a link's events are
// stored under sharelink-<link ID>.
const Category = "sharelink"

// Event type names as stored in the log, by the rule in package domain.
const (
	TypeLinkCreated = "sharelink.LinkCreated"
	TypeLinkRevoked = "sharelink.LinkRevoked"
)

// EventType names the event in the log.
func (LinkCreated) EventType() string { return TypeLinkCreated }

// EventType names the event in the log.
func (LinkRevoked) EventType() string { return TypeLinkRevoked }

// Command is a request to change a share link. The set is closed.
type Command interface{ isCommand() }

// CreateLink makes a link. The application checks that the actor
// moderates the retro and that it is closed before it asks.
type CreateLink struct {
	Actor      domain.Actor
	At         time.Time
	LinkID     string
	RetroID    string
	TeamID     string
	SecretHash string
	ExpiresAt  time.Time
}

// RevokeLink closes the link for good: its creator or, passed in by the
// application, the retro's moderator now may.
type RevokeLink struct {
	Actor          domain.Actor
	At             time.Time
	RetroModerator string
}

func (CreateLink) isCommand() {}
func (RevokeLink) isCommand() {}

// Events lists one value of every share link event type, once: what tests
// hold every switch over the events to, and what a new type is added to.
func Events() []Event { return []Event{LinkCreated{}, LinkRevoked{}} }

// Commands lists one value of every share link command type, once, as
// Events does the events.
func Commands() []Command { return []Command{CreateLink{}, RevokeLink{}} }

// State of a link.
type State struct {
	Created    bool
	LinkID     string
	RetroID    string
	TeamID     string
	CreatedBy  string
	SecretHash string
	ExpiresAt  time.Time
	CreatedAt  time.Time
	Revoked    bool
	RevokedAt  time.Time
}

// Initial is the state before any event: no link.
func Initial() State { return State{} }

// Decide turns a command into events, or rejects it with a *domain.Error.
func Decide(s State, c Command) ([]Event, error) {
	switch c := c.(type) {
	case CreateLink:
		return decideCreate(s, c)
	case RevokeLink:
		return decideRevoke(s, c)
	}
	return nil, domain.Errorf(domain.Invalid, CodeUnknownCommand, "unknown command %T", c)
}

func decideCreate(s State, c CreateLink) ([]Event, error) {
	switch {
	case c.Actor.UserID == "":
		return nil, domain.Errorf(domain.Invalid, CodeActorRequired, "a link is created by someone")
	case c.LinkID == "" || c.RetroID == "" || c.TeamID == "":
		return nil, domain.Errorf(domain.Invalid, CodeIDRequired, "a link needs its ID, its retro and its team")
	case !isHashHex(c.SecretHash):
		return nil, domain.Errorf(domain.Invalid, CodeSecretHash, "the secret's hash must be a SHA-256 in hex")
	case !c.ExpiresAt.After(c.At) || c.ExpiresAt.Sub(c.At) > MaxTTL:
		return nil, domain.Errorf(domain.Invalid, CodeExpiryInvalid, "a link must expire in the future and within %s", MaxTTL)
	case s.Created:
		return nil, domain.Errorf(domain.Conflict, CodeExists, "link %s exists", c.LinkID)
	}
	return []Event{LinkCreated{LinkID: c.LinkID, RetroID: c.RetroID, TeamID: c.TeamID, CreatedBy: c.Actor.UserID,
		SecretHash: c.SecretHash, ExpiresAt: c.ExpiresAt.UTC(), At: c.At.UTC()}}, nil
}

func decideRevoke(s State, c RevokeLink) ([]Event, error) {
	switch {
	case !s.Created:
		return nil, domain.Errorf(domain.NotFound, CodeNotFound, "no such link")
	case c.Actor.UserID == "" || (c.Actor.UserID != s.CreatedBy && c.Actor.UserID != c.RetroModerator):
		return nil, domain.Errorf(domain.Forbidden, CodeNotYours, "only the link's creator or the retro's moderator revokes it")
	case s.Revoked:
		return nil, nil // revoked already: revoking again changes nothing
	}
	return []Event{LinkRevoked{RevokedBy: c.Actor.UserID, At: c.At.UTC()}}, nil
}

// Evolve folds one event into the state.
func Evolve(s State, e Event) State {
	switch e := e.(type) {
	case LinkCreated:
		s = State{Created: true, LinkID: e.LinkID, RetroID: e.RetroID, TeamID: e.TeamID, CreatedBy: e.CreatedBy,
			SecretHash: e.SecretHash, ExpiresAt: e.ExpiresAt, CreatedAt: e.At}
	case LinkRevoked:
		s.Revoked, s.RevokedAt = true, e.At
	}
	return s
}

// Decider is the link's rules as one value, for tests and the runner.
func Decider() domain.Decider[State, Command, Event] {
	return domain.Decider[State, Command, Event]{Initial: Initial, Decide: Decide, Evolve: Evolve}
}

// HashSecret is how a secret is kept: its SHA-256 in hex. A link's secret
// is 256 random-looking bits, so an unsalted hash is as hard to reverse as
// guessing the secret.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Open checks a presented secret against the link at time now: nil if it
// opens. A wrong secret and an unknown link are the same to the holder
// (not found); revoked and expired are told only to the right secret.
func Open(s State, secret string, now time.Time) error {
	got := HashSecret(secret)
	if !s.Created || subtle.ConstantTimeCompare([]byte(got), []byte(s.SecretHash)) != 1 {
		return domain.Errorf(domain.NotFound, CodeNotFound, "no such link")
	}
	if s.Revoked {
		return domain.Errorf(domain.NotFound, CodeRevoked, "the link was revoked")
	}
	if !now.Before(s.ExpiresAt) {
		return domain.Errorf(domain.NotFound, CodeExpired, "the link expired at %s", s.ExpiresAt.Format(time.RFC3339))
	}
	return nil
}

func isHashHex(s string) bool {
	if len(s) != hashHexLen {
		return false
	}
	b, err := hex.DecodeString(s)
	return err == nil && hex.EncodeToString(b) == s // lower case, as HashSecret writes it
}

func codecFor(typ string) (domain.Schema[Event], bool) {
	switch typ {
	case TypeLinkCreated:
		return domain.Current[Event, LinkCreated](1), true
	case TypeLinkRevoked:
		return domain.Current[Event, LinkRevoked](1), true
	}
	return domain.Schema[Event]{}, false
}

func codec() domain.Codec[Event] {
	return domain.Codec[Event]{Aggregate: "sharelink", Lookup: codecFor}
}

// EncodeEvent turns an event into its stored form.
func EncodeEvent(e Event) (typ string, schemaVersion int, payload []byte, err error) {
	return codec().Encode(e)
}

// DecodeEvent reads a stored event.
func DecodeEvent(typ string, schemaVersion int, payload []byte) (Event, error) {
	return codec().Decode(typ, schemaVersion, payload)
}
