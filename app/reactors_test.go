package app_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/app/keys"
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
		must(f.retro(user(uMod), rid, app.CloseRetro{}))(t)
	}
	// Given retro 1 created three actions and closed.
	r1 := f.newRetro("Sprint 1", false)
	ids := map[string]string{} // the action's name: its ID
	for _, name := range []string{"act-done", "act-kept", "act-untouched"} {
		ids[name] = must(f.retro(user(uBea), r1, app.CreateAction{Title: "Do " + name}))(t).ID
	}
	closeRetro(r1)

	// When retro 2 is created, its action review holds all three.
	r2 := f.newRetro("Sprint 2", false)
	if got := reviewIDs(f.view(user(uCal), r2)); !slices.Equal(got, []string{ids["act-done"], ids["act-kept"], ids["act-untouched"]}) {
		t.Fatalf("retro 2 reviews %v, want the three actions of retro 1", got)
	}
	// And the team reviews one done and one kept.
	for name, outcome := range map[string]retro.Outcome{"act-done": retro.OutcomeDone, "act-kept": retro.OutcomeKept} {
		must(f.retro(user(uCal), r2, app.ReviewAction{ActionID: ids[name], Outcome: outcome}))(t)
	}
	// Then the team's actions say so, reviewed in retro 2.
	status := map[string]team.Action{}
	for _, a := range must(f.app.TeamActions(f.ctx(), user(uBea), f.team))(t) {
		status[a.ID] = a
	}
	if a := status[ids["act-done"]]; a.Status != team.StatusDone || a.ReviewedInRetro != r2 {
		t.Errorf("act-done on the team: %+v, want done in retro 2", a)
	}
	if a := status[ids["act-kept"]]; a.Status != team.StatusKept || a.ReviewedInRetro != r2 {
		t.Errorf("act-kept on the team: %+v, want kept in retro 2", a)
	}
	if a := status[ids["act-untouched"]]; a.Status != team.StatusOpen {
		t.Errorf("act-untouched on the team: %+v, want open", a)
	}
	closeRetro(r2)

	// And retro 3 carries only what is still open.
	r3 := f.newRetro("Sprint 3", false)
	if got := reviewIDs(f.view(user(uCal), r3)); !slices.Equal(got, []string{ids["act-kept"], ids["act-untouched"]}) {
		t.Errorf("retro 3 reviews %v, want act-kept and act-untouched, not the done one", got)
	}
}

func TestAnActionMarkedDoneInItsRetroIsDoneOnTheTeam(t *testing.T) {
	f := newTeam(t)
	rid := f.newRetro("Sprint 1", false)
	act := must(f.retro(user(uBea), rid, app.CreateAction{Title: "Rename the job"}))(t).ID
	// When it is finished before the retro even ends.
	must(f.retro(user(uCal), rid, app.SetActionStatus{ActionID: act, Status: retro.ActionDone}))(t)
	// Then the team has it done, and the next retro does not carry it.
	acts := must(f.app.TeamActions(f.ctx(), user(uBea), f.team))(t)
	if len(acts) != 1 || acts[0].Status != team.StatusDone {
		t.Errorf("team actions: %+v, want act-1 done", acts)
	}
	if got := reviewIDs(f.view(user(uCal), f.newRetro("Sprint 2", false))); len(got) != 0 {
		t.Errorf("next retro reviews %v, want nothing", got)
	}
}

