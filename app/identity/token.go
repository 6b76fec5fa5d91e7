package identity

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
)

// Session tokens are hs1.<base64url(JSON claims)>.<base64url(HMAC-SHA256)>,
// the MAC taken over "hs1.<claims>" with the server's token-signing key.
// There is no algorithm field to confuse: the prefix names the one format.
const (
	sessionPrefix = "hs1"
	// maxBearer bounds what Authenticate reads at all.
	maxBearer = 4096
	// clockSkew tolerates nodes whose clocks differ a little.
	clockSkew = time.Minute
	// maxSessionTTL refuses tokens claiming lifetimes no node would issue.
	maxSessionTTL = 31 * 24 * time.Hour
)

type claims struct {
	Sub    string  `json:"sub"`
	Kind   Kind    `json:"kind"`
	Scopes []Scope `json:"scopes"`
	Retro  string  `json:"retro,omitempty"`
	TID    string  `json:"tid"`
	IAT    int64   `json:"iat"`
	EXP    int64   `json:"exp"`
	// Gen is the user's session generation at issue: the number of
	// password changes; a later change ends the session.
	Gen int `json:"gen,omitempty"`
}

var b64url = base64.RawURLEncoding.Strict()

func (s *Service) issueSession(ctx context.Context, userID string, kind Kind, retroID string) (Token, error) {
	key, err := s.secret(ctx, subjectTokenSigning)
	if err != nil {
		return Token{}, err
	}
	tid, err := s.newUserID()
	if err != nil {
		return Token{}, err
	}
	gen, err := s.generation(ctx, userID, true)
	if err != nil {
		return Token{}, err
	}
	now := s.now()
	exp := now.Add(s.ttl)
	c := claims{Sub: userID, Kind: kind, Scopes: []Scope{ScopeRead, ScopeWrite}, Retro: retroID, TID: tid, IAT: now.Unix(), EXP: exp.Unix(), Gen: gen}
	payload, err := json.Marshal(c)
	if err != nil {
		return Token{}, fmt.Errorf("identity: encode claims: %w", err)
	}
	signed := sessionPrefix + "." + b64url.EncodeToString(payload)
	tok := signed + "." + b64url.EncodeToString(mac(key, signed))
	return Token{Token: tok, ExpiresAt: time.Unix(c.EXP, 0).UTC(), Principal: c.principal()}, nil
}

