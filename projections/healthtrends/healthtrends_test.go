package healthtrends_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/domain/survey"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/projections/healthtrends"
	"github.com/hindsight-retro/hindsight/projections/projtest"
)

var t0 = time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)

var (
	safety = catalog.Question{ID: "q-safe", Dimension: "psychological-safety", Text: "I can speak up", Scale: catalog.ScaleFive}
	pace   = catalog.Question{ID: "q-pace", Dimension: "sustainable-pace", Text: "Our pace is sustainable", Scale: catalog.ScaleFive}
	recom  = catalog.Question{ID: "q-enps", Dimension: "engagement", Text: "Would you recommend the team?", Scale: catalog.ScaleTen}
)

func packOf(q string) (string, bool) {
	if q == "q-enps" {
		return "engagement-pack", true
	}
	return "core-pack", true
}

func newTrends() *healthtrends.Trends {
	return healthtrends.New(healthtrends.Config{PackOf: packOf})
}

// check plays one retro of team with a revealed health check: scores maps
// each question to its answers, one respondent per position.
func check(l *projtest.Log, retroID, teamID string, at time.Time, scores map[catalog.Question][]int) {
	l.Retro(retroID, retro.RetroCreated{RetroID: retroID, TeamID: teamID, Title: "r", Moderator: "u-mod", Agenda: retro.DefaultAgenda(), At: at})
	var qs []catalog.Question
	for _, q := range []catalog.Question{safety, pace, recom} {
		if _, ok := scores[q]; ok {
			qs = append(qs, q)
		}
	}
	l.Retro(retroID, retro.HealthCheckStarted{Questions: qs, At: at})
	for _, q := range qs {
		for i, s := range scores[q] {
			who := domain.Pseudonym([]byte(retroID), fmt.Sprintf("u-%d", i))
			l.Retro(retroID, retro.HealthCheckAnswered{QuestionID: q.ID, Respondent: who, Score: s, At: at})
		}
	}
	l.Retro(retroID, retro.HealthCheckRevealed{At: at})
	l.Retro(retroID, retro.RetroClosed{At: at})
}

func teams(l *projtest.Log) {
	l.Team("team-a", team.TeamCreated{TeamID: "team-a", WorkspaceID: "ws", Name: "A", At: t0})
	l.Team("team-b", team.TeamCreated{TeamID: "team-b", WorkspaceID: "ws", Name: "B", At: t0})
	l.Team("team-x", team.TeamCreated{TeamID: "team-x", WorkspaceID: "other", Name: "X", At: t0})
}

func week(n int) time.Time { return t0.Add(time.Duration(n) * 7 * 24 * time.Hour) }

func TestATeamSeesEachQuestionAndPackOverItsChecksWithATrend(t *testing.T) {
	// Given three checks of team A on safety: averages 3, 4, 4.5 with four respondents each.
	l := projtest.New(t, t0)
	teams(l)
	check(l, "r1", "team-a", week(0), map[catalog.Question][]int{safety: {3, 3, 3, 3}, pace: {2, 2, 2, 2}})
	check(l, "r2", "team-a", week(2), map[catalog.Question][]int{safety: {4, 4, 4, 4}, pace: {2, 3, 2, 3}})
	check(l, "r3", "team-a", week(4), map[catalog.Question][]int{safety: {5, 4, 5, 4}, pace: {2, 2, 2, 2}})
	tr := newTrends()
	projtest.ApplyAll(t, tr, l.Events)
	// When team A's trends are read.
	got := tr.Team("team-a")
	// Then safety has three points 3, 4, 4.5, improving, last change +0.5,
	// and the core pack averages both questions per check.
	if len(got.Questions) != 2 || got.Questions[0].ID != "q-safe" {
		t.Fatalf("questions %+v", got.Questions)
	}
	s := got.Questions[0]
	var vals []float64
	for _, p := range s.Points {
		vals = append(vals, *p.Value)
	}
	if fmt.Sprint(vals) != "[3 4 4.5]" || s.Trend != "improving" || s.Change == nil || *s.Change != 0.5 {
		t.Errorf("safety %v trend %s change %v", vals, s.Trend, s.Change)
	}
	if len(got.Packs) != 1 || got.Packs[0].ID != "core-pack" || *got.Packs[0].Points[0].Value != 2.5 {
		t.Errorf("packs %+v", got.Packs)
	}
	if pace := got.Questions[1]; pace.Trend != "steady" {
		t.Errorf("pace trend %s, want steady", pace.Trend)
	}
}

