package sqlexport_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
	"github.com/hindsight-retro/hindsight/projections/demo"
	"github.com/hindsight-retro/hindsight/projections/healthtrends"
	"github.com/hindsight-retro/hindsight/projections/projtest"
	"github.com/hindsight-retro/hindsight/projections/replay"
	"github.com/hindsight-retro/hindsight/projections/sqlexport"
)

func TestTheReadModelsCanBeQueriedWithSQL(t *testing.T) {
	ctx := context.Background()
	// Given a replayed demo workspace of 24 retros.
	store := memstore.New(nil)
	st, err := demo.Generate(ctx, store, demo.Config{Seed: 9, Retros: 24, RetrosPerTeam: 8})
	if err != nil {
		t.Fatal(err)
	}
	set := replay.NewSet(healthtrends.Config{PackOf: cat(t).QuestionPack})
	if _, err := replay.FromStore(ctx, store, set, replay.Until{}, nil); err != nil {
		t.Fatal(err)
	}
	// When it is written as SQLite and opened.
	path := filepath.Join(t.TempDir(), "history.db")
	if err := sqlexport.Write(ctx, path, set, cat(t)); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	one := func(q string, into ...any) {
		t.Helper()
		if err := db.QueryRow(q).Scan(into...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// Then the tables agree with each other and with the demo.
	var retros, teams, cards, cardRows, votes, voteSum int
	one(`SELECT count(*), count(DISTINCT team_id), sum(cards), sum(votes) FROM retros WHERE closed_at IS NOT NULL`, &retros, &teams, &cards, &votes)
	one(`SELECT count(*) FROM cards`, &cardRows)
	one(`SELECT coalesce(sum(votes),0) FROM votes WHERE kind = 'card' OR kind = 'group'`, &voteSum)
	if retros != st.Retros || teams != st.Teams || cardRows != cards || voteSum != votes {
		t.Errorf("retros %d/%d teams %d/%d cards %d rows %d votes %d topics %d", retros, st.Retros, teams, st.Teams, cards, cardRows, votes, voteSum)
	}
	var open, done, discarded int
	one(`SELECT sum(status='open'), sum(status='done'), sum(status='discarded') FROM actions`, &open, &done, &discarded)
	if open == 0 || done == 0 {
		t.Errorf("actions open %d done %d discarded %d", open, done, discarded)
	}
	// And no health value is given for a group below the minimum.
	var leaks, healthRows int
	one(`SELECT count(*) FROM health WHERE suppressed = 1 AND (average IS NOT NULL OR respondents IS NOT NULL)`, &leaks)
	one(`SELECT count(*) FROM health WHERE average IS NOT NULL AND respondents >= 3`, &healthRows)
	if leaks != 0 || healthRows == 0 {
		t.Errorf("suppressed rows with values: %d; shown rows: %d", leaks, healthRows)
	}
	var months int
	one(`SELECT count(*) FROM dashboard WHERE retros > 0`, &months)
	if months == 0 {
		t.Error("the dashboard table is empty")
	}
	// And an existing file is never overwritten.
	if err := sqlexport.Write(ctx, path, set, cat(t)); err == nil {
		t.Error("wrote over an existing file")
	}
	// And names stand beside the IDs, so no table needs a join to be read.
	var unnamed, teamRows int
	one(`SELECT count(*) FROM retros WHERE team_name IS NULL OR team_name != 'Team ' || team_id`, &unnamed)
	one(`SELECT count(*) FROM teams WHERE name = 'Team ' || team_id AND workspace_name = 'Workspace ' || workspace_id`, &teamRows)
	if unnamed != 0 || teamRows != st.Teams {
		t.Errorf("%d retros without their team's name; %d of %d teams named with their workspace", unnamed, teamRows, st.Teams)
	}
	var noDim, withDim int
	one(`SELECT sum(dimension_name IS NULL), sum(dimension_name IS NOT NULL) FROM health`, &noDim, &withDim)
	if noDim != 0 || withDim == 0 {
		t.Errorf("health rows: %d without a dimension name, %d with", noDim, withDim)
	}
	var cardTitles, packNames, dashNames int
	one(`SELECT count(*) FROM cards c JOIN retros r USING (retro_id) WHERE c.retro_title = r.title`, &cardTitles)
	one(`SELECT count(*) FROM health_packs WHERE pack_name IS NULL`, &packNames)
	one(`SELECT count(*) FROM dashboard WHERE workspace_name IS NULL`, &dashNames)
	if cardTitles != cardRows || packNames != 0 || dashNames != 0 {
		t.Errorf("cards with their retro's title %d of %d; packs without a name %d; dashboard rows without a workspace name %d", cardTitles, cardRows, packNames, dashNames)
	}
}

func cat(t *testing.T) *catalog.Catalog {
	t.Helper()
	c, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// eNPS per team and month, with a month of fewer respondents than the
// minimum written without a number.
func TestENPSIsWrittenPerTeamAndMonthWithSmallMonthsWithheld(t *testing.T) {
	ctx := context.Background()
	c := cat(t)
	recommend, ok := c.Question("enps-recommend-team")
	if !ok {
		t.Fatal("the catalogue has no enps-recommend-team question")
	}
	t0 := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	l := projtest.New(t, t0)
	l.Team("team-a", team.TeamCreated{TeamID: "team-a", WorkspaceID: "ws", Name: "Alpha", At: t0})
	healthCheck := func(retroID string, at time.Time, scores ...int) {
		l.Retro(retroID, retro.RetroCreated{RetroID: retroID, TeamID: "team-a", Title: "Retro " + retroID, Moderator: "u-mod", Agenda: retro.DefaultAgenda(), At: at})
		l.Retro(retroID, retro.HealthCheckStarted{Questions: []catalog.Question{recommend}, At: at})
		for i, sc := range scores {
			l.Retro(retroID, retro.HealthCheckAnswered{QuestionID: recommend.ID, Respondent: domain.Pseudonym([]byte(retroID), fmt.Sprint(i)), Score: sc, At: at})
		}
		l.Retro(retroID, retro.HealthCheckRevealed{At: at}, retro.RetroClosed{At: at})
	}
	healthCheck("r1", t0, 10, 9, 3, 7)
	healthCheck("r2", t0.AddDate(0, 1, 0), 10, 10)
	set := replay.NewSet(healthtrends.Config{PackOf: c.QuestionPack})
	for _, p := range set.All() {
		projtest.ApplyAll(t, p, l.Events)
	}
	path := filepath.Join(t.TempDir(), "enps.db")
	if err := sqlexport.Write(ctx, path, set, c); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT team_name, month, respondents, enps, suppressed FROM enps_monthly ORDER BY month`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var name, month string
		var n sql.NullInt64
		var v sql.NullFloat64
		var sup int
		if err := rows.Scan(&name, &month, &n, &v, &sup); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s %s %v %v %d", name, month, n, v, sup))
	}
	want := []string{"Alpha 2026-01 {4 true} {25 true} 0", "Alpha 2026-02 {0 false} {0 false} 1"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("enps_monthly rows %q, want %q", got, want)
	}
}
