package identity

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hindsight-retro/hindsight/eventstore"
)

// Stream categories.
const (
	catAccount    = "account"
	catEmail      = "email"
	catGuest      = "guest"
	catInvite     = "invite"
	catAPIToken   = "apitoken"
	catUserTokens = "usertokens"
)

// event is one of the identity events below. Sealed fields are AES-256-GCM
// ciphertexts under the person's key (keys.Seal), JSON-encoded as base64.
type event interface{ eventType() string }

// AccountRegistered: a person registered with e-mail and password. On a
// stream that starts with GuestRegistered, the guest became an account.
type AccountRegistered struct {
	UserID         string    `json:"userId"`
	EmailHash      string    `json:"emailHash"`
	EmailSealed    []byte    `json:"emailSealed"`
	NameSealed     []byte    `json:"nameSealed"`
	PasswordSealed []byte    `json:"passwordSealed"` // sealed PHC argon2id string
	At             time.Time `json:"at"`
	// EmailVerified: an identity provider vouched for the address (an
	// account made at a first single sign-on).
	EmailVerified bool `json:"emailVerified,omitempty"`
}

// GuestRegistered: a person joined a retro as a guest for the first time.
type GuestRegistered struct {
	UserID      string    `json:"userId"`
	EmailHash   string    `json:"emailHash"`
	EmailSealed []byte    `json:"emailSealed"`
	NameSealed  []byte    `json:"nameSealed"`
	At          time.Time `json:"at"`
}

// EmailClaimed: the e-mail address with this hash belongs to the account
// registered at AccountVersion of the user's account stream.
type EmailClaimed struct {
	UserID         string    `json:"userId"`
	AccountVersion int64     `json:"accountVersion"`
	At             time.Time `json:"at"`
}

// GuestIdentified: guests with this e-mail hash are this user.
type GuestIdentified struct {
	UserID string    `json:"userId"`
	At     time.Time `json:"at"`
}

// InviteCreated: an invite to a retro; the stream is named after the
// SHA-256 of its code, so the log does not hand out working codes.
type InviteCreated struct {
	RetroID   string    `json:"retroId"`
	TeamID    string    `json:"teamId"`
	CreatedBy string    `json:"createdBy"`
	ExpiresAt time.Time `json:"expiresAt"`
	At        time.Time `json:"at"`
}

// InviteUsed: a guest joined through the invite.
type InviteUsed struct {
	UserID string    `json:"userId"`
	At     time.Time `json:"at"`
}

// APITokenIssued: a user issued an API token. Only the SHA-256 of its
// secret is kept: the secret is random, so a fast hash suffices.
type APITokenIssued struct {
	TokenID    string     `json:"tokenId"`
	UserID     string     `json:"userId"`
	NameSealed []byte     `json:"nameSealed"`
	SecretHash string     `json:"secretHash"`
	Scopes     []Scope    `json:"scopes"`
	ExpiresAt  *time.Time `json:"expiresAt,omitempty"`
	At         time.Time  `json:"at"`
}

// APITokenRevoked: the token no longer authenticates.
type APITokenRevoked struct {
	RevokedBy string    `json:"revokedBy"`
	At        time.Time `json:"at"`
}

// LanguageChosen: the person chose the language of their mails.
type LanguageChosen struct {
	Language string    `json:"language"`
	At       time.Time `json:"at"`
}

// APITokenListed indexes a token under its owner, for listing.
type APITokenListed struct {
	TokenID string    `json:"tokenId"`
	At      time.Time `json:"at"`
}

func (AccountRegistered) eventType() string { return "AccountRegistered" }
func (GuestRegistered) eventType() string   { return "GuestRegistered" }
func (EmailClaimed) eventType() string      { return "EmailClaimed" }
func (GuestIdentified) eventType() string   { return "GuestIdentified" }
func (InviteCreated) eventType() string     { return "InviteCreated" }
func (InviteUsed) eventType() string        { return "InviteUsed" }
func (APITokenIssued) eventType() string    { return "APITokenIssued" }
func (APITokenRevoked) eventType() string   { return "APITokenRevoked" }
func (APITokenListed) eventType() string    { return "APITokenListed" }
func (LanguageChosen) eventType() string    { return "LanguageChosen" }

