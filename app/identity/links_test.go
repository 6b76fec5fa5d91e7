package identity

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/eventstore"
)

// issued runs what the mail reactor does for every event that asks for a
// link, and returns the links to mail.
func issued(t testing.TB, w *world, s *Service, after uint64) ([]Link, uint64) {
	t.Helper()
	var links []Link
	var last uint64
	err := w.store.ReadAll(ctx, after, func(_ context.Context, e eventstore.RecordedEvent) error {
		last = e.Position
		if !CallsForLink(e) {
			return nil
		}
		l, ok, err := s.IssueLink(ctx, e)
		if err != nil {
			return err
		}
		if ok {
			links = append(links, l)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return links, last
}

func TestARegistrationOverAGuestsIdentitySignsInOnlyOnceItsAddressIsVerified(t *testing.T) {
	w := newWorld(t)
	w.guestJoin = GuestJoinProof
	s := w.node()
	mod := loggedIn(t, s, "c1", "mod@example.org")
	inv, err := s.CreateInvite(ctx, Caller{Principal: mod, CommandID: "inv-1"}, "retro-1", InviteInput{TeamID: "team-1", Expires: w.clock.now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RequestGuestJoin(ctx, Caller{CommandID: "join-1"}, inv.Code, GuestInput{Email: "gus@example.org", Name: "Gus"}); err != nil {
		t.Fatal(err)
	}
	links, pos := issued(t, w, s, 0)
	var guestLink Link
	for _, l := range links {
		if l.Purpose == PurposeGuest {
			guestLink = l
		}
	}
	_, gus, err := s.ConfirmGuestJoin(ctx, guestLink.Token)
	if err != nil {
		t.Fatal(err)
	}
	// Someone registers Gus's address: the account is Gus's guest identity,
	// so it may not sign in before the address is proved.
	id := mustRegister(t, s, "reg-1", "gus@example.org", "mallory's password", "Mallory")
	if id != gus.UserID {
		t.Fatalf("the registration is %s, the guest %s", id, gus.UserID)
	}
	if _, err := s.Login(ctx, Credentials{Email: "gus@example.org", Password: "mallory's password"}); !errors.Is(err, ErrEmailUnverified) {
		t.Fatalf("signing in over an unverified guest identity: %v, want ErrEmailUnverified", err)
	}
	links, _ = issued(t, w, s, pos)
	if len(links) != 1 || links[0].Purpose != PurposeVerify || links[0].UserID != id {
		t.Fatalf("after registering: links %+v, want one verification link", links)
	}
	if err := s.VerifyEmail(ctx, links[0].Token); err != nil {
		t.Fatal(err)
	}
	mustLogin(t, s, "gus@example.org", "mallory's password")
}

func TestWithoutMailARegistrationDoesNotTakeAGuestsIdentity(t *testing.T) {
	w := newWorld(t)
	s := w.node()
	mod := loggedIn(t, s, "c1", "mod@example.org")
	inv, _ := s.CreateInvite(ctx, Caller{Principal: mod, CommandID: "inv-1"}, "retro-1", InviteInput{TeamID: "team-1", Expires: w.clock.now().Add(time.Hour)})
	_, g1, err := s.JoinAsGuest(ctx, Caller{CommandID: "join-1"}, inv.Code, GuestInput{Email: "gus@example.org", Name: "Gus"})
	if err != nil {
		t.Fatal(err)
	}
	_, g2, err := s.JoinAsGuest(ctx, Caller{CommandID: "join-2"}, inv.Code, GuestInput{Email: "gus@example.org", Name: "Mallory"})
	if err != nil {
		t.Fatal(err)
	}
	if g1.UserID == g2.UserID {
		t.Fatal("two joins with one address are one guest without any proof")
	}
	if id := mustRegister(t, s, "reg-1", "gus@example.org", "correct horse battery", "Mallory"); id == g1.UserID {
		t.Fatal("a registration took the guest's identity without any proof")
	}
}

func TestAProviderProvingAnUnverifiedAccountsAddressEndsItsPasswordAndSessions(t *testing.T) {
	w := newWorld(t)
	s := w.node()
	// Mallory registers Ada's address before Ada ever signs in.
	mustRegister(t, s, "reg-1", "ada@example.org", "mallory's password", "Ada")
	mallory := mustLogin(t, s, "ada@example.org", "mallory's password")
	tok, err := s.SignInVerified(ctx, VerifiedPerson{Email: "ada@example.org", Name: "Ada", Issuer: "https://idp.example", Subject: "ada"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Login(ctx, Credentials{Email: "ada@example.org", Password: "mallory's password"}); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("Mallory's password after Ada's provider proved the address: %v", err)
	}
	wantUnauthenticated(t, s, mallory.Token, "Mallory's session after the provider proved the address")
	if p, err := s.Authenticate(ctx, tok.Token); err != nil || p.UserID != tok.Principal.UserID {
		t.Errorf("Ada's session = %+v, %v", p, err)
	}
	if prof, err := s.Profile(ctx, tok.Principal.UserID); err != nil || !prof.EmailVerified {
		t.Errorf("Ada's profile after the provider = %+v, %v", prof, err)
	}
}

// FuzzLinkTokens feeds arbitrary tokens to every way of following a link:
// never a panic, never an error but a link refusal (the in-memory store
// never fails), and only the one real token works.
func FuzzLinkTokens(f *testing.F) {
	w := newWorld(f)
	w.guestJoin = GuestJoinProof
	s := w.node()
	mustRegisterF := func(cmd, email string) {
		if _, err := s.Register(ctx, Caller{CommandID: cmd}, Registration{Email: email, Password: "correct horse battery", Name: "Fuzz"}); err != nil {
			f.Fatal(err)
		}
	}
	mustRegisterF("c1", "ada@example.org")
	if err := s.RequestPasswordReset(ctx, "ada@example.org"); err != nil {
		f.Fatal(err)
	}
	links, _ := issued(f, w, s, 0)
	for _, l := range links {
		f.Add(l.Token)
	}
	f.Add("")
	f.Add("AAAA")
	f.Add("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	f.Add("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB")
	f.Fuzz(func(t *testing.T, token string) {
		if stream, ok := ParseLinkToken(token); ok && (len(stream) != 64 || len(token) != 43) {
			t.Fatalf("ParseLinkToken(%q) = %q", token, stream)
		}
		known := false
		for _, l := range links {
			known = known || l.Token == token
		}
		for _, err := range []error{s.VerifyEmail(ctx, token), s.ResetPassword(ctx, token, "a long enough password")} {
			var linkErr bool
			for _, want := range []error{ErrLinkInvalid, ErrLinkUsed, ErrLinkExpired, ErrLinkVoid} {
				linkErr = linkErr || errors.Is(err, want)
			}
			if err == nil && !known {
				t.Fatalf("a made-up token %q was accepted", token)
			}
			if err != nil && !linkErr {
				t.Fatalf("token %q: %v, want a link refusal", token, err)
			}
		}
		if _, _, err := s.ConfirmGuestJoin(ctx, token); err == nil {
			t.Fatalf("token %q joined as a guest", token)
		}
	})
}
