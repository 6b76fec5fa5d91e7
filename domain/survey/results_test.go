package survey_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/domain/survey"
)

// minTwo shows the results of the two-respondent fixtures; the server's
// default minimum is 3.
var (
	minTwo   = survey.Policy{MinRespondents: 2}
	minThree = survey.Policy{MinRespondents: 3}
)

func TestNoResultsBeforeClose(t *testing.T) {
	s := survey.Decider().Fold(answered())
	if _, ok := survey.ResultsOf(s, minTwo); ok {
		t.Error("results before close")
	}
	if _, ok := survey.OpenAnswers(s, minTwo); ok {
		t.Error("open answers for import before close")
	}
}

func TestResultsAggregatePerQuestion(t *testing.T) {
	s := survey.Decider().Fold(append(closedSurvey()[:3],
		survey.ResponseSubmitted{Respondent: "anon:third", Ratings: map[string]int{"q-enps": 7}, OpenAnswers: map[string]string{"o-improve": "Celebrate wins"}},
		survey.SurveyClosed{ClosedBy: "carol", At: closes}))
	r, ok := survey.ResultsOf(s, minTwo)
	if !ok {
		t.Fatal("no results after close")
	}
	if r.Respondents != 3 || len(r.Questions) != 2 || r.OpenAnswersWithheld {
		t.Fatalf("results = %+v", r)
	}
	sq, eq := r.Questions[0], r.Questions[1]
	if sq.Question.ID != "q-safety" || sq.Count != 2 || sq.Withheld || avg(sq) != 3 || sq.ENPS != nil {
		t.Fatalf("safety = %+v", sq)
	}
	wantDist := []survey.Bucket{{1, 0}, {2, 1}, {3, 0}, {4, 1}, {5, 0}}
	if !reflect.DeepEqual(sq.Distribution, wantDist) {
		t.Fatalf("safety distribution = %v", sq.Distribution)
	}
	// Ratings 9, 5, 7: one promoter, one detractor, one passive → eNPS 0.
	if eq.Count != 3 || avg(eq) != 7 || eq.ENPS == nil || *eq.ENPS != 0 || len(eq.Distribution) != 11 {
		t.Fatalf("eNPS question = %+v", eq)
	}
	want := []survey.OpenAnswer{
		{QuestionID: "o-improve", Question: improve.Text, Text: "Celebrate wins"},
		{QuestionID: "o-improve", Question: improve.Text, Text: "Fewer meetings"},
	}
	if !reflect.DeepEqual(r.OpenAnswers, want) {
		t.Fatalf("open answers = %+v", r.OpenAnswers)
	}
}

func TestENPSCountsPromotersMinusDetractors(t *testing.T) {
	given := created()
	for i, v := range []int{10, 9, 9, 8, 3} {
		given = append(given, survey.ResponseSubmitted{Respondent: "anon:" + string(rune('a'+i)), Ratings: map[string]int{"q-enps": v}})
	}
	r, _ := survey.ResultsOf(survey.Decider().Fold(append(given, survey.SurveyClosed{At: closes})), minThree)
	if e := r.Questions[1].ENPS; e == nil || *e != 40 {
		t.Fatalf("eNPS = %v, want 60%% − 20%% = 40", e)
	}
	if q := r.Questions[0]; q.Count != 0 || !q.Withheld || q.Average != nil || q.Distribution != nil {
		t.Fatalf("an unrated question has results: %+v", q)
	}
}

// rated is a closed survey in which n respondents rated both questions
// and wrote an open answer.
func rated(n int) survey.State {
	given := created()
	for i := range n {
		given = append(given, survey.ResponseSubmitted{
			Respondent: "anon:" + string(rune('a'+i)), Ratings: map[string]int{"q-safety": 4, "q-enps": 10},
			OpenAnswers: map[string]string{"o-improve": "answer " + string(rune('a'+i))},
		})
	}
	return survey.Decider().Fold(append(given, survey.SurveyClosed{At: closes}))
}