func mac(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

func (c claims) principal() Principal {
	return Principal{UserID: c.Sub, Kind: c.Kind, Scopes: append([]Scope(nil), c.Scopes...), RetroID: c.Retro, TokenID: c.TID}
}

// Authenticate turns a bearer token (a session token or an API token,
// with or without a "Bearer " prefix) into the principal it was issued
// to. Every refusal is domain.ErrUnauthenticated; other errors mean the server
// could not check (the store or key store failed).
func (s *Service) Authenticate(ctx context.Context, bearer string) (Principal, error) {
	if len(bearer) > maxBearer {
		return Principal{}, fmt.Errorf("%w: token too long", domain.ErrUnauthenticated)
	}
	if len(bearer) > 7 && strings.EqualFold(bearer[:7], "bearer ") {
		bearer = bearer[7:]
	}
	bearer = strings.TrimSpace(bearer)
	if strings.HasPrefix(bearer, apiTokenPrefix) {
		return s.authenticateAPIToken(ctx, bearer)
	}
	return s.authenticateSession(ctx, bearer)
}

func (s *Service) authenticateSession(ctx context.Context, tok string) (Principal, error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 || parts[0] != sessionPrefix {
		return Principal{}, fmt.Errorf("%w: not a token", domain.ErrUnauthenticated)
	}
	sig, err := b64url.DecodeString(parts[2])
	if err != nil || len(sig) != sha256.Size {
		return Principal{}, fmt.Errorf("%w: malformed signature", domain.ErrUnauthenticated)
	}
	key, err := s.secret(ctx, subjectTokenSigning)
	if err != nil {
		return Principal{}, err
	}
	if !hmac.Equal(sig, mac(key, parts[0]+"."+parts[1])) {
		return Principal{}, fmt.Errorf("%w: bad signature", domain.ErrUnauthenticated)
	}
	// Only signed bytes are parsed from here on.
	payload, err := b64url.DecodeString(parts[1])
	if err != nil {
		return Principal{}, fmt.Errorf("%w: malformed claims", domain.ErrUnauthenticated)
	}
	var c claims
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil || dec.More() {
		return Principal{}, fmt.Errorf("%w: malformed claims", domain.ErrUnauthenticated)
	}
	if err := s.checkClaims(c); err != nil {
		return Principal{}, err
	}
	gen, err := s.generation(ctx, c.Sub, false)
	if err != nil {
		return Principal{}, err
	}
	if c.Gen < gen {
		return Principal{}, fmt.Errorf("%w: session ended by a password change", domain.ErrUnauthenticated)
	}
	return c.principal(), nil
}

type cachedGen struct {
	gen     int
	fetched time.Time
	// renewing: a read of the log for a newer value is under way.
	renewing bool
}

// generation is the user's session generation: how often their password
// changed. A node trusts what it read for the revocation cache time, so a
// reset on another node ends sessions here within that time (at once on
// the node that reset); fresh reads the log.
//
// A user who keeps making requests never waits for that read: once half
// the cache time has passed, a request is answered from the cache while
// the log is read in the background, so the value is renewed before it
// expires. (Read on the request, it put a store read, and on an embedded
// log the wait for another commit's fsync, into one request of every
// user in ten at two requests a second.)
func (s *Service) generation(ctx context.Context, userID string, fresh bool) (int, error) {
	now := s.now()
	if !fresh {
		s.gensMu.Lock()
		g, ok := s.gens[userID]
		age := now.Sub(g.fetched)
		valid := ok && age < s.cacheTTL && age >= 0
		renew := valid && age >= s.cacheTTL/2 && !g.renewing
		if renew {
			g.renewing = true
			s.gens[userID] = g
		}
		forgets := s.genForgets
		s.gensMu.Unlock()
		if renew {
			go s.renewGeneration(userID, forgets)
		}
		if valid {
			return g.gen, nil
		}
	}
	s.gensMu.Lock()
	forgets := s.genForgets
	s.gensMu.Unlock()
	st, err := s.foldAccount(ctx, userID)
	if err != nil {
		return 0, err
	}
	s.keepGeneration(userID, cachedGen{gen: st.passwords, fetched: now}, forgets, false)
	return st.passwords, nil
}

// renewGeneration reads the user's generation in the background and
// caches it, unless this node saw the user's sessions end meanwhile (the
// next request then reads the log itself). A failed read leaves the
// cached value to expire; the request after that reads the log.
func (s *Service) renewGeneration(userID string, forgets uint64) {
	ctx, cancel := context.WithTimeout(context.Background(), s.cacheTTL)
	defer cancel()
	now := s.now()
	st, err := s.foldAccount(ctx, userID)
	if err != nil {
		s.log.Warn("identity: renewing a user's session generation", "err", err)
		s.gensMu.Lock()
		if g, ok := s.gens[userID]; ok && s.genForgets == forgets {
			g.renewing = false
			s.gens[userID] = g
		}
		s.gensMu.Unlock()
		return
	}
	s.keepGeneration(userID, cachedGen{gen: st.passwords, fetched: now}, forgets, true)
}

// keepGeneration caches g unless a user's sessions were ended on this node
// since forgets was taken (what was read may predate that) or a later read
// is cached; onlyIfCached keeps a renewal from bringing back an entry
// dropped meanwhile.
func (s *Service) keepGeneration(userID string, g cachedGen, forgets uint64, onlyIfCached bool) {
	s.gensMu.Lock()
	defer s.gensMu.Unlock()
	if s.genForgets != forgets {
		return
	}
	cur, ok := s.gens[userID]
	if (!ok && onlyIfCached) || (ok && cur.fetched.After(g.fetched)) {
		return // dropped meanwhile, or a later read is cached already
	}
	if len(s.gens) > maxCachedGens {
		clear(s.gens)
	}
	s.gens[userID] = g
}

// maxCachedGens bounds the cache of session generations.
const maxCachedGens = 100_000

// forgetSessions drops the cached generation of a user whose password
// changed, so this node reads it again at the next request.
func (s *Service) forgetSessions(userID string) {
	s.gensMu.Lock()
	delete(s.gens, userID)
	s.genForgets++
	s.gensMu.Unlock()
}

func (s *Service) checkClaims(c claims) error {
	now := s.now()
	iat, exp := time.Unix(c.IAT, 0), time.Unix(c.EXP, 0)
	switch {
	case !validID(c.Sub, 64) || !validID(c.TID, 64):
		return fmt.Errorf("%w: malformed claims", domain.ErrUnauthenticated)
	case c.Kind == KindUser && c.Retro != "":
		return fmt.Errorf("%w: malformed claims", domain.ErrUnauthenticated)
	case c.Kind == KindGuest && !printableASCII(c.Retro, maxRefID):
		return fmt.Errorf("%w: malformed claims", domain.ErrUnauthenticated)
	case c.Kind != KindUser && c.Kind != KindGuest:
		return fmt.Errorf("%w: malformed claims", domain.ErrUnauthenticated)
	case len(c.Scopes) == 0 || len(c.Scopes) > 2 || !c.Scopes[0].valid() || !c.Scopes[len(c.Scopes)-1].valid():
		return fmt.Errorf("%w: malformed claims", domain.ErrUnauthenticated)
	case !now.Before(exp):
		return fmt.Errorf("%w: token expired", domain.ErrUnauthenticated)
	case iat.After(now.Add(clockSkew)) || exp.Sub(iat) > maxSessionTTL || !iat.Before(exp):
		return fmt.Errorf("%w: implausible token times", domain.ErrUnauthenticated)
	}
	return nil
}
