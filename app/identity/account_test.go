package identity

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/eventstore"
)

func TestRegisterThenLogin(t *testing.T) {
	w := newWorld(t)
	s := w.node()
	id := mustRegister(t, s, "cmd-1", "  Ada@Example.org ", "correct horse battery", "Ada Lovelace")

	tok := mustLogin(t, s, "ada@example.ORG", "correct horse battery")
	if tok.Principal.UserID != id || tok.Principal.Kind != KindUser {
		t.Fatalf("login principal = %+v, want user %s", tok.Principal, id)
	}
	if want := w.clock.now().Add(DefaultSessionTTL); !tok.ExpiresAt.Equal(want) {
		t.Errorf("session expires %v, want %v", tok.ExpiresAt, want)
	}
	p, err := s.Authenticate(ctx, "Bearer "+tok.Token)
	if err != nil {
		t.Fatal(err)
	}
	if p.UserID != id || p.Kind != KindUser || !p.Can(ScopeWrite) || !p.Can(ScopeRead) || p.RetroID != "" || p.TokenID == "" {
		t.Fatalf("principal = %+v", p)
	}
	// Another node, sharing the log and the keys, accepts the session.
	if p2, err := w.node().Authenticate(ctx, tok.Token); err != nil || p2.UserID != id {
		t.Fatalf("other node: %+v, %v", p2, err)
	}
	prof, err := s.Profile(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if prof != (Profile{UserID: id, Name: "Ada Lovelace", Email: "ada@example.org", Language: "en"}) {
		t.Fatalf("profile = %+v", prof)
	}
}

func TestLoginWithWrongPasswordOrUnknownAddress(t *testing.T) {
	w := newWorld(t)
	s := w.node()
	mustRegister(t, s, "cmd-1", "ada@example.org", "correct horse battery", "Ada")

	before := s.verifications.Load()
	_, wrong := s.Login(ctx, Credentials{Email: "ada@example.org", Password: "correct horse battery!"})
	wrongWork := s.verifications.Load() - before

	before = s.verifications.Load()
	_, unknown := s.Login(ctx, Credentials{Email: "bob@example.org", Password: "correct horse battery"})
	unknownWork := s.verifications.Load() - before

	if !errors.Is(wrong, ErrBadCredentials) || !errors.Is(unknown, ErrBadCredentials) {
		t.Fatalf("wrong password: %v; unknown address: %v; want ErrBadCredentials for both", wrong, unknown)
	}
	if wrong.Error() != unknown.Error() {
		t.Errorf("the two refusals read differently: %q vs %q", wrong, unknown)
	}
	if wrongWork != 1 || unknownWork != 1 {
		t.Errorf("argon2id verifications: wrong password %d, unknown address %d; want one each", wrongWork, unknownWork)
	}
	if _, err := s.Login(ctx, Credentials{Email: "not an address", Password: "whatever whatever"}); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("malformed address: %v, want ErrBadCredentials", err)
	}
}

func TestRegisterValidation(t *testing.T) {
	s := newWorld(t).node()
	for _, tc := range []struct {
		cmd, email, password, name, code string
	}{
		{"c", "no-at-sign", "long enough pw", "A", CodeEmailInvalid},
		{"c", "Ada <ada@example.org>", "long enough pw", "A", CodeEmailInvalid},
		{"c", "ada@", "long enough pw", "A", CodeEmailInvalid},
		{"c", strings.Repeat("a", 250) + "@example.org", "long enough pw", "A", CodeEmailInvalid},
		{"c", "ada@example.org", "short", "A", CodePasswordShort},
		{"c", "ada@example.org", "ünïcödé!!", "A", CodePasswordShort},
		{"c", "ada@example.org", strings.Repeat("p", MaxPasswordBytes+1), "A", CodePasswordLong},
		{"c", "ada@example.org", "long enough pw", "   ", CodeNameInvalid},
		{"c", "ada@example.org", "long enough pw", strings.Repeat("n", MaxNameChars+1), CodeNameInvalid},
		{"c", "ada@example.org", "long enough pw", "Ada\x00", CodeNameInvalid},
		{"c", "ada@example.org", "long enough pw", "Ada\u202e", CodeNameInvalid},
		{"", "ada@example.org", "long enough pw", "Ada", CodeCommandIDInvalid},
	} {
		_, err := s.Register(ctx, Caller{CommandID: tc.cmd}, Registration{Email: tc.email, Password: tc.password, Name: tc.name})
		var de *domain.Error
		if !errors.As(err, &de) || de.Kind != domain.Invalid || de.Code != tc.code {
			t.Errorf("Register(%q, %q, %d-byte password, %q) = %v, want invalid/%s", tc.cmd, tc.email, len(tc.password), tc.name, err, tc.code)
		}
	}
	// Exactly at the limits is fine.
	if _, err := s.Register(ctx, Caller{CommandID: "ok"}, Registration{Email: "a@b", Password: strings.Repeat("p", MaxPasswordBytes), Name: strings.Repeat("n", MaxNameChars)}); err != nil {
		t.Errorf("register at the limits: %v", err)
	}
}

