package identity

import (
	"errors"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
)

// FuzzAuthenticate feeds arbitrary bearer strings to Authenticate: it must
// never panic, and must answer either with a principal it has reason to
// trust (one of the tokens issued below) or domain.ErrUnauthenticated; the
// in-memory store never fails, so no other error is acceptable.
func FuzzAuthenticate(f *testing.F) {
	w := newWorld(f)
	s := w.node()
	mustRegisterF := func(cmd, email string) Principal {
		if _, err := s.Register(ctx, Caller{CommandID: cmd}, Registration{Email: email, Password: "correct horse battery", Name: "Fuzz"}); err != nil {
			f.Fatal(err)
		}
		tok, err := s.Login(ctx, Credentials{Email: email, Password: "correct horse battery"})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(tok.Token)
		return tok.Principal
	}
	ada := mustRegisterF("c1", "ada@example.org")
	api, err := s.IssueAPIToken(ctx, Caller{Principal: ada, CommandID: "t1"}, APITokenInput{Name: "fuzz", Scopes: []Scope{ScopeRead}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(api.Token)
	inv, err := s.CreateInvite(ctx, Caller{Principal: ada, CommandID: "i1"}, "retro-1", InviteInput{TeamID: "team-1", Expires: w.clock.now().Add(time.Hour)})
	if err != nil {
		f.Fatal(err)
	}
	guest, _, err := s.JoinAsGuest(ctx, Caller{CommandID: "j1"}, inv.Code, GuestInput{Email: "gus@example.org", Name: "Gus"})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(guest.Token)

	f.Fuzz(func(t *testing.T, bearer string) {
		p, err := s.Authenticate(ctx, bearer)
		if err != nil {
			if !errors.Is(err, domain.ErrUnauthenticated) {
				t.Fatalf("Authenticate(%q) = %v, want domain.ErrUnauthenticated or success", bearer, err)
			}
			return
		}
		if p.UserID == "" || p.TokenID == "" || len(p.Scopes) == 0 {
			t.Fatalf("Authenticate(%q) accepted an incomplete principal %+v", bearer, p)
		}
		if p.Kind == KindGuest && p.RetroID == "" {
			t.Fatalf("guest principal without a retro: %+v", p)
		}
		if p.Kind == KindAPIToken && p.Can(ScopeWrite) {
			t.Fatalf("fuzzing turned the read-only API token into a writer: %+v", p)
		}
	})
}