func TestResultsBelowTheMinimumAreWithheld(t *testing.T) {
	for _, n := range []int{1, 2} {
		r, ok := survey.ResultsOf(rated(n), minThree)
		if !ok || r.Respondents != n {
			t.Fatalf("%d respondents: results = %+v, %v", n, r, ok)
		}
		for _, q := range r.Questions {
			if !q.Withheld || q.Count != n || q.Average != nil || q.Distribution != nil || q.ENPS != nil {
				t.Fatalf("%d respondents: %s shows results: %+v", n, q.Question.ID, q)
			}
		}
		if len(r.OpenAnswers) != 0 || !r.OpenAnswersWithheld {
			t.Fatalf("%d respondents: open answers shown: %+v", n, r.OpenAnswers)
		}
		b, _ := json.Marshal(r)
		for _, leak := range []string{`"average"`, `"distribution"`, `"enps"`, "answer a"} {
			if strings.Contains(string(b), leak) {
				t.Fatalf("%d respondents: results contain %s: %s", n, leak, b)
			}
		}
	}
}

func TestResultsAtAndAboveTheMinimumAreShown(t *testing.T) {
	for _, n := range []int{3, 4} {
		r, _ := survey.ResultsOf(rated(n), minThree)
		sq, eq := r.Questions[0], r.Questions[1]
		if sq.Withheld || sq.Count != n || avg(sq) != 4 || len(sq.Distribution) != 5 || sq.Distribution[3].Count != n {
			t.Fatalf("%d respondents: safety = %+v", n, sq)
		}
		if eq.Withheld || eq.ENPS == nil || *eq.ENPS != 100 {
			t.Fatalf("%d respondents: eNPS = %+v", n, eq)
		}
		if len(r.OpenAnswers) != n || r.OpenAnswersWithheld {
			t.Fatalf("%d respondents: open answers = %+v", n, r.OpenAnswers)
		}
	}
}

func TestEachQuestionIsWithheldOnItsOwnCount(t *testing.T) {
	// Three respond, but only two rate safety: the eNPS shows, safety does not.
	s := survey.Decider().Fold(append(closedSurvey()[:3],
		survey.ResponseSubmitted{Respondent: "anon:third", Ratings: map[string]int{"q-enps": 7}},
		survey.SurveyClosed{At: closes}))
	r, _ := survey.ResultsOf(s, minThree)
	if sq := r.Questions[0]; !sq.Withheld || sq.Count != 2 || sq.Average != nil {
		t.Fatalf("safety rated by 2 of minimum 3 = %+v", sq)
	}
	if eq := r.Questions[1]; eq.Withheld || eq.ENPS == nil || *eq.ENPS != 0 {
		t.Fatalf("eNPS rated by 3 of minimum 3 = %+v", eq)
	}
	if len(r.OpenAnswers) != 1 || r.OpenAnswersWithheld {
		t.Fatalf("three respondents, open answers = %+v", r.OpenAnswers)
	}
}

func TestAMinimumBelowTwoStillWithholdsALoneRating(t *testing.T) {
	for _, p := range []survey.Policy{{}, {MinRespondents: 1}, {MinRespondents: -5}} {
		r, _ := survey.ResultsOf(rated(1), p)
		if !r.Questions[0].Withheld || len(r.OpenAnswers) != 0 {
			t.Fatalf("policy %+v shows one person's answers: %+v", p, r)
		}
		if r, _ := survey.ResultsOf(rated(2), p); r.Questions[0].Withheld {
			t.Fatalf("policy %+v withholds two ratings: %+v", p, r)
		}
	}
}

func TestARetroImportsNoAnonymousAnswersBelowTheMinimum(t *testing.T) {
	got, ok := survey.OpenAnswers(rated(2), minThree)
	if !ok || len(got) != 0 {
		t.Fatalf("import of 2 respondents = %+v, %v", got, ok)
	}
	if got, _ := survey.OpenAnswers(rated(3), minThree); len(got) != 3 {
		t.Fatalf("import of 3 respondents = %+v", got)
	}
}

func avg(q survey.QuestionResult) float64 {
	if q.Average == nil {
		return -1
	}
	return *q.Average
}

