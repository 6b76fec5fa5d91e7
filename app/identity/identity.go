// Package identity establishes who is calling: accounts with e-mail and
// password, sessions as signed bearer tokens, API tokens with scopes for
// scripts, and guests who join one retro through an invite code.
//
// Every fact is an event in the log; personal data in those events (names,
// e-mail addresses, password hashes) is sealed with the person's own key
// from the key store, so erasing a person destroys one key and leaves the
// log untouched. E-mail addresses appear in the log only as a keyed hash.
//
// Streams:
//
//	account-<userID>    GuestRegistered, AccountRegistered (sealed PII)
//	email-<hash>        EmailClaimed: which account owns an e-mail address;
//	                    written with the version read, so only one wins
//	guest-<hash>        GuestIdentified: a guest's stable user ID
//	invite-<sha256(code)>  InviteCreated, InviteUsed
//	maillink-<sha256(token)> LinkIssued, LinkUsed: a mailed magic link
//	pwreset-<hash>      PasswordResetRequested, for any address
//	apitoken-<id>       APITokenIssued, APITokenRevoked (SHA-256 of the secret)
//	usertokens-<userID> APITokenListed: the tokens a user issued
//
// A guest who later registers with the same e-mail address keeps their user
// ID: the account is registered on the guest's account stream, and the
// e-mail claim points to it. Addresses are proved by mailed links
// (links.go): with mail (GuestJoinProof) a guest's identity is given only
// through a link to its address, and an account registered over it signs
// in only once it verified the address; without mail each guest join is a
// new guest and registrations never take a guest's identity (unless the
// operator chose GuestJoinByAddress).
//
// Why identity has no decider in domain/ (unlike workspace, team, retro and
// survey): a decider folds one stream and decides a command against it, and
// identity's rules are not of that shape.
//
//   - Its rules are uniqueness claims across streams: an e-mail address
//     belongs to one account (email-<hash>), a guest's address to one user
//     ID (guest-<hash>). They hold because the claim stream is appended at
//     the version that was read, and because the account is written before
//     its claim, so the loser of a race leaves only an unreachable account.
//     The order of two appends and the log's version check are the rule;
//     there is no state of one stream to decide on.
//   - What is decided depends on the key store, outside the log: an address
//     whose owner's key was destroyed (erased) is free again, and every
//     personal field must be sealed with that key before the event exists.
//     A pure Decide would be handed the key store's answer and the sealed
//     bytes, and be left with nothing to decide.
//   - The refusals must cost the same time as success (a taken address
//     hashes a password as a registration would), which is I/O-bound work
//     interleaved with the reads, not a rule over events.
//   - The one stream with a lifecycle, an API token (issued, then revoked
//     at most once, by its owner), has two events and one rule (foldAPIToken
//     and RevokeAPIToken); a decider package for it alone would split
//     identity's events across two rooms for one if-statement.
//
// Should identity grow rules over a stream's history (locking an account
// after failed logins, roles, verified addresses), that part becomes a
// decider in domain/ run by eventstore/aggregate like the others.
package identity

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/hindsight-retro/hindsight/app/keys"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/eventstore"
)

// Kind is the kind of caller.
type Kind string

const (
	KindUser     Kind = "user"
	KindGuest    Kind = "guest"
	KindAPIToken Kind = "apitoken"
)

// Scope is what a caller may do.
type Scope string

const (
	// ScopeRead allows reading only (GET and HEAD).
	ScopeRead Scope = "read"
	// ScopeWrite allows everything the user may do, reading included.
	ScopeWrite Scope = "write"
)

func (s Scope) valid() bool { return s == ScopeRead || s == ScopeWrite }

// Principal is who is calling, established by the server from a verified
// token; never from IDs a client sends.
type Principal struct {
	UserID string
	Kind   Kind
	// Scopes: read and write for users and guests; as issued for API tokens.
	Scopes []Scope
	// RetroID is set for guests only: the one retro they were invited to.
	RetroID string
	// TokenID is the session's or API token's ID.
	TokenID string
}

// Caller is who runs a command and under which command ID: the argument
// after the context of every command of the application layer and of this
// service, so one value travels instead of runs of positional strings. The
// command ID is what makes a retry act once (the log stores it); the
// principal is empty for the public commands (registering, joining as a
// guest).
type Caller struct {
	Principal Principal
	CommandID string
}