const schemaVersion = 1

// encodeEvent is deterministic: encoding/json writes struct fields in
// declaration order.
func encodeEvent(e event) (eventstore.Event, error) {
	b, err := json.Marshal(e)
	if err != nil {
		return eventstore.Event{}, fmt.Errorf("identity: encode %s: %w", e.eventType(), err)
	}
	return eventstore.Event{Type: e.eventType(), SchemaVersion: schemaVersion, Payload: b}, nil
}

func decodeEvent(typ string, version int, payload []byte) (event, error) {
	if version != schemaVersion {
		return nil, fmt.Errorf("identity: %s schema version %d is unknown", typ, version)
	}
	var e event
	switch typ {
	case "AccountRegistered":
		e = &AccountRegistered{}
	case "GuestRegistered":
		e = &GuestRegistered{}
	case "EmailClaimed":
		e = &EmailClaimed{}
	case "GuestIdentified":
		e = &GuestIdentified{}
	case "InviteCreated":
		e = &InviteCreated{}
	case "InviteUsed":
		e = &InviteUsed{}
	case "APITokenIssued":
		e = &APITokenIssued{}
	case "APITokenRevoked":
		e = &APITokenRevoked{}
	case "APITokenListed":
		e = &APITokenListed{}
	case "LanguageChosen":
		e = &LanguageChosen{}
	case "VerificationRequested":
		e = &VerificationRequested{}
	case "EmailVerified":
		e = &EmailVerified{}
	case "PasswordResetRequested":
		e = &PasswordResetRequested{}
	case "PasswordChanged":
		e = &PasswordChanged{}
	case "GuestJoinRequested":
		e = &GuestJoinRequested{}
	case "LinkIssued":
		e = &LinkIssued{}
	case "LinkUsed":
		e = &LinkUsed{}
	default:
		return nil, fmt.Errorf("identity: unknown event type %q", typ)
	}
	if err := json.Unmarshal(payload, e); err != nil {
		return nil, fmt.Errorf("identity: decode %s: %w", typ, err)
	}
	return e, nil
}

// recorded is a decoded event with its envelope.
type recorded struct {
	event   event
	version int64
	command string
}

// load reads a whole stream; a stream with no events gives nil and
// version 0.
func (s *Service) load(ctx context.Context, category, id string) ([]recorded, int64, error) {
	stream := eventstore.StreamID{Category: category, ID: id}
	res, err := s.store.Load(ctx, stream, 0)
	if errors.Is(err, eventstore.ErrStreamNotFound) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("identity: load %s: %w", stream, err)
	}
	out := make([]recorded, 0, len(res))
	for _, re := range res {
		e, err := decodeEvent(re.Type, re.SchemaVersion, re.Payload)
		if err != nil {
			return nil, 0, fmt.Errorf("identity: %s version %d: %w", stream, re.StreamVersion, err)
		}
		out = append(out, recorded{event: e, version: re.StreamVersion, command: re.CommandID})
	}
	var v int64
	if n := len(res); n > 0 {
		v = res[n-1].StreamVersion
	}
	return out, v, nil
}

// appendEvent writes one event as one commit.
func (s *Service) appendEvent(ctx context.Context, category, id string, expected int64, cmdID, actor string, e event) (eventstore.AppendResult, error) {
	ev, err := encodeEvent(e)
	if err != nil {
		return eventstore.AppendResult{}, err
	}
	c := eventstore.Commit{
		Stream:          eventstore.StreamID{Category: category, ID: id},
		ExpectedVersion: expected, CommandID: cmdID, Actor: actor,
		Events: []eventstore.Event{ev},
	}
	return s.store.Append(ctx, c)
}

// PersonalKeySubject names the key that the sealed personal data of a log
// stream needs (an account's person's key), so a start-up check can tell
// that the key store still holds every key the log refers to; ok is false
// for streams that need none.
func PersonalKeySubject(id eventstore.StreamID) (subject string, ok bool) {
	if id.Category != catAccount {
		return "", false
	}
	return userSubject(id.ID), true
}
