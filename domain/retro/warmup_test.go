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
	run(t, []tc{
		{name: "chooses a catalogue question", given: base(t, false),
			when: retro.ChooseIcebreaker{Actor: mod, At: t0, QuestionID: "ice-1", Text: "Tea or coffee?"},
			then: []retro.Event{retro.IcebreakerChosen{QuestionID: "ice-1", Text: "Tea or coffee?", At: t0}}},
		{name: "rejects an empty question", given: base(t, false), when: retro.ChooseIcebreaker{Actor: mod, At: t0},
			kind: domain.Invalid, code: "text-required"},
		{name: "rejects a change once answered", given: answered,
			when: retro.ChooseIcebreaker{Actor: mod, At: t0, Text: "Cats?"}, kind: domain.Conflict, code: "icebreaker-answered"},
	})
}

func TestAnswerIcebreaker(t *testing.T) {
	chosen := func(anon bool) []retro.Event {
		return base(t, anon, retro.ChooseIcebreaker{Actor: mod, At: t0, Text: "Tea or coffee?"})
	}
	run(t, []tc{
		{name: "an answer is a card of its own", given: chosen(false),
			when: retro.AnswerIcebreaker{Actor: alice, At: t0, CardID: "i1", Text: "Tea"},
			then: []retro.Event{retro.IcebreakerAnswered{CardID: "i1", Author: "user-alice", Text: "Tea", At: t0}}},
		{name: "in an anonymous retro the author is the pseudonym", given: chosen(true),
			when: retro.AnswerIcebreaker{Actor: alice, At: t0, CardID: "i1", Text: "Tea"},
			then: []retro.Event{retro.IcebreakerAnswered{CardID: "i1", Author: alice.Pseudonym, Text: "Tea", At: t0}}},
		{name: "rejects an anonymous answer without pseudonym", given: chosen(true),
			when: retro.AnswerIcebreaker{Actor: domain.Actor{UserID: alice.UserID}, At: t0, CardID: "i1", Text: "Tea"},
			kind: domain.Invalid, code: "pseudonym-required"},
		{name: "rejects a pseudonym not made by domain.Pseudonym", given: chosen(true),
			when: retro.AnswerIcebreaker{Actor: domain.Actor{UserID: alice.UserID, Pseudonym: alice.UserID}, At: t0, CardID: "i1", Text: "Tea"},
			kind: domain.Invalid, code: "pseudonym-invalid"},
		{name: "rejects no card ID", given: chosen(false), when: retro.AnswerIcebreaker{Actor: alice, At: t0, Text: "Tea"},
			kind: domain.Invalid, code: "card-id-required"},
		{name: "rejects an empty answer", given: chosen(false), when: retro.AnswerIcebreaker{Actor: alice, At: t0, CardID: "i1"},
			kind: domain.Invalid, code: "text-required"},
		{name: "rejects an overlong answer", given: chosen(false),
			when: retro.AnswerIcebreaker{Actor: alice, At: t0, CardID: "i1", Text: string(make([]rune, retro.MaxTextLen+1))},
			kind: domain.Invalid, code: "text-too-long"},
		{name: "rejects an answer before a question", given: base(t, false),
			when: retro.AnswerIcebreaker{Actor: alice, At: t0, CardID: "i1", Text: "Tea"}, kind: domain.Conflict, code: "no-icebreaker"},
		{name: "rejects a taken ID", given: base(t, false, retro.ChooseIcebreaker{Actor: mod, At: t0, Text: "Q"},
			retro.AnswerIcebreaker{Actor: bob, At: t0, CardID: "i1", Text: "Coffee"}),
			when: retro.AnswerIcebreaker{Actor: alice, At: t0, CardID: "i1", Text: "Tea"}, kind: domain.Conflict, code: "id-taken"},
	})
}

func TestAddOpenActions(t *testing.T) {
	newer := retro.OpenAction{ID: "act-new", Title: "Rotate on-call", OriginRetroID: "retro-0b"}
	run(t, []tc{
		{name: "adds the actions the retro does not have yet", given: base(t, false),
			when: retro.AddOpenActions{Actor: mod, At: t0, Actions: append([]retro.OpenAction{newer}, openActions...)},
			then: []retro.Event{retro.OpenActionsAdded{Actions: []retro.OpenAction{newer}, At: t0}}},
		{name: "nothing new changes nothing", given: base(t, false), when: retro.AddOpenActions{Actor: mod, At: t0, Actions: openActions}},
		{name: "rejects an action without ID", given: base(t, false),
			when: retro.AddOpenActions{Actor: mod, At: t0, Actions: []retro.OpenAction{{Title: "x"}}},
			kind: domain.Invalid, code: "open-action-invalid"},
		{name: "rejects an action listed twice", given: base(t, false),
			when: retro.AddOpenActions{Actor: mod, At: t0, Actions: []retro.OpenAction{newer, newer}},
			kind: domain.Invalid, code: "open-action-invalid"},
	})
	s := fold(base(t, false, retro.AddOpenActions{Actor: mod, At: t0, Actions: []retro.OpenAction{newer}}))
	if v := retro.View(s, viewer(alice), policy); len(v.ActionReview) != 3 || v.ActionReview[2].ID != "act-new" {
		t.Fatalf("action review: %+v", v.ActionReview)
	}
}

