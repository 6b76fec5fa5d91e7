// Package sqlexport writes the read models as SQLite tables, for analysts
// who query history with SQL, pandas or a BI tool. It writes aggregates
// only, as the read models hold them: cards as the archive shows them
// (concealed ones without text, no author in anonymous retros), votes as
// counts per topic, health as per-check aggregates with groups below the
// minimum suppressed (NULL value, suppressed = 1), eNPS also per team and
// month. Teams, retros, dimensions and packs are named beside their IDs.
package sqlexport

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"time"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver, "sqlite"

	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/projections/replay"
)

const schema = `
CREATE TABLE teams (team_id TEXT PRIMARY KEY, name TEXT, workspace_id TEXT, workspace_name TEXT);
CREATE TABLE retros (retro_id TEXT PRIMARY KEY, team_id TEXT NOT NULL, team_name TEXT, title TEXT, anonymous INTEGER,
  created_at TEXT, closed_at TEXT, duration_seconds REAL, participants INTEGER, cards INTEGER, votes INTEGER,
  actions INTEGER, roti_average REAL, roti_ratings INTEGER, roti_scale TEXT);
CREATE TABLE cards (retro_id TEXT NOT NULL, retro_title TEXT, card_id TEXT NOT NULL, column_id TEXT, column_title TEXT,
  text TEXT, concealed INTEGER, author TEXT, group_id TEXT, votes INTEGER, PRIMARY KEY (retro_id, card_id));
CREATE TABLE votes (retro_id TEXT NOT NULL, retro_title TEXT, topic_id TEXT NOT NULL, kind TEXT, title TEXT, votes INTEGER,
  PRIMARY KEY (retro_id, topic_id));
CREATE TABLE actions (action_id TEXT PRIMARY KEY, team_id TEXT, team_name TEXT, title TEXT, assignee TEXT, status TEXT,
  due TEXT, created_at TEXT, closed_at TEXT, origin_retro_id TEXT, origin_retro_title TEXT);
CREATE TABLE health (team_id TEXT NOT NULL, team_name TEXT, source TEXT, source_id TEXT, at TEXT, question_id TEXT,
  question TEXT, dimension TEXT, dimension_name TEXT, respondents INTEGER, average REAL, suppressed INTEGER);
CREATE TABLE health_packs (team_id TEXT NOT NULL, team_name TEXT, pack TEXT, pack_name TEXT, source_id TEXT, at TEXT,
  respondents INTEGER, average REAL, suppressed INTEGER);
CREATE TABLE enps (team_id TEXT NOT NULL, team_name TEXT, source_id TEXT, at TEXT, respondents INTEGER, enps REAL,
  suppressed INTEGER);
CREATE TABLE enps_monthly (team_id TEXT NOT NULL, team_name TEXT, month TEXT NOT NULL, respondents INTEGER, enps REAL,
  suppressed INTEGER, PRIMARY KEY (team_id, month));
CREATE TABLE dashboard (workspace_id TEXT NOT NULL, workspace_name TEXT, month TEXT NOT NULL, retros INTEGER,
  teams INTEGER, participants INTEGER, participation_rate REAL, roti_average REAL, roti_ratings INTEGER,
  health_average REAL, PRIMARY KEY (workspace_id, month));
`

// Write creates path (which must not exist) and fills it from set. Names
// come from the log read (teams, workspaces: none for what an export left
// out) and from cat (dimensions, packs), so a table reads without a join.
func Write(ctx context.Context, path string, set *replay.Set, cat *catalog.Catalog) error {
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
	w := &writer{ctx: ctx, tx: tx, set: set, cat: cat}
	w.teams(set)
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
	set *replay.Set
	cat *catalog.Catalog
	err error
}

