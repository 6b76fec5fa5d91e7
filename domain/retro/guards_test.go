package retro_test

import (
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/decidertest"
	"github.com/hindsight-retro/hindsight/domain/retro"
)

// Every command on an existing retro shares these rejections: no retro, a
// closed retro, no acting user, the wrong role, and (for contributions) a
// locked retro. Each command is listed once with whether it is a
// moderator tool.
var guarded = []struct {
	name      string
	moderator bool
	cmd       func(domain.Actor) retro.Command
}{
	{"LockRetro", true, func(a domain.Actor) retro.Command { return retro.LockRetro{Actor: a, At: t0} }},
	{"UnlockRetro", true, func(a domain.Actor) retro.Command { return retro.UnlockRetro{Actor: a, At: t0} }},
	{"HandOverModeration", true, func(a domain.Actor) retro.Command {
		return retro.HandOverModeration{Actor: a, At: t0, To: alice.UserID}
	}},
	{"SetAnonymity", true, func(a domain.Actor) retro.Command { return retro.SetAnonymity{Actor: a, At: t0, Anonymous: true} }},
	{"CloseRetro", true, func(a domain.Actor) retro.Command { return retro.CloseRetro{Actor: a, At: t0} }},
	{"HideCard", true, func(a domain.Actor) retro.Command { return retro.HideCard{Actor: a, At: t0, CardID: "c1"} }},
	{"GoToStep", true, func(a domain.Actor) retro.Command { return retro.GoToStep{Actor: a, At: t0, StepID: "collect"} }},
	{"SkipStep", true, func(a domain.Actor) retro.Command { return retro.SkipStep{Actor: a, At: t0, StepID: "icebreaker"} }},
	{"ReorderSteps", true, func(a domain.Actor) retro.Command { return retro.ReorderSteps{Actor: a, At: t0} }},
	{"AddStep", true, func(a domain.Actor) retro.Command {
		return retro.AddStep{Actor: a, At: t0, Step: retro.Step{ID: "wb", Kind: retro.KindWhiteboard}}
	}},
	{"StartTimer", true, func(a domain.Actor) retro.Command { return retro.StartTimer{Actor: a, At: t0, Duration: time.Minute} }},
	{"ExtendTimer", true, func(a domain.Actor) retro.Command { return retro.ExtendTimer{Actor: a, At: t0, By: time.Minute} }},
	{"StopTimer", true, func(a domain.Actor) retro.Command { return retro.StopTimer{Actor: a, At: t0} }},
	{"ChooseIcebreaker", true, func(a domain.Actor) retro.Command { return retro.ChooseIcebreaker{Actor: a, At: t0, Text: "Hi?"} }},
	{"StartHealthCheck", true, func(a domain.Actor) retro.Command {
		return retro.StartHealthCheck{Actor: a, At: t0, Questions: questions}
	}},
	{"RevealHealthCheck", true, func(a domain.Actor) retro.Command { return retro.RevealHealthCheck{Actor: a, At: t0} }},
	{"ImportSurvey", true, func(a domain.Actor) retro.Command { return retro.ImportSurvey{Actor: a, At: t0, SurveyID: "s1"} }},
	{"RevealColumn", true, func(a domain.Actor) retro.Command { return retro.RevealColumn{Actor: a, At: t0, ColumnID: "keep"} }},
	{"StartVoting", true, func(a domain.Actor) retro.Command {
		return retro.StartVoting{Actor: a, At: t0, RoundID: "r1", Budget: 3}
	}},
	{"CloseVoting", true, func(a domain.Actor) retro.Command { return retro.CloseVoting{Actor: a, At: t0} }},
	{"SetTopicVotes", true, func(a domain.Actor) retro.Command {
		return retro.SetTopicVotes{Actor: a, At: t0, TopicID: "c1", Votes: 2}
	}},
	{"FocusTopic", true, func(a domain.Actor) retro.Command { return retro.FocusTopic{Actor: a, At: t0, TopicID: "c1"} }},
	{"AddOpenActions", true, func(a domain.Actor) retro.Command {
		return retro.AddOpenActions{Actor: a, At: t0, Actions: []retro.OpenAction{{ID: "x"}}}
	}},
	{"CloseRoti", true, func(a domain.Actor) retro.Command { return retro.CloseRoti{Actor: a, At: t0} }},

	{"AnswerIcebreaker", false, func(a domain.Actor) retro.Command {
		return retro.AnswerIcebreaker{Actor: a, At: t0, CardID: "i1", Text: "Tea"}
	}},
	{"ReviewAction", false, func(a domain.Actor) retro.Command {
		return retro.ReviewAction{Actor: a, At: t0, ActionID: "act-old-1", Outcome: retro.OutcomeDone}
	}},
	{"CommentOnAction", false, func(a domain.Actor) retro.Command {
		return retro.CommentOnAction{Actor: a, At: t0, ActionID: "act-old-1", CommentID: "cm1", Text: "Almost"}
	}},
	{"AnswerCheckIn", false, func(a domain.Actor) retro.Command {
		return retro.AnswerCheckIn{Actor: a, At: t0, OptionID: "sunny"}
	}},
	{"AnswerHealthCheck", false, func(a domain.Actor) retro.Command {
		return retro.AnswerHealthCheck{Actor: a, At: t0, QuestionID: "q-fun", Score: 3}
	}},
	{"AddCard", false, func(a domain.Actor) retro.Command {
		return retro.AddCard{Actor: a, At: t0, CardID: "c9", ColumnID: "keep", Text: "x"}
	}},
	{"EditCard", false, func(a domain.Actor) retro.Command { return retro.EditCard{Actor: a, At: t0, CardID: "c1", Text: "y"} }},
	{"DeleteCard", false, func(a domain.Actor) retro.Command { return retro.DeleteCard{Actor: a, At: t0, CardID: "c1"} }},
	{"MergeCard", false, func(a domain.Actor) retro.Command {
		return retro.MergeCard{Actor: a, At: t0, CardID: "c1", TargetID: "c2", NewGroupID: "g1"}
	}},
	{"MoveCardOut", false, func(a domain.Actor) retro.Command { return retro.MoveCardOut{Actor: a, At: t0, CardID: "c1"} }},
	{"MergeGroups", false, func(a domain.Actor) retro.Command {
		return retro.MergeGroups{Actor: a, At: t0, GroupID: "g1", IntoGroupID: "g2"}
	}},
	{"NameGroup", false, func(a domain.Actor) retro.Command { return retro.NameGroup{Actor: a, At: t0, GroupID: "g1", Name: "n"} }},
	{"CastVote", false, func(a domain.Actor) retro.Command { return retro.CastVote{Actor: a, At: t0, TopicID: "c1"} }},
	{"RetractVote", false, func(a domain.Actor) retro.Command { return retro.RetractVote{Actor: a, At: t0, TopicID: "c1"} }},
	{"CreateAction", false, func(a domain.Actor) retro.Command {
		return retro.CreateAction{Actor: a, At: t0, ActionID: "a1", Title: "Do it"}
	}},
	{"AssignAction", false, func(a domain.Actor) retro.Command {
		return retro.AssignAction{Actor: a, At: t0, ActionID: "a1", Assignee: "user-bob"}
	}},
	{"SetActionDueDate", false, func(a domain.Actor) retro.Command {
		return retro.SetActionDueDate{Actor: a, At: t0, ActionID: "a1"}
	}},
	{"SetActionStatus", false, func(a domain.Actor) retro.Command {
		return retro.SetActionStatus{Actor: a, At: t0, ActionID: "a1", Status: retro.ActionDone}
	}},
	{"OpenTopicWhiteboard", false, func(a domain.Actor) retro.Command {
		return retro.OpenTopicWhiteboard{Actor: a, At: t0, WhiteboardID: "wb1", TopicID: "c1"}
	}},
	{"RateRoti", false, func(a domain.Actor) retro.Command { return retro.RateRoti{Actor: a, At: t0, Score: 4} }},
}

