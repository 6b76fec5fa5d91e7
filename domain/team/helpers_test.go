package team_test

import (
	"time"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/decidertest"
	"github.com/hindsight-retro/hindsight/domain/team"
)

var (
	t0    = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	t1    = t0.Add(14 * 24 * time.Hour)
	ada   = domain.Actor{UserID: "ada"} // workspace admin, not in the team
	carol = domain.Actor{UserID: "carol"}
	dan   = domain.Actor{UserID: "dan"}
	erin  = domain.Actor{UserID: "erin"}
	gus   = domain.Actor{UserID: "gus"} // a guest
)

// created: ada (workspace admin) created team t1 with carol as its admin.
func created() []team.Event {
	return []team.Event{team.TeamCreated{
		TeamID: "t1", WorkspaceID: "ws1", Name: "Platform", TemplateID: "scrum-team",
		HealthPackID: "team-health", RetroTemplateID: "start-stop-continue",
		FirstAdminID: "carol", CreatedBy: "ada", At: t0,
	}}
}

// withDan: dan is a plain member.
func withDan() []team.Event {
	return append(created(), team.MemberAdded{UserID: "dan", AddedBy: "carol", At: t0})
}

// withGuest: gus joined retro r1 as a guest, invited by dan.
func withGuest() []team.Event {
	return append(withDan(), team.GuestAdmitted{GuestUserID: "gus", RetroID: "r1", InvitedBy: "dan", At: t0})
}

// withAction: action a1 from retro r1, assigned to dan.
func withAction() []team.Event {
	return append(withDan(), team.ActionRecorded{
		ActionID: "a1", Title: "Automate the release notes", Assignee: "dan", Due: t1,
		OriginRetroID: "r1", RecordedBy: "dan", At: t0,
	})
}

// rejection is given, when, and the refusal: kind and code.
type rejection = decidertest.Refusal[team.Command, team.Event]

// decider is the team decider under the shared given/when/then helpers.
var decider = decidertest.For(team.Decider())
