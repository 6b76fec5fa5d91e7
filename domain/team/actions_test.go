package team_test

import (
	"strings"
	"testing"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/team"
)

func TestRecordActionFromARetro(t *testing.T) {
	s := decider.Then(t, withDan(),
		team.RecordAction{Actor: dan, At: t0, ActionID: "a1", Title: " Automate the release notes ", Assignee: "dan", Due: t1, OriginRetroID: "r1"},
		withAction()[2])
	open := team.OpenActions(s)
	if len(open) != 1 || open[0].Status != team.StatusOpen || open[0].OriginRetroID != "r1" {
		t.Fatalf("open actions = %+v", open)
	}
}

func TestRecordActionRejections(t *testing.T) {
	ok := team.RecordAction{Actor: dan, At: t0, ActionID: "a2", Title: "Pair on the flaky test"}
	with := func(f func(*team.RecordAction)) team.RecordAction { c := ok; f(&c); return c }
	decider.RefusedAll(t, map[string]rejection{
		"no team":      {Given: nil, When: ok, Kind: domain.NotFound, Code: team.CodeNotFound},
		"no actor":     {Given: withAction(), When: with(func(c *team.RecordAction) { c.Actor = domain.Actor{} }), Kind: domain.Invalid, Code: team.CodeActorRequired},
		"not a member": {Given: withAction(), When: with(func(c *team.RecordAction) { c.Actor = ada }), Kind: domain.Forbidden, Code: team.CodeNotMember},
		"no ID":        {Given: withAction(), When: with(func(c *team.RecordAction) { c.ActionID = "" }), Kind: domain.Invalid, Code: team.CodeIDRequired},
		"same ID":      {Given: withAction(), When: with(func(c *team.RecordAction) { c.ActionID = "a1" }), Kind: domain.Conflict, Code: team.CodeActionExists},
		"no title":     {Given: withAction(), When: with(func(c *team.RecordAction) { c.Title = "\t" }), Kind: domain.Invalid, Code: team.CodeTitleRequired},
		"long title":   {Given: withAction(), When: with(func(c *team.RecordAction) { c.Title = strings.Repeat("t", 201) }), Kind: domain.Invalid, Code: team.CodeTitleTooLong},
		"assignee out": {Given: withAction(), When: with(func(c *team.RecordAction) { c.Assignee = "ada" }), Kind: domain.Invalid, Code: team.CodeAssigneeNotMember},
	})
}

// The action review: every open action of earlier retros comes up; the team
// marks each kept, done or discarded; what nobody touched stays open.
func TestActionReviewCarriesUntouchedActionsToTheNextRetro(t *testing.T) {
	given := append(withAction(),
		team.ActionRecorded{ActionID: "a2", Title: "Shorter standups", RecordedBy: "carol", OriginRetroID: "r1", At: t0},
		team.ActionRecorded{ActionID: "a3", Title: "Try mob programming", RecordedBy: "carol", OriginRetroID: "r1", At: t0},
		team.ActionRecorded{ActionID: "a4", Title: "Write the ADR", RecordedBy: "carol", OriginRetroID: "r1", At: t0},
	)
	s := team.Decider().Fold(given)
	if got := ids(team.OpenActions(s)); got != "a1 a2 a3 a4" {
		t.Fatalf("review of r2 shows %q, want all four", got)
	}
	for _, c := range []team.UpdateActionStatus{
		{Actor: dan, At: t1, ActionID: "a1", Status: team.StatusDone, RetroID: "r2"},
		{Actor: dan, At: t1, ActionID: "a2", Status: team.StatusKept, RetroID: "r2", Comment: "still too long", CommentID: "c1"},
		{Actor: carol, At: t1, ActionID: "a3", Status: team.StatusDiscarded, RetroID: "r2"},
	} {
		evs, err := team.Decide(s, c)
		if err != nil {
			t.Fatalf("%s → %s: %v", c.ActionID, c.Status, err)
		}
		for _, e := range evs {
			s = team.Evolve(s, e)
		}
	}
	open := team.OpenActions(s)
	if got := ids(open); got != "a2 a4" {
		t.Fatalf("review of r3 shows %q, want the kept a2 and the untouched a4", got)
	}
	if open[0].Status != team.StatusKept || open[0].ReviewedInRetro != "r2" || len(open[0].Comments) != 1 {
		t.Fatalf("kept action = %+v", open[0])
	}
	if open[1].Status != team.StatusOpen || open[1].ReviewedInRetro != "" {
		t.Fatalf("untouched action = %+v", open[1])
	}
}

