package survey_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hindsight-retro/hindsight/domain/survey"
)

func TestBeforeCloseAViewerSeesOnlyTheirOwnResponseAndTheCount(t *testing.T) {
	s := survey.Decider().Fold(answered())
	v := survey.View(s, survey.Viewer{UserID: "dan", Pseudonym: dan.Pseudonym, At: during}, minTwo)
	if v.Closed || v.Results != nil || v.ResponseCount != 2 {
		t.Fatalf("view before close = %+v", v)
	}
	if v.Own == nil || v.Own.Ratings["q-safety"] != 4 || v.Own.OpenAnswers["o-improve"] != "Fewer meetings" {
		t.Fatalf("dan's own response = %+v", v.Own)
	}
	other := survey.View(s, survey.Viewer{UserID: "frank", Pseudonym: respondent("frank").Pseudonym, At: during}, minTwo)
	if other.Own != nil {
		t.Fatalf("frank sees a response he did not give: %+v", other.Own)
	}
	b, _ := json.Marshal(other)
	if strings.Contains(string(b), "Fewer meetings") || strings.Contains(string(b), "anon:") {
		t.Fatalf("frank's view leaks another's response: %s", b)
	}
	if !survey.View(s, survey.Viewer{UserID: "carol", At: during}, minTwo).CanClose || other.CanClose {
		t.Fatal("only the creator may close before the window ends")
	}
}

func TestResultsShowOnceTheWindowIsOverEvenBeforeTheCloseIsRecorded(t *testing.T) {
	s := survey.Decider().Fold(answered())
	v := survey.View(s, survey.Viewer{UserID: "frank", At: closes}, minTwo)
	if !v.Closed || v.Results == nil || v.Results.Respondents != 2 || !v.CanClose {
		t.Fatalf("view after the window = %+v", v)
	}
}

func TestAClosedViewWithholdsResultsOfTooFewRespondents(t *testing.T) {
	s := survey.Decider().Fold(closedSurvey())
	// The creator, a workspace admin outside the team, sees two respondents'
	// survey under the default minimum of 3.
	v := survey.View(s, survey.Viewer{UserID: "carol", At: closes}, minThree)
	if v.Results == nil || v.Results.Respondents != 2 || !v.Results.OpenAnswersWithheld || len(v.Results.OpenAnswers) != 0 {
		t.Fatalf("results of 2 under minimum 3 = %+v", v.Results)
	}
	for _, q := range v.Results.Questions {
		if !q.Withheld || q.Count != 2 || q.Average != nil || q.Distribution != nil || q.ENPS != nil {
			t.Fatalf("%s shows results: %+v", q.Question.ID, q)
		}
	}
	// A respondent still sees their own response.
	if own := survey.View(s, survey.Viewer{UserID: "dan", Pseudonym: dan.Pseudonym, At: closes}, minThree).Own; own == nil || own.Ratings["q-safety"] != 4 {
		t.Fatalf("dan's own = %+v", own)
	}
}

func TestViewsNeverNameRespondentsOrTheCreator(t *testing.T) {
	s := survey.Decider().Fold(closedSurvey())
	for _, who := range []string{"carol", "dan", "erin", "frank"} {
		b, err := json.Marshal(survey.View(s, survey.Viewer{UserID: who, Pseudonym: respondent(who).Pseudonym, At: closes}, minTwo))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"carol", "dan", "erin", "anon:"} {
			if strings.Contains(string(b), name) {
				t.Fatalf("%s's view contains %q: %s", who, name, b)
			}
		}
	}
}

func TestNamedAnswersShowAsOwnToTheirAuthor(t *testing.T) {
	s := survey.Decider().Fold(append(named(),
		survey.ResponseSubmitted{Respondent: dan.Pseudonym, Ratings: map[string]int{"q-safety": 4}},
		survey.NamedAnswersSubmitted{Author: "dan", Answers: map[string]string{"o-improve": "x"}}))
	v := survey.View(s, survey.Viewer{UserID: "dan", Pseudonym: dan.Pseudonym, At: during}, minTwo)
	if v.Own == nil || v.Own.Ratings["q-safety"] != 4 || v.Own.OpenAnswers["o-improve"] != "x" {
		t.Fatalf("dan's own = %+v", v.Own)
	}
}