func TestARetroImportsOpenAnswersWithoutAuthors(t *testing.T) {
	s := survey.Decider().Fold(append(named(),
		survey.NamedAnswersSubmitted{Author: "dan", Answers: map[string]string{"o-improve": "Fewer meetings"}},
		survey.SurveyClosed{At: closes}))
	// Named answers are signed, so no minimum applies to them.
	got, ok := survey.OpenAnswers(s, minThree)
	want := []survey.OpenAnswer{{QuestionID: "o-improve", Question: improve.Text, Text: "Fewer meetings"}}
	if !ok || !reflect.DeepEqual(got, want) {
		t.Fatalf("import = %+v, %v", got, ok)
	}
	// The results of a named survey do name the author: that was the deal.
	if r, _ := survey.ResultsOf(s, minThree); len(r.OpenAnswers) != 1 || r.OpenAnswers[0].Author != "dan" {
		t.Fatalf("named results = %+v", r.OpenAnswers)
	}
}

func pack(ids ...string) catalog.HealthPack {
	p := catalog.HealthPack{ID: "p"}
	for _, id := range ids {
		p.Questions = append(p.Questions, catalog.Question{ID: id, Text: id, Scale: catalog.ScaleFive})
	}
	return p
}

func qids(qs []catalog.Question) []string {
	var out []string
	for _, q := range qs {
		out = append(out, q.ID)
	}
	return out
}

func TestDraftNextRotatesThroughThePack(t *testing.T) {
	p := pack("a", "b", "c", "d", "e", "f", "g")
	var prev survey.State
	var got [][]string
	for range 4 {
		next := survey.DraftNext(p, prev, 3)
		got = append(got, qids(next))
		prev = survey.State{HealthQuestions: next}
	}
	want := [][]string{{"a", "b", "c"}, {"d", "e", "f"}, {"g", "a", "b"}, {"c", "d", "e"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("drafts = %v, want %v", got, want)
	}
}

func TestDraftNextPutsRecentlyAskedQuestionsLast(t *testing.T) {
	p := pack("a", "b", "c", "d")
	prev := survey.State{HealthQuestions: p.Questions[1:3]} // b, c
	if got := qids(survey.DraftNext(p, prev, 4)); !reflect.DeepEqual(got, []string{"d", "a", "b", "c"}) {
		t.Fatalf("draft = %v", got)
	}
	if got := survey.DraftNext(p, prev, 0); got != nil {
		t.Fatalf("n=0 draft = %v", got)
	}
	if got := qids(survey.DraftNext(p, prev, 99)); len(got) != 4 {
		t.Fatalf("n beyond pack = %v", got)
	}
	if got := survey.DraftNext(catalog.HealthPack{}, prev, 3); got != nil {
		t.Fatalf("empty pack draft = %v", got)
	}
}

func TestAnOpenAnswerCarriesTheColumnItsQuestionIsTiedTo(t *testing.T) {
	tied := survey.OpenQuestion{ID: "o-keep", Text: "What should we keep?", Column: "went-well"}
	e := createdEvent()
	e.OpenQuestions = append(e.OpenQuestions, tied)
	s := survey.Decider().Fold([]survey.Event{e,
		survey.ResponseSubmitted{Respondent: dan.Pseudonym, OpenAnswers: map[string]string{"o-keep": "Pairing", "o-improve": "Fewer meetings"}},
		survey.ResponseSubmitted{Respondent: erin.Pseudonym, Ratings: map[string]int{"q-safety": 2}},
		survey.ResponseSubmitted{Respondent: respondent("finn").Pseudonym, Ratings: map[string]int{"q-safety": 3}},
		survey.SurveyClosed{At: closes}})
	got, ok := survey.OpenAnswers(s, minThree)
	want := []survey.OpenAnswer{
		{QuestionID: "o-improve", Question: improve.Text, Text: "Fewer meetings"},
		{QuestionID: "o-keep", Question: tied.Text, Column: "went-well", Text: "Pairing"},
	}
	if !ok || !reflect.DeepEqual(got, want) {
		t.Fatalf("import = %+v, %v; want %+v", got, ok, want)
	}
}