func ids(as []team.Action) string {
	var out []string
	for _, a := range as {
		out = append(out, a.ID)
	}
	return strings.Join(out, " ")
}

func TestUpdateActionStatusWithAComment(t *testing.T) {
	decider.Then(t, withAction(),
		team.UpdateActionStatus{Actor: carol, At: t1, ActionID: "a1", Status: team.StatusDone, RetroID: "r2", Comment: "shipped", CommentID: "c1"},
		team.ActionStatusChanged{ActionID: "a1", From: team.StatusOpen, To: team.StatusDone, RetroID: "r2", ChangedBy: "carol", At: t1},
		team.ActionCommented{ActionID: "a1", CommentID: "c1", Author: "carol", Text: "shipped", At: t1})
}

func TestKeepingAgainInALaterRetroIsRecorded(t *testing.T) {
	kept := append(withAction(), team.ActionStatusChanged{ActionID: "a1", From: team.StatusOpen, To: team.StatusKept, RetroID: "r2", ChangedBy: "dan", At: t0})
	s := decider.Then(t, kept,
		team.UpdateActionStatus{Actor: dan, At: t1, ActionID: "a1", Status: team.StatusKept, RetroID: "r3"},
		team.ActionStatusChanged{ActionID: "a1", From: team.StatusKept, To: team.StatusKept, RetroID: "r3", ChangedBy: "dan", At: t1})
	if s.Actions["a1"].ReviewedInRetro != "r3" {
		t.Fatalf("reviewed in %q", s.Actions["a1"].ReviewedInRetro)
	}
}

func TestADoneActionCanBeReopened(t *testing.T) {
	done := append(withAction(), team.ActionStatusChanged{ActionID: "a1", From: team.StatusOpen, To: team.StatusDone, ChangedBy: "dan", At: t0})
	s := decider.Then(t, done,
		team.UpdateActionStatus{Actor: dan, At: t1, ActionID: "a1", Status: team.StatusOpen},
		team.ActionStatusChanged{ActionID: "a1", From: team.StatusDone, To: team.StatusOpen, ChangedBy: "dan", At: t1})
	if len(team.OpenActions(s)) != 1 {
		t.Fatal("the reopened action is not open")
	}
}

func TestUpdateActionStatusRejections(t *testing.T) {
	ok := team.UpdateActionStatus{Actor: dan, At: t1, ActionID: "a1", Status: team.StatusDone}
	with := func(f func(*team.UpdateActionStatus)) team.UpdateActionStatus { c := ok; f(&c); return c }
	withComment := append(withAction(), team.ActionCommented{ActionID: "a1", CommentID: "c1", Author: "dan", Text: "x"})
	decider.RefusedAll(t, map[string]rejection{
		"no team":          {Given: nil, When: ok, Kind: domain.NotFound, Code: team.CodeNotFound},
		"no actor":         {Given: withAction(), When: with(func(c *team.UpdateActionStatus) { c.Actor = domain.Actor{} }), Kind: domain.Invalid, Code: team.CodeActorRequired},
		"not a member":     {Given: withAction(), When: with(func(c *team.UpdateActionStatus) { c.Actor = ada }), Kind: domain.Forbidden, Code: team.CodeNotMember},
		"unknown action":   {Given: withAction(), When: with(func(c *team.UpdateActionStatus) { c.ActionID = "a9" }), Kind: domain.NotFound, Code: team.CodeActionNotFound},
		"bad status":       {Given: withAction(), When: with(func(c *team.UpdateActionStatus) { c.Status = "finished" }), Kind: domain.Invalid, Code: team.CodeInvalidStatus},
		"unchanged":        {Given: withAction(), When: with(func(c *team.UpdateActionStatus) { c.Status = team.StatusOpen }), Kind: domain.Conflict, Code: team.CodeStatusUnchanged},
		"comment no ID":    {Given: withAction(), When: with(func(c *team.UpdateActionStatus) { c.Comment = "done!" }), Kind: domain.Invalid, Code: team.CodeCommentIDRequired},
		"comment too long": {Given: withAction(), When: with(func(c *team.UpdateActionStatus) { c.Comment = strings.Repeat("c", 2001); c.CommentID = "c2" }), Kind: domain.Invalid, Code: team.CodeCommentTooLong},
		"comment ID taken": {Given: withComment, When: with(func(c *team.UpdateActionStatus) { c.Comment = "again"; c.CommentID = "c1" }), Kind: domain.Conflict, Code: team.CodeCommentExists},
	})
}

