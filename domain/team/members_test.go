package team_test

import (
	"testing"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/team"
)

func TestTeamAdminAddsAMember(t *testing.T) {
	s := decider.Then(t, created(), team.AddMember{Actor: carol, At: t0, UserID: "dan"},
		team.MemberAdded{UserID: "dan", AddedBy: "carol", At: t0})
	if !s.IsMember("dan") || s.IsAdmin("dan") {
		t.Fatal("dan should be a plain member")
	}
}

func TestAddingAGuestAsMemberPromotesThem(t *testing.T) {
	s := decider.Then(t, withGuest(), team.AddMember{Actor: carol, At: t0, UserID: "gus"},
		team.GuestPromoted{GuestUserID: "gus", PromotedBy: "carol", At: t0})
	if _, still := s.Guests["gus"]; still || !s.IsMember("gus") {
		t.Fatal("gus should be a member and no longer a guest")
	}
}

func TestTeamAdminAddsAMemberAsAdminInOneCommit(t *testing.T) {
	s := decider.Then(t, created(), team.AddMember{Actor: carol, At: t0, UserID: "dan", AsAdmin: true},
		team.MemberAdded{UserID: "dan", AddedBy: "carol", At: t0},
		team.TeamAdminAppointed{UserID: "dan", AppointedBy: "carol", At: t0})
	if !s.IsMember("dan") || !s.IsAdmin("dan") {
		t.Fatal("dan should be a member and a team admin")
	}
}

func TestAGuestAddedAsAdminIsPromotedAndAppointedInOneCommit(t *testing.T) {
	s := decider.Then(t, withGuest(), team.AddMember{Actor: carol, At: t0, UserID: "gus", AsAdmin: true},
		team.GuestPromoted{GuestUserID: "gus", PromotedBy: "carol", At: t0},
		team.TeamAdminAppointed{UserID: "gus", AppointedBy: "carol", At: t0})
	if !s.IsAdmin("gus") {
		t.Fatal("gus should be a team admin")
	}
}

func TestAddMemberRejections(t *testing.T) {
	decider.RefusedAll(t, map[string]rejection{
		"no team":         {Given: nil, When: team.AddMember{Actor: carol, UserID: "dan"}, Kind: domain.NotFound, Code: team.CodeNotFound},
		"no actor":        {Given: created(), When: team.AddMember{UserID: "dan"}, Kind: domain.Invalid, Code: team.CodeActorRequired},
		"workspace admin": {Given: created(), When: team.AddMember{Actor: ada, UserID: "dan"}, Kind: domain.Forbidden, Code: team.CodeNotTeamAdmin},
		"plain member":    {Given: withDan(), When: team.AddMember{Actor: dan, UserID: "erin"}, Kind: domain.Forbidden, Code: team.CodeNotTeamAdmin},
		"no user":         {Given: created(), When: team.AddMember{Actor: carol}, Kind: domain.Invalid, Code: team.CodeUserIDRequired},
		"already member":  {Given: withDan(), When: team.AddMember{Actor: carol, UserID: "dan"}, Kind: domain.Conflict, Code: team.CodeAlreadyMember},
	})
}

func TestTeamAdminRemovesAMember(t *testing.T) {
	s := decider.Then(t, withDan(), team.RemoveMember{Actor: carol, At: t0, UserID: "dan"},
		team.MemberRemoved{UserID: "dan", RemovedBy: "carol", At: t0})
	if s.IsMember("dan") {
		t.Fatal("dan is still a member")
	}
}

func TestAMemberMayLeave(t *testing.T) {
	decider.Then(t, withDan(), team.RemoveMember{Actor: dan, At: t0, UserID: "dan"},
		team.MemberRemoved{UserID: "dan", RemovedBy: "dan", At: t0})
}

func TestRemovingAnAdminMemberAlsoEndsTheirAdminRole(t *testing.T) {
	given := append(withDan(), team.TeamAdminAppointed{UserID: "dan", AppointedBy: "carol", At: t0})
	s := decider.Then(t, given, team.RemoveMember{Actor: carol, At: t0, UserID: "dan"},
		team.MemberRemoved{UserID: "dan", RemovedBy: "carol", At: t0})
	if s.IsAdmin("dan") {
		t.Fatal("removed member dan is still an admin")
	}
}

