package retro_test

import (
	"math"
	"testing"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/domain/retro"
)

func TestStartHealthCheck(t *testing.T) {
	decider.Run(t, []tc{
		{Name: "starts with a pack's questions", Given: base(t, false),
			When: retro.StartHealthCheck{Actor: mod, At: t0, Questions: questions},
			Then: []retro.Event{retro.HealthCheckStarted{Questions: questions, At: t0}}},
		{Name: "rejects no questions", Given: base(t, false), When: retro.StartHealthCheck{Actor: mod, At: t0},
			Kind: domain.Invalid, Code: retro.CodeQuestionsRequired},
		{Name: "rejects a question with an unknown scale", Given: base(t, false),
			When: retro.StartHealthCheck{Actor: mod, At: t0, Questions: []catalog.Question{{ID: "q", Text: "?", Scale: "1-7"}}},
			Kind: domain.Invalid, Code: retro.CodeQuestionInvalid},
		{Name: "rejects a repeated question", Given: base(t, false),
			When: retro.StartHealthCheck{Actor: mod, At: t0, Questions: []catalog.Question{questions[0], questions[0]}},
			Kind: domain.Invalid, Code: retro.CodeQuestionInvalid},
		{Name: "rejects a second start", Given: base(t, false, retro.StartHealthCheck{Actor: mod, At: t0, Questions: questions}),
			When: retro.StartHealthCheck{Actor: mod, At: t0, Questions: questions}, Kind: domain.Conflict, Code: retro.CodeHealthCheckStarted},
	})
}

func TestAnswerHealthCheck(t *testing.T) {
	started := base(t, false, retro.StartHealthCheck{Actor: mod, At: t0, Questions: questions})
	answer := func(a domain.Actor, q string, score int) retro.AnswerHealthCheck {
		return retro.AnswerHealthCheck{Actor: a, At: t0, QuestionID: q, Score: score}
	}
	decider.Run(t, []tc{
		{Name: "answers under the pseudonym, even in a retro that is not anonymous", Given: started,
			When: answer(alice, "q-fun", 4),
			Then: []retro.Event{retro.HealthCheckAnswered{QuestionID: "q-fun", Respondent: alice.Pseudonym, Score: 4, At: t0}}},
		{Name: "eNPS questions take 0..10", Given: started, When: answer(alice, "q-enps", 0),
			Then: []retro.Event{retro.HealthCheckAnswered{QuestionID: "q-enps", Respondent: alice.Pseudonym, Score: 0, At: t0}}},
		{Name: "answering again with another score replaces it",
			Given: base(t, false, retro.StartHealthCheck{Actor: mod, At: t0, Questions: questions}, answer(alice, "q-fun", 4)),
			When:  answer(alice, "q-fun", 2),
			Then:  []retro.Event{retro.HealthCheckAnswered{QuestionID: "q-fun", Respondent: alice.Pseudonym, Score: 2, At: t0}}},
		{Name: "the same answer again changes nothing",
			Given: base(t, false, retro.StartHealthCheck{Actor: mod, At: t0, Questions: questions}, answer(alice, "q-fun", 4)),
			When:  answer(alice, "q-fun", 4)},
		{Name: "rejects no pseudonym", Given: started, When: answer(domain.Actor{UserID: alice.UserID}, "q-fun", 4),
			Kind: domain.Invalid, Code: retro.CodePseudonymRequired},
		{Name: "rejects before the start", Given: base(t, false), When: answer(alice, "q-fun", 4),
			Kind: domain.Conflict, Code: retro.CodeHealthCheckNotStarted},
		{Name: "rejects after the reveal", Given: base(t, false, retro.StartHealthCheck{Actor: mod, At: t0, Questions: questions},
			retro.RevealHealthCheck{Actor: mod, At: t0}),
			When: answer(alice, "q-fun", 4), Kind: domain.Conflict, Code: retro.CodeHealthCheckRevealed},
		{Name: "rejects an unknown question", Given: started, When: answer(alice, "q-x", 4),
			Kind: domain.NotFound, Code: retro.CodeQuestionNotFound},
		{Name: "rejects 0 on a 1..5 scale", Given: started, When: answer(alice, "q-fun", 0),
			Kind: domain.Invalid, Code: retro.CodeScoreOutOfRange},
		{Name: "rejects 11 on a 0..10 scale", Given: started, When: answer(alice, "q-enps", 11),
			Kind: domain.Invalid, Code: retro.CodeScoreOutOfRange},
	})
}