func TestCommentOnAction(t *testing.T) {
	s := decider.Then(t, withAction(),
		team.CommentOnAction{Actor: carol, At: t1, ActionID: "a1", CommentID: "c1", Text: "Need help?"},
		team.ActionCommented{ActionID: "a1", CommentID: "c1", Author: "carol", Text: "Need help?", At: t1})
	if a := s.Actions["a1"]; len(a.Comments) != 1 || a.Status != team.StatusOpen {
		t.Fatalf("action after comment = %+v", a)
	}
}

func TestCommentOnActionRejections(t *testing.T) {
	ok := team.CommentOnAction{Actor: dan, At: t1, ActionID: "a1", CommentID: "c1", Text: "on it"}
	with := func(f func(*team.CommentOnAction)) team.CommentOnAction { c := ok; f(&c); return c }
	withComment := append(withAction(), team.ActionCommented{ActionID: "a1", CommentID: "c1", Author: "dan", Text: "x"})
	decider.RefusedAll(t, map[string]rejection{
		"no team":          {Given: nil, When: ok, Kind: domain.NotFound, Code: team.CodeNotFound},
		"no actor":         {Given: withAction(), When: with(func(c *team.CommentOnAction) { c.Actor = domain.Actor{} }), Kind: domain.Invalid, Code: team.CodeActorRequired},
		"not a member":     {Given: withAction(), When: with(func(c *team.CommentOnAction) { c.Actor = ada }), Kind: domain.Forbidden, Code: team.CodeNotMember},
		"unknown action":   {Given: withAction(), When: with(func(c *team.CommentOnAction) { c.ActionID = "a9" }), Kind: domain.NotFound, Code: team.CodeActionNotFound},
		"empty":            {Given: withAction(), When: with(func(c *team.CommentOnAction) { c.Text = " " }), Kind: domain.Invalid, Code: team.CodeCommentRequired},
		"too long":         {Given: withAction(), When: with(func(c *team.CommentOnAction) { c.Text = strings.Repeat("c", 2001) }), Kind: domain.Invalid, Code: team.CodeCommentTooLong},
		"no comment ID":    {Given: withAction(), When: with(func(c *team.CommentOnAction) { c.CommentID = "" }), Kind: domain.Invalid, Code: team.CodeCommentIDRequired},
		"comment ID taken": {Given: withComment, When: ok, Kind: domain.Conflict, Code: team.CodeCommentExists},
	})
}

func TestEvolveDoesNotChangeAStateTheCallerHolds(t *testing.T) {
	before := team.Decider().Fold(append(withGuest(), withAction()[2],
		team.ActionCommented{ActionID: "a1", CommentID: "c1", Author: "dan", Text: "x"}))
	_ = team.Evolve(before, team.MemberAdded{UserID: "erin"})
	_ = team.Evolve(before, team.GuestAdmitted{GuestUserID: "gus", RetroID: "r2"})
	_ = team.Evolve(before, team.ActionStatusChanged{ActionID: "a1", To: team.StatusDone})
	_ = team.Evolve(before, team.ActionCommented{ActionID: "a1", CommentID: "c2"})
	_ = team.Evolve(before, team.ActionRecorded{ActionID: "a2"})
	if before.IsMember("erin") || len(before.Guests["gus"].RetroIDs) != 1 ||
		before.Actions["a1"].Status != team.StatusOpen || len(before.Actions["a1"].Comments) != 1 || len(before.ActionOrder) != 1 {
		t.Fatalf("evolve changed the earlier state: %+v", before)
	}
}
