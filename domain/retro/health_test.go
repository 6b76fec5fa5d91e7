package retro_test

import (
	"math"
	"testing"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/domain/retro"
)

func TestStartHealthCheck(t *testing.T) {
	run(t, []tc{
		{name: "starts with a pack's questions", given: base(t, false),
			when: retro.StartHealthCheck{Actor: mod, At: t0, Questions: questions},
			then: []retro.Event{retro.HealthCheckStarted{Questions: questions, At: t0}}},
		{name: "rejects no questions", given: base(t, false), when: retro.StartHealthCheck{Actor: mod, At: t0},
			kind: domain.Invalid, code: "questions-required"},
		{name: "rejects a question with an unknown scale", given: base(t, false),
			when: retro.StartHealthCheck{Actor: mod, At: t0, Questions: []catalog.Question{{ID: "q", Text: "?", Scale: "1-7"}}},
			kind: domain.Invalid, code: "question-invalid"},
		{name: "rejects a repeated question", given: base(t, false),
			when: retro.StartHealthCheck{Actor: mod, At: t0, Questions: []catalog.Question{questions[0], questions[0]}},
			kind: domain.Invalid, code: "question-invalid"},
		{name: "rejects a second start", given: base(t, false, retro.StartHealthCheck{Actor: mod, At: t0, Questions: questions}),
			when: retro.StartHealthCheck{Actor: mod, At: t0, Questions: questions}, kind: domain.Conflict, code: "health-check-started"},
	})
}

func TestAnswerHealthCheck(t *testing.T) {
	started := base(t, false, retro.StartHealthCheck{Actor: mod, At: t0, Questions: questions})
	answer := func(a domain.Actor, q string, score int) retro.AnswerHealthCheck {
		return retro.AnswerHealthCheck{Actor: a, At: t0, QuestionID: q, Score: score}
	}
	run(t, []tc{
		{name: "answers under the pseudonym, even in a retro that is not anonymous", given: started,
			when: answer(alice, "q-fun", 4),
			then: []retro.Event{retro.HealthCheckAnswered{QuestionID: "q-fun", Respondent: alice.Pseudonym, Score: 4, At: t0}}},
		{name: "eNPS questions take 0..10", given: started, when: answer(alice, "q-enps", 0),
			then: []retro.Event{retro.HealthCheckAnswered{QuestionID: "q-enps", Respondent: alice.Pseudonym, Score: 0, At: t0}}},
		{name: "answering again with another score replaces it",
			given: base(t, false, retro.StartHealthCheck{Actor: mod, At: t0, Questions: questions}, answer(alice, "q-fun", 4)),
			when:  answer(alice, "q-fun", 2),
			then:  []retro.Event{retro.HealthCheckAnswered{QuestionID: "q-fun", Respondent: alice.Pseudonym, Score: 2, At: t0}}},
		{name: "the same answer again changes nothing",
			given: base(t, false, retro.StartHealthCheck{Actor: mod, At: t0, Questions: questions}, answer(alice, "q-fun", 4)),
			when:  answer(alice, "q-fun", 4)},
		{name: "rejects no pseudonym", given: started, when: answer(domain.Actor{UserID: alice.UserID}, "q-fun", 4),
			kind: domain.Invalid, code: "pseudonym-required"},
		{name: "rejects before the start", given: base(t, false), when: answer(alice, "q-fun", 4),
			kind: domain.Conflict, code: "health-check-not-started"},
		{name: "rejects after the reveal", given: base(t, false, retro.StartHealthCheck{Actor: mod, At: t0, Questions: questions},
			retro.RevealHealthCheck{Actor: mod, At: t0}),
			when: answer(alice, "q-fun", 4), kind: domain.Conflict, code: "health-check-revealed"},
		{name: "rejects an unknown question", given: started, when: answer(alice, "q-x", 4),
			kind: domain.NotFound, code: "question-not-found"},
		{name: "rejects 0 on a 1..5 scale", given: started, when: answer(alice, "q-fun", 0),
			kind: domain.Invalid, code: "score-out-of-range"},
		{name: "rejects 11 on a 0..10 scale", given: started, when: answer(alice, "q-enps", 11),
			kind: domain.Invalid, code: "score-out-of-range"},
	})
}

