package survey_test

import (
	"reflect"
	"testing"

	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/domain/survey"
)

func TestNoResultsBeforeClose(t *testing.T) {
	s := survey.Decider().Fold(answered())
	if _, ok := survey.ResultsOf(s); ok {
		t.Error("results before close")
	}
	if _, ok := survey.OpenAnswers(s); ok {
		t.Error("open answers for import before close")
	}
}

func TestResultsAggregatePerQuestion(t *testing.T) {
	s := survey.Decider().Fold(append(closedSurvey()[:3],
		survey.ResponseSubmitted{Respondent: "anon:third", Ratings: map[string]int{"q-enps": 7}, OpenAnswers: map[string]string{"o-improve": "Celebrate wins"}},
		survey.SurveyClosed{ClosedBy: "carol", At: closes}))
	r, ok := survey.ResultsOf(s)
	if !ok {
		t.Fatal("no results after close")
	}
	if r.Respondents != 3 || len(r.Questions) != 2 {
		t.Fatalf("results = %+v", r)
	}
	sq, eq := r.Questions[0], r.Questions[1]
	if sq.Question.ID != "q-safety" || sq.Count != 2 || sq.Average != 3 || sq.ENPS != nil {
		t.Fatalf("safety = %+v", sq)
	}
	wantDist := []survey.Bucket{{1, 0}, {2, 1}, {3, 0}, {4, 1}, {5, 0}}
	if !reflect.DeepEqual(sq.Distribution, wantDist) {
		t.Fatalf("safety distribution = %v", sq.Distribution)
	}
	// Ratings 9, 5, 7: one promoter, one detractor, one passive → eNPS 0.
	if eq.Count != 3 || eq.Average != 7 || eq.ENPS == nil || *eq.ENPS != 0 || len(eq.Distribution) != 11 {
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
	r, _ := survey.ResultsOf(survey.Decider().Fold(append(given, survey.SurveyClosed{At: closes})))
	if e := r.Questions[1].ENPS; e == nil || *e != 40 {
		t.Fatalf("eNPS = %v, want 60%% − 20%% = 40", e)
	}
	if r.Questions[0].Count != 0 || r.Questions[0].Average != 0 {
		t.Fatalf("an unrated question has results: %+v", r.Questions[0])
	}
}

func TestARetroImportsOpenAnswersWithoutAuthors(t *testing.T) {
	s := survey.Decider().Fold(append(named(),
		survey.NamedAnswersSubmitted{Author: "dan", Answers: map[string]string{"o-improve": "Fewer meetings"}},
		survey.SurveyClosed{At: closes}))
	got, ok := survey.OpenAnswers(s)
	want := []survey.OpenAnswer{{QuestionID: "o-improve", Question: improve.Text, Text: "Fewer meetings"}}
	if !ok || !reflect.DeepEqual(got, want) {
		t.Fatalf("import = %+v, %v", got, ok)
	}
	// The results of a named survey do name the author: that was the deal.
	if r, _ := survey.ResultsOf(s); r.OpenAnswers[0].Author != "dan" {
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