// str is a text column: NULL for what is not known.
func str(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (w *writer) teamName(id string) any { return str(w.set.Names.Team(id)) }

func (w *writer) retroTitle(id string) any {
	e, ok := w.set.History.Retro(id)
	if !ok {
		return nil
	}
	return e.Title
}

// dimension is a question's dimension ID and name from the catalogue.
func (w *writer) dimension(questionID string) (id, name any) {
	q, ok := w.cat.Question(questionID)
	if !ok {
		return nil, nil
	}
	d, ok := w.cat.Dimension(q.Dimension)
	if !ok {
		return q.Dimension, nil
	}
	return d.ID, d.Name
}

func (w *writer) packName(id string) any {
	p, ok := w.cat.HealthPack(id)
	if !ok {
		return nil
	}
	return p.Name
}

func (w *writer) teams(set *replay.Set) {
	for _, id := range set.Names.Teams() {
		ws := set.Names.TeamWorkspace(id)
		w.exec(`INSERT INTO teams VALUES (?,?,?,?)`, id, str(set.Names.Team(id)), str(ws), str(set.Names.Workspace(ws)))
	}
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
		w.exec(`INSERT INTO retros VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`, e.RetroID, e.TeamID, w.teamName(e.TeamID), e.Title, b(e.Anonymous),
			ts(e.CreatedAt), tsp(e.ClosedAt), e.DurationSeconds, e.Participants, e.Cards, e.Votes, e.Actions, fp(e.RotiAverage), e.RotiRatings, str(e.RotiScale))
		a, err := set.History.Archive(id)
		if err != nil {
			continue // open retros have no archive yet
		}
		for _, col := range a.Columns {
			for _, c := range col.Cards {
				w.exec(`INSERT INTO cards VALUES (?,?,?,?,?,?,?,?,?,?)`, id, e.Title, c.ID, col.ID, col.Title, c.Text, b(c.Concealed), c.Author, c.GroupID, c.Votes)
			}
		}
		for _, t := range a.Topics {
			w.exec(`INSERT INTO votes VALUES (?,?,?,?,?,?)`, id, e.Title, t.ID, t.Kind, t.Title, t.Votes)
		}
	}
}

func (w *writer) actions(set *replay.Set) {
	for _, a := range set.Actions.All() {
		w.exec(`INSERT INTO actions VALUES (?,?,?,?,?,?,?,?,?,?,?)`, a.ID, a.TeamID, w.teamName(a.TeamID), a.Title, a.Assignee, string(a.Status),
			tsp(a.Due), ts(a.CreatedAt), tsp(a.ClosedAt), a.OriginRetroID, w.retroTitle(a.OriginRetroID))
	}
}

func (w *writer) health(set *replay.Set) {
	for _, team := range set.Health.Teams() {
		tr := set.Health.Team(team)
		name := w.teamName(team)
		for _, q := range tr.Questions {
			dim, dimName := w.dimension(q.ID)
			for _, p := range q.Points {
				w.exec(`INSERT INTO health VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`, team, name, p.Source, p.SourceID, ts(p.At), q.ID, q.Title,
					dim, dimName, ip(p.Respondents), fp(p.Value), b(p.Suppressed))
			}
		}
		for _, pk := range tr.Packs {
			for _, p := range pk.Points {
				w.exec(`INSERT INTO health_packs VALUES (?,?,?,?,?,?,?,?,?)`, team, name, pk.ID, w.packName(pk.ID), p.SourceID, ts(p.At),
					ip(p.Respondents), fp(p.Value), b(p.Suppressed))
			}
		}
		for _, p := range tr.ENPS.Points {
			w.exec(`INSERT INTO enps VALUES (?,?,?,?,?,?,?)`, team, name, p.SourceID, ts(p.At), ip(p.Respondents), fp(p.Value), b(p.Suppressed))
		}
		for _, m := range set.Health.MonthlyENPS(team) {
			w.exec(`INSERT INTO enps_monthly VALUES (?,?,?,?,?,?)`, team, name, m.Month, ip(m.Respondents), fp(m.Value), b(m.Suppressed))
		}
	}
}

func (w *writer) dashboard(set *replay.Set) {
	for _, ws := range set.Dashboard.Workspaces() {
		for _, m := range set.Dashboard.Workspace(ws, time.Time{}, time.Time{}) {
			w.exec(`INSERT INTO dashboard VALUES (?,?,?,?,?,?,?,?,?,?)`, ws, str(set.Names.Workspace(ws)), m.Month, m.Retros, m.Teams, m.Participants,
				fp(m.ParticipationRate), fp(m.RotiAverage), m.RotiRatings, fp(m.HealthAverage))
		}
	}
}
