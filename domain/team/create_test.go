package team_test

import (
	"strings"
	"testing"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/domain/team"
)

var scrum = catalog.TeamTemplate{ID: "scrum-team", Name: "Scrum team", HealthPack: "team-health", RetroTemplate: "start-stop-continue"}

func TestCreateTeamPicksTheHealthPackOfItsTemplate(t *testing.T) {
	s := decider.Then(t, nil,
		team.CreateTeam{Actor: ada, At: t0, TeamID: "t1", WorkspaceID: "ws1", Name: "Platform", Template: scrum, FirstAdminID: "carol", ByWorkspaceAdmin: true},
		created()...)
	if s.HealthPackID != "team-health" || s.RetroTemplateID != "start-stop-continue" {
		t.Fatalf("pack %q, retro template %q", s.HealthPackID, s.RetroTemplateID)
	}
	if !s.IsAdmin("carol") || !s.IsMember("carol") || s.IsMember("ada") {
		t.Fatalf("members %v admins %v: want carol only", s.Members, s.Admins)
	}
}

func TestCreateTeamWithoutAFirstAdminMakesTheCreatorAdmin(t *testing.T) {
	mgmt := catalog.TeamTemplate{ID: "management-team", HealthPack: "leadership-health"}
	s := decider.Then(t, nil,
		team.CreateTeam{Actor: ada, At: t0, TeamID: "t2", WorkspaceID: "ws1", Name: "Leads", Template: mgmt, ByWorkspaceAdmin: true},
		team.TeamCreated{TeamID: "t2", WorkspaceID: "ws1", Name: "Leads", TemplateID: "management-team", HealthPackID: "leadership-health", FirstAdminID: "ada", CreatedBy: "ada", At: t0})
	if !s.IsAdmin("ada") {
		t.Fatal("the creator is not the team's admin")
	}
}

func TestCreateTeamRejections(t *testing.T) {
	ok := team.CreateTeam{Actor: ada, At: t0, TeamID: "t1", WorkspaceID: "ws1", Name: "Platform", Template: scrum, ByWorkspaceAdmin: true}
	with := func(f func(*team.CreateTeam)) team.CreateTeam { c := ok; f(&c); return c }
	decider.RefusedAll(t, map[string]rejection{
		"exists":              {Given: created(), When: ok, Kind: domain.Conflict, Code: team.CodeAlreadyExists},
		"no actor":            {Given: nil, When: with(func(c *team.CreateTeam) { c.Actor = domain.Actor{} }), Kind: domain.Invalid, Code: team.CodeActorRequired},
		"not workspace admin": {Given: nil, When: with(func(c *team.CreateTeam) { c.ByWorkspaceAdmin = false }), Kind: domain.Forbidden, Code: team.CodeNotWorkspaceAdmin},
		"no team ID":          {Given: nil, When: with(func(c *team.CreateTeam) { c.TeamID = "" }), Kind: domain.Invalid, Code: team.CodeIDRequired},
		"no workspace ID":     {Given: nil, When: with(func(c *team.CreateTeam) { c.WorkspaceID = "" }), Kind: domain.Invalid, Code: team.CodeIDRequired},
		"no name":             {Given: nil, When: with(func(c *team.CreateTeam) { c.Name = " " }), Kind: domain.Invalid, Code: team.CodeNameRequired},
		"long name":           {Given: nil, When: with(func(c *team.CreateTeam) { c.Name = strings.Repeat("n", 101) }), Kind: domain.Invalid, Code: team.CodeNameTooLong},
		"no template":         {Given: nil, When: with(func(c *team.CreateTeam) { c.Template = catalog.TeamTemplate{} }), Kind: domain.Invalid, Code: team.CodeTemplateRequired},
		"template no pack":    {Given: nil, When: with(func(c *team.CreateTeam) { c.Template.HealthPack = "" }), Kind: domain.Invalid, Code: team.CodeTemplateNoPack},
	})
}

func TestUnknownCommandIsRejected(t *testing.T) {
	decider.RefusedAll(t, map[string]rejection{"nil": {Given: created(), When: nil, Kind: domain.Invalid, Code: team.CodeUnknownCommand}})
}