func TestRevealHealthCheck(t *testing.T) {
	started := base(t, false, retro.StartHealthCheck{Actor: mod, At: t0, Questions: questions},
		retro.AnswerHealthCheck{Actor: alice, At: t0, QuestionID: "q-fun", Score: 4},
		retro.AnswerHealthCheck{Actor: bob, At: t0, QuestionID: "q-fun", Score: 2})
	run(t, []tc{
		{name: "reveals", given: started, when: retro.RevealHealthCheck{Actor: mod, At: t0},
			then: []retro.Event{retro.HealthCheckRevealed{At: t0}}},
		{name: "revealing again changes nothing", given: cat(started, []retro.Event{retro.HealthCheckRevealed{At: t0}}),
			when: retro.RevealHealthCheck{Actor: mod, At: t0}},
		{name: "rejects before the start", given: base(t, false), when: retro.RevealHealthCheck{Actor: mod, At: t0},
			kind: domain.Conflict, code: "health-check-not-started"},
	})

	before := retro.View(fold(started), viewer(alice), policy).Health.Questions[0]
	if before.Result != nil || before.Respondents != 2 || before.YourScore == nil || *before.YourScore != 4 {
		t.Fatalf("before the reveal: %+v; want no result, 2 respondents, alice's own 4", before)
	}
	after := retro.View(fold(cat(started, []retro.Event{retro.HealthCheckRevealed{At: t0}})), viewer(mod), retro.Policy{MinRespondents: 2}).Health.Questions[0]
	if after.Result == nil || after.Result.Count != 2 || after.Result.Average == nil || *after.Result.Average != 3 || after.YourScore != nil {
		t.Fatalf("after the reveal: %+v; want count 2, average 3, no own score for mod", after)
	}
}

func TestENPSQuestionsShowTheirScore(t *testing.T) {
	s := fold(base(t, false, retro.StartHealthCheck{Actor: mod, At: t0, Questions: questions},
		retro.AnswerHealthCheck{Actor: alice, At: t0, QuestionID: "q-enps", Score: 10},
		retro.AnswerHealthCheck{Actor: bob, At: t0, QuestionID: "q-enps", Score: 9},
		retro.AnswerHealthCheck{Actor: mod, At: t0, QuestionID: "q-enps", Score: 3},
		retro.AnswerHealthCheck{Actor: mod, At: t0, QuestionID: "q-fun", Score: 3},
		retro.RevealHealthCheck{Actor: mod, At: t0}))
	qs := retro.View(s, viewer(alice), policy).Health.Questions
	if r := qs[1].Result; r == nil || r.ENPS == nil || math.Round(*r.ENPS*10) != 333 {
		t.Fatalf("eNPS of 2 promoters and 1 detractor: %+v, want 33.3", r)
	}
	if qs[0].Result.ENPS != nil {
		t.Fatal("a 1..5 question has no eNPS")
	}
}

