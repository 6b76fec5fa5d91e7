package identity

import (
	"errors"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
)

func TestGuestJoinsThroughAnInvite(t *testing.T) {
	w := newWorld(t)
	w.guestJoin = GuestJoinByAddress
	s := w.node()
	mod := loggedIn(t, s, "c1", "mod@example.org")
	inv, err := s.CreateInvite(ctx, Caller{Principal: mod, CommandID: "inv-1"}, "retro-1", InviteInput{TeamID: "team-1", Expires: w.clock.now().Add(24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if again, err := s.CreateInvite(ctx, Caller{Principal: mod, CommandID: "inv-1"}, "retro-1", InviteInput{TeamID: "team-1", Expires: w.clock.now().Add(24 * time.Hour)}); err != nil || again != inv {
		t.Fatalf("retried CreateInvite = %+v, %v; want %+v", again, err, inv)
	}

	tok, p, err := s.JoinAsGuest(ctx, Caller{CommandID: "join-1"}, inv.Code, GuestInput{Email: "Gus@Example.org", Name: "Gus"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Kind != KindGuest || p.RetroID != "retro-1" || !p.Can(ScopeWrite) || tok.Principal.UserID != p.UserID {
		t.Fatalf("guest principal = %+v", p)
	}
	if got, err := w.node().Authenticate(ctx, tok.Token); err != nil || got.RetroID != "retro-1" || got.Kind != KindGuest || got.UserID != p.UserID {
		t.Fatalf("guest session authenticates as %+v, %v", got, err)
	}
	prof, err := s.Profile(ctx, p.UserID)
	if err != nil || prof != (Profile{UserID: p.UserID, Name: "Gus", Email: "gus@example.org", Guest: true, Language: "en"}) {
		t.Fatalf("guest profile = %+v, %v", prof, err)
	}

	// Returning through another invite, on another node: the same person.
	inv2, err := s.CreateInvite(ctx, Caller{Principal: mod, CommandID: "inv-2"}, "retro-2", InviteInput{TeamID: "team-1", Expires: w.clock.now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	_, p2, err := w.node().JoinAsGuest(ctx, Caller{CommandID: "join-2"}, inv2.Code, GuestInput{Email: " gus@example.ORG", Name: "Gus again"})
	if err != nil {
		t.Fatal(err)
	}
	if p2.UserID != p.UserID || p2.RetroID != "retro-2" {
		t.Fatalf("returning guest = %+v, first visit %+v; want the same user in retro-2", p2, p)
	}

	// Guests may not invite or mint tokens.
	if _, err := s.CreateInvite(ctx, Caller{Principal: p, CommandID: "inv-3"}, "retro-1", InviteInput{TeamID: "team-1", Expires: w.clock.now().Add(time.Hour)}); !errors.Is(err, domain.ErrForbidden) {
		t.Errorf("guest inviting: %v, want domain.ErrForbidden", err)
	}
	if _, err := s.IssueAPIToken(ctx, Caller{Principal: p, CommandID: "t"}, APITokenInput{Name: "x", Scopes: []Scope{ScopeRead}}); !errors.Is(err, domain.ErrForbidden) {
		t.Errorf("guest issuing a token: %v, want domain.ErrForbidden", err)
	}
}

func TestGuestJoinRefusals(t *testing.T) {
	w := newWorld(t)
	s := w.node()
	mod := loggedIn(t, s, "c1", "mod@example.org")
	inv, err := s.CreateInvite(ctx, Caller{Principal: mod, CommandID: "inv-1"}, "retro-1", InviteInput{TeamID: "team-1", Expires: w.clock.now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range []string{"", "nope", inv.Code[:len(inv.Code)-1] + "x", inv.Code + "A", "../../etc/passwd"} {
		if _, _, err := s.JoinAsGuest(ctx, Caller{CommandID: "j"}, code, GuestInput{Email: "gus@example.org", Name: "Gus"}); !errors.Is(err, ErrInviteInvalid) {
			t.Errorf("code %q: %v, want ErrInviteInvalid", code, err)
		}
	}
	if _, _, err := s.JoinAsGuest(ctx, Caller{CommandID: "j"}, inv.Code, GuestInput{Email: "mod@example.org", Name: "Not the moderator"}); !errors.Is(err, ErrAccountExists) {
		t.Errorf("joining as an account's address: %v, want ErrAccountExists", err)
	}
	_, _, err = s.JoinAsGuest(ctx, Caller{CommandID: "j"}, inv.Code, GuestInput{Email: "gus", Name: "Gus"})
	wantDomainError(t, err, domain.Invalid, CodeEmailInvalid)

	w.clock.advance(time.Hour)
	if _, _, err := s.JoinAsGuest(ctx, Caller{CommandID: "j"}, inv.Code, GuestInput{Email: "gus@example.org", Name: "Gus"}); !errors.Is(err, ErrInviteInvalid) {
		t.Errorf("expired invite: %v, want ErrInviteInvalid", err)
	}
	for name, exp := range map[string]time.Time{"past": w.clock.now(), "too-far": w.clock.now().Add(MaxInviteTTL + time.Second)} {
		_, err := s.CreateInvite(ctx, Caller{Principal: mod, CommandID: "inv-" + name}, "retro-1", InviteInput{TeamID: "team-1", Expires: exp})
		wantDomainError(t, err, domain.Invalid, CodeExpiryInvalid)
	}
}

func TestGuestRegistersAndKeepsTheirUserID(t *testing.T) {
	w := newWorld(t)
	w.guestJoin = GuestJoinByAddress
	s := w.node()
	mod := loggedIn(t, s, "c1", "mod@example.org")
	inv, _ := s.CreateInvite(ctx, Caller{Principal: mod, CommandID: "inv-1"}, "retro-1", InviteInput{TeamID: "team-1", Expires: w.clock.now().Add(time.Hour)})
	_, guest, err := s.JoinAsGuest(ctx, Caller{CommandID: "join-1"}, inv.Code, GuestInput{Email: "gus@example.org", Name: "Gus"})
	if err != nil {
		t.Fatal(err)
	}
	id := mustRegister(t, s, "reg-1", "GUS@example.org", "correct horse battery", "Gustav")
	if id != guest.UserID {
		t.Fatalf("registered as %s, was guest %s", id, guest.UserID)
	}
	prof, err := s.Profile(ctx, id)
	if err != nil || prof.Guest || prof.Name != "Gustav" {
		t.Fatalf("profile after registering = %+v, %v", prof, err)
	}
	if tok := mustLogin(t, s, "gus@example.org", "correct horse battery"); tok.Principal.UserID != id || tok.Principal.Kind != KindUser {
		t.Fatalf("login = %+v", tok.Principal)
	}
	// The address now has a password: joining with it alone no longer works.
	if _, _, err := s.JoinAsGuest(ctx, Caller{CommandID: "join-2"}, inv.Code, GuestInput{Email: "gus@example.org", Name: "Gus"}); !errors.Is(err, ErrAccountExists) {
		t.Fatalf("guest join after registering: %v, want ErrAccountExists", err)
	}
}

func TestConcurrentFirstJoinsAgreeOnOneGuest(t *testing.T) {
	w := newWorld(t)
	w.guestJoin = GuestJoinByAddress
	s := w.node()
	mod := loggedIn(t, s, "c1", "mod@example.org")
	inv, _ := s.CreateInvite(ctx, Caller{Principal: mod, CommandID: "inv-1"}, "retro-1", InviteInput{TeamID: "team-1", Expires: w.clock.now().Add(time.Hour)})
	nodes := []*Service{w.node(), w.node(), w.node()}
	ids := make(chan string, len(nodes))
	errs := make(chan error, len(nodes))
	for i, n := range nodes {
		go func() {
			_, p, err := n.JoinAsGuest(ctx, Caller{CommandID: "join-" + string(rune('a'+i))}, inv.Code, GuestInput{Email: "gus@example.org", Name: "Gus"})
			ids <- p.UserID
			errs <- err
		}()
	}
	first := ""
	for range nodes {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
		id := <-ids
		if first == "" {
			first = id
		}
		if id != first {
			t.Fatalf("concurrent joins got users %s and %s", first, id)
		}
	}
	if _, err := s.Profile(ctx, first); err != nil {
		t.Fatalf("the agreed guest's profile: %v", err)
	}
}

func TestErasedGuestReturnsAsSomeoneNew(t *testing.T) {
	w := newWorld(t)
	s := w.node()
	mod := loggedIn(t, s, "c1", "mod@example.org")
	inv, _ := s.CreateInvite(ctx, Caller{Principal: mod, CommandID: "inv-1"}, "retro-1", InviteInput{TeamID: "team-1", Expires: w.clock.now().Add(time.Hour)})
	_, p, err := s.JoinAsGuest(ctx, Caller{CommandID: "join-1"}, inv.Code, GuestInput{Email: "gus@example.org", Name: "Gus"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Erase(ctx, p.UserID); err != nil {
		t.Fatal(err)
	}
	_, p2, err := s.JoinAsGuest(ctx, Caller{CommandID: "join-2"}, inv.Code, GuestInput{Email: "gus@example.org", Name: "Gus"})
	if err != nil {
		t.Fatal(err)
	}
	if p2.UserID == p.UserID {
		t.Fatal("an erased guest came back with the erased user ID")
	}
	if _, err := s.Profile(ctx, p.UserID); !errors.Is(err, ErrErased) {
		t.Fatalf("erased guest's profile: %v, want ErrErased", err)
	}
}
