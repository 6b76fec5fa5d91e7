package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hindsight-retro/hindsight/app/keys"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/eventstore"
)

// API tokens are hsk_<id>_<secret>: the ID names the token's stream, the
// secret is 32 random bytes in base64url, of which the log keeps only the
// SHA-256. Unlike sessions they are checked against the log, so revoking
// one takes effect.
const (
	apiTokenPrefix     = "hsk_"
	apiSecretBytes     = 32
	maxCachedAPITokens = 10000
)

// MaxAPITokenTTL is the longest an API token lives: a token pasted into a
// script or a dashboard is forgotten there, and a leaked one must die of
// age. A token issued without expiry gets this lifetime.
const MaxAPITokenTTL = 365 * 24 * time.Hour

type apiTokenState struct {
	issued    *APITokenIssued
	revokedAt *time.Time
	// erased: the owner's key is gone, so the token is dead too.
	erased bool
}

type cachedToken struct {
	state apiTokenState
	at    time.Time
}

// APITokenInput is a token to issue: its name, its scopes and when it
// expires (nil: MaxAPITokenTTL from now; later than that is refused).
type APITokenInput struct {
	Name    string
	Scopes  []Scope
	Expires *time.Time
}

// IssueAPIToken issues a token for scripts and analysts, acting as the
// caller's user with the given scopes until it expires. Only users may
// issue tokens: not guests, and not API tokens (a leaked token must not mint
// more). The secret is in the returned Token only; a retry with the same
// command ID gives ErrAlreadyIssued.
func (s *Service) IssueAPIToken(ctx context.Context, c Caller, in APITokenInput) (Token, error) {
	p := c.Principal
	if p.Kind != KindUser || !p.Can(ScopeWrite) {
		return Token{}, domain.ErrForbidden
	}
	if err := validateCommandID(c.CommandID); err != nil {
		return Token{}, err
	}
	name, err := normalizeName(in.Name, MaxTokenName)
	if err != nil {
		return Token{}, err
	}
	if len(in.Scopes) == 0 {
		return Token{}, domain.Errorf(domain.Invalid, CodeScopesInvalid, "a token needs at least one scope: read or write")
	}
	scopes := slices.Clone(in.Scopes)
	slices.Sort(scopes)
	scopes = slices.Compact(scopes)
	for _, sc := range scopes {
		if !sc.valid() {
			return Token{}, domain.Errorf(domain.Invalid, CodeScopesInvalid, "unknown scope %q: use read or write", sc)
		}
	}
	now := s.now().UTC()
	latest := now.Add(MaxAPITokenTTL)
	expires := in.Expires
	if expires == nil {
		expires = &latest
	}
	e := expires.UTC()
	if !e.After(now) {
		return Token{}, domain.Errorf(domain.Invalid, CodeExpiryInvalid, "the expiry must be in the future")
	}
	if e.After(latest) {
		return Token{}, domain.Errorf(domain.Invalid, CodeExpiryInvalid,
			"an API token lives at most %d days: expiresAt must be no later than %s", int(MaxAPITokenTTL/(24*time.Hour)), latest.Format(time.RFC3339))
	}
	expires = &e
	key, err := s.keys.Get(ctx, userSubject(p.UserID))
	if err != nil {
		return Token{}, fmt.Errorf("identity: key of user %s: %w", p.UserID, err)
	}
	id, err := s.newUserID()
	if err != nil {
		return Token{}, err
	}
	secret := make([]byte, apiSecretBytes)
	if _, err := rand.Read(secret); err != nil {
		return Token{}, fmt.Errorf("identity: read token secret: %w", err)
	}
	// The index first, under the command ID: a retry is recognised there
	// before a second token is made.
	res, err := s.appendEvent(ctx, catUserTokens, p.UserID, eventstore.Any, c.CommandID, p.UserID, APITokenListed{TokenID: id, At: now})
	if err != nil {
		return Token{}, fmt.Errorf("identity: index API token: %w", err)
	}
	if res.Duplicate {
		return Token{}, fmt.Errorf("%w (command %s)", ErrAlreadyIssued, c.CommandID)
	}
	sum := sha256.Sum256(secret)
	ev := APITokenIssued{TokenID: id, UserID: p.UserID, SecretHash: hex.EncodeToString(sum[:]), Scopes: scopes, ExpiresAt: expires, At: now}
	if ev.NameSealed, err = keys.Seal(key, []byte(name), aad(p.UserID, "apitoken:"+id)); err != nil {
		return Token{}, err
	}
	if _, err := s.appendEvent(ctx, catAPIToken, id, eventstore.NoStream, c.CommandID, p.UserID, ev); err != nil {
		return Token{}, fmt.Errorf("identity: issue API token: %w", err)
	}
	tok := Token{
		Token:     apiTokenPrefix + id + "_" + b64url.EncodeToString(secret),
		Principal: Principal{UserID: p.UserID, Kind: KindAPIToken, Scopes: scopes, TokenID: id},
	}
	tok.ExpiresAt = *expires
	s.log.Info("identity: API token issued", "user", p.UserID, "token", id, "scopes", scopes)
	return tok, nil
}