func TestRevealHealthCheck(t *testing.T) {
	started := base(t, false, retro.StartHealthCheck{Actor: mod, At: t0, Questions: questions},
		retro.AnswerHealthCheck{Actor: alice, At: t0, QuestionID: "q-fun", Score: 4},
		retro.AnswerHealthCheck{Actor: bob, At: t0, QuestionID: "q-fun", Score: 2})
	decider.Run(t, []tc{
		{Name: "reveals", Given: started, When: retro.RevealHealthCheck{Actor: mod, At: t0},
			Then: []retro.Event{retro.HealthCheckRevealed{At: t0}}},
		{Name: "revealing again changes nothing", Given: cat(started, []retro.Event{retro.HealthCheckRevealed{At: t0}}),
			When: retro.RevealHealthCheck{Actor: mod, At: t0}},
		{Name: "rejects before the start", Given: base(t, false), When: retro.RevealHealthCheck{Actor: mod, At: t0},
			Kind: domain.Conflict, Code: retro.CodeHealthCheckNotStarted},
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
	decider.Run(t, []tc{
		{Name: "answers become authorless cards and scores the health check", Given: base(t, false), When: imp,
			Then: []retro.Event{
				retro.SurveyCardsImported{SurveyID: "survey-1", Cards: []retro.ImportedCardRec{{ImportedCard: imp.Cards[0], Concealed: true}}, At: t0},
				retro.SurveyScoresImported{SurveyID: "survey-1", Scores: imp.Scores, At: t0},
			}},
		{Name: "rejects no survey ID", Given: base(t, false), When: with(func(c *retro.ImportSurvey) { c.SurveyID = "" }),
			Kind: domain.Invalid, Code: retro.CodeSurveyIDRequired},
		{Name: "rejects a survey imported before", Given: base(t, false, imp), When: with(func(c *retro.ImportSurvey) { c.Cards[0].CardID = "s2" }),
			Kind: domain.Conflict, Code: retro.CodeSurveyImported},
		{Name: "rejects an empty survey", Given: base(t, false),
			When: retro.ImportSurvey{Actor: mod, At: t0, SurveyID: "survey-1"}, Kind: domain.Invalid, Code: retro.CodeSurveyEmpty},
		{Name: "rejects a card without ID", Given: base(t, false), When: with(func(c *retro.ImportSurvey) { c.Cards[0].CardID = "" }),
			Kind: domain.Invalid, Code: retro.CodeCardIDRequired},
		{Name: "rejects an empty card", Given: base(t, false), When: with(func(c *retro.ImportSurvey) { c.Cards[0].Text = "" }),
			Kind: domain.Invalid, Code: retro.CodeTextRequired},
		{Name: "rejects an unknown column", Given: base(t, false), When: with(func(c *retro.ImportSurvey) { c.Cards[0].ColumnID = "x" }),
			Kind: domain.NotFound, Code: retro.CodeColumnNotFound},
		{Name: "rejects a taken card ID", Given: revealedBoard(t, false), When: with(func(c *retro.ImportSurvey) { c.Cards[0].CardID = "c1" }),
			Kind: domain.Conflict, Code: retro.CodeIDTaken},
		{Name: "rejects an invalid question", Given: base(t, false),
			When: with(func(c *retro.ImportSurvey) { c.Scores[0].Question.Scale = "x" }), Kind: domain.Invalid, Code: retro.CodeQuestionInvalid},
		{Name: "rejects a question on another scale than the retro's", Given: base(t, false,
			retro.StartHealthCheck{Actor: mod, At: t0, Questions: questions}),
			When: with(func(c *retro.ImportSurvey) { c.Scores[0].Question.Scale = catalog.ScaleTen }),
			Kind: domain.Invalid, Code: retro.CodeQuestionInvalid},
		{Name: "rejects a score off the scale", Given: base(t, false),
			When: with(func(c *retro.ImportSurvey) { c.Scores[0].Distribution = map[int]int{9: 1} }),
			Kind: domain.Invalid, Code: retro.CodeScoreOutOfRange},
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