func TestAGroupBelowTheMinimumIsSuppressedWithNoNumberAndNoChange(t *testing.T) {
	// Given team A's checks with 4, then 2 respondents, then 3.
	l := projtest.New(t, t0)
	teams(l)
	check(l, "r1", "team-a", week(0), map[catalog.Question][]int{safety: {3, 3, 3, 3}})
	check(l, "r2", "team-a", week(2), map[catalog.Question][]int{safety: {1, 5}})
	tr := newTrends()
	projtest.ApplyAll(t, tr, l.Events)
	// When the trend and the heat map are read after the small check.
	s := tr.Team("team-a").Questions[0]
	cell := tr.HeatMap("ws").Cells[0][0]
	// Then the small check is marked suppressed, with no value, no count and no change.
	p := s.Points[1]
	if !p.Suppressed || p.Value != nil || p.Respondents != nil || s.Change != nil {
		t.Errorf("small check shown: %+v, change %v", p, s.Change)
	}
	if !cell.Suppressed || cell.Value != nil || cell.Change != nil || cell.Respondents != nil {
		t.Errorf("heat map cell of a group of two: %+v", cell)
	}
	b, _ := json.Marshal(cell)
	for _, field := range []string{`"value"`, `"change"`, `"respondents"`} {
		if strings.Contains(string(b), field) {
			t.Errorf("suppressed cell carries %s: %s", field, b)
		}
	}
	// And when a later check has three respondents, the change is against
	// the last check shown (3 → 4), never against the suppressed one.
	check(l, "r3", "team-a", week(4), map[catalog.Question][]int{safety: {4, 4, 4}})
	projtest.ApplyAll(t, tr, l.Events)
	cell = tr.HeatMap("ws").Cells[0][0]
	if cell.Suppressed || *cell.Value != 4 || cell.Change == nil || *cell.Change != 1 || *cell.Respondents != 3 {
		t.Errorf("cell after a shown check: %+v", cell)
	}
}

func TestENPSPerTeamAndPooledPerWorkspaceRespectTheMinimum(t *testing.T) {
	// Given team A answering 10, 9, 7, 3 (eNPS 25), team B only two people,
	// and a team of another workspace.
	l := projtest.New(t, t0)
	teams(l)
	check(l, "r1", "team-a", week(0), map[catalog.Question][]int{recom: {10, 9, 7, 3}})
	check(l, "r2", "team-b", week(1), map[catalog.Question][]int{recom: {10, 10}})
	check(l, "r3", "team-x", week(1), map[catalog.Question][]int{recom: {0, 0, 0, 0}})
	tr := newTrends()
	projtest.ApplyAll(t, tr, l.Events)
	// When eNPS is read per team and for the workspace.
	a, b, ws := tr.Team("team-a").ENPS, tr.Team("team-b").ENPS, tr.WorkspaceENPS("ws")
	// Then team A's is 25, team B's is suppressed, and the workspace pools
	// its six people (4 promoters, 1 detractor: 50) without team X.
	if *a.Points[0].Value != 25 {
		t.Errorf("team A eNPS %+v", a.Points[0])
	}
	if !b.Points[0].Suppressed || b.Points[0].Value != nil {
		t.Errorf("team B eNPS of two people shown: %+v", b.Points[0])
	}
	if ws.Suppressed || *ws.Value != 50 || *ws.Respondents != 6 {
		t.Errorf("workspace eNPS %+v", ws)
	}
	// And a workspace with fewer than three respondents in all shows none.
	l2 := projtest.New(t, t0)
	l2.Team("team-c", team.TeamCreated{TeamID: "team-c", WorkspaceID: "tiny", At: t0})
	check(l2, "r9", "team-c", week(0), map[catalog.Question][]int{recom: {10, 0}})
	tr2 := newTrends()
	projtest.ApplyAll(t, tr2, l2.Events)
	if p := tr2.WorkspaceENPS("tiny"); !p.Suppressed || p.Value != nil {
		t.Errorf("tiny workspace eNPS %+v", p)
	}
}