// ListAPITokens lists the tokens p's user issued, newest last.
func (s *Service) ListAPITokens(ctx context.Context, p Principal) ([]APITokenInfo, error) {
	if p.Kind == KindGuest || p.UserID == "" || !p.Can(ScopeRead) {
		return nil, domain.ErrForbidden
	}
	idx, _, err := s.load(ctx, catUserTokens, p.UserID)
	if err != nil {
		return nil, err
	}
	key, kerr := s.keys.Get(ctx, userSubject(p.UserID))
	out := []APITokenInfo{}
	for _, r := range idx {
		l, ok := r.event.(*APITokenListed)
		if !ok {
			continue
		}
		st, err := s.loadAPIToken(ctx, l.TokenID)
		if err != nil {
			return nil, err
		}
		// A token indexed but never issued (a crash between the two writes).
		if st.issued == nil || st.issued.UserID != p.UserID {
			continue
		}
		expires := expiryOf(*st.issued)
		info := APITokenInfo{ID: l.TokenID, Scopes: slices.Clone(st.issued.Scopes), CreatedAt: st.issued.At, ExpiresAt: &expires, RevokedAt: st.revokedAt}
		if kerr == nil {
			if n, err := keys.Open(key, st.issued.NameSealed, aad(p.UserID, "apitoken:"+l.TokenID)); err == nil {
				info.Name = string(n)
			}
		}
		out = append(out, info)
	}
	return out, nil
}

// RevokeAPIToken revokes one of the caller's user's tokens. Revoking a
// revoked token is not an error; a token of someone else is domain.ErrNotFound.
func (s *Service) RevokeAPIToken(ctx context.Context, c Caller, tokenID string) error {
	p := c.Principal
	if p.Kind == KindGuest || !p.Can(ScopeWrite) {
		return domain.ErrForbidden
	}
	if err := validateCommandID(c.CommandID); err != nil {
		return err
	}
	if !validID(tokenID, 64) {
		return domain.ErrNotFound
	}
	evs, v, err := s.load(ctx, catAPIToken, tokenID)
	if err != nil {
		return err
	}
	st := foldAPIToken(evs)
	if st.issued == nil || st.issued.UserID != p.UserID {
		return domain.ErrNotFound
	}
	if st.revokedAt == nil {
		_, err := s.appendEvent(ctx, catAPIToken, tokenID, v, c.CommandID, p.UserID, APITokenRevoked{RevokedBy: p.UserID, At: s.now().UTC()})
		if err != nil && !errors.Is(err, eventstore.ErrConflict) {
			return fmt.Errorf("identity: revoke API token %s: %w", tokenID, err)
		}
		// A conflict means another revocation got there first: only a
		// revocation can follow an issue.
	}
	s.tokensMu.Lock()
	delete(s.tokens, tokenID)
	s.tokensMu.Unlock()
	s.log.Info("identity: API token revoked", "user", p.UserID, "token", tokenID)
	return nil
}

func foldAPIToken(evs []recorded) apiTokenState {
	var st apiTokenState
	for _, r := range evs {
		switch e := r.event.(type) {
		case *APITokenIssued:
			st.issued = e
		case *APITokenRevoked:
			if st.revokedAt == nil {
				at := e.At
				st.revokedAt = &at
			}
		}
	}
	return st
}

func (s *Service) loadAPIToken(ctx context.Context, id string) (apiTokenState, error) {
	evs, _, err := s.load(ctx, catAPIToken, id)
	if err != nil {
		return apiTokenState{}, err
	}
	st := foldAPIToken(evs)
	if st.issued != nil {
		gone, err := s.erased(ctx, st.issued.UserID)
		if err != nil {
			return apiTokenState{}, err
		}
		st.erased = gone
	}
	return st, nil
}

