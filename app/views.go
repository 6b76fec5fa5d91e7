package app

import (
	"context"
	"fmt"

	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/domain/workspace"
)

// Queries return the domain's view for the principal and nothing else: the
// view is where concealment and anonymity are decided, so no state leaves
// the app any other way.

// Workspace is the workspace as the principal may see it: for its admins
// and the members of its teams.
func (a *App) Workspace(ctx context.Context, p identity.Principal, workspaceID string) (workspace.WorkspaceView, error) {
	if err := canRead(p); err != nil {
		return workspace.WorkspaceView{}, err
	}
	if err := notGuest(p); err != nil {
		return workspace.WorkspaceView{}, err
	}
	ws, err := a.visibleWorkspace(ctx, p, workspaceID)
	if err != nil {
		return workspace.WorkspaceView{}, err
	}
	return workspace.View(ws, workspace.Viewer{UserID: p.UserID}), nil
}

// Team is the team as the principal may see it: members see its content;
// admins of its workspace who are not members see its name and counts.
func (a *App) Team(ctx context.Context, p identity.Principal, teamID string) (team.TeamView, error) {
	if err := canRead(p); err != nil {
		return team.TeamView{}, err
	}
	if err := notGuest(p); err != nil {
		return team.TeamView{}, err
	}
	t, _, err := a.visibleTeam(ctx, p, teamID)
	if err != nil {
		return team.TeamView{}, err
	}
	return team.View(t, team.Viewer{UserID: p.UserID}), nil
}

// TeamActions lists the team's action items, oldest first (members only).
func (a *App) TeamActions(ctx context.Context, p identity.Principal, teamID string) ([]team.Action, error) {
	if err := canRead(p); err != nil {
		return nil, err
	}
	t, err := a.teamMember(ctx, p, teamID)
	if err != nil {
		return nil, err
	}
	v := team.View(t, team.Viewer{UserID: p.UserID})
	if v.Content == nil {
		return nil, forbidden("not a member of team %s", teamID)
	}
	return v.Content.Actions, nil
}

// Retro is the retro as the principal may see it (retro.View): the only
// way a retro's content leaves the app.
func (a *App) Retro(ctx context.Context, p identity.Principal, retroID string) (retro.RetroView, error) {
	if err := canRead(p); err != nil {
		return retro.RetroView{}, err
	}
	r, _, err := a.retroAccess(ctx, p, retroID)
	if err != nil {
		return retro.RetroView{}, err
	}
	v, err := a.retroActor(ctx, retroID, p.UserID)
	if err != nil {
		return retro.RetroView{}, err
	}
	return retro.View(r, retro.Viewer{UserID: v.UserID, Pseudonym: v.Pseudonym}, a.GroupPolicy()), nil
}

// RetroViewer authorises the principal to follow the retro live and says
// who they are in it (user ID and pseudonym) for retro.View and
// retro.RedactEvent. domain.ErrForbidden if they may not see it, domain.ErrNotFound if
// it does not exist.
func (a *App) RetroViewer(ctx context.Context, p identity.Principal, retroID string) (retro.Viewer, error) {
	return a.retroViewer(ctx, p, retroID, a.retroAccess)
}

// RetroJoinViewer is RetroViewer decided on the retro and team as this
// node's followers hold them (retroAccessToWrite), without reading the
// store: a live feed's join, which a storm of reconnects makes frequent,
// read both streams' new events from the store each time (most of a join's
// CPU, measured). A refusal is still made only on the store's state. The
// followers may be a moment behind the log, so a grant may miss a removal
// not yet applied; the live hub sees every removal in log order and asks
// RetroViewer again for a user it saw removed (live.Deps.AuthorizeJoin).
func (a *App) RetroJoinViewer(ctx context.Context, p identity.Principal, retroID string) (retro.Viewer, error) {
	return a.retroViewer(ctx, p, retroID, a.retroAccessToWrite)
}

func (a *App) retroViewer(ctx context.Context, p identity.Principal, retroID string,
	access func(context.Context, identity.Principal, string) (retro.State, team.State, error)) (retro.Viewer, error) {
	if err := canRead(p); err != nil {
		return retro.Viewer{}, err
	}
	if _, _, err := access(ctx, p, retroID); err != nil {
		return retro.Viewer{}, err
	}
	v, err := a.retroActor(ctx, retroID, p.UserID)
	if err != nil {
		return retro.Viewer{}, err
	}
	return retro.Viewer{UserID: v.UserID, Pseudonym: v.Pseudonym}, nil
}

// RetroNames are the display names the principal may put beside the user
// IDs of their view of the retro. Everyone who may see the retro learns the
// names of its participants and moderator, since presence is not anonymous;
// members also learn those of the others their view names (authors shown,
// assignees). Names are keyed by user ID only and the view never holds an
// anonymous author, so no name can be tied to an anonymous card or vote.
func (a *App) RetroNames(ctx context.Context, p identity.Principal, retroID string) (map[string]string, error) {
	v, err := a.Retro(ctx, p, retroID)
	if err != nil {
		return nil, err
	}
	t, _, err := a.loadTeam(ctx, v.TeamID)
	if err != nil {
		return nil, err
	}
	ids := []string{v.Moderator}
	for _, pv := range v.Participants {
		ids = append(ids, pv.UserID)
	}
	if p.Kind != identity.KindGuest {
		ids = peopleIn(v)
	}
	names, err := a.namesIn(ctx, t, ids)
	if err != nil {
		return nil, fmt.Errorf("retro %s: %w", retroID, err)
	}
	return names, nil
}