func TestASingleTeamSurveyIsACheckAndItsImportIsNotCountedTwice(t *testing.T) {
	// Given a survey for team A closed with three responses, then imported
	// into a retro, and a retro whose health check was never revealed.
	l := projtest.New(t, t0)
	teams(l)
	l.Survey("s1", survey.SurveyCreated{SurveyID: "s1", TeamIDs: []string{"team-a"}, HealthQuestions: []catalog.Question{safety}, At: week(0)})
	for i, sc := range []int{2, 3, 4} {
		l.Survey("s1", survey.ResponseSubmitted{Respondent: fmt.Sprintf("anon:p%d", i), Ratings: map[string]int{"q-safe": sc}, At: week(0)})
	}
	l.Survey("s1", survey.ResponseSubmitted{Respondent: "anon:p0", Ratings: map[string]int{"q-safe": 5}, Replaces: true, At: week(0)})
	l.Survey("s1", survey.SurveyClosed{At: week(1)})
	l.Retro("r1", retro.RetroCreated{RetroID: "r1", TeamID: "team-a", Agenda: retro.DefaultAgenda(), At: week(1)})
	l.Retro("r1", retro.SurveyScoresImported{SurveyID: "s1", Scores: []retro.ImportedScore{{Question: safety, Distribution: map[int]int{5: 1, 3: 1, 4: 1}}}, At: week(1)})
	l.Retro("r1", retro.HealthCheckRevealed{At: week(1)})
	l.Retro("r2", retro.RetroCreated{RetroID: "r2", TeamID: "team-a", Agenda: retro.DefaultAgenda(), At: week(2)})
	l.Retro("r2", retro.HealthCheckStarted{Questions: []catalog.Question{safety}, At: week(2)})
	l.Retro("r2", retro.HealthCheckAnswered{QuestionID: "q-safe", Respondent: "anon:z", Score: 1, At: week(2)})
	l.Retro("r2", retro.RetroClosed{At: week(2)})
	tr := newTrends()
	projtest.ApplyAll(t, tr, l.Events)
	// When team A's trend is read.
	pts := tr.Team("team-a").Questions[0].Points
	// Then there is one point, the survey's (5, 3, 4: the replaced answer
	// counts once), neither the import a second time nor the unrevealed check.
	if len(pts) != 1 || pts[0].Source != "survey" || *pts[0].Value != 4 || *pts[0].Respondents != 3 {
		t.Fatalf("points %+v", pts)
	}
}

func TestSnapshotsKeepNoRespondentOnceAnswersAreFinal(t *testing.T) {
	// Given checks revealed and a survey closed.
	l := projtest.New(t, t0)
	teams(l)
	check(l, "r1", "team-a", week(0), map[catalog.Question][]int{safety: {3, 4, 5}})
	tr := newTrends()
	projtest.ApplyAll(t, tr, l.Events)
	// When the read model is snapshotted.
	snap, err := tr.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	// Then no pseudonym is in it, and a restored copy reads the same.
	if strings.Contains(string(snap), "anon:") {
		t.Errorf("snapshot keeps respondents: %s", snap)
	}
	other := newTrends()
	if err := other.Restore(snap); err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(tr.Team("team-a"))
	b, _ := json.Marshal(other.Team("team-a"))
	if string(a) != string(b) {
		t.Errorf("restored %s\nwant %s", b, a)
	}
}

func TestMonthlyENPSPoolsAMonthsShownChecksAndWithholdsTheRest(t *testing.T) {
	// Given team A's checks: two in January (four people and three), one of
	// two people in February, none in March, one in April.
	l := projtest.New(t, t0)
	teams(l)
	check(l, "r1", "team-a", week(0), map[catalog.Question][]int{recom: {10, 9, 7, 3}})
	check(l, "r2", "team-a", week(2), map[catalog.Question][]int{recom: {10, 9, 10}})
	check(l, "r3", "team-a", week(5), map[catalog.Question][]int{recom: {0, 0}})
	check(l, "r4", "team-a", week(13), map[catalog.Question][]int{recom: {10, 0, 0}, safety: {5, 5, 5}})
	check(l, "r5", "team-b", week(0), map[catalog.Question][]int{recom: {0, 0, 0}})
	tr := newTrends()
	projtest.ApplyAll(t, tr, l.Events)
	got := tr.MonthlyENPS("team-a")
	// Then January pools seven people (5 promoters, 1 detractor: 57.14),
	// February's two are withheld, April shows its three (-33.33), and no
	// other team's answers count.
	if len(got) != 3 || got[0].Month != "2026-01" || got[1].Month != "2026-02" || got[2].Month != "2026-04" {
		t.Fatalf("months %+v", got)
	}
	if got[0].Suppressed || *got[0].Respondents != 7 || *got[0].Value != 57.14 {
		t.Errorf("January %+v, want 7 respondents and 57.14", got[0])
	}
	if !got[1].Suppressed || got[1].Value != nil || got[1].Respondents != nil {
		t.Errorf("February, two people, shows %+v", got[1])
	}
	if got[2].Suppressed || *got[2].Value != -33.33 {
		t.Errorf("April %+v, want -33.33", got[2])
	}
}

