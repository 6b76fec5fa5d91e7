package identity

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
)

// sign makes a session token with any claims, as only a holder of the
// signing key could.
func sign(t *testing.T, s *Service, payload string) string {
	t.Helper()
	key, err := s.secret(ctx, subjectTokenSigning)
	if err != nil {
		t.Fatal(err)
	}
	signed := sessionPrefix + "." + b64url.EncodeToString([]byte(payload))
	return signed + "." + b64url.EncodeToString(mac(key, signed))
}

func TestTamperedTokensAreRefused(t *testing.T) {
	w := newWorld(t)
	s := w.node()
	mustRegister(t, s, "cmd-1", "ada@example.org", "correct horse battery", "Ada")
	tok := mustLogin(t, s, "ada@example.org", "correct horse battery").Token
	if _, err := s.Authenticate(ctx, tok); err != nil {
		t.Fatalf("the untampered token: %v", err)
	}

	// Every single flipped bit of the token breaks it.
	for i := 0; i < len(tok); i++ {
		b := []byte(tok)
		b[i] ^= 0x01
		if p, err := s.Authenticate(ctx, string(b)); err == nil {
			t.Fatalf("token with byte %d flipped accepted as %+v", i, p)
		}
	}

	// Claims changed and signed with another deployment's key.
	other := newWorld(t).node()
	wantUnauthenticated(t, other, tok, "token from another deployment")
	parts := strings.Split(tok, ".")
	payload, _ := b64url.DecodeString(parts[1])
	var c claims
	if err := json.Unmarshal(payload, &c); err != nil {
		t.Fatal(err)
	}
	c.Sub = "id-9999"
	forged, _ := json.Marshal(c)
	wantUnauthenticated(t, s, sign(t, other, string(forged)), "claims signed with another key")
	wantUnauthenticated(t, s, parts[0]+"."+b64url.EncodeToString(forged)+"."+parts[2], "claims swapped under the old signature")

	// Garbage and look-alikes of other formats.
	for _, g := range []string{
		"", "Bearer ", "hs1", "hs1..", "hs1.e30.", "hs1.e30", parts[0] + "." + parts[1],
		tok + ".", "hs2." + parts[1] + "." + parts[2], "HS1." + parts[1] + "." + parts[2],
		"eyJhbGciOiJub25lIn0.eyJzdWIiOiJpZC0wMDAxIn0.", // JWT with alg none
		parts[0] + "." + parts[1] + "." + parts[2] + "=", strings.Repeat("a", 5000),
		"hsk_", "hsk__", "hsk_id-0001_", "hsk_id-0001_" + strings.Repeat("A", 43), "hsk_../x_" + strings.Repeat("A", 43),
	} {
		wantUnauthenticated(t, s, g, "garbage "+g[:min(len(g), 30)])
	}

	// Well signed, but the claims do not make a session.
	now := w.clock.now().Unix()
	for name, payload := range map[string]string{
		"api token kind":      `{"sub":"id-0001","kind":"apitoken","scopes":["read"],"tid":"t","iat":` + itoa(now) + `,"exp":` + itoa(now+60) + `}`,
		"guest without retro": `{"sub":"id-0001","kind":"guest","scopes":["read"],"tid":"t","iat":` + itoa(now) + `,"exp":` + itoa(now+60) + `}`,
		"user with a retro":   `{"sub":"id-0001","kind":"user","scopes":["read"],"retro":"r","tid":"t","iat":` + itoa(now) + `,"exp":` + itoa(now+60) + `}`,
		"unknown scope":       `{"sub":"id-0001","kind":"user","scopes":["admin"],"tid":"t","iat":` + itoa(now) + `,"exp":` + itoa(now+60) + `}`,
		"unknown field":       `{"sub":"id-0001","kind":"user","scopes":["read"],"tid":"t","iat":` + itoa(now) + `,"exp":` + itoa(now+60) + `,"admin":true}`,
		"issued in future":    `{"sub":"id-0001","kind":"user","scopes":["read"],"tid":"t","iat":` + itoa(now+3600) + `,"exp":` + itoa(now+7200) + `}`,
		"lifetime of a year":  `{"sub":"id-0001","kind":"user","scopes":["read"],"tid":"t","iat":` + itoa(now) + `,"exp":` + itoa(now+365*86400) + `}`,
		"two objects":         `{"sub":"id-0001","kind":"user","scopes":["read"],"tid":"t","iat":` + itoa(now) + `,"exp":` + itoa(now+60) + `}{}`,
		"no subject":          `{"sub":"","kind":"user","scopes":["read"],"tid":"t","iat":` + itoa(now) + `,"exp":` + itoa(now+60) + `}`,
		"not json":            `hello`,
	} {
		wantUnauthenticated(t, s, sign(t, s, payload), name)
	}
	// The same shape with sane claims is accepted: the cases above fail
	// for their one defect.
	good := `{"sub":"id-0001","kind":"user","scopes":["read"],"tid":"t","iat":` + itoa(now) + `,"exp":` + itoa(now+60) + `}`
	if p, err := s.Authenticate(ctx, sign(t, s, good)); err != nil || p.Can(ScopeWrite) {
		t.Fatalf("well-formed read-only session: %+v, %v", p, err)
	}

	// Expired.
	w.clock.advance(DefaultSessionTTL)
	wantUnauthenticated(t, s, tok, "expired session")
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestAuthenticateRefusalDoesNotEchoTheToken(t *testing.T) {
	s := newWorld(t).node()
	_, err := s.Authenticate(ctx, "hs1.e30.AAAA")
	if !errors.Is(err, domain.ErrUnauthenticated) {
		t.Fatal(err)
	}
	if strings.Contains(err.Error(), "e30") {
		t.Errorf("refusal %q echoes the token", err)
	}
}

func TestSessionLifetimeIsConfigurable(t *testing.T) {
	w := newWorld(t)
	s, err := New(Deps{Store: w.store, Keys: w.keys, Clock: w.clock.now, Password: fastPasswords, SessionTTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	mustRegister(t, s, "cmd-1", "ada@example.org", "correct horse battery", "Ada")
	tok := mustLogin(t, s, "ada@example.org", "correct horse battery")
	w.clock.advance(time.Hour - time.Second)
	if _, err := s.Authenticate(ctx, tok.Token); err != nil {
		t.Fatalf("a second before expiry: %v", err)
	}
	w.clock.advance(time.Second)
	wantUnauthenticated(t, s, tok.Token, "at expiry")
}
