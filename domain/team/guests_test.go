package team_test

import (
	"testing"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/team"
)

func TestAMemberAdmitsAGuestToARetro(t *testing.T) {
	s := thenEvents(t, withDan(), team.AdmitGuest{Actor: dan, At: t0, GuestUserID: "gus", RetroID: "r1"},
		team.GuestAdmitted{GuestUserID: "gus", RetroID: "r1", InvitedBy: "dan", At: t0})
	if s.IsMember("gus") || len(s.Guests["gus"].RetroIDs) != 1 {
		t.Fatalf("gus should be a guest of r1 only, got %+v", s.Guests["gus"])
	}
	if team.CanSeeContent(s, "gus") {
		t.Fatal("a guest may see the team's content")
	}
}

func TestAGuestMayJoinAnotherRetro(t *testing.T) {
	s := thenEvents(t, withGuest(), team.AdmitGuest{Actor: carol, At: t1, GuestUserID: "gus", RetroID: "r2"},
		team.GuestAdmitted{GuestUserID: "gus", RetroID: "r2", InvitedBy: "carol", At: t1})
	if got := s.Guests["gus"].RetroIDs; len(got) != 2 || got[1] != "r2" {
		t.Fatalf("guest's retros = %v", got)
	}
}

func TestAdmitGuestRejections(t *testing.T) {
	thenRejected(t, map[string]rejection{
		"no team":         {nil, team.AdmitGuest{Actor: dan, GuestUserID: "gus", RetroID: "r1"}, domain.NotFound, team.CodeNotFound},
		"no actor":        {withDan(), team.AdmitGuest{GuestUserID: "gus", RetroID: "r1"}, domain.Invalid, team.CodeActorRequired},
		"not a member":    {withDan(), team.AdmitGuest{Actor: ada, GuestUserID: "gus", RetroID: "r1"}, domain.Forbidden, team.CodeNotMember},
		"guest invites":   {withGuest(), team.AdmitGuest{Actor: gus, GuestUserID: "hal", RetroID: "r1"}, domain.Forbidden, team.CodeNotMember},
		"no guest":        {withDan(), team.AdmitGuest{Actor: dan, RetroID: "r1"}, domain.Invalid, team.CodeUserIDRequired},
		"no retro":        {withDan(), team.AdmitGuest{Actor: dan, GuestUserID: "gus"}, domain.Invalid, team.CodeRetroIDRequired},
		"member as guest": {withDan(), team.AdmitGuest{Actor: carol, GuestUserID: "dan", RetroID: "r1"}, domain.Conflict, team.CodeAlreadyMember},
		"twice":           {withGuest(), team.AdmitGuest{Actor: dan, GuestUserID: "gus", RetroID: "r1"}, domain.Conflict, team.CodeAlreadyAdmitted},
	})
}

func TestTeamAdminPromotesAGuestToMember(t *testing.T) {
	s := thenEvents(t, withGuest(), team.PromoteGuest{Actor: carol, At: t1, GuestUserID: "gus"},
		team.GuestPromoted{GuestUserID: "gus", PromotedBy: "carol", At: t1})
	if !s.IsMember("gus") || !team.CanSeeContent(s, "gus") {
		t.Fatal("promoted gus is not a member")
	}
	if _, ok := s.Guests["gus"]; ok {
		t.Fatal("promoted gus is still listed as a guest")
	}
}

func TestPromoteGuestRejections(t *testing.T) {
	thenRejected(t, map[string]rejection{
		"no team":      {nil, team.PromoteGuest{Actor: carol, GuestUserID: "gus"}, domain.NotFound, team.CodeNotFound},
		"no actor":     {withGuest(), team.PromoteGuest{GuestUserID: "gus"}, domain.Invalid, team.CodeActorRequired},
		"plain member": {withGuest(), team.PromoteGuest{Actor: dan, GuestUserID: "gus"}, domain.Forbidden, team.CodeNotTeamAdmin},
		"no guest ID":  {withGuest(), team.PromoteGuest{Actor: carol}, domain.Invalid, team.CodeUserIDRequired},
		"not a guest":  {withGuest(), team.PromoteGuest{Actor: carol, GuestUserID: "erin"}, domain.NotFound, team.CodeNotAGuest},
	})
}