// cachedAPIToken returns the token's state, read from the log at most
// RevocationCacheTTL ago. Only issued tokens are cached: unknown IDs are
// read each time, so guessing cannot fill the cache.
func (s *Service) cachedAPIToken(ctx context.Context, id string) (apiTokenState, error) {
	now := s.now()
	s.tokensMu.Lock()
	c, ok := s.tokens[id]
	s.tokensMu.Unlock()
	if ok && now.Sub(c.at) < s.cacheTTL && !now.Before(c.at) {
		return c.state, nil
	}
	st, err := s.loadAPIToken(ctx, id)
	if err != nil || st.issued == nil {
		return st, err
	}
	s.tokensMu.Lock()
	if len(s.tokens) >= maxCachedAPITokens {
		clear(s.tokens)
	}
	s.tokens[id] = cachedToken{state: st, at: now}
	s.tokensMu.Unlock()
	return st, nil
}

// expiryOf is when a token stops working: its expiry, and at the latest
// MaxAPITokenTTL after it was issued, so tokens issued without expiry
// before the cap existed die of age too.
func expiryOf(t APITokenIssued) time.Time {
	capped := t.At.Add(MaxAPITokenTTL)
	if t.ExpiresAt != nil && t.ExpiresAt.Before(capped) {
		return *t.ExpiresAt
	}
	return capped
}

func (s *Service) authenticateAPIToken(ctx context.Context, tok string) (Principal, error) {
	id, secretText, ok := strings.Cut(strings.TrimPrefix(tok, apiTokenPrefix), "_")
	if !ok || !validID(id, 64) {
		return Principal{}, fmt.Errorf("%w: malformed API token", domain.ErrUnauthenticated)
	}
	secret, err := b64url.DecodeString(secretText)
	if err != nil || len(secret) != apiSecretBytes {
		return Principal{}, fmt.Errorf("%w: malformed API token", domain.ErrUnauthenticated)
	}
	st, err := s.cachedAPIToken(ctx, id)
	if err != nil {
		return Principal{}, err
	}
	if st.issued == nil {
		return Principal{}, fmt.Errorf("%w: unknown API token", domain.ErrUnauthenticated)
	}
	want, err := hex.DecodeString(st.issued.SecretHash)
	if err != nil {
		return Principal{}, fmt.Errorf("identity: API token %s holds a malformed hash", id)
	}
	got := sha256.Sum256(secret)
	if subtle.ConstantTimeCompare(got[:], want) != 1 {
		return Principal{}, fmt.Errorf("%w: wrong API token secret", domain.ErrUnauthenticated)
	}
	switch {
	case st.revokedAt != nil:
		return Principal{}, fmt.Errorf("%w: API token revoked", domain.ErrUnauthenticated)
	case st.erased:
		return Principal{}, fmt.Errorf("%w: API token's owner was erased", domain.ErrUnauthenticated)
	case !s.now().Before(expiryOf(*st.issued)):
		return Principal{}, fmt.Errorf("%w: API token expired", domain.ErrUnauthenticated)
	}
	return Principal{UserID: st.issued.UserID, Kind: KindAPIToken, Scopes: slices.Clone(st.issued.Scopes), TokenID: id}, nil
}

// RevokedAPIToken reads an event from the log: for an API token revoked
// (on any node) it forgets this node's cached state of the token, so the
// next Authenticate refuses it at once, and reports the token's owner.
func (s *Service) RevokedAPIToken(e eventstore.RecordedEvent) (userID string, ok bool) {
	if e.Stream.Category != catAPIToken || e.Type != (APITokenRevoked{}).eventType() {
		return "", false
	}
	ev, err := decodeEvent(e.Type, e.SchemaVersion, e.Payload)
	if err != nil {
		s.log.Warn("identity: undecodable token revocation", "token", e.Stream.ID, "err", err)
		return "", false
	}
	s.tokensMu.Lock()
	delete(s.tokens, e.Stream.ID)
	s.tokensMu.Unlock()
	// Only a token's owner may revoke it, so the revoker is the owner.
	return ev.(*APITokenRevoked).RevokedBy, true
}
