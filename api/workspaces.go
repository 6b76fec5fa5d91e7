package api

import (
	"net/http"

	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/domain/workspace"
)

// NameRequest names or renames something.
type NameRequest struct {
	Name string `json:"name"`
}

// UserRequest names a person by user ID (as GET /v1/me and views show them).
type UserRequest struct {
	UserID string `json:"userId"`
}

// CreateTeamRequest creates a team in the workspace of the path.
type CreateTeamRequest struct {
	Name string `json:"name"`
	// TemplateID names a catalogue team template (GET /v1/catalog/team-templates).
	TemplateID string `json:"templateId"`
	// FirstAdminID is who runs the team; absent means you.
	FirstAdminID string `json:"firstAdminId,omitempty"`
}

func workspaceRoutes() []route {
	return tagged("workspaces",
		command(http.MethodPost, "/v1/workspaces", "createWorkspace", "Create a workspace; you become its admin",
			func(s *server, c call, in NameRequest) (app.Result, error) {
				return s.deps.App.CreateWorkspace(c.r.Context(), c.caller(), app.WorkspaceInput{Name: in.Name})
			}).created(),
		query("/v1/workspaces/{workspaceId}", "getWorkspace", "A workspace: name, admins, teams",
			func(s *server, c call) (workspace.WorkspaceView, error) {
				return s.deps.App.Workspace(c.r.Context(), c.p, c.param("workspaceId"))
			}),
		command(http.MethodPatch, "/v1/workspaces/{workspaceId}", "renameWorkspace", "Rename a workspace (admins)",
			func(s *server, c call, in NameRequest) (app.Result, error) {
				return s.deps.App.RenameWorkspace(c.r.Context(), c.caller(), c.param("workspaceId"), app.WorkspaceInput{Name: in.Name})
			}),
		command(http.MethodPost, "/v1/workspaces/{workspaceId}/admins", "addWorkspaceAdmin", "Make someone a workspace admin (admins)",
			func(s *server, c call, in UserRequest) (app.Result, error) {
				return s.deps.App.AddWorkspaceAdmin(c.r.Context(), c.caller(), c.param("workspaceId"), app.Person{UserID: in.UserID})
			}),
		action(http.MethodDelete, "/v1/workspaces/{workspaceId}/admins/{userId}", "removeWorkspaceAdmin",
			"Take the admin role from someone; the last admin stays",
			func(s *server, c call) (app.Result, error) {
				return s.deps.App.RemoveWorkspaceAdmin(c.r.Context(), c.caller(), c.param("workspaceId"), app.Person{UserID: c.param("userId")})
			}),
		command(http.MethodPost, "/v1/workspaces/{workspaceId}/teams", "createTeam", "Create a team in the workspace (admins)",
			func(s *server, c call, in CreateTeamRequest) (app.Result, error) {
				return s.deps.App.CreateTeam(c.r.Context(), c.caller(), app.CreateTeamInput{
					WorkspaceID: c.param("workspaceId"), Name: in.Name, TemplateID: in.TemplateID, FirstAdminID: in.FirstAdminID})
			}).created(),
		workspaceTeamsRoute(),
	)
}
