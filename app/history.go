package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/domain/workspace"
	"github.com/hindsight-retro/hindsight/projections/actiontracker"
	"github.com/hindsight-retro/hindsight/projections/dashboard"
	"github.com/hindsight-retro/hindsight/projections/export"
	"github.com/hindsight-retro/hindsight/projections/healthtrends"
	"github.com/hindsight-retro/hindsight/projections/replay"
	"github.com/hindsight-retro/hindsight/projections/sqlexport"
	"github.com/hindsight-retro/hindsight/projections/teamhistory"
	"github.com/hindsight-retro/hindsight/projections/timetravel"
)

// History queries: what the read models (readmodels.go) and the log say
// about the past. Who may see what:
//   - a team's retros, archives, actions, health trends and events: its
//     members (and guests only the archive of the retro they were in);
//   - workspace aggregates (heat map, eNPS, dashboard): the workspace's
//     admins, who never see a team's content through them: the read models
//     give only aggregates, suppressed below the minimum group size;
//   - a retro at a past point: its participants, as they may see it now.
//
// Read-only API tokens may read all of it for the person they belong to.

// TeamRetros is the team's retro history, oldest first (members only). It
// is a read model that follows the log: after a write, WaitForHistory with
// the write's position first to read it back.
func (a *App) TeamRetros(ctx context.Context, p identity.Principal, teamID string) ([]teamhistory.Entry, error) {
	if err := canRead(p); err != nil {
		return nil, err
	}
	if _, err := a.teamMember(ctx, p, teamID); err != nil {
		return nil, err
	}
	out := a.rm.history.Current().TeamRetros(teamID)
	if out == nil {
		out = []teamhistory.Entry{}
	}
	return out, nil
}

// RetroArchive is a closed retro's board as everyone saw it at the end
// (retro.View for no one in particular: concealed text and anonymous
// authors stay hidden). For the retro's team members and its guests.
func (a *App) RetroArchive(ctx context.Context, p identity.Principal, retroID string) (retro.RetroView, error) {
	if err := canRead(p); err != nil {
		return retro.RetroView{}, err
	}
	if _, _, err := a.retroAccess(ctx, p, retroID); err != nil {
		return retro.RetroView{}, err
	}
	v, err := a.rm.history.Current().Archive(retroID)
	switch {
	case errors.Is(err, teamhistory.ErrNotClosed):
		return retro.RetroView{}, domain.Errorf(domain.Conflict, "retro-not-closed", "retro %s is still running: it has no archive yet", retroID)
	case errors.Is(err, teamhistory.ErrUnknown):
		// The log has the retro (retroAccess loaded it) but the history has
		// not read it yet.
		return retro.RetroView{}, notFound("retro %s is not in the history yet; retry, or pass after=<position>", retroID)
	case err != nil:
		return retro.RetroView{}, fmt.Errorf("archive of retro %s: %w", retroID, err)
	}
	return v, nil
}

// TeamActionTracker is the team's actions by status as of now, with their
// age, origin and whether they are overdue (members only).
func (a *App) TeamActionTracker(ctx context.Context, p identity.Principal, teamID string) (actiontracker.Summary, error) {
	if err := canRead(p); err != nil {
		return actiontracker.Summary{}, err
	}
	if _, err := a.teamMember(ctx, p, teamID); err != nil {
		return actiontracker.Summary{}, err
	}
	return nonNilSummary(a.rm.actions.Current().Team(teamID, a.now())), nil
}

// MyActions is the actions assigned to the principal as of now, across the
// teams they are still a member of: an action of a team they left is that
// team's business now.
func (a *App) MyActions(ctx context.Context, p identity.Principal) (actiontracker.Summary, error) {
	if err := canRead(p); err != nil {
		return actiontracker.Summary{}, err
	}
	if err := notGuest(p); err != nil {
		return actiontracker.Summary{}, err
	}
	all := a.rm.actions.Current().Assignee(p.UserID, a.now())
	member := map[string]bool{}
	keep := func(items []actiontracker.Item) ([]actiontracker.Item, error) {
		out := []actiontracker.Item{}
		for _, it := range items {
			ok, seen := member[it.TeamID]
			if !seen {
				t, _, err := a.loadTeam(ctx, it.TeamID)
				if err != nil && !errors.Is(err, domain.ErrNotFound) {
					return nil, err
				}
				ok = err == nil && t.IsMember(p.UserID)
				member[it.TeamID] = ok
			}
			if ok {
				out = append(out, it)
			}
		}
		return out, nil
	}
	out := actiontracker.Summary{AsOf: all.AsOf}
	var err error
	if out.Open, err = keep(all.Open); err != nil {
		return out, err
	}
	if out.Done, err = keep(all.Done); err != nil {
		return out, err
	}
	if out.Discarded, err = keep(all.Discarded); err != nil {
		return out, err
	}
	for _, it := range out.Open {
		if it.Overdue {
			out.Overdue++
		}
	}
	return out, nil
}

