package team_test

import (
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/team"
)

// withErin: erin is a member too, and action a1 (assigned to dan) exists.
func withErin() []team.Event {
	return append(withAction(), team.MemberAdded{UserID: "erin", AddedBy: "carol", At: t0})
}

func closedAs(status team.ActionStatus) []team.Event {
	return append(withErin(), team.ActionStatusChanged{ActionID: "a1", From: team.StatusOpen, To: status, ChangedBy: "dan", At: t0})
}

func TestReassignActionFromARetro(t *testing.T) {
	s := decider.Then(t, withErin(),
		team.ReassignAction{Actor: carol, At: t1, ActionID: "a1", Assignee: "erin", RetroID: "r2"},
		team.ActionReassigned{ActionID: "a1", From: "dan", To: "erin", RetroID: "r2", By: "carol", At: t1})
	v := team.View(s, team.Viewer{UserID: "dan"})
	if a := v.Content.Actions[0]; a.Assignee != "erin" || !a.UpdatedAt.Equal(t1) {
		t.Fatalf("the team's action after reassigning: %+v, want erin's", a)
	}
}

func TestUnassignAction(t *testing.T) {
	s := decider.Then(t, withErin(),
		team.ReassignAction{Actor: dan, At: t1, ActionID: "a1"},
		team.ActionReassigned{ActionID: "a1", From: "dan", By: "dan", At: t1})
	if a := s.Actions["a1"]; a.Assignee != "" {
		t.Fatalf("the action after unassigning: %+v", a)
	}
}

// A kept action is still open: its plan may change in the review that kept it.
func TestAKeptActionCanBeReassigned(t *testing.T) {
	decider.Then(t, closedAs(team.StatusKept),
		team.ReassignAction{Actor: dan, At: t1, ActionID: "a1", Assignee: "erin", RetroID: "r2"},
		team.ActionReassigned{ActionID: "a1", From: "dan", To: "erin", RetroID: "r2", By: "dan", At: t1})
}

func TestReassignActionRejections(t *testing.T) {
	ok := team.ReassignAction{Actor: dan, At: t1, ActionID: "a1", Assignee: "erin"}
	withGus := append(withErin(), team.GuestAdmitted{GuestUserID: "gus", RetroID: "r1", InvitedBy: "dan", At: t0})
	with := func(f func(*team.ReassignAction)) team.ReassignAction { c := ok; f(&c); return c }
	decider.RefusedAll(t, map[string]rejection{
		"no team":        {Given: nil, When: ok, Kind: domain.NotFound, Code: team.CodeNotFound},
		"no actor":       {Given: withErin(), When: with(func(c *team.ReassignAction) { c.Actor = domain.Actor{} }), Kind: domain.Invalid, Code: team.CodeActorRequired},
		"not a member":   {Given: withErin(), When: with(func(c *team.ReassignAction) { c.Actor = ada }), Kind: domain.Forbidden, Code: team.CodeNotMember},
		"a guest":        {Given: withGus, When: with(func(c *team.ReassignAction) { c.Actor = gus }), Kind: domain.Forbidden, Code: team.CodeNotMember},
		"unknown action": {Given: withErin(), When: with(func(c *team.ReassignAction) { c.ActionID = "a9" }), Kind: domain.NotFound, Code: team.CodeActionNotFound},
		"assignee out":   {Given: withErin(), When: with(func(c *team.ReassignAction) { c.Assignee = "ada" }), Kind: domain.Invalid, Code: team.CodeAssigneeNotMember},
		"guest assignee": {Given: withGus, When: with(func(c *team.ReassignAction) { c.Assignee = "gus" }), Kind: domain.Invalid, Code: team.CodeAssigneeNotMember},
		"unchanged":      {Given: withErin(), When: with(func(c *team.ReassignAction) { c.Assignee = "dan" }), Kind: domain.Conflict, Code: team.CodeAssigneeUnchanged},
		"done":           {Given: closedAs(team.StatusDone), When: ok, Kind: domain.Conflict, Code: team.CodeActionClosed},
		"discarded":      {Given: closedAs(team.StatusDiscarded), When: ok, Kind: domain.Conflict, Code: team.CodeActionClosed},
	})
}

