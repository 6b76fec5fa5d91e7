package workspace_test

import (
	"testing"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/workspace"
)

func withPlatformTeam() []workspace.Event {
	return append(created(), workspace.TeamRegistered{TeamID: "t1", Name: "Platform", RegisteredBy: "ada", At: t0})
}

func TestOnlyWorkspaceAdminsRegisterTeams(t *testing.T) {
	s := decider.Then(t, created(),
		workspace.RegisterTeam{Actor: ada, At: t0, TeamID: "t1", Name: " Platform "},
		workspace.TeamRegistered{TeamID: "t1", Name: "Platform", RegisteredBy: "ada", At: t0})
	if s.Teams["t1"].Name != "Platform" {
		t.Fatalf("teams = %v", s.Teams)
	}
	decider.Refused(t, created(), workspace.RegisterTeam{Actor: bob, At: t0, TeamID: "t1", Name: "Platform"},
		domain.Forbidden, workspace.CodeNotAdmin)
}

func TestRegisterTeamRejections(t *testing.T) {
	for name, tc := range map[string]struct {
		given []workspace.Event
		when  workspace.RegisterTeam
		kind  domain.Kind
		code  string
	}{
		"no workspace": {nil, workspace.RegisterTeam{Actor: ada, TeamID: "t1", Name: "P"}, domain.NotFound, workspace.CodeNotFound},
		"no actor":     {created(), workspace.RegisterTeam{TeamID: "t1", Name: "P"}, domain.Invalid, workspace.CodeActorRequired},
		"not an admin": {created(), workspace.RegisterTeam{Actor: bob, TeamID: "t1", Name: "P"}, domain.Forbidden, workspace.CodeNotAdmin},
		"no team ID":   {created(), workspace.RegisterTeam{Actor: ada, Name: "P"}, domain.Invalid, workspace.CodeTeamIDRequired},
		"no name":      {created(), workspace.RegisterTeam{Actor: ada, TeamID: "t1"}, domain.Invalid, workspace.CodeNameRequired},
		"same ID":      {withPlatformTeam(), workspace.RegisterTeam{Actor: ada, TeamID: "t1", Name: "Mobile"}, domain.Conflict, workspace.CodeTeamExists},
		"same name":    {withPlatformTeam(), workspace.RegisterTeam{Actor: ada, TeamID: "t2", Name: "platform"}, domain.Conflict, workspace.CodeTeamNameTaken},
	} {
		t.Run(name, func(t *testing.T) { decider.Refused(t, tc.given, tc.when, tc.kind, tc.code) })
	}
}

func TestEvolveDoesNotChangeAStateTheCallerHolds(t *testing.T) {
	before := workspace.Decider().Fold(withPlatformTeam())
	_ = workspace.Evolve(before, workspace.WorkspaceAdminAdded{UserID: "bob"})
	_ = workspace.Evolve(before, workspace.TeamRegistered{TeamID: "t2", Name: "Mobile"})
	if before.Admins["bob"] || len(before.Teams) != 1 {
		t.Fatalf("evolve changed the earlier state: admins %v, teams %v", before.Admins, before.Teams)
	}
}

func TestUnknownCommandIsRejected(t *testing.T) {
	decider.Refused(t, created(), nil, domain.Invalid, workspace.CodeUnknownCommand)
}