func TestOnlyOneRegistrationOfAnAddressWins(t *testing.T) {
	w := newWorld(t)
	nodes := []*Service{w.node(), w.node()}
	const n = 8
	ids := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			ids[i], errs[i] = nodes[i%2].Register(ctx, Caller{CommandID: fmt.Sprintf("cmd-%d", i)}, Registration{Email: " SAME@example.org", Password: fmt.Sprintf("password number %d", i), Name: "Same"})
		})
	}
	wg.Wait()
	winner := -1
	for i := range n {
		switch {
		case errs[i] == nil && winner == -1:
			winner = i
		case errs[i] == nil:
			t.Fatalf("registrations %d and %d both succeeded", winner, i)
		case !errors.Is(errs[i], ErrEmailTaken):
			t.Fatalf("registration %d: %v, want ErrEmailTaken", i, errs[i])
		}
	}
	if winner < 0 {
		t.Fatal("no registration succeeded")
	}
	for i := range n {
		tok, err := nodes[0].Login(ctx, Credentials{Email: "same@example.org", Password: fmt.Sprintf("password number %d", i)})
		if i == winner && (err != nil || tok.Principal.UserID != ids[winner]) {
			t.Errorf("the winner cannot log in: %v", err)
		}
		if i != winner && err == nil {
			t.Errorf("loser %d's password logs in", i)
		}
	}
}

func TestRegisterRetryReturnsTheSameUser(t *testing.T) {
	w := newWorld(t)
	s := w.node()
	first := mustRegister(t, s, "cmd-1", "ada@example.org", "correct horse battery", "Ada")
	again := mustRegister(t, w.node(), "cmd-1", "ada@example.org", "correct horse battery", "Ada")
	if again != first {
		t.Fatalf("retry gave user %s, first attempt %s", again, first)
	}
	evs, err := w.store.Load(ctx, eventstore.StreamID{Category: catAccount, ID: first}, 0)
	if err != nil || len(evs) != 1 {
		t.Fatalf("account stream: %d events, %v; want the one registration", len(evs), err)
	}
	if _, err := s.Register(ctx, Caller{CommandID: "cmd-2"}, Registration{Email: "ada@example.org", Password: "correct horse battery", Name: "Ada"}); !errors.Is(err, ErrEmailTaken) {
		t.Fatalf("another command for the same address: %v, want ErrEmailTaken", err)
	}
}

func TestEraseMakesPersonalDataUnreadable(t *testing.T) {
	w := newWorld(t)
	s := w.node()
	id := mustRegister(t, s, "cmd-1", "ada@example.org", "correct horse battery", "Ada Lovelace")
	api, err := s.IssueAPIToken(ctx, Caller{Principal: mustLogin(t, s, "ada@example.org", "correct horse battery").Principal, CommandID: "tok-1"}, APITokenInput{Name: "ci", Scopes: []Scope{ScopeRead}})
	if err != nil {
		t.Fatal(err)
	}

	// Nothing in the log is readable personal data, before or after.
	var log bytes.Buffer
	if err := w.store.ReadAll(ctx, 0, func(_ context.Context, e eventstore.RecordedEvent) error {
		log.Write(e.Payload)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"ada@example.org", "Ada Lovelace", "argon2id", "correct horse"} {
		if strings.Contains(strings.ToLower(log.String()), strings.ToLower(secret)) {
			t.Errorf("the log holds %q in clear", secret)
		}
	}

	if err := s.Erase(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Profile(ctx, id); !errors.Is(err, ErrErased) {
		t.Errorf("Profile after Erase = %v, want ErrErased", err)
	}
	if _, err := s.Login(ctx, Credentials{Email: "ada@example.org", Password: "correct horse battery"}); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("Login after Erase = %v, want ErrBadCredentials", err)
	}
	wantUnauthenticated(t, s, api.Token, "API token of an erased user")
	// The log is untouched and still loads and decodes.
	evs, err := w.store.Load(ctx, eventstore.StreamID{Category: catAccount, ID: id}, 0)
	if err != nil || len(evs) != 1 {
		t.Fatalf("account stream after erasure: %d events, %v", len(evs), err)
	}
	if _, err := decodeEvent(evs[0].Type, evs[0].SchemaVersion, evs[0].Payload); err != nil {
		t.Fatal(err)
	}
	// The address is free again, for a new person.
	again := mustRegister(t, s, "cmd-2", "ada@example.org", "another long password", "Ada II")
	if again == id {
		t.Fatal("re-registration of an erased address got the erased user's ID")
	}
	if p, err := s.Profile(ctx, again); err != nil || p.Name != "Ada II" {
		t.Fatalf("new profile = %+v, %v", p, err)
	}
	if _, err := s.Profile(ctx, id); !errors.Is(err, ErrErased) {
		t.Errorf("Profile of the erased user after the address was reused = %v, want ErrErased", err)
	}
	if err := s.Erase(ctx, "nobody"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("Erase of an unknown user = %v, want domain.ErrNotFound", err)
	}
}

func TestPasswordHashFormat(t *testing.T) {
	s := newWorld(t).node()
	phc, err := s.hashPassword(ctx, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(phc, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash %q is not a PHC argon2id string with the configured parameters", phc)
	}
	if ok, err := s.verifyPassword(ctx, phc, "correct horse battery"); !ok || err != nil {
		t.Fatalf("verify right password = %v, %v", ok, err)
	}
	if ok, _ := s.verifyPassword(ctx, phc, "correct horse batterz"); ok {
		t.Fatal("verify accepted a wrong password")
	}
	other, _ := s.hashPassword(ctx, "correct horse battery")
	if other == phc {
		t.Fatal("two hashes of one password are equal: the salt is not random")
	}
	for _, bad := range []string{
		"", "$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=4194304,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", // 4 GiB
		"$argon2id$v=19$m=64,t=1000,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=64,t=1,p=1$$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$",
		"$argon2id$v=19$m=64,t=1,p=1 $c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
	} {
		if _, err := s.verifyPassword(ctx, bad, "x"); err == nil {
			t.Errorf("verify against %q: no error", bad)
		}
	}
	if _, err := New(Deps{Store: newWorld(t).store, Keys: newWorld(t).keys, Password: PasswordParams{Time: 1, MemoryKiB: 1 << 30, Threads: 1}}); err == nil {
		t.Error("New accepted a 1 TiB argon2 memory cost")
	}
}
