package identity

import (
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
)

func TestAnAccountIsFoundByItsEmailAddressWhateverItsCase(t *testing.T) {
	w := newWorld(t)
	s := w.node()
	id := mustRegister(t, s, "cmd-1", "Ada@Example.org", "correct horse battery", "Ada")
	got, err := w.node().AccountByEmail(ctx, "  ada@EXAMPLE.org")
	if err != nil || got != id {
		t.Fatalf("AccountByEmail = %q, %v; want %q", got, err, id)
	}
}

func TestAnAddressWithoutAnAccountIsUnknownAndNothingIsCreated(t *testing.T) {
	w := newWorld(t)
	s := w.node()
	mod := Principal{UserID: "mod-1", Kind: KindUser, Scopes: []Scope{ScopeRead, ScopeWrite}}
	inv, err := s.CreateInvite(ctx, Caller{Principal: mod, CommandID: "inv-1"}, "retro-1", InviteInput{TeamID: "team-1", Expires: w.clock.now().Add(24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.JoinAsGuest(ctx, Caller{CommandID: "join-1"}, inv.Code, GuestInput{Email: "gus@example.org", Name: "Gus"}); err != nil {
		t.Fatal(err)
	}
	erased := mustRegister(t, s, "cmd-2", "eve@example.org", "correct horse battery", "Eve")
	if err := s.Erase(ctx, erased); err != nil {
		t.Fatal(err)
	}
	before, err := w.store.LastPosition(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, addr := range []string{"nobody@example.org", "gus@example.org", "eve@example.org"} {
		_, err := s.AccountByEmail(ctx, addr)
		wantDomainError(t, err, domain.NotFound, CodeEmailUnknown)
	}
	_, err = s.AccountByEmail(ctx, "not an address")
	wantDomainError(t, err, domain.Invalid, CodeEmailInvalid)
	if after, _ := w.store.LastPosition(ctx); after != before {
		t.Errorf("looking addresses up wrote to the log: position %d → %d", before, after)
	}
}