// A month's total must not reveal a withheld check by difference: a check
// below the minimum adds nothing to its month.
func TestAWithheldCheckDoesNotShowThroughItsMonth(t *testing.T) {
	l := projtest.New(t, t0)
	teams(l)
	check(l, "r1", "team-a", week(0), map[catalog.Question][]int{recom: {10, 10, 10}})
	check(l, "r2", "team-a", week(1), map[catalog.Question][]int{recom: {0, 0}})
	tr := newTrends()
	projtest.ApplyAll(t, tr, l.Events)
	got := tr.MonthlyENPS("team-a")
	if len(got) != 1 || *got[0].Respondents != 3 || *got[0].Value != 100 {
		t.Errorf("January %+v, want only the shown check's 3 respondents at 100", got)
	}
}

func TestASurveyToTwoTeamsIsACheckOfEachWithItsOwnPeople(t *testing.T) {
	// Given a survey sent to teams A and B: three of A rate 5, two of B
	// rate 1, and one answer recorded before teams were kept.
	l := projtest.New(t, t0)
	teams(l)
	l.Survey("s1", survey.SurveyCreated{SurveyID: "s1", TeamIDs: []string{"team-a", "team-b"}, HealthQuestions: []catalog.Question{safety, recom}, At: week(0)})
	for i := range 3 {
		l.Survey("s1", survey.ResponseSubmitted{Respondent: fmt.Sprintf("anon:a%d", i), Ratings: map[string]int{"q-safe": 5, "q-enps": 10}, Team: "team-a", At: week(0)})
	}
	for i := range 2 {
		l.Survey("s1", survey.ResponseSubmitted{Respondent: fmt.Sprintf("anon:b%d", i), Ratings: map[string]int{"q-safe": 1, "q-enps": 0}, Team: "team-b", At: week(0)})
	}
	l.Survey("s1", survey.ResponseSubmitted{Respondent: "anon:old", Ratings: map[string]int{"q-safe": 1}, At: week(0)})
	l.Survey("s1", survey.SurveyClosed{At: week(1)})
	tr := newTrends()
	projtest.ApplyAll(t, tr, l.Events)

	// Then A's trend has the survey with A's three answers only.
	a := tr.Team("team-a")
	if len(a.Questions) == 0 || len(a.Questions[0].Points) != 1 {
		t.Fatalf("team A's questions %+v", a.Questions)
	}
	if p := a.Questions[0].Points[0]; p.Suppressed || *p.Respondents != 3 || *p.Value != 5 {
		t.Errorf("team A's point %+v, want 3 respondents averaging 5", p)
	}
	// B's two answers are under the minimum: shown as withheld, with no number.
	b := tr.Team("team-b")
	if len(b.Questions) == 0 || len(b.Questions[0].Points) != 1 || !b.Questions[0].Points[0].Suppressed || b.Questions[0].Points[0].Value != nil {
		t.Errorf("team B's questions %+v, want one withheld point", b.Questions)
	}
	// The heat map has both teams' cells, each on its own people.
	hm := tr.HeatMap("ws")
	for i, tm := range hm.Teams {
		for _, c := range hm.Cells[i] {
			if c.Dimension != safety.Dimension {
				continue
			}
			switch tm {
			case "team-a":
				if c.Value == nil || *c.Value != 5 {
					t.Errorf("team A's heat map cell %+v, want 5", c)
				}
			case "team-b":
				if !c.Suppressed || c.Value != nil {
					t.Errorf("team B's heat map cell %+v, want withheld", c)
				}
			}
		}
	}
	// The workspace eNPS pools each team's latest check: A's three
	// promoters and B's two detractors, 5 people, (3-2)/5 = 20.
	if p := tr.WorkspaceENPS("ws"); p.Value == nil || *p.Value != 20 || *p.Respondents != 5 {
		t.Errorf("workspace eNPS %+v, want 20 over 5 respondents", p)
	}
}