func TestReviewAction(t *testing.T) {
	run(t, []tc{
		{name: "marks an open action done", given: base(t, false),
			when: retro.ReviewAction{Actor: alice, At: t0, ActionID: "act-old-1", Outcome: retro.OutcomeDone},
			then: []retro.Event{retro.CarriedActionReviewed{ActionID: "act-old-1", Outcome: retro.OutcomeDone, At: t0}}},
		{name: "marking it the same again changes nothing",
			given: base(t, false, retro.ReviewAction{Actor: alice, At: t0, ActionID: "act-old-1", Outcome: retro.OutcomeKept}),
			when:  retro.ReviewAction{Actor: bob, At: t0, ActionID: "act-old-1", Outcome: retro.OutcomeKept}},
		{name: "rejects an unknown outcome", given: base(t, false),
			when: retro.ReviewAction{Actor: alice, At: t0, ActionID: "act-old-1", Outcome: "maybe"},
			kind: domain.Invalid, code: "outcome-invalid"},
		{name: "rejects an unknown action", given: base(t, false),
			when: retro.ReviewAction{Actor: alice, At: t0, ActionID: "nope", Outcome: retro.OutcomeDone},
			kind: domain.NotFound, code: "action-not-found"},
	})
	// Actions nobody touched stay open for the next retro.
	v := retro.View(fold(base(t, false, retro.ReviewAction{Actor: alice, At: t0, ActionID: "act-old-1", Outcome: retro.OutcomeDiscarded})), viewer(bob), policy)
	if len(v.ActionReview) != 2 || v.ActionReview[0].Outcome != retro.OutcomeDiscarded || v.ActionReview[1].Outcome != retro.OutcomeOpen {
		t.Fatalf("action review %+v: want the first discarded, the second still open", v.ActionReview)
	}
}

func TestCommentOnAction(t *testing.T) {
	run(t, []tc{
		{name: "comments", given: base(t, false),
			when: retro.CommentOnAction{Actor: bob, At: t0, ActionID: "act-old-1", CommentID: "cm1", Text: "Half done"},
			then: []retro.Event{retro.CarriedActionCommented{ActionID: "act-old-1", CommentID: "cm1", Author: "user-bob", Text: "Half done", At: t0}}},
		{name: "comments anonymously", given: base(t, true),
			when: retro.CommentOnAction{Actor: bob, At: t0, ActionID: "act-old-1", CommentID: "cm1", Text: "Half done"},
			then: []retro.Event{retro.CarriedActionCommented{ActionID: "act-old-1", CommentID: "cm1", Author: bob.Pseudonym, Text: "Half done", At: t0}}},
		{name: "rejects an anonymous comment without pseudonym", given: base(t, true),
			when: retro.CommentOnAction{Actor: domain.Actor{UserID: bob.UserID}, At: t0, ActionID: "act-old-1", CommentID: "cm1", Text: "x"},
			kind: domain.Invalid, code: "pseudonym-required"},
		{name: "rejects no comment ID", given: base(t, false),
			when: retro.CommentOnAction{Actor: bob, At: t0, ActionID: "act-old-1", Text: "x"}, kind: domain.Invalid, code: "comment-id-required"},
		{name: "rejects an empty comment", given: base(t, false),
			when: retro.CommentOnAction{Actor: bob, At: t0, ActionID: "act-old-1", CommentID: "cm1"}, kind: domain.Invalid, code: "text-required"},
		{name: "rejects an unknown action", given: base(t, false),
			when: retro.CommentOnAction{Actor: bob, At: t0, ActionID: "nope", CommentID: "cm1", Text: "x"},
			kind: domain.NotFound, code: "action-not-found"},
		{name: "rejects a taken comment ID",
			given: base(t, false, retro.CommentOnAction{Actor: bob, At: t0, ActionID: "act-old-1", CommentID: "cm1", Text: "x"}),
			when:  retro.CommentOnAction{Actor: alice, At: t0, ActionID: "act-old-1", CommentID: "cm1", Text: "y"},
			kind:  domain.Conflict, code: "id-taken"},
	})
}
