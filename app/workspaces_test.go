package app_test

import (
	"testing"

	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/workspace"
)

func TestWhoSeesAndRunsAWorkspace(t *testing.T) {
	f := newTeam(t)
	ctx := f.ctx()
	// Its admin and the members of its teams see it; nobody else.
	for _, u := range []string{uAda, uBea} {
		v := must(f.app.Workspace(ctx, user(u), f.ws))(t)
		if v.Name != "Acme" || len(v.Teams) != 1 || v.IsAdmin != (u == uAda) {
			t.Errorf("%s's workspace view: %+v", u, v)
		}
	}
	_, err := f.app.Workspace(ctx, user(uOut), f.ws)
	refused(t, "an outsider reads the workspace", err, domain.ErrNotFound) // as a missing one: see hidden
	_, err = f.app.Workspace(ctx, user(uOut), "no-such-workspace")
	refused(t, "a workspace that does not exist", err, domain.ErrNotFound)

	// Only admins run it; the last admin stays.
	_, err = f.app.RenameWorkspace(ctx, f.as(user(uBea)), f.ws, app.WorkspaceInput{Name: "Bea's"})
	rejected(t, "a member renames the workspace", err, domain.Forbidden, workspace.CodeNotAdmin)
	_, err = f.app.CreateTeam(ctx, f.as(user(uMod)), app.CreateTeamInput{WorkspaceID: f.ws, Name: "Shadow", TemplateID: "scrum-team"})
	rejected(t, "a team admin creates a team", err, domain.Forbidden, workspace.CodeNotAdmin)
	_, err = f.app.RemoveWorkspaceAdmin(ctx, f.as(user(uAda)), f.ws, app.Person{UserID: uAda})
	rejected(t, "the last admin steps down", err, domain.Conflict, workspace.CodeLastAdmin)
	must(f.app.AddWorkspaceAdmin(ctx, f.as(user(uAda)), f.ws, app.Person{UserID: uOut}))(t)
	must(f.app.RenameWorkspace(ctx, f.as(user(uOut)), f.ws, app.WorkspaceInput{Name: "Acme Labs"}))(t)
	must(f.app.RemoveWorkspaceAdmin(ctx, f.as(user(uOut)), f.ws, app.Person{UserID: uAda}))(t)
	if v := must(f.app.Workspace(ctx, user(uOut), f.ws))(t); v.Name != "Acme Labs" || len(v.Admins) != 1 || v.Admins[0] != uOut {
		t.Errorf("after the hand-over: %+v", v)
	}
	_, err = f.app.CreateTeam(ctx, f.as(user(uOut)), app.CreateTeamInput{WorkspaceID: f.ws, Name: "Mobile", TemplateID: "no-such-template"})
	rejected(t, "a team from an unknown template", err, domain.Invalid, "team-template-not-found")
}
