package retro_test

import (
	"testing"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/retro"
)

func TestChooseIcebreaker(t *testing.T) {
	answered := base(t, false,
		retro.ChooseIcebreaker{Actor: mod, At: t0, QuestionID: "ice-1", Text: "Tea or coffee?"},
		retro.AnswerIcebreaker{Actor: alice, At: t0, CardID: "i1", Text: "Tea"})
	decider.Run(t, []tc{
		{Name: "chooses a catalogue question", Given: base(t, false),
			When: retro.ChooseIcebreaker{Actor: mod, At: t0, QuestionID: "ice-1", Text: "Tea or coffee?"},
			Then: []retro.Event{retro.IcebreakerChosen{QuestionID: "ice-1", Text: "Tea or coffee?", At: t0}}},
		{Name: "rejects an empty question", Given: base(t, false), When: retro.ChooseIcebreaker{Actor: mod, At: t0},
			Kind: domain.Invalid, Code: retro.CodeTextRequired},
		{Name: "rejects a change once answered", Given: answered,
			When: retro.ChooseIcebreaker{Actor: mod, At: t0, Text: "Cats?"}, Kind: domain.Conflict, Code: retro.CodeIcebreakerAnswered},
	})
}

func TestAnswerIcebreaker(t *testing.T) {
	chosen := func(anon bool) []retro.Event {
		return base(t, anon, retro.ChooseIcebreaker{Actor: mod, At: t0, Text: "Tea or coffee?"})
	}
	decider.Run(t, []tc{
		{Name: "an answer is a card of its own", Given: chosen(false),
			When: retro.AnswerIcebreaker{Actor: alice, At: t0, CardID: "i1", Text: "Tea"},
			Then: []retro.Event{retro.IcebreakerAnswered{CardID: "i1", Author: "user-alice", Text: "Tea", At: t0}}},
		{Name: "in an anonymous retro the author is the pseudonym", Given: chosen(true),
			When: retro.AnswerIcebreaker{Actor: alice, At: t0, CardID: "i1", Text: "Tea"},
			Then: []retro.Event{retro.IcebreakerAnswered{CardID: "i1", Author: alice.Pseudonym, Text: "Tea", At: t0}}},
		{Name: "rejects an anonymous answer without pseudonym", Given: chosen(true),
			When: retro.AnswerIcebreaker{Actor: domain.Actor{UserID: alice.UserID}, At: t0, CardID: "i1", Text: "Tea"},
			Kind: domain.Invalid, Code: retro.CodePseudonymRequired},
		{Name: "rejects a pseudonym not made by domain.Pseudonym", Given: chosen(true),
			When: retro.AnswerIcebreaker{Actor: domain.Actor{UserID: alice.UserID, Pseudonym: alice.UserID}, At: t0, CardID: "i1", Text: "Tea"},
			Kind: domain.Invalid, Code: retro.CodePseudonymInvalid},
		{Name: "rejects no card ID", Given: chosen(false), When: retro.AnswerIcebreaker{Actor: alice, At: t0, Text: "Tea"},
			Kind: domain.Invalid, Code: retro.CodeCardIDRequired},
		{Name: "rejects an empty answer", Given: chosen(false), When: retro.AnswerIcebreaker{Actor: alice, At: t0, CardID: "i1"},
			Kind: domain.Invalid, Code: retro.CodeTextRequired},
		{Name: "rejects an overlong answer", Given: chosen(false),
			When: retro.AnswerIcebreaker{Actor: alice, At: t0, CardID: "i1", Text: string(make([]rune, retro.MaxTextLen+1))},
			Kind: domain.Invalid, Code: retro.CodeTextTooLong},
		{Name: "rejects an answer before a question", Given: base(t, false),
			When: retro.AnswerIcebreaker{Actor: alice, At: t0, CardID: "i1", Text: "Tea"}, Kind: domain.Conflict, Code: retro.CodeNoIcebreaker},
		{Name: "rejects a taken ID", Given: base(t, false, retro.ChooseIcebreaker{Actor: mod, At: t0, Text: "Q"},
			retro.AnswerIcebreaker{Actor: bob, At: t0, CardID: "i1", Text: "Coffee"}),
			When: retro.AnswerIcebreaker{Actor: alice, At: t0, CardID: "i1", Text: "Tea"}, Kind: domain.Conflict, Code: retro.CodeIDTaken},
	})
}

