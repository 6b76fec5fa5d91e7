// Package sqlexport writes the read models as SQLite tables, for analysts
// who query history with SQL, pandas or a BI tool. It writes aggregates
// only, as the read models hold them: cards as the archive shows them
// (concealed ones without text, no author in anonymous retros), votes as
// counts per topic, health as per-check aggregates with groups below the
// minimum suppressed (NULL value, suppressed = 1).
package sqlexport

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"time"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver, "sqlite"

	"github.com/hindsight-retro/hindsight/projections/replay"
)

const schema = `
CREATE TABLE retros (retro_id TEXT PRIMARY KEY, team_id TEXT NOT NULL, title TEXT, anonymous INTEGER,
  created_at TEXT, closed_at TEXT, duration_seconds REAL, participants INTEGER, cards INTEGER, votes INTEGER,
  actions INTEGER, roti_average REAL, roti_ratings INTEGER);
CREATE TABLE cards (retro_id TEXT NOT NULL, card_id TEXT NOT NULL, column_id TEXT, column_title TEXT,
  text TEXT, concealed INTEGER, author TEXT, group_id TEXT, votes INTEGER, PRIMARY KEY (retro_id, card_id));
CREATE TABLE votes (retro_id TEXT NOT NULL, topic_id TEXT NOT NULL, kind TEXT, title TEXT, votes INTEGER,
  PRIMARY KEY (retro_id, topic_id));
CREATE TABLE actions (action_id TEXT PRIMARY KEY, team_id TEXT, title TEXT, assignee TEXT, status TEXT,
  due TEXT, created_at TEXT, closed_at TEXT, origin_retro_id TEXT);
CREATE TABLE health (team_id TEXT NOT NULL, source TEXT, source_id TEXT, at TEXT, question_id TEXT,
  question TEXT, respondents INTEGER, average REAL, suppressed INTEGER);
CREATE TABLE health_packs (team_id TEXT NOT NULL, pack TEXT, source_id TEXT, at TEXT, respondents INTEGER,
  average REAL, suppressed INTEGER);
CREATE TABLE enps (team_id TEXT NOT NULL, source_id TEXT, at TEXT, respondents INTEGER, enps REAL, suppressed INTEGER);
CREATE TABLE dashboard (workspace_id TEXT NOT NULL, month TEXT NOT NULL, retros INTEGER, teams INTEGER,
  participants INTEGER, participation_rate REAL, roti_average REAL, roti_ratings INTEGER, health_average REAL,
  PRIMARY KEY (workspace_id, month));
`

// Write creates path (which must not exist) and fills it from set.
func Write(ctx context.Context, path string, set *replay.Set) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("sqlite: %s exists; choose a new file", path)
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("sqlite: %w", err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, schema); err != nil {
		return fmt.Errorf("sqlite: schema: %w", err)
	}
	w := &writer{ctx: ctx, tx: tx}
	w.retros(set)
	w.actions(set)
	w.health(set)
	w.dashboard(set)
	if w.err != nil {
		return fmt.Errorf("sqlite: %w", w.err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	return nil
}

type writer struct {
	ctx context.Context
	tx  *sql.Tx
	err error
}

func (w *writer) exec(q string, args ...any) {
	if w.err != nil {
		return
	}
	if _, err := w.tx.ExecContext(w.ctx, q, args...); err != nil {
		w.err = fmt.Errorf("%.40s…: %w", q, err)
	}
}

func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}

func tsp(t *time.Time) any {
	if t == nil {
		return nil
	}
	return ts(*t)
}

func fp(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}

func ip(v *int) any {
	if v == nil {
		return nil
	}
	return *v
}

func b(v bool) int {
	if v {
		return 1
	}
	return 0
}

func (w *writer) retros(set *replay.Set) {
	for _, id := range set.History.RetroIDs() {
		e, _ := set.History.Retro(id)
		w.exec(`INSERT INTO retros VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`, e.RetroID, e.TeamID, e.Title, b(e.Anonymous),
			ts(e.CreatedAt), tsp(e.ClosedAt), e.DurationSeconds, e.Participants, e.Cards, e.Votes, e.Actions, fp(e.RotiAverage), e.RotiRatings)
		a, err := set.History.Archive(id)
		if err != nil {
			continue // open retros have no archive yet
		}
		for _, col := range a.Columns {
			for _, c := range col.Cards {
				w.exec(`INSERT INTO cards VALUES (?,?,?,?,?,?,?,?,?)`, id, c.ID, col.ID, col.Title, c.Text, b(c.Concealed), c.Author, c.GroupID, c.Votes)
			}
		}
		for _, t := range a.Topics {
			w.exec(`INSERT INTO votes VALUES (?,?,?,?,?)`, id, t.ID, t.Kind, t.Title, t.Votes)
		}
	}
}

func (w *writer) actions(set *replay.Set) {
	for _, a := range set.Actions.All() {
		w.exec(`INSERT INTO actions VALUES (?,?,?,?,?,?,?,?,?)`, a.ID, a.TeamID, a.Title, a.Assignee, string(a.Status),
			tsp(a.Due), ts(a.CreatedAt), tsp(a.ClosedAt), a.OriginRetroID)
	}
}

func (w *writer) health(set *replay.Set) {
	for _, team := range set.Health.Teams() {
		tr := set.Health.Team(team)
		for _, q := range tr.Questions {
			for _, p := range q.Points {
				w.exec(`INSERT INTO health VALUES (?,?,?,?,?,?,?,?,?)`, team, p.Source, p.SourceID, ts(p.At), q.ID, q.Title,
					ip(p.Respondents), fp(p.Value), b(p.Suppressed))
			}
		}
		for _, pk := range tr.Packs {
			for _, p := range pk.Points {
				w.exec(`INSERT INTO health_packs VALUES (?,?,?,?,?,?,?)`, team, pk.ID, p.SourceID, ts(p.At), ip(p.Respondents), fp(p.Value), b(p.Suppressed))
			}
		}
		for _, p := range tr.ENPS.Points {
			w.exec(`INSERT INTO enps VALUES (?,?,?,?,?,?)`, team, p.SourceID, ts(p.At), ip(p.Respondents), fp(p.Value), b(p.Suppressed))
		}
	}
}

func (w *writer) dashboard(set *replay.Set) {
	for _, ws := range set.Dashboard.Workspaces() {
		for _, m := range set.Dashboard.Workspace(ws, time.Time{}, time.Time{}) {
			w.exec(`INSERT INTO dashboard VALUES (?,?,?,?,?,?,?,?,?)`, ws, m.Month, m.Retros, m.Teams, m.Participants,
				fp(m.ParticipationRate), fp(m.RotiAverage), m.RotiRatings, fp(m.HealthAverage))
		}
	}
}
