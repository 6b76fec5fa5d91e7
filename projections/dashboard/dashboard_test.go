package dashboard_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/projections/dashboard"
	"github.com/hindsight-retro/hindsight/projections/projtest"
)

var t0 = time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)

var safety = catalog.Question{ID: "q-safe", Dimension: "psychological-safety", Scale: catalog.ScaleFive}

// retroOf plays a closed retro of team with people joining, ROTI ratings
// and a revealed health check answered with scores.
func retroOf(l *projtest.Log, id, teamID string, at time.Time, people []string, roti []int, health []int) {
	l.Retro(id, retro.RetroCreated{RetroID: id, TeamID: teamID, Moderator: people[0], Agenda: retro.DefaultAgenda(), At: at})
	for _, p := range people {
		l.Retro(id, retro.ParticipantJoined{UserID: p, Role: retro.RoleMember, At: at})
	}
	l.Retro(id, retro.HealthCheckStarted{Questions: []catalog.Question{safety}, At: at})
	for i, s := range health {
		l.Retro(id, retro.HealthCheckAnswered{QuestionID: "q-safe", Respondent: fmt.Sprintf("anon:%s-%d", id, i), Score: s, At: at})
	}
	l.Retro(id, retro.HealthCheckRevealed{At: at})
	for i, s := range roti {
		l.Retro(id, retro.RotiRated{Rater: fmt.Sprintf("anon:%s-%d", id, i), Score: s, At: at})
	}
	l.Retro(id, retro.RetroClosed{At: at})
}

func TestTheDashboardShowsRetrosParticipationROTIAndHealthPerMonth(t *testing.T) {
	// Given two teams of four members in one workspace: in January team A
	// runs a retro with 3 people (ROTI 4, 5; health 4, 4, 4) and team B one
	// with 4 (ROTI 3; health 2, 2 — too few respondents to count); in
	// February team A runs one with 2 people; and a team of another workspace.
	l := projtest.New(t, t0)
	for _, tm := range []string{"team-a", "team-b"} {
		l.Team(tm, team.TeamCreated{TeamID: tm, WorkspaceID: "ws", FirstAdminID: tm + "-u0", At: t0})
		for i := 1; i < 4; i++ {
			l.Team(tm, team.MemberAdded{UserID: fmt.Sprintf("%s-u%d", tm, i), At: t0})
		}
	}
	l.Team("team-x", team.TeamCreated{TeamID: "team-x", WorkspaceID: "other", FirstAdminID: "x", At: t0})
	retroOf(l, "r1", "team-a", t0, []string{"a", "b", "c"}, []int{4, 5}, []int{4, 4, 4})
	retroOf(l, "r2", "team-b", t0.Add(24*time.Hour), []string{"a", "b", "c", "d"}, []int{3}, []int{2, 2})
	retroOf(l, "r3", "team-a", t0.AddDate(0, 1, 0), []string{"a", "b"}, nil, nil)
	retroOf(l, "rx", "team-x", t0, []string{"x"}, []int{0}, nil)
	d := dashboard.New(0)
	projtest.ApplyAll(t, d, l.Events)
	// When the workspace's dashboard is read.
	got := d.Workspace("ws", time.Time{}, time.Time{})
	// Then January has 2 retros of 2 teams, 7 of 8 seats, ROTI 4 over three
	// ratings, health 4 from team A only; February 1 retro, 2 of 4, no ROTI.
	b, _ := json.Marshal(got)
	want := `[{"month":"2026-01","retros":2,"teams":2,"participants":7,"participationRate":0.875,"rotiAverage":4,"rotiRatings":3,"healthAverage":4},` +
		`{"month":"2026-02","retros":1,"teams":1,"participants":2,"participationRate":0.5,"rotiRatings":0}]`
	if string(b) != want {
		t.Errorf("dashboard\n%s\nwant\n%s", b, want)
	}
	// And a range of February only shows February.
	if feb := d.Workspace("ws", t0.AddDate(0, 1, 0), t0.AddDate(0, 1, 0)); len(feb) != 1 || feb[0].Month != "2026-02" {
		t.Errorf("February only: %+v", feb)
	}
	// And the dashboard survives a snapshot.
	snap, err := d.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	other := dashboard.New(0)
	if err := other.Restore(snap); err != nil {
		t.Fatal(err)
	}
	if b2, _ := json.Marshal(other.Workspace("ws", time.Time{}, time.Time{})); string(b2) != want {
		t.Errorf("restored %s", b2)
	}
}

func TestTheDashboardShowsNoROTIAverageOfFewerRatingsThanTheMinimum(t *testing.T) {
	// Given a team whose only retro of the month got one ROTI rating (the
	// workspace admin need not be a member: the average would be that one
	// person's rating).
	l := projtest.New(t, t0)
	l.Team("team-a", team.TeamCreated{TeamID: "team-a", WorkspaceID: "ws", FirstAdminID: "a", At: t0})
	retroOf(l, "r1", "team-a", t0, []string{"a", "b", "c"}, []int{1}, nil)
	d := dashboard.New(0)
	projtest.ApplyAll(t, d, l.Events)
	// When the workspace's dashboard is read.
	got := d.Workspace("ws", time.Time{}, time.Time{})
	// Then the month counts the rating but shows no average.
	if len(got) != 1 || got[0].RotiRatings != 1 || got[0].RotiAverage != nil {
		b, _ := json.Marshal(got)
		t.Errorf("one rating: %s, want rotiRatings 1 and no rotiAverage", b)
	}
}

// A retro rated 0-10 before ROTI moved to the classic 1-5 scale counts in
// the month's average mapped onto 1-5, not as if 10 were a 1-5 rating.
func TestOldZeroToTenROTIsAverageWithNewOnesOnOneToFive(t *testing.T) {
	l := projtest.New(t, t0)
	l.Team("team-a", team.TeamCreated{TeamID: "team-a", WorkspaceID: "ws", FirstAdminID: "a", At: t0})
	l.Retro("old", retro.RetroCreated{RetroID: "old", TeamID: "team-a", Moderator: "a", Agenda: retro.DefaultAgenda(), RotiScale: catalog.ScaleTen, At: t0})
	for i, s := range []int{10, 10, 0} {
		l.Retro("old", retro.RotiRated{Rater: fmt.Sprintf("anon:old-%d", i), Score: s, At: t0})
	}
	l.Retro("old", retro.RetroClosed{At: t0})
	retroOf(l, "new", "team-a", t0.Add(24*time.Hour), []string{"a", "b", "c"}, []int{5, 5, 5}, nil)
	d := dashboard.New(0)
	projtest.ApplyAll(t, d, l.Events)
	// 10, 10, 0 are 5, 5, 1 on 1-5; with 5, 5, 5: 26 / 6.
	got := d.Workspace("ws", time.Time{}, time.Time{})
	if len(got) != 1 || got[0].RotiRatings != 6 || got[0].RotiAverage == nil || *got[0].RotiAverage != 4.333 {
		b, _ := json.Marshal(got)
		t.Errorf("dashboard %s, want six ratings averaging 4.333 on 1-5", b)
	}
}
