package app

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/domain/workspace"
)

// Roles a person holds in a workspace or team, as the lists show them.
const (
	RoleAdmin  = "admin"
	RoleMember = "member"
	RoleGuest  = "guest"
)

// WorkspaceSummary is one workspace in the caller's list.
type WorkspaceSummary struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Role: admin (you administer it) or member (you are in one of its teams).
	Role string `json:"role"`
}

// TeamSummary is one team in a list.
type TeamSummary struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	WorkspaceID   string `json:"workspaceId"`
	WorkspaceName string `json:"workspaceName"`
	// Role is yours in the team: admin or member; absent when you are not
	// in it (a workspace admin looking at the workspace's teams).
	Role string `json:"role,omitempty"`
}

// MemberInfo is one person of a team as its members see them.
type MemberInfo struct {
	UserID string `json:"userId"`
	// Name is the display name; empty once the person erased their data.
	Name string `json:"name"`
	// Role: admin, member, or guest (joined one of the team's retros by invite).
	Role   string `json:"role"`
	Erased bool   `json:"erased,omitempty"`
}

// WaitForMembership returns once the membership index has applied the log
// up to position, so a list shows a workspace or team created just before.
func (a *App) WaitForMembership(ctx context.Context, position uint64) error {
	return a.rm.membership.Current().WaitFor(ctx, position)
}

// MyWorkspaces lists the workspaces the principal administers or has a
// team in, by name. The membership index says where to look; the
// aggregates say the current name and role. Guests belong to one retro,
// no workspace: their list is empty.
func (a *App) MyWorkspaces(ctx context.Context, p identity.Principal) ([]WorkspaceSummary, error) {
	if err := canRead(p); err != nil {
		return nil, err
	}
	if p.Kind == identity.KindGuest {
		return []WorkspaceSummary{}, nil
	}
	adminOf, teamIDs := a.rm.membership.Current().Of(p.UserID)
	candidates := map[string]bool{}
	for _, id := range adminOf {
		candidates[id] = true
	}
	teams, err := a.myTeams(ctx, p.UserID, teamIDs)
	if err != nil {
		return nil, err
	}
	for _, t := range teams {
		candidates[t.WorkspaceID] = true
	}
	out := make([]WorkspaceSummary, 0, len(candidates))
	for id := range candidates {
		ws, err := a.loadExisting(ctx, id)
		if err != nil {
			return nil, err
		}
		if !ws.Exists() {
			continue
		}
		role := RoleMember
		if workspace.IsAdmin(ws, p.UserID) {
			role = RoleAdmin
		} else if !memberOfAny(teams, id) {
			continue // the index lags a removal
		}
		out = append(out, WorkspaceSummary{ID: id, Name: ws.Name, Role: role})
	}
	sort.Slice(out, func(i, j int) bool { return byName(out[i].Name, out[i].ID, out[j].Name, out[j].ID) })
	return out, nil
}

// MyTeams lists the teams the principal is a member of, by workspace and
// team name; empty for guests.
func (a *App) MyTeams(ctx context.Context, p identity.Principal) ([]TeamSummary, error) {
	if err := canRead(p); err != nil {
		return nil, err
	}
	if p.Kind == identity.KindGuest {
		return []TeamSummary{}, nil
	}
	_, teamIDs := a.rm.membership.Current().Of(p.UserID)
	teams, err := a.myTeams(ctx, p.UserID, teamIDs)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for i, t := range teams {
		name, ok := names[t.WorkspaceID]
		if !ok {
			ws, err := a.loadExisting(ctx, t.WorkspaceID)
			if err != nil {
				return nil, err
			}
			name = ws.Name
			names[t.WorkspaceID] = name
		}
		teams[i].WorkspaceName = name
	}
	sortTeams(teams)
	return teams, nil
}

// myTeams loads the teams the index names and keeps those userID is still
// a member of, with their role (workspace names left empty).
func (a *App) myTeams(ctx context.Context, userID string, ids []string) ([]TeamSummary, error) {
	out := make([]TeamSummary, 0, len(ids))
	for _, id := range ids {
		t, _, err := a.teams.Load(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("load team %s: %w", id, err)
		}
		if !t.Exists() || !t.IsMember(userID) {
			continue
		}
		out = append(out, TeamSummary{ID: id, Name: t.Name, WorkspaceID: t.WorkspaceID, Role: teamRole(t, userID)})
	}
	return out, nil
}