func nonNilSummary(s actiontracker.Summary) actiontracker.Summary {
	for _, l := range []*[]actiontracker.Item{&s.Open, &s.Done, &s.Discarded} {
		if *l == nil {
			*l = []actiontracker.Item{}
		}
	}
	return s
}

// TeamHealth is the team's health over time: per question, per pack and
// eNPS, each check's aggregate and the trend (members only). Checks of
// fewer respondents than the minimum carry no numbers.
func (a *App) TeamHealth(ctx context.Context, p identity.Principal, teamID string) (healthtrends.TeamTrends, error) {
	if err := canRead(p); err != nil {
		return healthtrends.TeamTrends{}, err
	}
	if _, err := a.teamMember(ctx, p, teamID); err != nil {
		return healthtrends.TeamTrends{}, err
	}
	return a.rm.health.Current().Team(teamID), nil
}

// workspaceAdmin checks the principal is an admin of the workspace.
func (a *App) workspaceAdmin(ctx context.Context, p identity.Principal, workspaceID string) error {
	if err := canRead(p); err != nil {
		return err
	}
	if err := notGuest(p); err != nil {
		return err
	}
	ws, err := a.visibleWorkspace(ctx, p, workspaceID)
	if err != nil {
		return err
	}
	if !workspace.IsAdmin(ws, p.UserID) {
		return forbidden("not an admin of workspace %s", workspaceID)
	}
	return nil
}

// WorkspaceHeatMap is teams × health dimensions, latest value and change,
// for the workspace's admins; cells of fewer respondents than the minimum
// are suppressed.
func (a *App) WorkspaceHeatMap(ctx context.Context, p identity.Principal, workspaceID string) (healthtrends.HeatMap, error) {
	if err := a.workspaceAdmin(ctx, p, workspaceID); err != nil {
		return healthtrends.HeatMap{}, err
	}
	return a.rm.health.Current().HeatMap(workspaceID), nil
}

// WorkspaceENPS pools the latest eNPS check of every team of the workspace,
// for its admins; suppressed below the minimum.
func (a *App) WorkspaceENPS(ctx context.Context, p identity.Principal, workspaceID string) (healthtrends.Point, error) {
	if err := a.workspaceAdmin(ctx, p, workspaceID); err != nil {
		return healthtrends.Point{}, err
	}
	return a.rm.health.Current().WorkspaceENPS(workspaceID), nil
}

// WorkspaceDashboard is the workspace's months between from and to (either
// zero: no bound), for its admins.
func (a *App) WorkspaceDashboard(ctx context.Context, p identity.Principal, workspaceID string, from, to time.Time) ([]dashboard.Month, error) {
	if err := a.workspaceAdmin(ctx, p, workspaceID); err != nil {
		return nil, err
	}
	out := a.rm.dashboard.Current().Workspace(workspaceID, from, to)
	if out == nil {
		out = []dashboard.Month{}
	}
	return out, nil
}

// RetroAt is the retro as the principal may see it after the event at
// position (or, with position 0, the last event recorded at or before at):
// the same participants as the live feed, the same redaction.
func (a *App) RetroAt(ctx context.Context, p identity.Principal, retroID string, position uint64, at time.Time) (timetravel.Snapshot, error) {
	viewer, err := a.RetroViewer(ctx, p, retroID)
	if err != nil {
		return timetravel.Snapshot{}, err
	}
	var snap timetravel.Snapshot
	if position > 0 {
		snap, err = timetravel.AtPosition(ctx, a.d.Store, retroID, position, viewer, a.GroupPolicy())
	} else {
		snap, err = timetravel.AtTime(ctx, a.d.Store, retroID, at, viewer, a.GroupPolicy())
	}
	switch {
	case errors.Is(err, timetravel.ErrBeforeCreation):
		return snap, notFound("retro %s did not exist yet at that point", retroID)
	case errors.Is(err, timetravel.ErrNotFound):
		return snap, notFound("retro %s", retroID)
	case err != nil:
		return snap, fmt.Errorf("retro %s in the past: %w", retroID, err)
	}
	return snap, nil
}