func TestAddOpenActions(t *testing.T) {
	newer := retro.OpenAction{ID: "act-new", Title: "Rotate on-call", OriginRetroID: "retro-0b"}
	decider.Run(t, []tc{
		{Name: "adds the actions the retro does not have yet", Given: base(t, false),
			When: retro.AddOpenActions{Actor: mod, At: t0, Actions: append([]retro.OpenAction{newer}, openActions...)},
			Then: []retro.Event{retro.OpenActionsAdded{Actions: []retro.OpenAction{newer}, At: t0}}},
		{Name: "nothing new changes nothing", Given: base(t, false), When: retro.AddOpenActions{Actor: mod, At: t0, Actions: openActions}},
		{Name: "rejects an action without ID", Given: base(t, false),
			When: retro.AddOpenActions{Actor: mod, At: t0, Actions: []retro.OpenAction{{Title: "x"}}},
			Kind: domain.Invalid, Code: retro.CodeOpenActionInvalid},
		{Name: "rejects an action listed twice", Given: base(t, false),
			When: retro.AddOpenActions{Actor: mod, At: t0, Actions: []retro.OpenAction{newer, newer}},
			Kind: domain.Invalid, Code: retro.CodeOpenActionInvalid},
	})
	s := fold(base(t, false, retro.AddOpenActions{Actor: mod, At: t0, Actions: []retro.OpenAction{newer}}))
	if v := retro.View(s, viewer(alice), policy); len(v.ActionReview) != 3 || v.ActionReview[2].ID != "act-new" {
		t.Fatalf("action review: %+v", v.ActionReview)
	}
}

func TestReviewAction(t *testing.T) {
	decider.Run(t, []tc{
		{Name: "marks an open action done", Given: base(t, false),
			When: retro.ReviewAction{Actor: alice, At: t0, ActionID: "act-old-1", Outcome: retro.OutcomeDone},
			Then: []retro.Event{retro.CarriedActionReviewed{ActionID: "act-old-1", Outcome: retro.OutcomeDone, At: t0}}},
		{Name: "marking it the same again changes nothing",
			Given: base(t, false, retro.ReviewAction{Actor: alice, At: t0, ActionID: "act-old-1", Outcome: retro.OutcomeKept}),
			When:  retro.ReviewAction{Actor: bob, At: t0, ActionID: "act-old-1", Outcome: retro.OutcomeKept}},
		{Name: "rejects an unknown outcome", Given: base(t, false),
			When: retro.ReviewAction{Actor: alice, At: t0, ActionID: "act-old-1", Outcome: "maybe"},
			Kind: domain.Invalid, Code: retro.CodeOutcomeInvalid},
		{Name: "rejects an unknown action", Given: base(t, false),
			When: retro.ReviewAction{Actor: alice, At: t0, ActionID: "nope", Outcome: retro.OutcomeDone},
			Kind: domain.NotFound, Code: retro.CodeActionNotFound},
	})
	// Actions nobody touched stay open for the next retro.
	v := retro.View(fold(base(t, false, retro.ReviewAction{Actor: alice, At: t0, ActionID: "act-old-1", Outcome: retro.OutcomeDiscarded})), viewer(bob), policy)
	if len(v.ActionReview) != 2 || v.ActionReview[0].Outcome != retro.OutcomeDiscarded || v.ActionReview[1].Outcome != retro.OutcomeOpen {
		t.Fatalf("action review %+v: want the first discarded, the second still open", v.ActionReview)
	}
}

func TestCommentOnAction(t *testing.T) {
	decider.Run(t, []tc{
		{Name: "comments", Given: base(t, false),
			When: retro.CommentOnAction{Actor: bob, At: t0, ActionID: "act-old-1", CommentID: "cm1", Text: "Half done"},
			Then: []retro.Event{retro.CarriedActionCommented{ActionID: "act-old-1", CommentID: "cm1", Author: "user-bob", Text: "Half done", At: t0}}},
		{Name: "comments anonymously", Given: base(t, true),
			When: retro.CommentOnAction{Actor: bob, At: t0, ActionID: "act-old-1", CommentID: "cm1", Text: "Half done"},
			Then: []retro.Event{retro.CarriedActionCommented{ActionID: "act-old-1", CommentID: "cm1", Author: bob.Pseudonym, Text: "Half done", At: t0}}},
		{Name: "rejects an anonymous comment without pseudonym", Given: base(t, true),
			When: retro.CommentOnAction{Actor: domain.Actor{UserID: bob.UserID}, At: t0, ActionID: "act-old-1", CommentID: "cm1", Text: "x"},
			Kind: domain.Invalid, Code: retro.CodePseudonymRequired},
		{Name: "rejects no comment ID", Given: base(t, false),
			When: retro.CommentOnAction{Actor: bob, At: t0, ActionID: "act-old-1", Text: "x"}, Kind: domain.Invalid, Code: retro.CodeCommentIDRequired},
		{Name: "rejects an empty comment", Given: base(t, false),
			When: retro.CommentOnAction{Actor: bob, At: t0, ActionID: "act-old-1", CommentID: "cm1"}, Kind: domain.Invalid, Code: retro.CodeTextRequired},
		{Name: "rejects an unknown action", Given: base(t, false),
			When: retro.CommentOnAction{Actor: bob, At: t0, ActionID: "nope", CommentID: "cm1", Text: "x"},
			Kind: domain.NotFound, Code: retro.CodeActionNotFound},
		{Name: "rejects a taken comment ID",
			Given: base(t, false, retro.CommentOnAction{Actor: bob, At: t0, ActionID: "act-old-1", CommentID: "cm1", Text: "x"}),
			When:  retro.CommentOnAction{Actor: alice, At: t0, ActionID: "act-old-1", CommentID: "cm1", Text: "y"},
			Kind:  domain.Conflict, Code: retro.CodeIDTaken},
	})
}
