package team_test

import (
	"testing"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/team"
)

func TestTeamAdminAddsAMember(t *testing.T) {
	s := thenEvents(t, created(), team.AddMember{Actor: carol, At: t0, UserID: "dan"},
		team.MemberAdded{UserID: "dan", AddedBy: "carol", At: t0})
	if !s.IsMember("dan") || s.IsAdmin("dan") {
		t.Fatal("dan should be a plain member")
	}
}

func TestAddingAGuestAsMemberPromotesThem(t *testing.T) {
	s := thenEvents(t, withGuest(), team.AddMember{Actor: carol, At: t0, UserID: "gus"},
		team.GuestPromoted{GuestUserID: "gus", PromotedBy: "carol", At: t0})
	if _, still := s.Guests["gus"]; still || !s.IsMember("gus") {
		t.Fatal("gus should be a member and no longer a guest")
	}
}

func TestAddMemberRejections(t *testing.T) {
	thenRejected(t, map[string]rejection{
		"no team":         {nil, team.AddMember{Actor: carol, UserID: "dan"}, domain.NotFound, team.CodeNotFound},
		"no actor":        {created(), team.AddMember{UserID: "dan"}, domain.Invalid, team.CodeActorRequired},
		"workspace admin": {created(), team.AddMember{Actor: ada, UserID: "dan"}, domain.Forbidden, team.CodeNotTeamAdmin},
		"plain member":    {withDan(), team.AddMember{Actor: dan, UserID: "erin"}, domain.Forbidden, team.CodeNotTeamAdmin},
		"no user":         {created(), team.AddMember{Actor: carol}, domain.Invalid, team.CodeUserIDRequired},
		"already member":  {withDan(), team.AddMember{Actor: carol, UserID: "dan"}, domain.Conflict, team.CodeAlreadyMember},
	})
}

func TestTeamAdminRemovesAMember(t *testing.T) {
	s := thenEvents(t, withDan(), team.RemoveMember{Actor: carol, At: t0, UserID: "dan"},
		team.MemberRemoved{UserID: "dan", RemovedBy: "carol", At: t0})
	if s.IsMember("dan") {
		t.Fatal("dan is still a member")
	}
}

func TestAMemberMayLeave(t *testing.T) {
	thenEvents(t, withDan(), team.RemoveMember{Actor: dan, At: t0, UserID: "dan"},
		team.MemberRemoved{UserID: "dan", RemovedBy: "dan", At: t0})
}

func TestRemovingAnAdminMemberAlsoEndsTheirAdminRole(t *testing.T) {
	given := append(withDan(), team.TeamAdminAppointed{UserID: "dan", AppointedBy: "carol", At: t0})
	s := thenEvents(t, given, team.RemoveMember{Actor: carol, At: t0, UserID: "dan"},
		team.MemberRemoved{UserID: "dan", RemovedBy: "carol", At: t0})
	if s.IsAdmin("dan") {
		t.Fatal("removed member dan is still an admin")
	}
}

func TestRemoveMemberRejections(t *testing.T) {
	thenRejected(t, map[string]rejection{
		"no team":              {nil, team.RemoveMember{Actor: carol, UserID: "dan"}, domain.NotFound, team.CodeNotFound},
		"no actor":             {withDan(), team.RemoveMember{UserID: "dan"}, domain.Invalid, team.CodeActorRequired},
		"member removes other": {append(withDan(), team.MemberAdded{UserID: "erin", AddedBy: "carol"}), team.RemoveMember{Actor: dan, UserID: "erin"}, domain.Forbidden, team.CodeNotTeamAdmin},
		"workspace admin":      {withDan(), team.RemoveMember{Actor: ada, UserID: "dan"}, domain.Forbidden, team.CodeNotTeamAdmin},
		"no user":              {withDan(), team.RemoveMember{Actor: carol}, domain.Invalid, team.CodeUserIDRequired},
		"not a member":         {withDan(), team.RemoveMember{Actor: carol, UserID: "erin"}, domain.NotFound, team.CodeNotMember},
		"last admin leaves":    {withDan(), team.RemoveMember{Actor: carol, UserID: "carol"}, domain.Conflict, team.CodeLastAdmin},
	})
}

func TestTeamAdminAppointsAnotherAdmin(t *testing.T) {
	s := thenEvents(t, withDan(), team.AppointTeamAdmin{Actor: carol, At: t0, UserID: "dan"},
		team.TeamAdminAppointed{UserID: "dan", AppointedBy: "carol", At: t0})
	if !s.IsAdmin("dan") {
		t.Fatal("dan is not an admin")
	}
}

func TestAppointTeamAdminRejections(t *testing.T) {
	danAdmin := append(withDan(), team.TeamAdminAppointed{UserID: "dan", AppointedBy: "carol"})
	thenRejected(t, map[string]rejection{
		"no team":         {nil, team.AppointTeamAdmin{Actor: carol, UserID: "dan"}, domain.NotFound, team.CodeNotFound},
		"no actor":        {withDan(), team.AppointTeamAdmin{UserID: "dan"}, domain.Invalid, team.CodeActorRequired},
		"plain member":    {withDan(), team.AppointTeamAdmin{Actor: dan, UserID: "dan"}, domain.Forbidden, team.CodeNotTeamAdmin},
		"workspace admin": {withDan(), team.AppointTeamAdmin{Actor: ada, UserID: "dan"}, domain.Forbidden, team.CodeNotTeamAdmin},
		"no user":         {withDan(), team.AppointTeamAdmin{Actor: carol}, domain.Invalid, team.CodeUserIDRequired},
		"not a member":    {withDan(), team.AppointTeamAdmin{Actor: carol, UserID: "erin"}, domain.NotFound, team.CodeNotMember},
		"already admin":   {danAdmin, team.AppointTeamAdmin{Actor: carol, UserID: "dan"}, domain.Conflict, team.CodeAlreadyAdmin},
	})
}

func TestTeamAdminRemovesAnotherAdmin(t *testing.T) {
	danAdmin := append(withDan(), team.TeamAdminAppointed{UserID: "dan", AppointedBy: "carol", At: t0})
	s := thenEvents(t, danAdmin, team.RemoveTeamAdmin{Actor: dan, At: t0, UserID: "carol"},
		team.TeamAdminRemoved{UserID: "carol", RemovedBy: "dan", At: t0})
	if s.IsAdmin("carol") || !s.IsMember("carol") {
		t.Fatal("carol should stay a member without the admin role")
	}
}

func TestRemoveTeamAdminRejections(t *testing.T) {
	thenRejected(t, map[string]rejection{
		"no team":         {nil, team.RemoveTeamAdmin{Actor: carol, UserID: "carol"}, domain.NotFound, team.CodeNotFound},
		"no actor":        {withDan(), team.RemoveTeamAdmin{UserID: "carol"}, domain.Invalid, team.CodeActorRequired},
		"plain member":    {withDan(), team.RemoveTeamAdmin{Actor: dan, UserID: "carol"}, domain.Forbidden, team.CodeNotTeamAdmin},
		"no user":         {withDan(), team.RemoveTeamAdmin{Actor: carol}, domain.Invalid, team.CodeUserIDRequired},
		"target no admin": {withDan(), team.RemoveTeamAdmin{Actor: carol, UserID: "dan"}, domain.NotFound, team.CodeNotAnAdmin},
		"last admin":      {withDan(), team.RemoveTeamAdmin{Actor: carol, UserID: "carol"}, domain.Conflict, team.CodeLastAdmin},
	})
}