// TeamEvents authorises an export of the team's history for the principal
// (members only) and returns what writes it: NDJSON CloudEvents, each event
// redacted as the live feed would for them (concealed text of others,
// anonymous authors and pseudonyms never appear). A read-only token reads
// exactly what its owner would.
func (a *App) TeamEvents(ctx context.Context, p identity.Principal, f export.Filter) (func(w io.Writer) error, error) {
	if err := canRead(p); err != nil {
		return nil, err
	}
	if _, err := a.teamMember(ctx, p, f.TeamID); err != nil {
		return nil, err
	}
	viewer := a.exportViewer(ctx, p)
	return func(w io.Writer) error { return export.Export(ctx, a.d.Store, f, viewer, w) }, nil
}

// exportViewer is who an export is redacted for: the principal, with their
// own pseudonym in each anonymous retro or survey while its key lives.
func (a *App) exportViewer(ctx context.Context, p identity.Principal) export.Viewer {
	return export.Viewer{UserID: p.UserID, Pseudonym: func(id string) string {
		// Retro and survey IDs are UUIDs, so the one key that exists
		// names the aggregate. A key that cannot be read (destroyed at
		// close, or a store error) shows the caller nothing as their own:
		// the safe side.
		for _, subject := range []string{retroKey(id), surveyKey(id)} {
			ps, err := a.pseudonym(ctx, subject, p.UserID)
			if err != nil {
				a.d.Logger.Warn("export: no pseudonym for the caller", "key", subject, "err", err)
			}
			if ps != "" {
				return ps
			}
		}
		return ""
	}}
}

// TeamSQLite builds the SQLite file of `hindsight replay --sqlite` for one
// team, from the team's export as the principal would download it (so
// redacted exactly as that is), for the team's admins and the admins of its
// workspace who are members. The file is complete before anything is sent,
// so a failure is still an error the caller can report; it lives in a
// temporary folder that Close removes.
func (a *App) TeamSQLite(ctx context.Context, p identity.Principal, teamID string) (*TempFile, error) {
	if err := canRead(p); err != nil {
		return nil, err
	}
	t, err := a.teamMember(ctx, p, teamID)
	if err != nil {
		return nil, err
	}
	if !t.IsAdmin(p.UserID) {
		_, ws, err := a.visibleTeam(ctx, p, teamID)
		if err != nil {
			return nil, err
		}
		if !workspace.IsAdmin(ws, p.UserID) {
			return nil, forbidden("the SQLite file of team %s is for its admins and its workspace's admins", teamID)
		}
	}
	dir, err := os.MkdirTemp("", "hindsight-sqlite-")
	if err != nil {
		return nil, fmt.Errorf("sqlite of team %s: %w", teamID, err)
	}
	done := false
	defer func() {
		if !done {
			_ = os.RemoveAll(dir)
		}
	}()
	// The export streams through a pipe into the replay: the team's history
	// is never held whole in memory.
	pr, pw := io.Pipe()
	viewer := a.exportViewer(ctx, p)
	go func() {
		pw.CloseWithError(export.Export(ctx, a.d.Store, export.Filter{TeamID: teamID}, viewer, pw))
	}()
	set := replay.NewSet(healthtrends.Config{MinRespondents: a.GroupPolicy().MinRespondents, PackOf: a.d.Catalog.QuestionPack})
	_, err = replay.FromExport(ctx, pr, set, replay.Until{}, nil)
	_ = pr.CloseWithError(io.ErrClosedPipe) // lets the export end if the replay stopped early
	if err != nil {
		return nil, fmt.Errorf("sqlite of team %s: replay its export: %w", teamID, err)
	}
	path := filepath.Join(dir, "team.sqlite")
	if err := sqlexport.Write(ctx, path, set, a.d.Catalog); err != nil {
		return nil, fmt.Errorf("sqlite of team %s: %w", teamID, err)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite of team %s: %w", teamID, err)
	}
	info, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("sqlite of team %s: %w", teamID, err)
	}
	done = true
	return &TempFile{File: f, Size: info.Size(), dir: dir}, nil
}

// TempFile is a built file to send once; Close removes it.
type TempFile struct {
	*os.File
	Size int64
	dir  string
}

// Close closes and removes the file.
func (t *TempFile) Close() error {
	err := t.File.Close()
	if rerr := os.RemoveAll(t.dir); err == nil {
		err = rerr
	}
	return err
}
