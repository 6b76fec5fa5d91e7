package workspace_test

import (
	"reflect"
	"testing"

	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/domain/workspace"
)

// platform is team t1 of ws1, run by carol, created by workspace admin ada
// who did not join it.
func platform(t *testing.T, workspaceID string) team.State {
	t.Helper()
	evs, s, err := team.Decider().Run(nil, team.CreateTeam{
		Actor: ada, At: t0, TeamID: "t1", WorkspaceID: workspaceID, Name: "Platform",
		Template:     catalog.TeamTemplate{ID: "scrum-team", HealthPack: "team-health"},
		FirstAdminID: "carol", ByWorkspaceAdmin: true,
	})
	if err != nil || len(evs) != 1 {
		t.Fatalf("create team: %v", err)
	}
	return s
}

func TestAWorkspaceAdminDoesNotSeeContentOfTeamsTheyAreNotIn(t *testing.T) {
	ws := workspace.Decider().Fold(withPlatformTeam())
	tm := platform(t, "ws1")
	if workspace.CanSeeTeamContent(ws, tm, "ada") {
		t.Error("workspace admin ada, not a member, may see the team's content")
	}
	if !workspace.CanSeeTeamMetadata(ws, tm, "ada") {
		t.Error("workspace admin ada may not see the team's name and counts")
	}
	if v := team.View(tm, team.Viewer{UserID: "ada"}); v.Content != nil || v.Name != "Platform" || v.MemberCount != 1 {
		t.Errorf("ada's team view = %+v, want name and counts only", v)
	}
	if !workspace.CanSeeTeamContent(ws, tm, "carol") {
		t.Error("member carol may not see her team's content")
	}
	if workspace.CanSeeTeamContent(ws, tm, "bob") || workspace.CanSeeTeamMetadata(ws, tm, "bob") {
		t.Error("bob, neither admin nor member, may see the team")
	}
}

func TestAWorkspaceAdminWhoIsAMemberSeesContent(t *testing.T) {
	ws := workspace.Decider().Fold(withPlatformTeam())
	tm := team.Evolve(platform(t, "ws1"), team.MemberAdded{UserID: "ada", AddedBy: "carol", At: t0})
	if !workspace.CanSeeTeamContent(ws, tm, "ada") {
		t.Error("ada, admin and member, may not see the content")
	}
}

func TestNobodySeesATeamThroughAnotherWorkspace(t *testing.T) {
	ws := workspace.Decider().Fold(withPlatformTeam())
	tm := platform(t, "ws-other")
	if workspace.CanSeeTeamContent(ws, tm, "carol") || workspace.CanSeeTeamMetadata(ws, tm, "ada") {
		t.Error("a team of another workspace is visible through ws1")
	}
}

func TestWorkspaceView(t *testing.T) {
	s := workspace.Decider().Fold(append(withPlatformTeam(),
		workspace.WorkspaceAdminAdded{UserID: "bob", AddedBy: "ada", At: t0},
		workspace.TeamRegistered{TeamID: "t0", Name: "Mobile", RegisteredBy: "ada", At: t0}))
	got := workspace.View(s, workspace.Viewer{UserID: "carol"})
	want := workspace.WorkspaceView{
		ID: "ws1", Name: "Acme", Admins: []string{"ada", "bob"},
		Teams: []workspace.TeamEntry{{ID: "t0", Name: "Mobile", RegisteredAt: t0}, {ID: "t1", Name: "Platform", RegisteredAt: t0}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("view:\n got  %+v\n want %+v", got, want)
	}
	if !workspace.View(s, workspace.Viewer{UserID: "bob"}).IsAdmin {
		t.Error("bob's view does not say he is an admin")
	}
}
