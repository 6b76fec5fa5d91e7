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
	s := thenEvents(t, nil,
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
	s := thenEvents(t, nil,
		team.CreateTeam{Actor: ada, At: t0, TeamID: "t2", WorkspaceID: "ws1", Name: "Leads", Template: mgmt, ByWorkspaceAdmin: true},
		team.TeamCreated{TeamID: "t2", WorkspaceID: "ws1", Name: "Leads", TemplateID: "management-team", HealthPackID: "leadership-health", FirstAdminID: "ada", CreatedBy: "ada", At: t0})
	if !s.IsAdmin("ada") {
		t.Fatal("the creator is not the team's admin")
	}
}

func TestCreateTeamRejections(t *testing.T) {
	ok := team.CreateTeam{Actor: ada, At: t0, TeamID: "t1", WorkspaceID: "ws1", Name: "Platform", Template: scrum, ByWorkspaceAdmin: true}
	with := func(f func(*team.CreateTeam)) team.CreateTeam { c := ok; f(&c); return c }
	thenRejected(t, map[string]rejection{
		"exists":              {created(), ok, domain.Conflict, team.CodeAlreadyExists},
		"no actor":            {nil, with(func(c *team.CreateTeam) { c.Actor = domain.Actor{} }), domain.Invalid, team.CodeActorRequired},
		"not workspace admin": {nil, with(func(c *team.CreateTeam) { c.ByWorkspaceAdmin = false }), domain.Forbidden, team.CodeNotWorkspaceAdmin},
		"no team ID":          {nil, with(func(c *team.CreateTeam) { c.TeamID = "" }), domain.Invalid, team.CodeIDRequired},
		"no workspace ID":     {nil, with(func(c *team.CreateTeam) { c.WorkspaceID = "" }), domain.Invalid, team.CodeIDRequired},
		"no name":             {nil, with(func(c *team.CreateTeam) { c.Name = " " }), domain.Invalid, team.CodeNameRequired},
		"long name":           {nil, with(func(c *team.CreateTeam) { c.Name = strings.Repeat("n", 101) }), domain.Invalid, team.CodeNameTooLong},
		"no template":         {nil, with(func(c *team.CreateTeam) { c.Template = catalog.TeamTemplate{} }), domain.Invalid, team.CodeTemplateRequired},
		"template no pack":    {nil, with(func(c *team.CreateTeam) { c.Template.HealthPack = "" }), domain.Invalid, team.CodeTemplateNoPack},
	})
}

func TestUnknownCommandIsRejected(t *testing.T) {
	thenRejected(t, map[string]rejection{"nil": {created(), nil, domain.Invalid, team.CodeUnknownCommand}})
}
