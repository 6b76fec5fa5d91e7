package app_test

import (
	"context"
	"errors"
	"testing"

	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/app/keys"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/domain/team"
)

// A whole retro through the app: workspace, team, members, retro, joining,
// concealed cards, reveal, voting, an action, closing; with the people who
// must be refused at each door.
func TestAWholeRetroThroughTheApp(t *testing.T) {
	f := newTeam(t)
	ctx := f.ctx()

	// A workspace admin who is not in the team sees its name, not its content.
	tv := must(f.app.Team(ctx, user(uAda), f.team))(t)
	if tv.Content != nil || tv.MemberCount != 3 || tv.IsMember {
		t.Errorf("workspace admin's team view: %+v, want counts only (3 members)", tv)
	}
	if tv := must(f.app.Team(ctx, user(uBea), f.team))(t); tv.Content == nil || len(tv.Content.Members) != 3 {
		t.Errorf("member's team view: %+v, want the 3 members", tv)
	}
	_, err := f.app.Team(ctx, user(uOut), f.team)
	refused(t, "an outsider reads the team", err, domain.ErrNotFound) // as a missing one: see hidden
	_, err = f.app.AddMember(ctx, f.as(user(uBea)), f.team, app.AddMemberInput{UserID: uOut})
	rejected(t, "a member who is not team admin adds a member", err, domain.Forbidden, team.CodeNotTeamAdmin)

	// Only members create retros: not an outsider, not the workspace admin,
	// not through a read-only token.
	in := app.CreateRetroInput{TeamID: f.team, Title: "Sprint 1"}
	_, err = f.app.CreateRetro(ctx, f.as(user(uOut)), in)
	refused(t, "an outsider creates a retro", err, domain.ErrNotFound) // as a missing one: see hidden
	_, err = f.app.CreateRetro(ctx, f.as(user(uAda)), in)
	refused(t, "the workspace admin creates a retro in a team they are not in", err, domain.ErrForbidden)
	_, err = f.app.CreateRetro(ctx, f.as(readOnly(uMod)), in)
	refused(t, "a read-only token creates a retro", err, domain.ErrForbidden)

	r := must(f.app.CreateRetro(ctx, f.as(user(uMod)), in))(t)
	if r.ID == "" || r.Position == 0 {
		t.Fatalf("create retro: %+v", r)
	}
	rid := r.ID
	v := f.view(user(uMod), rid)
	if v.Title != "Sprint 1" || v.Moderator != uMod || len(v.Columns) != 3 || v.Columns[0].ID != "start" {
		t.Errorf("new retro: %+v, want the team's default template (start, stop, continue) moderated by mod", v)
	}

	// Joining: members yes; an outsider and a guest of another retro no.
	for _, u := range []string{uBea, uCal} {
		must(f.app.JoinRetro(ctx, f.as(user(u)), rid))(t)
	}
	_, err = f.app.JoinRetro(ctx, f.as(user(uOut)), rid)
	refused(t, "an outsider joins", err, domain.ErrNotFound) // as a missing one: see hidden
	_, err = f.app.JoinRetro(ctx, f.as(guest(uGst, "some-other-retro")), rid)
	refused(t, "a guest of another retro joins", err, domain.ErrNotFound) // as a missing one: see hidden
	_, err = f.app.Retro(ctx, guest(uGst, "some-other-retro"), rid)
	refused(t, "a guest of another retro reads it", err, domain.ErrNotFound) // as a missing one: see hidden
	// A guest invited to this retro joins, is admitted by the team, and sees it.
	must(f.app.JoinRetro(ctx, f.as(guest(uGst, rid)), rid))(t)
	if gv := f.view(guest(uGst, rid), rid); !gv.You.Participant || gv.You.Role != retro.RoleGuest {
		t.Errorf("guest's own standing: %+v", gv.You)
	}
	if tv := must(f.app.Team(ctx, user(uMod), f.team))(t); len(tv.Content.Guests) != 1 || tv.Content.Guests[0].UserID != uGst {
		t.Errorf("team guests after the guest joined: %+v", tv.Content.Guests)
	}
	_, err = f.app.Team(ctx, guest(uGst, rid), f.team)
	refused(t, "a guest reads the team", err, domain.ErrForbidden)

	// Bea writes a card: concealed from everyone but her.
	card := must(f.retro(user(uBea), rid, app.AddCard{ColumnID: "start", Text: "pair on the deploy scripts"}))(t).ID
	if c, ok := cardIn(f.view(user(uBea), rid), card); !ok || c.Text == "" || !c.Mine {
		t.Errorf("author's own concealed card: %+v, want its text, mine", c)
	}
	for _, p := range []string{uCal, uMod} {
		if c, ok := cardIn(f.view(user(p), rid), card); !ok || c.Text != "" || !c.Concealed || c.Author != "" {
			t.Errorf("%s sees bea's concealed card as %+v, want it there with no text and no author", p, c)
		}
	}
	// Nobody outside the team sees the retro at all, the workspace admin included.
	for _, c := range []struct {
		what string
		p    identity.Principal
	}{{"the workspace admin", user(uAda)}, {"an outsider", user(uOut)}} {
		_, err := f.app.Retro(ctx, c.p, rid)
		refused(t, c.what+" reads the retro", err, domain.ErrNotFound) // as a missing one: see hidden
		_, err = f.app.RetroViewer(ctx, c.p, rid)
		refused(t, c.what+" follows the retro live", err, domain.ErrNotFound) // as a missing one: see hidden
		_, err = f.app.RetroJoinViewer(ctx, c.p, rid)
		refused(t, c.what+" joins the live feed", err, domain.ErrNotFound) // as a missing one: see hidden
	}
	_, err = f.app.RetroJoinViewer(ctx, guest(uGst, "some-other-retro"), rid)
	refused(t, "a guest of another retro joins the live feed", err, domain.ErrNotFound)
	// A join decided on the followers' state sees the viewer the store's does.
	for _, p := range []identity.Principal{user(uBea), guest(uGst, rid)} {
		want := must(f.app.RetroViewer(ctx, p, rid))(t)
		if got := must(f.app.RetroJoinViewer(ctx, p, rid))(t); got != want {
			t.Errorf("%s joins the live feed as %+v, want %+v", p.UserID, got, want)
		}
	}
	// A read-only token reads but does not write.
	if c, _ := cardIn(f.view(readOnly(uBea), rid), card); !c.Mine {
		t.Errorf("bea's read-only token sees her card as %+v", c)
	}
	_, err = f.retro(readOnly(uCal), rid, app.AddCard{ColumnID: "start", Text: "x"})
	refused(t, "a read-only token adds a card", err, domain.ErrForbidden)

	// Only the moderator reveals (the domain's rule, through the app).
	_, err = f.retro(user(uBea), rid, app.RevealColumn{ColumnID: "start"})
	rejected(t, "a participant reveals", err, domain.Forbidden, "not-moderator")
	must(f.retro(user(uMod), rid, app.RevealColumn{ColumnID: "start"}))(t)
	if c, _ := cardIn(f.view(user(uCal), rid), card); c.Text != "pair on the deploy scripts" || c.Author != uBea {
		t.Errorf("after reveal cal sees %+v, want text and author (the retro is not anonymous)", c)
	}

	// Voting: bea's vote is hers alone until the round closes.
	round := must(f.retro(user(uMod), rid, app.StartVoting{Budget: 3}))(t)
	if round.ID == "" {
		t.Error("start voting answered no round ID")
	}
	must(f.retro(user(uBea), rid, app.CastVote{TopicID: card}))(t)
	if vv := f.view(user(uCal), rid).Voting; len(vv.YourVotes) != 0 || vv.Cast != 1 {
		t.Errorf("cal's voting view: %+v, want one vote cast, none of them cal's", vv)
	}
	if vv := f.view(user(uBea), rid).Voting; vv.YourVotes[card] != 1 {
		t.Errorf("bea's voting view: %+v, want her vote", vv)
	}
	must(f.retro(user(uMod), rid, app.CloseVoting{}))(t)
	if c, _ := cardIn(f.view(user(uCal), rid), card); c.Votes != 1 {
		t.Errorf("published votes on bea's card: %d, want 1", c.Votes)
	}

	// An action from the card becomes the team's.
	act := must(f.retro(user(uBea), rid, app.CreateAction{Title: "Script the deploy", TopicID: card, Assignee: uCal}))(t)
	acts := must(f.app.TeamActions(ctx, user(uCal), f.team))(t)
	if len(acts) != 1 || act.ID == "" || acts[0].ID != act.ID || acts[0].Status != team.StatusOpen || acts[0].OriginRetroID != rid || acts[0].Assignee != uCal {
		t.Errorf("team actions: %+v, want %s open, from the retro, assigned to cal", acts, act.ID)
	}
	_, err = f.app.TeamActions(ctx, user(uAda), f.team)
	refused(t, "the workspace admin lists the team's actions", err, domain.ErrForbidden)

	// Closing ends the anonymity window: the retro's key is gone.
	closed := must(f.retro(user(uMod), rid, app.CloseRetro{}))(t)
	if _, err := f.keys.Get(ctx, "retro:"+rid); !errors.Is(err, keys.ErrDestroyed) {
		t.Errorf("retro key after close: %v, want destroyed", err)
	}
	if !f.view(user(uCal), rid).Closed {
		t.Error("the retro does not show as closed")
	}

	// The team's history has it, for members only, once the read model caught up.
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- f.app.Run(runCtx) }()
	defer func() {
		stop()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Run: %v", err)
		}
	}()
	if err := f.app.WaitForHistory(ctx, closed.Position); err != nil {
		t.Fatal(err)
	}
	hist := must(f.app.TeamRetros(ctx, user(uBea), f.team))(t)
	if len(hist) != 1 || hist[0].RetroID != rid || hist[0].ClosedAt == nil || hist[0].Cards != 1 || hist[0].Votes != 1 ||
		hist[0].Actions != 1 || hist[0].Participants != 4 {
		t.Errorf("team history: %+v, want the closed retro with 4 participants, 1 card, 1 vote, 1 action", hist)
	}
	_, err = f.app.TeamRetros(ctx, user(uAda), f.team)
	refused(t, "the workspace admin reads the team's history", err, domain.ErrForbidden)
}
