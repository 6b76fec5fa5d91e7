package app_test

import (
	"slices"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/domain/team"
)

func reviewIDs(v retro.RetroView) []string {
	var ids []string
	for _, a := range v.ActionReview {
		ids = append(ids, a.ID)
	}
	return ids
}

// Actions travel from retro to retro through the team: created in one,
// reviewed in the next; done ones stop there, kept and untouched ones go on.
func TestActionsAreCarriedUntilReviewedDone(t *testing.T) {
	f := newTeam(t)
	closeRetro := func(rid string) {
		must(f.retro(user(uMod), rid, func(a domain.Actor, at time.Time) retro.Command { return retro.CloseRetro{Actor: a, At: at} }))(t)
	}
	// Given retro 1 created three actions and closed.
	r1 := f.newRetro("Sprint 1", false)
	for _, id := range []string{"act-done", "act-kept", "act-untouched"} {
		must(f.retro(user(uBea), r1, func(a domain.Actor, at time.Time) retro.Command {
			return retro.CreateAction{Actor: a, At: at, ActionID: id, Title: "Do " + id}
		}))(t)
	}
	closeRetro(r1)

	// When retro 2 is created, its action review holds all three.
	r2 := f.newRetro("Sprint 2", false)
	if got := reviewIDs(f.view(user(uCal), r2)); !slices.Equal(got, []string{"act-done", "act-kept", "act-untouched"}) {
		t.Fatalf("retro 2 reviews %v, want the three actions of retro 1", got)
	}
	// And the team reviews one done and one kept.
	for id, outcome := range map[string]retro.Outcome{"act-done": retro.OutcomeDone, "act-kept": retro.OutcomeKept} {
		must(f.retro(user(uCal), r2, func(a domain.Actor, at time.Time) retro.Command {
			return retro.ReviewAction{Actor: a, At: at, ActionID: id, Outcome: outcome}
		}))(t)
	}
	// Then the team's actions say so, reviewed in retro 2.
	status := map[string]team.Action{}
	for _, a := range must(f.app.TeamActions(f.ctx(), user(uBea), f.team))(t) {
		status[a.ID] = a
	}
	if a := status["act-done"]; a.Status != team.StatusDone || a.ReviewedInRetro != r2 {
		t.Errorf("act-done on the team: %+v, want done in retro 2", a)
	}
	if a := status["act-kept"]; a.Status != team.StatusKept || a.ReviewedInRetro != r2 {
		t.Errorf("act-kept on the team: %+v, want kept in retro 2", a)
	}
	if a := status["act-untouched"]; a.Status != team.StatusOpen {
		t.Errorf("act-untouched on the team: %+v, want open", a)
	}
	closeRetro(r2)

	// And retro 3 carries only what is still open.
	r3 := f.newRetro("Sprint 3", false)
	if got := reviewIDs(f.view(user(uCal), r3)); !slices.Equal(got, []string{"act-kept", "act-untouched"}) {
		t.Errorf("retro 3 reviews %v, want act-kept and act-untouched, not the done one", got)
	}
}

func TestAnActionMarkedDoneInItsRetroIsDoneOnTheTeam(t *testing.T) {
	f := newTeam(t)
	rid := f.newRetro("Sprint 1", false)
	must(f.retro(user(uBea), rid, func(a domain.Actor, at time.Time) retro.Command {
		return retro.CreateAction{Actor: a, At: at, ActionID: "act-1", Title: "Rename the job"}
	}))(t)
	// When it is finished before the retro even ends.
	must(f.retro(user(uCal), rid, func(a domain.Actor, at time.Time) retro.Command {
		return retro.SetActionStatus{Actor: a, At: at, ActionID: "act-1", Status: retro.ActionDone}
	}))(t)
	// Then the team has it done, and the next retro does not carry it.
	acts := must(f.app.TeamActions(f.ctx(), user(uBea), f.team))(t)
	if len(acts) != 1 || acts[0].Status != team.StatusDone {
		t.Errorf("team actions: %+v, want act-1 done", acts)
	}
	if got := reviewIDs(f.view(user(uCal), f.newRetro("Sprint 2", false))); len(got) != 0 {
		t.Errorf("next retro reviews %v, want nothing", got)
	}
}

// Moving to the health-check step asks the team pack's questions; moving to
// the icebreaker step draws a question. Neither overrides what the
// moderator set up by hand.
func TestEnteringStepsSetsThemUp(t *testing.T) {
	f := newTeam(t)
	rid := f.newRetro("Sprint 1", false)
	goTo := func(step string) {
		must(f.retro(user(uMod), rid, func(a domain.Actor, at time.Time) retro.Command {
			return retro.GoToStep{Actor: a, At: at, StepID: step}
		}))(t)
	}
	goTo(string(retro.KindIcebreaker))
	v := f.view(user(uBea), rid)
	if v.Icebreaker == nil || v.Icebreaker.Text == "" {
		t.Errorf("icebreaker after entering its step: %+v, want a question", v.Icebreaker)
	}
	pack, _ := f.cat.HealthPack("five-agile-values") // the scrum-team template's pack
	goTo(string(retro.KindHealthCheck))
	v = f.view(user(uBea), rid)
	if v.Health == nil || len(v.Health.Questions) != len(pack.Questions) || v.Health.Questions[0].ID != pack.Questions[0].ID {
		t.Fatalf("health check after entering its step: %+v, want the %d questions of %s", v.Health, len(pack.Questions), pack.ID)
	}
	// Going back and forth changes neither.
	ice := v.Icebreaker.Text
	goTo(string(retro.KindIcebreaker))
	goTo(string(retro.KindHealthCheck))
	if v := f.view(user(uBea), rid); v.Icebreaker.Text != ice || len(v.Health.Questions) != len(pack.Questions) {
		t.Errorf("after going back and forth: icebreaker %q (was %q), %d questions", v.Icebreaker.Text, ice, len(v.Health.Questions))
	}
}