// Can reports whether the principal holds scope s; write implies read.
func (p Principal) Can(s Scope) bool {
	if p.UserID == "" {
		return false
	}
	if slices.Contains(p.Scopes, s) {
		return true
	}
	return s == ScopeRead && slices.Contains(p.Scopes, ScopeWrite)
}

// Token is a bearer token handed to a client, shown once.
type Token struct {
	Token string
	// ExpiresAt is when the token stops working; every token expires.
	ExpiresAt time.Time
	Principal Principal
}

// Invite lets a guest join one retro until it expires.
type Invite struct {
	Code      string
	RetroID   string
	TeamID    string
	ExpiresAt time.Time
}

// Profile is a person's decrypted personal data.
type Profile struct {
	UserID string
	Name   string
	Email  string
	// Guest is true until the person registers an account.
	Guest bool
	// EmailVerified: the person proved the address by a mailed link (or
	// their identity provider vouched for it).
	EmailVerified bool
	// Language is the language of every mail to the person: one of
	// Languages, DefaultLanguage until they choose (SetLanguage).
	Language string
}

// APITokenInfo describes an issued API token, without its secret.
type APITokenInfo struct {
	ID        string
	Name      string // empty when the owner was erased
	Scopes    []Scope
	CreatedAt time.Time
	ExpiresAt *time.Time
	RevokedAt *time.Time
}

// Refusals of identity's own, each with the code and message a client is
// shown.
var (
	// ErrBadCredentials: unknown e-mail address or wrong password; the two
	// are not told apart.
	ErrBadCredentials = &domain.Error{Kind: domain.Unauthenticated, Code: "bad-credentials", Message: "wrong e-mail address or password"}
	// ErrEmailTaken: an account with this e-mail address exists.
	ErrEmailTaken = &domain.Error{Kind: domain.Conflict, Code: "email-taken", Message: "an account with this e-mail address exists"}
	// ErrAccountExists: a guest tried to join with an account's e-mail
	// address; they must log in instead, or anyone could act as the account.
	ErrAccountExists = &domain.Error{Kind: domain.Conflict, Code: "account-exists", Message: "this e-mail address has an account; log in, then join"}
	// ErrInviteInvalid: the invite code is unknown or expired.
	ErrInviteInvalid = &domain.Error{Kind: domain.NotFound, Code: "invite-invalid", Message: "the invite code is unknown or expired"}
	// ErrErased: the person's key was destroyed; their data is unreadable.
	ErrErased = &domain.Error{Kind: domain.NotFound, Code: "erased", Message: "this person's data was erased"}
	// ErrAlreadyIssued: a retried IssueAPIToken whose first attempt was
	// stored; the secret was shown once and cannot be shown again.
	ErrAlreadyIssued = &domain.Error{Kind: domain.Conflict, Code: "token-already-issued", Message: "this Idempotency-Key already issued a token, whose secret was shown once"}
)

// PasswordParams are argon2id's cost parameters for new password hashes.
// Stored hashes carry their own and are verified with those.
type PasswordParams struct {
	Time      uint32
	MemoryKiB uint32
	Threads   uint8
}

// DefaultPasswordParams follow OWASP's argon2id minimum (19 MiB, two
// passes, one lane): about 20-40 ms on a server core.
var DefaultPasswordParams = PasswordParams{Time: 2, MemoryKiB: 19 * 1024, Threads: 1}

// Defaults for the optional Deps fields.
const (
	DefaultSessionTTL         = 12 * time.Hour
	DefaultRevocationCacheTTL = 5 * time.Second
	DefaultMaxConcurrentHash  = 4
	// MaxInviteTTL bounds how long an invite stays valid.
	MaxInviteTTL = 30 * 24 * time.Hour
)