func TestImportSurvey(t *testing.T) {
	imp := retro.ImportSurvey{Actor: mod, At: t0, SurveyID: "survey-1",
		Cards:  []retro.ImportedCard{{CardID: "s1", ColumnID: "keep", Text: "async standups"}},
		Scores: []retro.ImportedScore{{Question: questions[0], Distribution: map[int]int{4: 3, 2: 1}}},
	}
	with := func(f func(*retro.ImportSurvey)) retro.ImportSurvey {
		c := imp
		c.Cards = append([]retro.ImportedCard(nil), imp.Cards...)
		c.Scores = append([]retro.ImportedScore(nil), imp.Scores...)
		f(&c)
		return c
	}
	run(t, []tc{
		{name: "answers become authorless cards and scores the health check", given: base(t, false), when: imp,
			then: []retro.Event{
				retro.SurveyCardsImported{SurveyID: "survey-1", Cards: []retro.ImportedCardRec{{ImportedCard: imp.Cards[0], Concealed: true}}, At: t0},
				retro.SurveyScoresImported{SurveyID: "survey-1", Scores: imp.Scores, At: t0},
			}},
		{name: "rejects no survey ID", given: base(t, false), when: with(func(c *retro.ImportSurvey) { c.SurveyID = "" }),
			kind: domain.Invalid, code: "survey-id-required"},
		{name: "rejects a survey imported before", given: base(t, false, imp), when: with(func(c *retro.ImportSurvey) { c.Cards[0].CardID = "s2" }),
			kind: domain.Conflict, code: "survey-imported"},
		{name: "rejects an empty survey", given: base(t, false),
			when: retro.ImportSurvey{Actor: mod, At: t0, SurveyID: "survey-1"}, kind: domain.Invalid, code: "survey-empty"},
		{name: "rejects a card without ID", given: base(t, false), when: with(func(c *retro.ImportSurvey) { c.Cards[0].CardID = "" }),
			kind: domain.Invalid, code: "card-id-required"},
		{name: "rejects an empty card", given: base(t, false), when: with(func(c *retro.ImportSurvey) { c.Cards[0].Text = "" }),
			kind: domain.Invalid, code: "text-required"},
		{name: "rejects an unknown column", given: base(t, false), when: with(func(c *retro.ImportSurvey) { c.Cards[0].ColumnID = "x" }),
			kind: domain.NotFound, code: "column-not-found"},
		{name: "rejects a taken card ID", given: revealedBoard(t, false), when: with(func(c *retro.ImportSurvey) { c.Cards[0].CardID = "c1" }),
			kind: domain.Conflict, code: "id-taken"},
		{name: "rejects an invalid question", given: base(t, false),
			when: with(func(c *retro.ImportSurvey) { c.Scores[0].Question.Scale = "x" }), kind: domain.Invalid, code: "question-invalid"},
		{name: "rejects a question on another scale than the retro's", given: base(t, false,
			retro.StartHealthCheck{Actor: mod, At: t0, Questions: questions}),
			when: with(func(c *retro.ImportSurvey) { c.Scores[0].Question.Scale = catalog.ScaleTen }),
			kind: domain.Invalid, code: "question-invalid"},
		{name: "rejects a score off the scale", given: base(t, false),
			when: with(func(c *retro.ImportSurvey) { c.Scores[0].Distribution = map[int]int{9: 1} }),
			kind: domain.Invalid, code: "score-out-of-range"},
	})

	s := fold(base(t, false, imp, retro.RevealHealthCheck{Actor: mod, At: t0}))
	v := retro.View(s, viewer(alice), policy)
	if q := v.Health.Questions[0]; q.Result == nil || q.Result.Count != 4 || q.Result.Average == nil || *q.Result.Average != 3.5 {
		t.Fatalf("imported scores as health check: %+v, want 4 answers averaging 3.5", q)
	}
	if c := v.Columns[0].Cards[0]; c.Text != "" || !c.Concealed || c.Mine {
		t.Fatalf("an imported card is concealed from everyone until its column is revealed: %+v", c)
	}
}

func TestARevealedHealthCheckOfFewerAnswersThanTheMinimumShowsItsCountOnly(t *testing.T) {
	// Given two answers to q-fun and three to q-enps, revealed, under a
	// minimum group of three.
	s := fold(base(t, false, retro.StartHealthCheck{Actor: mod, At: t0, Questions: questions},
		retro.AnswerHealthCheck{Actor: alice, At: t0, QuestionID: "q-fun", Score: 4},
		retro.AnswerHealthCheck{Actor: bob, At: t0, QuestionID: "q-fun", Score: 2},
		retro.AnswerHealthCheck{Actor: alice, At: t0, QuestionID: "q-enps", Score: 10},
		retro.AnswerHealthCheck{Actor: bob, At: t0, QuestionID: "q-enps", Score: 9},
		retro.AnswerHealthCheck{Actor: mod, At: t0, QuestionID: "q-enps", Score: 3},
		retro.RevealHealthCheck{Actor: mod, At: t0}))
	for _, who := range []domain.Actor{alice, bob, mod} {
		qs := retro.View(s, viewer(who), policy).Health.Questions
		// Then alice, who knows her own 4, cannot read bob's 2 off q-fun.
		if got := asJSON(t, qs[0].Result); got != `{"count":2,"withheld":true}` {
			t.Errorf("%s sees q-fun's two answers as %s, want their count only", who.UserID, got)
		}
		if r := qs[1].Result; r == nil || r.Withheld || r.Count != 3 || len(r.Distribution) != 3 || r.Average == nil || r.ENPS == nil {
			t.Errorf("%s sees q-enps's three answers as %+v, want the whole result", who.UserID, r)
		}
	}
	// A larger minimum withholds the three answers too.
	if r := retro.View(s, viewer(alice), retro.Policy{MinRespondents: 4}).Health.Questions[1].Result; !r.Withheld || r.ENPS != nil || r.Count != 3 {
		t.Errorf("three answers under a minimum of four: %+v, want the count only", r)
	}
}