func TestEveryCommandIsRejectedWithoutRetroWhenClosedWithoutActorAndForTheWrongRole(t *testing.T) {
	closed := base(t, false, retro.CloseRetro{Actor: mod, At: t0})
	locked := base(t, false, retro.LockRetro{Actor: mod, At: t0})
	for _, g := range guarded {
		cases := []tc{
			{Name: "no retro", When: g.cmd(mod), Kind: domain.NotFound, Code: retro.CodeRetroNotFound},
			{Name: "closed retro", Given: closed, When: g.cmd(mod), Kind: domain.Conflict, Code: retro.CodeRetroClosed},
			{Name: "no acting user", Given: base(t, false), When: g.cmd(domain.Actor{}), Kind: domain.Invalid, Code: retro.CodeActorRequired},
		}
		if g.moderator {
			cases = append(cases, tc{Name: "by a participant", Given: base(t, false), When: g.cmd(alice),
				Kind: domain.Forbidden, Code: retro.CodeNotModerator})
		} else {
			cases = append(cases,
				tc{Name: "by an outsider", Given: base(t, false), When: g.cmd(eve), Kind: domain.Forbidden, Code: retro.CodeNotParticipant},
				tc{Name: "while locked", Given: locked, When: g.cmd(alice), Kind: domain.Conflict, Code: retro.CodeRetroLocked},
			)
		}
		t.Run(g.name, func(t *testing.T) { decider.Run(t, cases) })
	}
}

// The moderator steers a locked retro: locking stops contributions, not the
// moderator's tools.
func TestModeratorToolsWorkOnALockedRetro(t *testing.T) {
	locked := base(t, false, retro.LockRetro{Actor: mod, At: t0})
	for _, g := range guarded {
		if !g.moderator {
			continue
		}
		_, _, err := retro.Decider().Run(locked, g.cmd(mod))
		if domain.CodeOf(err) == retro.CodeRetroLocked {
			t.Errorf("%s: rejected on a locked retro", g.name)
		}
	}
}

// Every command type appears in the guard table (found by reading the
// package's source for types with the Command marker), so a new command
// cannot escape the shared rejections untested.
func TestGuardTableCoversEveryCommandOnAnExistingRetro(t *testing.T) {
	listed := map[string]bool{"CreateRetro": true, "JoinRetro": true}
	for _, g := range guarded {
		listed[g.name] = true
	}
	found := decidertest.TypesWithMethod(t, ".", "isCommand")
	for _, name := range found {
		if !listed[name] {
			t.Errorf("command %s is missing from the guard table", name)
		}
	}
	if len(found) != len(listed) {
		t.Errorf("found %d commands in the source, the table lists %d", len(found), len(listed))
	}
}
