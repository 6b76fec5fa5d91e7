package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/app/keys"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/survey"
	"github.com/hindsight-retro/hindsight/projections/export"
)

func TestASurveyFromSendingToImportIntoARetro(t *testing.T) {
	f := newTeam(t)
	ctx := f.ctx()
	in := app.CreateSurveyInput{
		TeamIDs: []string{f.team}, Title: "Before sprint 2", QuestionIDs: []string{"fav-commit-goal"},
		OpenQuestions: []survey.OpenQuestion{{ID: "slow", Text: "What slowed you down?"}},
		ClosesAt:      t0.Add(48 * time.Hour),
	}
	// Only members of the team send it.
	_, err := f.app.CreateSurvey(ctx, f.as(user(uOut)), in)
	refused(t, "an outsider sends a survey to the team", err, domain.ErrNotFound) // as a missing one: see hidden
	sv := must(f.app.CreateSurvey(ctx, f.as(user(uMod)), in))(t)

	// Members answer (three: the default minimum group); the others are refused.
	answers := map[string]string{uMod: "unclear goal", uBea: "flaky tests", uCal: "waiting on reviews"}
	for _, u := range []string{uMod, uBea, uCal} {
		must(f.app.SubmitSurveyResponse(ctx, f.as(user(u)), sv.ID, app.SurveyResponse{Ratings: map[string]int{"fav-commit-goal": 4}, Answers: map[string]string{"slow": answers[u]}}))(t)
	}
	_, err = f.app.SubmitSurveyResponse(ctx, f.as(user(uOut)), sv.ID, app.SurveyResponse{Ratings: map[string]int{"fav-commit-goal": 1}})
	refused(t, "an outsider answers", err, domain.ErrNotFound) // as a missing one: see hidden
	_, err = f.app.SubmitSurveyResponse(ctx, f.as(readOnly(uBea)), sv.ID, app.SurveyResponse{Ratings: map[string]int{"fav-commit-goal": 1}})
	refused(t, "a read-only token answers", err, domain.ErrForbidden)

	// While open: each sees their own response, nobody sees results.
	v := must(f.app.Survey(ctx, user(uBea), sv.ID))(t)
	if v.Own == nil || v.Own.OpenAnswers["slow"] != "flaky tests" || v.Results != nil || v.ResponseCount != 3 {
		t.Errorf("bea's view of the open survey: %+v", v)
	}
	_, err = f.app.Survey(ctx, user(uAda), sv.ID)
	refused(t, "the workspace admin, who did not send it, reads it", err, domain.ErrNotFound) // as a missing one: see hidden

	// No response in the log names its respondent, inside or on the envelope.
	for _, e := range f.events() {
		if e.Type != survey.TypeResponseSubmitted {
			continue
		}
		if who, ok := contains(string(e.Payload)+" "+e.Actor, uMod, uBea, uCal); ok || !strings.HasPrefix(e.Actor, "anon:") {
			t.Errorf("response names %s: payload %s, actor %q", who, e.Payload, e.Actor)
		}
	}

	// Closing shows results and destroys the survey's key.
	must(f.app.CloseSurvey(ctx, f.as(user(uMod)), sv.ID))(t)
	if _, err := f.keys.Get(ctx, "survey:"+sv.ID); !errors.Is(err, keys.ErrDestroyed) {
		t.Errorf("survey key after close: %v, want destroyed", err)
	}
	v = must(f.app.Survey(ctx, user(uCal), sv.ID))(t)
	if v.Results == nil || v.Results.Respondents != 3 || len(v.Results.OpenAnswers) != 3 || v.Results.Questions[0].Withheld {
		t.Fatalf("results after close: %+v", v.Results)
	}

	// The moderator imports it into a retro: the answers become cards
	// (concealed until revealed), the ratings the health check's results.
	rid := f.newRetro("Sprint 2", false)
	_, err = f.retro(user(uBea), rid, app.ImportSurvey{SurveyID: sv.ID})
	rejected(t, "a participant imports", err, domain.Forbidden, "not-moderator")
	must(f.retro(user(uMod), rid, app.ImportSurvey{SurveyID: sv.ID}))(t)
	rv := f.view(user(uCal), rid)
	if len(rv.Columns[0].Cards) != 3 || rv.Columns[0].Cards[0].Text != "" || !rv.Columns[0].Cards[0].Imported {
		t.Errorf("imported cards in %s: %+v, want 3 concealed imported cards", rv.Columns[0].ID, rv.Columns[0].Cards)
	}
	if rv.Health == nil || len(rv.Health.Questions) != 1 || rv.Health.Questions[0].Respondents != 3 {
		t.Errorf("imported health check: %+v, want one question with 3 respondents", rv.Health)
	}
}