// Deps are what a Service needs. Store, Keys are required; the rest have
// defaults.
type Deps struct {
	Store eventstore.Store
	Keys  keys.Store
	// Clock is the server's clock; nil means time.Now.
	Clock func() time.Time
	// NewID makes user, session and token IDs; nil means UUIDv7. IDs must
	// be 1 to 64 letters, digits or dashes.
	NewID  func() string
	Logger *slog.Logger

	// Password sets argon2id's cost; zero means DefaultPasswordParams.
	// Tests lower it.
	Password PasswordParams
	// SessionTTL is a session token's lifetime; zero means 12 hours.
	SessionTTL time.Duration
	// RevocationCacheTTL is how long a node trusts an API token's state
	// before reading it again: a token revoked on another node stops
	// working within this time (at once on the node that revoked it).
	RevocationCacheTTL time.Duration
	// MaxConcurrentHash bounds password hashes computed at once, so a burst
	// of logins cannot exhaust memory; zero means 4.
	MaxConcurrentHash int
	// GuestJoin says how a guest joining by invite gets an identity: the
	// zero value gives a fresh one per join (no mail); GuestJoinProof, for
	// servers with mail, mails a link to the address and also makes an
	// account registered over a guest's identity verify its address before
	// it signs in.
	GuestJoin GuestJoin
}

// Service is the identity service. It holds no state of its own beyond
// caches: any number of Services on any nodes share one store and one key
// store.
type Service struct {
	store    eventstore.Store
	keys     keys.Store
	now      func() time.Time
	newID    func() string
	log      *slog.Logger
	params   PasswordParams
	ttl      time.Duration
	cacheTTL time.Duration
	hashSem  chan struct{}
	// verifications counts argon2id verifications, so tests can see that
	// an unknown e-mail address costs one like a wrong password does.
	verifications atomic.Int64

	secretsMu sync.Mutex
	secrets   map[string][]byte

	dummyOnce sync.Once
	dummy     string
	dummyErr  error

	tokensMu sync.Mutex
	tokens   map[string]cachedToken

	guestJoin GuestJoin
	// gens caches each user's session generation (password changes), so a
	// session issued before a reset stops working.
	gensMu sync.Mutex
	gens   map[string]cachedGen
	// genForgets counts the users whose sessions this node ended, so a
	// read begun before one is not cached after it.
	genForgets uint64
}

// New returns a Service.
func New(d Deps) (*Service, error) {
	if d.Store == nil || d.Keys == nil {
		return nil, errors.New("identity: a store and a key store are required")
	}
	s := &Service{
		store: d.Store, keys: d.Keys, now: d.Clock, newID: d.NewID, log: d.Logger,
		params: d.Password, ttl: d.SessionTTL, cacheTTL: d.RevocationCacheTTL,
		secrets: map[string][]byte{}, tokens: map[string]cachedToken{},
		guestJoin: d.GuestJoin, gens: map[string]cachedGen{},
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.newID == nil {
		s.newID = func() string { return uuid.Must(uuid.NewV7()).String() }
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.params == (PasswordParams{}) {
		s.params = DefaultPasswordParams
	}
	if err := s.params.check(); err != nil {
		return nil, err
	}
	if s.ttl <= 0 {
		s.ttl = DefaultSessionTTL
	}
	if s.cacheTTL <= 0 {
		s.cacheTTL = DefaultRevocationCacheTTL
	}
	n := d.MaxConcurrentHash
	if n <= 0 {
		n = DefaultMaxConcurrentHash
	}
	s.hashSem = make(chan struct{}, n)
	return s, nil
}

// Subjects of the server's secrets in the key store.
const (
	subjectTokenSigning = "server:token-signing"
	subjectEmailHash    = "server:email-hash"
	subjectInviteCode   = "server:invite-code"
)

// secret returns a server secret, created on first use and shared by every
// node through the key store; it is kept in memory after the first read.
func (s *Service) secret(ctx context.Context, subject string) ([]byte, error) {
	s.secretsMu.Lock()
	k, ok := s.secrets[subject]
	s.secretsMu.Unlock()
	if ok {
		return k, nil
	}
	k, err := s.keys.GetOrCreate(ctx, subject)
	if err != nil {
		return nil, fmt.Errorf("identity: server secret %s: %w", subject, err)
	}
	s.secretsMu.Lock()
	s.secrets[subject] = k
	s.secretsMu.Unlock()
	return k, nil
}

func userSubject(userID string) string { return "user:" + userID }

// newUserID asks NewID for an ID and checks that it fits stream names and
// token formats.
func (s *Service) newUserID() (string, error) {
	id := s.newID()
	if !validID(id, 64) {
		return "", fmt.Errorf("identity: NewID gave %q; IDs must be 1 to 64 letters, digits or dashes", id)
	}
	return id, nil
}

// validID: letters, digits and dashes only, so the ID is a valid stream ID
// and cannot contain the separator of API tokens.
func validID(id string, max int) bool {
	if id == "" || len(id) > max {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
