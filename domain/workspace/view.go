package workspace

import (
	"sort"

	"github.com/hindsight-retro/hindsight/domain/team"
)

// Viewer is who looks at the workspace.
type Viewer struct {
	UserID string
}

// WorkspaceView is what one person sees of a workspace: its name, its
// admins (so people know whom to ask) and its teams' names. Team content
// is never here; it comes from team.View, which applies CanSeeTeamContent.
type WorkspaceView struct {
	ID      string      `json:"id"`
	Name    string      `json:"name"`
	Admins  []string    `json:"admins"`
	Teams   []TeamEntry `json:"teams"`
	IsAdmin bool        `json:"isAdmin"`
}

// View decides what v may see of the workspace. Everything in it is
// metadata, so every workspace user sees the same, apart from IsAdmin.
func View(s State, v Viewer) WorkspaceView {
	out := WorkspaceView{ID: s.ID, Name: s.Name, Admins: []string{}, Teams: []TeamEntry{}, IsAdmin: IsAdmin(s, v.UserID)}
	for id := range s.Admins {
		out.Admins = append(out.Admins, id)
	}
	sort.Strings(out.Admins)
	for _, t := range s.Teams {
		out.Teams = append(out.Teams, t)
	}
	sort.Slice(out.Teams, func(i, j int) bool { return out.Teams[i].Name < out.Teams[j].Name })
	return out
}

// CanSeeTeamContent reports whether userID may see the content (members,
// guests, actions, retros, survey answers) of team t in workspace ws. Being a
// workspace admin does not grant it: admins run the workspace, not the
// teams' conversations, and a team talks more openly knowing that. Only
// membership does, and only for a team of this workspace.
func CanSeeTeamContent(ws State, t team.State, userID string) bool {
	return ws.Exists() && t.WorkspaceID == ws.ID && team.CanSeeContent(t, userID)
}

// CanSeeTeamMetadata reports whether userID may see team t's name, template
// and counts: its members, and the admins of its workspace.
func CanSeeTeamMetadata(ws State, t team.State, userID string) bool {
	if !ws.Exists() || t.WorkspaceID != ws.ID {
		return false
	}
	return IsAdmin(ws, userID) || t.IsMember(userID)
}
