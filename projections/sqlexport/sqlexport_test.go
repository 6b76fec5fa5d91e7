package sqlexport_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/hindsight-retro/hindsight/eventstore/memstore"
	"github.com/hindsight-retro/hindsight/projections/demo"
	"github.com/hindsight-retro/hindsight/projections/healthtrends"
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
	set := replay.NewSet(healthtrends.Config{})
	if _, err := replay.FromStore(ctx, store, set, replay.Until{}, nil); err != nil {
		t.Fatal(err)
	}
	// When it is written as SQLite and opened.
	path := filepath.Join(t.TempDir(), "history.db")
	if err := sqlexport.Write(ctx, path, set); err != nil {
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
	if err := sqlexport.Write(ctx, path, set); err == nil {
		t.Error("wrote over an existing file")
	}
}