func TestRescheduleActionFromARetro(t *testing.T) {
	later := t1.Add(7 * 24 * time.Hour)
	s := decider.Then(t, withErin(),
		team.RescheduleAction{Actor: carol, At: t1, ActionID: "a1", Due: &later, RetroID: "r2"},
		team.ActionRescheduled{ActionID: "a1", Due: &later, RetroID: "r2", By: "carol", At: t1})
	v := team.View(s, team.Viewer{UserID: "dan"})
	if a := v.Content.Actions[0]; !a.Due.Equal(later) {
		t.Fatalf("the team's action after rescheduling: %+v, want due %s", a, later)
	}
}

func TestClearingTheDueDate(t *testing.T) {
	for name, due := range map[string]*time.Time{"nil": nil, "zero time": {}} {
		t.Run(name, func(t *testing.T) {
			s := decider.Then(t, withErin(),
				team.RescheduleAction{Actor: dan, At: t1, ActionID: "a1", Due: due},
				team.ActionRescheduled{ActionID: "a1", By: "dan", At: t1})
			if a := s.Actions["a1"]; !a.Due.IsZero() {
				t.Fatalf("the action after clearing its due date: %+v", a)
			}
		})
	}
}

func TestRescheduleActionRejections(t *testing.T) {
	later := t1.Add(time.Hour)
	sameInAnotherZone := t1.In(time.FixedZone("CET", 3600))
	ok := team.RescheduleAction{Actor: dan, At: t1, ActionID: "a1", Due: &later}
	with := func(f func(*team.RescheduleAction)) team.RescheduleAction { c := ok; f(&c); return c }
	undated := append(withDan(), team.ActionRecorded{ActionID: "a1", Title: "Undated", RecordedBy: "dan", At: t0})
	decider.RefusedAll(t, map[string]rejection{
		"no team":        {Given: nil, When: ok, Kind: domain.NotFound, Code: team.CodeNotFound},
		"no actor":       {Given: withErin(), When: with(func(c *team.RescheduleAction) { c.Actor = domain.Actor{} }), Kind: domain.Invalid, Code: team.CodeActorRequired},
		"not a member":   {Given: withErin(), When: with(func(c *team.RescheduleAction) { c.Actor = ada }), Kind: domain.Forbidden, Code: team.CodeNotMember},
		"unknown action": {Given: withErin(), When: with(func(c *team.RescheduleAction) { c.ActionID = "a9" }), Kind: domain.NotFound, Code: team.CodeActionNotFound},
		"unchanged":      {Given: withErin(), When: with(func(c *team.RescheduleAction) { c.Due = &sameInAnotherZone }), Kind: domain.Conflict, Code: team.CodeDueUnchanged},
		"already none":   {Given: undated, When: with(func(c *team.RescheduleAction) { c.Due = nil }), Kind: domain.Conflict, Code: team.CodeDueUnchanged},
		"done":           {Given: closedAs(team.StatusDone), When: ok, Kind: domain.Conflict, Code: team.CodeActionClosed},
		"discarded":      {Given: closedAs(team.StatusDiscarded), When: ok, Kind: domain.Conflict, Code: team.CodeActionClosed},
	})
}

// The event keeps its own due date: changing the caller's afterwards
// changes neither the event nor the team.
func TestRescheduleCopiesTheDueDate(t *testing.T) {
	due := t1.Add(time.Hour)
	evs, s, err := team.Decider().Run(withErin(), team.RescheduleAction{Actor: dan, At: t1, ActionID: "a1", Due: &due})
	if err != nil {
		t.Fatal(err)
	}
	due = t0
	if got := *evs[0].(team.ActionRescheduled).Due; !got.Equal(t1.Add(time.Hour)) || !s.Actions["a1"].Due.Equal(t1.Add(time.Hour)) {
		t.Fatalf("event due %s, team due %s after the caller changed theirs", got, s.Actions["a1"].Due)
	}
}

func TestEvolvingThePlanDoesNotChangeAStateTheCallerHolds(t *testing.T) {
	before := team.Decider().Fold(withErin())
	_ = team.Evolve(before, team.ActionReassigned{ActionID: "a1", From: "dan", To: "erin"})
	_ = team.Evolve(before, team.ActionRescheduled{ActionID: "a1"})
	if a := before.Actions["a1"]; a.Assignee != "dan" || !a.Due.Equal(t1) {
		t.Fatalf("evolve changed the earlier state: %+v", a)
	}
}
