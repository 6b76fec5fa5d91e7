package identity

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/eventstore"
)

func loggedIn(t *testing.T, s *Service, cmd, email string) Principal {
	t.Helper()
	mustRegister(t, s, cmd, email, "correct horse battery", "Someone")
	return mustLogin(t, s, email, "correct horse battery").Principal
}

func TestReadOnlyAPIToken(t *testing.T) {
	w := newWorld(t)
	s := w.node()
	ada := loggedIn(t, s, "c1", "ada@example.org")
	tok, err := s.IssueAPIToken(ctx, Caller{Principal: ada, CommandID: "tok-1"}, APITokenInput{Name: "dashboards", Scopes: []Scope{ScopeRead}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok.Token, "hsk_"+tok.Principal.TokenID+"_") || !tok.ExpiresAt.Equal(w.clock.now().Add(MaxAPITokenTTL)) {
		t.Fatalf("token = %+v", tok)
	}
	p, err := w.node().Authenticate(ctx, "Bearer "+tok.Token)
	if err != nil {
		t.Fatal(err)
	}
	if p.UserID != ada.UserID || p.Kind != KindAPIToken || !p.Can(ScopeRead) || p.Can(ScopeWrite) {
		t.Fatalf("principal = %+v: want ada's read-only API token", p)
	}
	// The log keeps the secret's hash only. The secret is base64url, which
	// may itself contain "_", so it is what follows the known ID, not the
	// last "_".
	secret := strings.TrimPrefix(tok.Token, "hsk_"+p.TokenID+"_")
	if len(secret) != 43 {
		t.Fatalf("secret %q: want 43 base64url characters (32 bytes)", secret)
	}
	evs, _ := w.store.Load(ctx, streamOf(catAPIToken, p.TokenID), 0)
	if len(evs) != 1 || strings.Contains(string(evs[0].Payload), secret) {
		t.Fatalf("token stream: %d events, secret in clear: %v", len(evs), len(evs) == 1 && strings.Contains(string(evs[0].Payload), secret))
	}
	// A wrong secret for a real token ID.
	wantUnauthenticated(t, s, "hsk_"+p.TokenID+"_"+strings.Repeat("A", 43), "wrong secret")

	// A read token cannot mint tokens or invite; neither can a write token.
	if _, err := s.IssueAPIToken(ctx, Caller{Principal: p, CommandID: "tok-2"}, APITokenInput{Name: "more", Scopes: []Scope{ScopeWrite}}); !errors.Is(err, domain.ErrForbidden) {
		t.Errorf("API token issuing a token: %v, want domain.ErrForbidden", err)
	}
	if _, err := s.CreateInvite(ctx, Caller{Principal: p, CommandID: "inv"}, "r1", InviteInput{TeamID: "t1", Expires: w.clock.now().Add(time.Hour)}); !errors.Is(err, domain.ErrForbidden) {
		t.Errorf("read-only token creating an invite: %v, want domain.ErrForbidden", err)
	}
}

func TestIssueAPITokenRejections(t *testing.T) {
	w := newWorld(t)
	s := w.node()
	ada := loggedIn(t, s, "c1", "ada@example.org")
	past := w.clock.now().Add(-time.Minute)
	_, err := s.IssueAPIToken(ctx, Caller{Principal: ada, CommandID: "t1"}, APITokenInput{Name: "x"})
	wantDomainError(t, err, domain.Invalid, CodeScopesInvalid)
	_, err = s.IssueAPIToken(ctx, Caller{Principal: ada, CommandID: "t2"}, APITokenInput{Name: "x", Scopes: []Scope{"admin"}})
	wantDomainError(t, err, domain.Invalid, CodeScopesInvalid)
	_, err = s.IssueAPIToken(ctx, Caller{Principal: ada, CommandID: "t3"}, APITokenInput{Name: "x", Scopes: []Scope{ScopeRead}, Expires: &past})
	wantDomainError(t, err, domain.Invalid, CodeExpiryInvalid)
	_, err = s.IssueAPIToken(ctx, Caller{Principal: ada, CommandID: "t4"}, APITokenInput{Name: "", Scopes: []Scope{ScopeRead}})
	wantDomainError(t, err, domain.Invalid, CodeNameInvalid)

	if _, err := s.IssueAPIToken(ctx, Caller{Principal: ada, CommandID: "t5"}, APITokenInput{Name: "x", Scopes: []Scope{ScopeRead, ScopeWrite, ScopeRead}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.IssueAPIToken(ctx, Caller{Principal: ada, CommandID: "t5"}, APITokenInput{Name: "x", Scopes: []Scope{ScopeRead}}); !errors.Is(err, ErrAlreadyIssued) {
		t.Errorf("retry of an issued token: %v, want ErrAlreadyIssued", err)
	}
	list, err := s.ListAPITokens(ctx, ada)
	if err != nil || len(list) != 1 || list[0].Name != "x" || len(list[0].Scopes) != 2 {
		t.Fatalf("list = %+v, %v; want one token named x with two scopes", list, err)
	}
}

func TestRevokedAPIToken(t *testing.T) {
	w := newWorld(t)
	a, b := w.node(), w.node()
	ada := loggedIn(t, a, "c1", "ada@example.org")
	bob := loggedIn(t, a, "c2", "bob@example.org")
	soon := w.clock.now().Add(time.Hour)
	tok, err := a.IssueAPIToken(ctx, Caller{Principal: ada, CommandID: "tok-1"}, APITokenInput{Name: "script", Scopes: []Scope{ScopeWrite}, Expires: &soon})
	if err != nil {
		t.Fatal(err)
	}
	// Node b has the token cached as valid.
	if _, err := b.Authenticate(ctx, tok.Token); err != nil {
		t.Fatal(err)
	}
	if err := a.RevokeAPIToken(ctx, Caller{Principal: bob, CommandID: "rv-0"}, tok.Principal.TokenID); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("bob revoking ada's token: %v, want domain.ErrNotFound", err)
	}
	if err := a.RevokeAPIToken(ctx, Caller{Principal: ada, CommandID: "rv-1"}, tok.Principal.TokenID); err != nil {
		t.Fatal(err)
	}
	wantUnauthenticated(t, a, tok.Token, "revoked token on the revoking node")
	// Node b notices once its cache entry is older than the cache time.
	w.clock.advance(DefaultRevocationCacheTTL)
	wantUnauthenticated(t, b, tok.Token, "revoked token on another node after the cache time")
	if err := a.RevokeAPIToken(ctx, Caller{Principal: ada, CommandID: "rv-2"}, tok.Principal.TokenID); err != nil {
		t.Errorf("revoking twice: %v", err)
	}
	list, _ := a.ListAPITokens(ctx, ada)
	if len(list) != 1 || list[0].RevokedAt == nil {
		t.Errorf("list after revocation = %+v", list)
	}
	if list, _ := a.ListAPITokens(ctx, bob); len(list) != 0 {
		t.Errorf("bob sees tokens %+v", list)
	}
}

func TestExpiredAPIToken(t *testing.T) {
	w := newWorld(t)
	s := w.node()
	ada := loggedIn(t, s, "c1", "ada@example.org")
	soon := w.clock.now().Add(time.Minute)
	tok, err := s.IssueAPIToken(ctx, Caller{Principal: ada, CommandID: "tok-1"}, APITokenInput{Name: "script", Scopes: []Scope{ScopeRead}, Expires: &soon})
	if err != nil {
		t.Fatal(err)
	}
	w.clock.advance(time.Minute)
	wantUnauthenticated(t, s, tok.Token, "expired API token")
}

// A token pasted into a script is forgotten there: asked for without an
// expiry it lives a year, longer is refused, and it stops working when the
// year is over.
func TestAnAPITokenLivesAtMostAYear(t *testing.T) {
	w := newWorld(t)
	s := w.node()
	ada := loggedIn(t, s, "c1", "ada@example.org")
	tooLate := w.clock.now().Add(MaxAPITokenTTL + time.Second)
	_, err := s.IssueAPIToken(ctx, Caller{Principal: ada, CommandID: "t1"}, APITokenInput{Name: "forever", Scopes: []Scope{ScopeRead}, Expires: &tooLate})
	wantDomainError(t, err, domain.Invalid, CodeExpiryInvalid)

	tok, err := s.IssueAPIToken(ctx, Caller{Principal: ada, CommandID: "t2"}, APITokenInput{Name: "nightly export", Scopes: []Scope{ScopeRead}})
	if err != nil {
		t.Fatal(err)
	}
	if want := w.clock.now().Add(MaxAPITokenTTL); !tok.ExpiresAt.Equal(want) {
		t.Fatalf("a token asked for without expiry expires %v, want %v", tok.ExpiresAt, want)
	}
	list, err := s.ListAPITokens(ctx, ada)
	if err != nil || len(list) != 1 || list[0].ExpiresAt == nil || !list[0].ExpiresAt.Equal(tok.ExpiresAt) {
		t.Fatalf("list = %+v, %v; want the token with its expiry", list, err)
	}
	w.clock.advance(MaxAPITokenTTL - time.Second)
	if _, err := w.node().Authenticate(ctx, "Bearer "+tok.Token); err != nil {
		t.Fatalf("a day short of a year: %v", err)
	}
	w.clock.advance(time.Second)
	wantUnauthenticated(t, w.node(), tok.Token, "a year old")
}

// Tokens issued without expiry before the cap existed die of age too.
func TestATokenIssuedWithoutExpiryBeforeTheCapStopsAfterAYear(t *testing.T) {
	w := newWorld(t)
	s := w.node()
	ada := loggedIn(t, s, "c1", "ada@example.org")
	secret := make([]byte, apiSecretBytes)
	sum := sha256.Sum256(secret)
	old := APITokenIssued{TokenID: "legacy-1", UserID: ada.UserID, SecretHash: hex.EncodeToString(sum[:]),
		Scopes: []Scope{ScopeRead}, At: w.clock.now()}
	if _, err := s.appendEvent(ctx, catAPIToken, old.TokenID, eventstore.NoStream, "legacy", ada.UserID, old); err != nil {
		t.Fatal(err)
	}
	bearer := apiTokenPrefix + old.TokenID + "_" + b64url.EncodeToString(secret)
	if _, err := w.node().Authenticate(ctx, "Bearer "+bearer); err != nil {
		t.Fatalf("a fresh legacy token: %v", err)
	}
	w.clock.advance(MaxAPITokenTTL)
	wantUnauthenticated(t, w.node(), bearer, "a legacy token a year old")
}