// Moving to the health-check step asks the questions of the pack the retro's
// template suggests; moving to
// the icebreaker step draws a question. Neither overrides what the
// moderator set up by hand.
func TestEnteringStepsSetsThemUp(t *testing.T) {
	f := newTeam(t)
	rid := f.newRetro("Sprint 1", false)
	goTo := func(step string) {
		must(f.retro(user(uMod), rid, app.GoToStep{StepID: step}))(t)
	}
	goTo(string(retro.KindIcebreaker))
	v := f.view(user(uBea), rid)
	if v.Icebreaker == nil || v.Icebreaker.Text == "" {
		t.Errorf("icebreaker after entering its step: %+v, want a question", v.Icebreaker)
	}
	pack, _ := f.cat.HealthPack("quick-pulse") // suggested by start-stop-continue, the scrum-team's board
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

func teamAction(t *testing.T, f *fixture, id string) team.Action {
	t.Helper()
	for _, a := range must(f.app.TeamActions(f.ctx(), user(uBea), f.team))(t) {
		if a.ID == id {
			return a
		}
	}
	t.Fatalf("the team has no action %s", id)
	return team.Action{}
}

// An action assigned and dated after it was created shows who has it and
// by when on the team's action tracker, not only in the retro.
func TestAssigningAndDatingAnActionLaterReachesTheTeam(t *testing.T) {
	f := newTeam(t)
	rid := f.newRetro("Sprint 1", true)
	act := must(f.retro(user(uBea), rid, app.CreateAction{Title: "Rename the job"}))(t).ID
	if a := teamAction(t, f, act); a.Assignee != "" || !a.Due.IsZero() {
		t.Fatalf("the new action on the team: %+v, want no assignee, no due date", a)
	}

	assign := func(who string) {
		must(f.retro(user(uBea), rid, app.AssignAction{ActionID: act, Assignee: who}))(t)
	}
	due := time.Date(2026, 12, 4, 17, 0, 0, 0, time.UTC)
	assign(uCal)
	must(f.retro(user(uCal), rid, app.SetActionDueDate{ActionID: act, Due: &due}))(t)
	a := teamAction(t, f, act)
	if a.Assignee != uCal || !a.Due.Equal(due) {
		t.Fatalf("the team's action: %+v, want assigned to cal, due %s", a, due)
	}

	// A guest (not a member) holds it in the retro only: on the team nobody
	// does, rather than the member who no longer has it.
	assign("user-gus-0099")
	if a := teamAction(t, f, act); a.Assignee != "" {
		t.Errorf("after assigning to a non-member: %+v, want unassigned on the team", a)
	}
	// Another non-member: still nobody on the team, which is already so.
	assign("user-gil-0098")
	must(f.retro(user(uCal), rid, app.SetActionDueDate{ActionID: act}))(t)
	if a := teamAction(t, f, act); !a.Due.IsZero() {
		t.Errorf("after clearing the due date: %+v, want none on the team", a)
	}
	// The team records who changed it: the moderator, never the anonymous
	// retro's participant who did.
	for _, re := range f.events() {
		if re.Type == team.TypeActionReassigned || re.Type == team.TypeActionRescheduled {
			if re.Actor != uMod {
				t.Errorf("%s names %q, want the moderator", re.Type, re.Actor)
			}
		}
	}
}

// A retried assignment stores its reaction once, and the team rejecting it
// as already so is not a failure.
func TestARetriedAssignmentReassignsOnce(t *testing.T) {
	f := newTeam(t)
	rid := f.newRetro("Sprint 1", false)
	act := must(f.retro(user(uBea), rid, app.CreateAction{Title: "Rename the job"}))(t).ID
	key := f.cmdID()
	for range 2 {
		must(f.retroKeyed(user(uBea), rid, key, app.AssignAction{ActionID: act, Assignee: uBea}))(t)
	}
	if n := f.countType(team.TypeActionReassigned); n != 1 {
		t.Errorf("the team recorded %d reassignments, want 1", n)
	}
	if a := teamAction(t, f, act); a.Assignee != uBea {
		t.Errorf("the team's action: %+v, want bea's", a)
	}
}

// A done action's plan is history on the team: changing it in the retro
// afterwards leaves the team's record as it was, without an error.
func TestReassigningADoneActionLeavesTheTeamsRecord(t *testing.T) {
	f := newTeam(t)
	rid := f.newRetro("Sprint 1", false)
	act := must(f.retro(user(uBea), rid, app.CreateAction{Title: "Rename the job", Assignee: uBea}))(t).ID
	must(f.retro(user(uCal), rid, app.SetActionStatus{ActionID: act, Status: retro.ActionDone}))(t)
	must(f.retro(user(uCal), rid, app.AssignAction{ActionID: act, Assignee: uCal}))(t)
	if a := teamAction(t, f, act); a.Assignee != uBea || a.Status != team.StatusDone {
		t.Errorf("the team's done action: %+v, want still bea's", a)
	}
}

// An action whose recording on the team failed, and was never retried,
// reaches the team when it is assigned: recorded with its assignee, which
// the reassignment then finds already so.
func TestAssigningAnActionTheTeamMissedRecordsIt(t *testing.T) {
	f := newTeam(t)
	rid := f.newRetro("Sprint 1", false)
	f.store.failNext(team.Category, 1)
	res, err := f.retro(user(uBea), rid, app.CreateAction{Title: "Rename the job"})
	act := res.ID
	if !errors.Is(err, app.ErrIncomplete) || act == "" {
		t.Fatalf("create with the team unreachable: %v, want ErrIncomplete", err)
	}
	must(f.retro(user(uBea), rid, app.AssignAction{ActionID: act, Assignee: uCal}))(t)
	if a := teamAction(t, f, act); a.Assignee != uCal || a.OriginRetroID != rid {
		t.Errorf("the team's action: %+v, want cal's, from the retro", a)
	}
}

// A node that stored a retro command and stopped before its reactions
// leaves them in the log: the next node's reactor, following the log from
// its checkpoint, carries the action to the team, once, with no client
// retrying anything.
func TestAnActionWhoseNodeStoppedBeforeReactingReachesTheTeamFromTheNextNode(t *testing.T) {
	f := newTeam(t)
	rid := f.newRetro("Sprint 1", false)
	act := createActionTeamUnreachable(t, f, rid)
	// When another node starts on the same log and keys, its reactions
	// following the log.
	next := nextNode(t, f)
	// Then the team has the action, recorded once.
	eventually(t, func() (bool, string) {
		acts := must(next.TeamActions(f.ctx(), user(uBea), f.team))(t)
		return len(acts) == 1 && acts[0].ID == act, fmt.Sprintf("the team's actions: %+v, want %s", acts, act)
	})
	if n := f.countType(team.TypeActionRecorded); n != 1 {
		t.Errorf("%d ActionRecorded in the log, want 1", n)
	}
	// And its record names the retro's event as its cause.
	for _, re := range f.events() {
		if re.Type == team.TypeActionRecorded && re.CausationID == "" {
			t.Errorf("the team's record names no cause: %+v", re)
		}
	}
}

// A retro closed by a node that stopped before its reactions loses its
// anonymity key all the same, once the next node's reactor runs.
func TestAClosedRetrosKeyIsDestroyedByTheNextNodeWhenItsNodeStoppedFirst(t *testing.T) {
	f := newTeam(t)
	rid := f.newRetro("Sprint 1", true)
	// The close is stored by a node that cannot reach the key store.
	f.app = app.New(app.Deps{Store: f.store, Keys: destroyFails{f.keys}, Catalog: f.cat, Clock: f.clock, NewID: f.newID})
	_, err := f.retro(user(uMod), rid, app.CloseRetro{})
	if !errors.Is(err, app.ErrIncomplete) {
		t.Fatalf("close with the key store unreachable: %v, want ErrIncomplete", err)
	}
	if _, err := f.keys.Get(f.ctx(), "retro:"+rid); err != nil {
		t.Fatalf("the key before the next node: %v, want still there", err)
	}
	nextNode(t, f)
	eventually(t, func() (bool, string) {
		_, err := f.keys.Get(f.ctx(), "retro:"+rid)
		return errors.Is(err, keys.ErrDestroyed), fmt.Sprintf("the closed retro's key: %v, want destroyed", err)
	})
}

// So does a survey's: its responses stay unlinkable to their respondents
// even when the node that closed it could not destroy the key.
func TestAClosedSurveysKeyIsDestroyedByTheNextNodeWhenItsNodeStoppedFirst(t *testing.T) {
	f := newTeam(t)
	sv := must(f.app.CreateSurvey(f.ctx(), f.as(user(uMod)), app.CreateSurveyInput{
		TeamIDs: []string{f.team}, Title: "Before sprint 2", QuestionIDs: []string{"fav-commit-goal"}, ClosesAt: t0.Add(48 * time.Hour),
	}))(t)
	must(f.app.SubmitSurveyResponse(f.ctx(), f.as(user(uBea)), sv.ID, app.SurveyResponse{Ratings: map[string]int{"fav-commit-goal": 4}}))(t)
	f.app = app.New(app.Deps{Store: f.store, Keys: destroyFails{f.keys}, Catalog: f.cat, Clock: f.clock, NewID: f.newID})
	_, err := f.app.CloseSurvey(f.ctx(), f.as(user(uMod)), sv.ID)
	if !errors.Is(err, app.ErrIncomplete) {
		t.Fatalf("close with the key store unreachable: %v, want ErrIncomplete", err)
	}
	if _, err := f.keys.Get(f.ctx(), "survey:"+sv.ID); err != nil {
		t.Fatalf("the key before the next node: %v, want still there", err)
	}
	nextNode(t, f)
	eventually(t, func() (bool, string) {
		_, err := f.keys.Get(f.ctx(), "survey:"+sv.ID)
		return errors.Is(err, keys.ErrDestroyed), fmt.Sprintf("the closed survey's key: %v, want destroyed", err)
	})
}

// nextNode starts another app on f's log and keys (a node started after
// f's stopped), with its reactions following the log.
func nextNode(t *testing.T, f *fixture) *app.App {
	t.Helper()
	next := app.New(app.Deps{Store: f.store, Keys: f.keys, Catalog: f.cat, Clock: f.clock, NewID: f.newID})
	if err := next.StartReactions(f.ctx()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := next.CloseReactions(); err != nil {
			t.Error(err)
		}
	})
	return next
}

// destroyFails is a key store that cannot destroy keys.
type destroyFails struct{ keys.Store }

func (destroyFails) Destroy(context.Context, string) error { return errInjected }

// eventually polls done until it holds, failing with its message after a
// generous deadline.
func eventually(t *testing.T, done func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		ok, msg := done()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal(msg)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// createActionTeamUnreachable creates an action in the retro while the
// team's stream cannot be written, so its reaction fails, and returns its ID.
func createActionTeamUnreachable(t *testing.T, f *fixture, rid string) string {
	t.Helper()
	f.store.failNext(team.Category, 1)
	res, err := f.retro(user(uBea), rid, app.CreateAction{Title: "Rename the job"})
	if !errors.Is(err, app.ErrIncomplete) || res.ID == "" {
		t.Fatalf("create with the team unreachable: %+v, %v; want its ID and ErrIncomplete", res, err)
	}
	return res.ID
}
