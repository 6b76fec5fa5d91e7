package app_test

import (
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/domain"
)

// A guest joins through an invite the moderator made, takes part in that
// retro, and sees nothing else.
func TestAGuestJoinsThroughAnInvite(t *testing.T) {
	f := newTeam(t)
	ids := f.withIdentity()
	ctx := f.ctx()
	rid := f.newRetro("Sprint 1", false)
	other := f.newRetro("Sprint 1b", false)
	expires := t0.Add(24 * time.Hour)

	// Only the moderator invites.
	_, err := f.app.CreateInvite(ctx, f.as(user(uBea)), rid, expires)
	refused(t, "a participant invites", err, domain.ErrForbidden)
	inv := must(f.app.CreateInvite(ctx, f.as(user(uMod)), rid, expires))(t)
	if inv.RetroID != rid || inv.TeamID != f.team || inv.Code == "" {
		t.Fatalf("invite: %+v", inv)
	}

	// The guest redeems it with an e-mail address and joins.
	_, g, err := ids.JoinAsGuest(ctx, identity.Caller{CommandID: f.cmdID()}, inv.Code, identity.GuestInput{Email: "guest@example.org", Name: "Gus"})
	if err != nil {
		t.Fatal(err)
	}
	must(f.app.JoinRetro(ctx, f.as(g), rid))(t)
	card := must(f.retro(g, rid, app.AddCard{ColumnID: "start", Text: "outside view"}))(t).ID
	if c, _ := cardIn(f.view(g, rid), card); !c.Mine {
		t.Errorf("the guest's own card: %+v", c)
	}
	// Nothing else: not the other retro, not the team, not the history.
	_, err = f.app.Retro(ctx, g, other)
	refused(t, "the guest reads another retro of the team", err, domain.ErrNotFound) // as a missing one: see hidden
	_, err = f.app.JoinRetro(ctx, f.as(g), other)
	refused(t, "the guest joins another retro of the team", err, domain.ErrNotFound) // as a missing one: see hidden
	_, err = f.app.Team(ctx, g, f.team)
	refused(t, "the guest reads the team", err, domain.ErrForbidden)
	_, err = f.app.TeamRetros(ctx, g, f.team)
	refused(t, "the guest reads the team's history", err, domain.ErrForbidden)
}