func TestRemoveMemberRejections(t *testing.T) {
	decider.RefusedAll(t, map[string]rejection{
		"no team":              {Given: nil, When: team.RemoveMember{Actor: carol, UserID: "dan"}, Kind: domain.NotFound, Code: team.CodeNotFound},
		"no actor":             {Given: withDan(), When: team.RemoveMember{UserID: "dan"}, Kind: domain.Invalid, Code: team.CodeActorRequired},
		"member removes other": {Given: append(withDan(), team.MemberAdded{UserID: "erin", AddedBy: "carol"}), When: team.RemoveMember{Actor: dan, UserID: "erin"}, Kind: domain.Forbidden, Code: team.CodeNotTeamAdmin},
		"workspace admin":      {Given: withDan(), When: team.RemoveMember{Actor: ada, UserID: "dan"}, Kind: domain.Forbidden, Code: team.CodeNotTeamAdmin},
		"no user":              {Given: withDan(), When: team.RemoveMember{Actor: carol}, Kind: domain.Invalid, Code: team.CodeUserIDRequired},
		"not a member":         {Given: withDan(), When: team.RemoveMember{Actor: carol, UserID: "erin"}, Kind: domain.NotFound, Code: team.CodeNotMember},
		"last admin leaves":    {Given: withDan(), When: team.RemoveMember{Actor: carol, UserID: "carol"}, Kind: domain.Conflict, Code: team.CodeLastAdmin},
	})
}

func TestTeamAdminAppointsAnotherAdmin(t *testing.T) {
	s := decider.Then(t, withDan(), team.AppointTeamAdmin{Actor: carol, At: t0, UserID: "dan"},
		team.TeamAdminAppointed{UserID: "dan", AppointedBy: "carol", At: t0})
	if !s.IsAdmin("dan") {
		t.Fatal("dan is not an admin")
	}
}

func TestAppointTeamAdminRejections(t *testing.T) {
	danAdmin := append(withDan(), team.TeamAdminAppointed{UserID: "dan", AppointedBy: "carol"})
	decider.RefusedAll(t, map[string]rejection{
		"no team":         {Given: nil, When: team.AppointTeamAdmin{Actor: carol, UserID: "dan"}, Kind: domain.NotFound, Code: team.CodeNotFound},
		"no actor":        {Given: withDan(), When: team.AppointTeamAdmin{UserID: "dan"}, Kind: domain.Invalid, Code: team.CodeActorRequired},
		"plain member":    {Given: withDan(), When: team.AppointTeamAdmin{Actor: dan, UserID: "dan"}, Kind: domain.Forbidden, Code: team.CodeNotTeamAdmin},
		"workspace admin": {Given: withDan(), When: team.AppointTeamAdmin{Actor: ada, UserID: "dan"}, Kind: domain.Forbidden, Code: team.CodeNotTeamAdmin},
		"no user":         {Given: withDan(), When: team.AppointTeamAdmin{Actor: carol}, Kind: domain.Invalid, Code: team.CodeUserIDRequired},
		"not a member":    {Given: withDan(), When: team.AppointTeamAdmin{Actor: carol, UserID: "erin"}, Kind: domain.NotFound, Code: team.CodeNotMember},
		"already admin":   {Given: danAdmin, When: team.AppointTeamAdmin{Actor: carol, UserID: "dan"}, Kind: domain.Conflict, Code: team.CodeAlreadyAdmin},
	})
}

func TestTeamAdminRemovesAnotherAdmin(t *testing.T) {
	danAdmin := append(withDan(), team.TeamAdminAppointed{UserID: "dan", AppointedBy: "carol", At: t0})
	s := decider.Then(t, danAdmin, team.RemoveTeamAdmin{Actor: dan, At: t0, UserID: "carol"},
		team.TeamAdminRemoved{UserID: "carol", RemovedBy: "dan", At: t0})
	if s.IsAdmin("carol") || !s.IsMember("carol") {
		t.Fatal("carol should stay a member without the admin role")
	}
}

func TestRemoveTeamAdminRejections(t *testing.T) {
	decider.RefusedAll(t, map[string]rejection{
		"no team":         {Given: nil, When: team.RemoveTeamAdmin{Actor: carol, UserID: "carol"}, Kind: domain.NotFound, Code: team.CodeNotFound},
		"no actor":        {Given: withDan(), When: team.RemoveTeamAdmin{UserID: "carol"}, Kind: domain.Invalid, Code: team.CodeActorRequired},
		"plain member":    {Given: withDan(), When: team.RemoveTeamAdmin{Actor: dan, UserID: "carol"}, Kind: domain.Forbidden, Code: team.CodeNotTeamAdmin},
		"no user":         {Given: withDan(), When: team.RemoveTeamAdmin{Actor: carol}, Kind: domain.Invalid, Code: team.CodeUserIDRequired},
		"target no admin": {Given: withDan(), When: team.RemoveTeamAdmin{Actor: carol, UserID: "dan"}, Kind: domain.NotFound, Code: team.CodeNotAnAdmin},
		"last admin":      {Given: withDan(), When: team.RemoveTeamAdmin{Actor: carol, UserID: "carol"}, Kind: domain.Conflict, Code: team.CodeLastAdmin},
	})
}