// A survey's results are held to the minimum group of the heat map: its
// sender, here a workspace admin outside the team, cannot read one or two
// people's ratings or answers off it, nor can a retro import them.
func TestSurveyResultsOfTooFewRespondentsAreWithheld(t *testing.T) {
	f := newTeam(t)
	ctx := f.ctx()
	sv := must(f.app.CreateSurvey(ctx, f.as(user(uAda)), app.CreateSurveyInput{
		TeamIDs: []string{f.team}, Title: "Pulse", QuestionIDs: []string{"fav-commit-goal", "fav-focus-few"},
		OpenQuestions: []survey.OpenQuestion{{ID: "slow", Text: "What slowed you down?"}},
		ClosesAt:      t0.Add(48 * time.Hour),
	}))(t)
	for u, text := range map[string]string{uBea: "marker-bea-5d1e", uCal: "marker-cal-0b7c"} {
		must(f.app.SubmitSurveyResponse(ctx, f.as(user(u)), sv.ID, app.SurveyResponse{Ratings: map[string]int{"fav-commit-goal": 2, "fav-focus-few": 5}, Answers: map[string]string{"slow": text}}))(t)
	}
	must(f.app.CloseSurvey(ctx, f.as(user(uAda)), sv.ID))(t)

	v := must(f.app.Survey(ctx, user(uAda), sv.ID))(t)
	if v.Results == nil || v.Results.Respondents != 2 || len(v.Results.OpenAnswers) != 0 || !v.Results.OpenAnswersWithheld {
		t.Fatalf("the sender's results of 2 respondents: %+v", v.Results)
	}
	for _, q := range v.Results.Questions {
		if !q.Withheld || q.Count != 2 || q.Average != nil || q.Distribution != nil {
			t.Errorf("%s of 2 respondents shows results: %+v", q.Question.ID, q)
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{"marker-", `"average"`, `"distribution"`} {
		if strings.Contains(string(b), leak) {
			t.Errorf("the sender's view contains %s: %s", leak, b)
		}
	}

	// Nothing survives the minimum, so a retro has nothing to import.
	rid := f.newRetro("Sprint 2", false)
	_, err = f.retro(user(uMod), rid, app.ImportSurvey{SurveyID: sv.ID})
	rejected(t, "importing a survey of 2 respondents", err, domain.Invalid, "survey-empty")

	// The minimum is the server's --min-group-size: at 2 the same survey shows.
	lax := app.New(app.Deps{Store: f.store, Keys: f.keys, Catalog: f.cat, Clock: f.clock, NewID: f.newID,
		ReadModels: app.ReadModelConfig{MinGroupSize: 2}})
	v = must(lax.Survey(ctx, user(uAda), sv.ID))(t)
	if r := v.Results; r == nil || len(r.OpenAnswers) != 2 || r.Questions[0].Withheld || r.Questions[0].Average == nil || *r.Questions[0].Average != 2 {
		t.Fatalf("results of 2 respondents under a minimum of 2: %+v", v.Results)
	}
}

// A question rated by fewer than the minimum is withheld on its own: a
// retro imports the other questions' scores and the answers.
func TestARetroImportsOnlyTheQuestionsRatedByEnough(t *testing.T) {
	f := newTeam(t)
	ctx := f.ctx()
	sv := must(f.app.CreateSurvey(ctx, f.as(user(uMod)), app.CreateSurveyInput{
		TeamIDs: []string{f.team}, Title: "Pulse", QuestionIDs: []string{"fav-commit-goal", "fav-focus-few"},
		OpenQuestions: []survey.OpenQuestion{{ID: "slow", Text: "What slowed you down?"}},
		ClosesAt:      t0.Add(48 * time.Hour),
	}))(t)
	// All three rate the goal; only cal rates focus.
	for _, u := range []string{uMod, uBea, uCal} {
		ratings := map[string]int{"fav-commit-goal": 4}
		if u == uCal {
			ratings["fav-focus-few"] = 1
		}
		must(f.app.SubmitSurveyResponse(ctx, f.as(user(u)), sv.ID, app.SurveyResponse{Ratings: ratings, Answers: map[string]string{"slow": "answer of " + u}}))(t)
	}
	must(f.app.CloseSurvey(ctx, f.as(user(uMod)), sv.ID))(t)
	v := must(f.app.Survey(ctx, user(uBea), sv.ID))(t)
	if q := v.Results.Questions; q[0].Withheld || !q[1].Withheld || q[1].Count != 1 || q[1].Distribution != nil {
		t.Fatalf("questions rated by 3 and 1: %+v", q)
	}
	rid := f.newRetro("Sprint 2", false)
	must(f.retro(user(uMod), rid, app.ImportSurvey{SurveyID: sv.ID}))(t)
	rv := f.view(user(uCal), rid)
	if rv.Health == nil || len(rv.Health.Questions) != 1 || rv.Health.Questions[0].Question.ID != "fav-commit-goal" {
		t.Errorf("imported health check: %+v, want only fav-commit-goal", rv.Health)
	}
	if len(rv.Columns[0].Cards) != 3 {
		t.Errorf("imported cards: %+v, want 3", rv.Columns[0].Cards)
	}
}

func TestOnlyWorkspaceAdminsSendASurveyToSeveralTeams(t *testing.T) {
	f := newTeam(t)
	ctx := f.ctx()
	other := must(f.app.CreateTeam(ctx, f.as(user(uAda)), app.CreateTeamInput{WorkspaceID: f.ws, Name: "Mobile", TemplateID: "kanban-team", FirstAdminID: uMod}))(t)
	in := app.CreateSurveyInput{TeamIDs: []string{f.team, other.ID}, Title: "Pulse", PackID: "five-agile-values", ClosesAt: t0.Add(time.Hour * 24)}
	// A member of both teams who is not a workspace admin: the domain refuses.
	_, err := f.app.CreateSurvey(ctx, f.as(user(uMod)), in)
	rejected(t, "a team admin sends to two teams", err, domain.Forbidden, survey.CodeMultiTeamForbidden)
	// The workspace admin may, and reads what they sent, though in neither team.
	sv := must(f.app.CreateSurvey(ctx, f.as(user(uAda)), in))(t)
	if v := must(f.app.Survey(ctx, user(uAda), sv.ID))(t); len(v.TeamIDs) != 2 || len(v.HealthQuestions) == 0 {
		t.Errorf("the sender's view: %+v", v)
	}
}

// A member's export of the team's history holds their own survey answers
// (found through the survey's anonymity key) and nobody else's.
func TestTheExportShowsTheCallerTheirOwnSurveyAnswersOnly(t *testing.T) {
	f := newTeam(t)
	ctx := f.ctx()
	sv := must(f.app.CreateSurvey(ctx, f.as(user(uMod)), app.CreateSurveyInput{
		TeamIDs: []string{f.team}, Title: "Pulse", QuestionIDs: []string{"fav-commit-goal"},
		OpenQuestions: []survey.OpenQuestion{{ID: "slow", Text: "What slowed you down?"}},
		ClosesAt:      t0.Add(48 * time.Hour),
	}))(t)
	for u, text := range map[string]string{uBea: "marker-bea-7f3a", uCal: "marker-cal-91c2"} {
		must(f.app.SubmitSurveyResponse(ctx, f.as(user(u)), sv.ID, app.SurveyResponse{Ratings: map[string]int{"fav-commit-goal": 4}, Answers: map[string]string{"slow": text}}))(t)
	}
	write := must(f.app.TeamEvents(ctx, user(uBea), export.Filter{TeamID: f.team}))(t)
	var out strings.Builder
	if err := write(&out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "marker-bea-7f3a") {
		t.Errorf("bea's export lacks her own survey answer:\n%s", out.String())
	}
	if strings.Contains(out.String(), "marker-cal-91c2") || strings.Contains(out.String(), "anon:") {
		t.Errorf("bea's export shows cal's answer or a pseudonym:\n%s", out.String())
	}
}

func TestImportedAnswersLandInTheColumnTheirQuestionIsTiedTo(t *testing.T) {
	f := newTeam(t)
	ctx := f.ctx()
	sv := must(f.app.CreateSurvey(ctx, f.as(user(uMod)), app.CreateSurveyInput{
		TeamIDs: []string{f.team}, Title: "Before sprint 3", ClosesAt: t0.Add(48 * time.Hour),
		OpenQuestions: []survey.OpenQuestion{
			{ID: "keep", Text: "What should we keep doing?", Column: "continue"},
			{ID: "drop", Text: "What should we drop?", Column: "stop"},
			{ID: "misc", Text: "Anything else?"},
			{ID: "odd", Text: "Tied to a column this retro lacks", Column: "glad"},
		},
	}))(t)
	for _, u := range []string{uMod, uBea, uCal} {
		must(f.app.SubmitSurveyResponse(ctx, f.as(user(u)), sv.ID, app.SurveyResponse{Answers: map[string]string{
			"keep": "keep " + u, "drop": "drop " + u, "misc": "misc " + u, "odd": "odd " + u,
		}}))(t)
	}
	must(f.app.CloseSurvey(ctx, f.as(user(uMod)), sv.ID))(t)
	rid := f.newRetro("Sprint 3", false) // the team's default: start, stop, continue
	must(f.retro(user(uMod), rid, app.ImportSurvey{SurveyID: sv.ID, ColumnID: "start"}))(t)
	for _, col := range []string{"start", "stop", "continue"} {
		must(f.retro(user(uMod), rid, app.RevealColumn{ColumnID: col}))(t)
	}
	got := map[string][]string{}
	for _, c := range f.view(user(uBea), rid).Columns {
		for _, card := range c.Cards {
			got[c.ID] = append(got[c.ID], strings.Fields(card.Text)[0])
		}
	}
	want := map[string]string{"continue": "keep", "stop": "drop", "start": "misc odd"}
	for col, prefixes := range want {
		for _, p := range strings.Fields(prefixes) {
			n := 0
			for _, g := range got[col] {
				if g == p {
					n++
				}
			}
			if n != 3 {
				t.Errorf("column %s holds %d %q answers, want 3 (columns: %v)", col, n, p, got)
			}
		}
	}
}

// A survey a workspace admin sends to two teams counts in each team's
// trends with its own people only, each held to the minimum group.
func TestASurveyToTwoTeamsCountsInEachTeamsTrendsWithItsOwnPeople(t *testing.T) {
	f := newTeam(t)
	ctx := f.ctx()
	other := must(f.app.CreateTeam(ctx, f.as(user(uAda)), app.CreateTeamInput{WorkspaceID: f.ws, Name: "Mobile", TemplateID: "kanban-team", FirstAdminID: uOut}))(t)
	for _, u := range []string{"dora", "emil"} {
		must(f.app.AddMember(ctx, f.as(user(uOut)), other.ID, app.AddMemberInput{UserID: u}))(t)
	}
	sv := must(f.app.CreateSurvey(ctx, f.as(user(uAda)), app.CreateSurveyInput{
		TeamIDs: []string{f.team, other.ID}, Title: "Company pulse", QuestionIDs: []string{"fav-commit-goal"}, ClosesAt: t0.Add(48 * time.Hour),
	}))(t)
	// Platform (mod, bea, cal) rate 5; Mobile (out, dora) rate 1: two, under the minimum of three.
	for _, u := range []string{uMod, uBea, uCal} {
		must(f.app.SubmitSurveyResponse(ctx, f.as(user(u)), sv.ID, app.SurveyResponse{Ratings: map[string]int{"fav-commit-goal": 5}}))(t)
	}
	for _, u := range []string{uOut, "dora"} {
		must(f.app.SubmitSurveyResponse(ctx, f.as(user(u)), sv.ID, app.SurveyResponse{Ratings: map[string]int{"fav-commit-goal": 1}}))(t)
	}
	closed := must(f.app.CloseSurvey(ctx, f.as(user(uAda)), sv.ID))(t)
	// The trends are a read model: run them, and wait until they have read the close.
	runCtx, stop := context.WithCancel(ctx)
	ran := make(chan error, 1)
	go func() { ran <- f.app.Run(runCtx) }()
	defer func() { stop(); <-ran }()
	waitCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := f.app.WaitForReadModels(waitCtx, closed.Position); err != nil {
		t.Fatal(err)
	}

	platform := must(f.app.TeamHealth(ctx, user(uMod), f.team))(t)
	if len(platform.Questions) != 1 || len(platform.Questions[0].Points) != 1 {
		t.Fatalf("platform's trends: %+v, want the survey as one check", platform.Questions)
	}
	if p := platform.Questions[0].Points[0]; p.Suppressed || p.Respondents == nil || *p.Respondents != 3 || *p.Value != 5 {
		t.Errorf("platform's point: %+v, want 3 respondents averaging 5 (its own people only)", p)
	}
	mobile := must(f.app.TeamHealth(ctx, user(uOut), other.ID))(t)
	if len(mobile.Questions) != 1 || len(mobile.Questions[0].Points) != 1 {
		t.Fatalf("mobile's trends: %+v, want the survey as one check", mobile.Questions)
	}
	if p := mobile.Questions[0].Points[0]; !p.Suppressed || p.Value != nil || p.Respondents != nil {
		t.Errorf("mobile's point: %+v, want it withheld: two respondents are under the minimum", p)
	}
}

// People learn a survey exists: their list of open surveys has it until it
// closes, with their own response once they answered.
func TestASurveyShowsInTheListOfOpenSurveysOfEveryMemberUntilItCloses(t *testing.T) {
	f := newTeam(t)
	ctx := f.ctx()
	runCtx, stop := context.WithCancel(ctx)
	ran := make(chan error, 1)
	go func() { ran <- f.app.Run(runCtx) }()
	defer func() { stop(); <-ran }()
	wait := func(pos uint64) {
		t.Helper()
		waitCtx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		if err := f.app.WaitForReadModels(waitCtx, pos); err != nil {
			t.Fatal(err)
		}
	}
	sv := must(f.app.CreateSurvey(ctx, f.as(user(uMod)), app.CreateSurveyInput{
		TeamIDs: []string{f.team}, Title: "Pulse", QuestionIDs: []string{"fav-commit-goal"}, ClosesAt: t0.Add(48 * time.Hour)}))(t)
	answered := must(f.app.SubmitSurveyResponse(ctx, f.as(user(uBea)), sv.ID, app.SurveyResponse{Ratings: map[string]int{"fav-commit-goal": 4}}))(t)
	wait(answered.Position)
	for _, u := range []string{uBea, uCal} {
		open := must(f.app.MyOpenSurveys(ctx, user(u)))(t)
		if len(open) != 1 || open[0].ID != sv.ID || (open[0].Own != nil) != (u == uBea) {
			t.Errorf("%s's open surveys: %+v, want the pulse (answered: %v)", u, open, u == uBea)
		}
	}
	if open := must(f.app.MyOpenSurveys(ctx, user(uOut)))(t); len(open) != 0 {
		t.Errorf("someone in no team of it sees %+v", open)
	}
	closed := must(f.app.CloseSurvey(ctx, f.as(user(uMod)), sv.ID))(t)
	wait(closed.Position)
	if open := must(f.app.MyOpenSurveys(ctx, user(uCal)))(t); len(open) != 0 {
		t.Errorf("a closed survey is still open to cal: %+v", open)
	}
}