// WorkspaceTeams lists a workspace's teams, with the principal's role in
// each, for the workspace's admins and the members of its teams.
func (a *App) WorkspaceTeams(ctx context.Context, p identity.Principal, workspaceID string) ([]TeamSummary, error) {
	// Workspace decides who may look, and how.
	if _, err := a.Workspace(ctx, p, workspaceID); err != nil {
		return nil, err
	}
	ws, _, err := a.loadWorkspace(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	out := make([]TeamSummary, 0, len(ws.Teams))
	for id, entry := range ws.Teams {
		s := TeamSummary{ID: id, Name: entry.Name, WorkspaceID: ws.ID, WorkspaceName: ws.Name}
		t, _, err := a.teams.Load(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("load team %s: %w", id, err)
		}
		if t.Exists() {
			s.Name = t.Name
			s.Role = teamRole(t, p.UserID)
		}
		out = append(out, s)
	}
	sortTeams(out)
	return out, nil
}

// TeamMembers lists a team's members and guests with their display names
// (members of the team only). E-mail addresses are not shown.
func (a *App) TeamMembers(ctx context.Context, p identity.Principal, teamID string) ([]MemberInfo, error) {
	if err := canRead(p); err != nil {
		return nil, err
	}
	t, err := a.teamMember(ctx, p, teamID)
	if err != nil {
		return nil, err
	}
	out := make([]MemberInfo, 0, len(t.Members)+len(t.Guests))
	for id := range t.Members {
		out = append(out, MemberInfo{UserID: id, Role: teamRole(t, id)})
	}
	for id := range t.Guests {
		out = append(out, MemberInfo{UserID: id, Role: RoleGuest})
	}
	for i := range out {
		if a.d.Identity == nil {
			break
		}
		prof, err := a.d.Identity.Profile(ctx, out[i].UserID)
		switch {
		case err == nil:
			out[i].Name = prof.Name
		case errors.Is(err, identity.ErrErased):
			out[i].Erased = true
		case errors.Is(err, domain.ErrNotFound):
			// An ID no account has (written by a script): no name to show.
		default:
			return nil, fmt.Errorf("team %s: name of %s: %w", teamID, out[i].UserID, err)
		}
	}
	sort.Slice(out, func(i, j int) bool { return byName(out[i].Name, out[i].UserID, out[j].Name, out[j].UserID) })
	return out, nil
}

// TeamAdminGate returns nil when the principal may run admin commands on
// the team, the rejection the team's decider would give otherwise; for
// checks that must come before a command (looking an address up).
func (a *App) TeamAdminGate(ctx context.Context, p identity.Principal, teamID string) error {
	if err := canWrite(p); err != nil {
		return err
	}
	if err := notGuest(p); err != nil {
		return err
	}
	t, _, err := a.visibleTeam(ctx, p, teamID)
	if err != nil {
		return err
	}
	if !t.IsAdmin(p.UserID) {
		return domain.Errorf(domain.Forbidden, team.CodeNotTeamAdmin, "only team admins add members")
	}
	return nil
}

// loadExisting loads a workspace the index or a team named, without
// loadWorkspace's not-found error: MyWorkspaces skips one that does not
// exist (an ID from a damaged snapshot) instead of failing the list.
func (a *App) loadExisting(ctx context.Context, id string) (workspace.State, error) {
	ws, _, err := a.workspaces.Load(ctx, id)
	if err != nil {
		return ws, fmt.Errorf("load workspace %s: %w", id, err)
	}
	return ws, nil
}

func teamRole(t team.State, userID string) string {
	switch {
	case t.IsAdmin(userID):
		return RoleAdmin
	case t.IsMember(userID):
		return RoleMember
	}
	return ""
}

func memberOfAny(teams []TeamSummary, workspaceID string) bool {
	for _, t := range teams {
		if t.WorkspaceID == workspaceID {
			return true
		}
	}
	return false
}

func sortTeams(ts []TeamSummary) {
	sort.Slice(ts, func(i, j int) bool {
		if ts[i].WorkspaceName != ts[j].WorkspaceName || ts[i].WorkspaceID != ts[j].WorkspaceID {
			return byName(ts[i].WorkspaceName, ts[i].WorkspaceID, ts[j].WorkspaceName, ts[j].WorkspaceID)
		}
		return byName(ts[i].Name, ts[i].ID, ts[j].Name, ts[j].ID)
	})
}

// byName orders by name ignoring case, then by ID so equal names keep a
// stable order across pages.
func byName(nameA, idA, nameB, idB string) bool {
	la, lb := strings.ToLower(nameA), strings.ToLower(nameB)
	if la != lb {
		return la < lb
	}
	return idA < idB
}
