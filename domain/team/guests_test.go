package team_test

import (
	"testing"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/team"
)

func TestAMemberAdmitsAGuestToARetro(t *testing.T) {
	s := decider.Then(t, withDan(), team.AdmitGuest{Actor: dan, At: t0, GuestUserID: "gus", RetroID: "r1"},
		team.GuestAdmitted{GuestUserID: "gus", RetroID: "r1", InvitedBy: "dan", At: t0})
	if s.IsMember("gus") || len(s.Guests["gus"].RetroIDs) != 1 {
		t.Fatalf("gus should be a guest of r1 only, got %+v", s.Guests["gus"])
	}
	if team.CanSeeContent(s, "gus") {
		t.Fatal("a guest may see the team's content")
	}
}

func TestAGuestMayJoinAnotherRetro(t *testing.T) {
	s := decider.Then(t, withGuest(), team.AdmitGuest{Actor: carol, At: t1, GuestUserID: "gus", RetroID: "r2"},
		team.GuestAdmitted{GuestUserID: "gus", RetroID: "r2", InvitedBy: "carol", At: t1})
	if got := s.Guests["gus"].RetroIDs; len(got) != 2 || got[1] != "r2" {
		t.Fatalf("guest's retros = %v", got)
	}
}

func TestAdmitGuestRejections(t *testing.T) {
	decider.RefusedAll(t, map[string]rejection{
		"no team":         {Given: nil, When: team.AdmitGuest{Actor: dan, GuestUserID: "gus", RetroID: "r1"}, Kind: domain.NotFound, Code: team.CodeNotFound},
		"no actor":        {Given: withDan(), When: team.AdmitGuest{GuestUserID: "gus", RetroID: "r1"}, Kind: domain.Invalid, Code: team.CodeActorRequired},
		"not a member":    {Given: withDan(), When: team.AdmitGuest{Actor: ada, GuestUserID: "gus", RetroID: "r1"}, Kind: domain.Forbidden, Code: team.CodeNotMember},
		"guest invites":   {Given: withGuest(), When: team.AdmitGuest{Actor: gus, GuestUserID: "hal", RetroID: "r1"}, Kind: domain.Forbidden, Code: team.CodeNotMember},
		"no guest":        {Given: withDan(), When: team.AdmitGuest{Actor: dan, RetroID: "r1"}, Kind: domain.Invalid, Code: team.CodeUserIDRequired},
		"no retro":        {Given: withDan(), When: team.AdmitGuest{Actor: dan, GuestUserID: "gus"}, Kind: domain.Invalid, Code: team.CodeRetroIDRequired},
		"member as guest": {Given: withDan(), When: team.AdmitGuest{Actor: carol, GuestUserID: "dan", RetroID: "r1"}, Kind: domain.Conflict, Code: team.CodeAlreadyMember},
		"twice":           {Given: withGuest(), When: team.AdmitGuest{Actor: dan, GuestUserID: "gus", RetroID: "r1"}, Kind: domain.Conflict, Code: team.CodeAlreadyAdmitted},
	})
}

func TestTeamAdminPromotesAGuestToMember(t *testing.T) {
	s := decider.Then(t, withGuest(), team.PromoteGuest{Actor: carol, At: t1, GuestUserID: "gus"},
		team.GuestPromoted{GuestUserID: "gus", PromotedBy: "carol", At: t1})
	if !s.IsMember("gus") || !team.CanSeeContent(s, "gus") {
		t.Fatal("promoted gus is not a member")
	}
	if _, ok := s.Guests["gus"]; ok {
		t.Fatal("promoted gus is still listed as a guest")
	}
}

func TestPromoteGuestRejections(t *testing.T) {
	decider.RefusedAll(t, map[string]rejection{
		"no team":      {Given: nil, When: team.PromoteGuest{Actor: carol, GuestUserID: "gus"}, Kind: domain.NotFound, Code: team.CodeNotFound},
		"no actor":     {Given: withGuest(), When: team.PromoteGuest{GuestUserID: "gus"}, Kind: domain.Invalid, Code: team.CodeActorRequired},
		"plain member": {Given: withGuest(), When: team.PromoteGuest{Actor: dan, GuestUserID: "gus"}, Kind: domain.Forbidden, Code: team.CodeNotTeamAdmin},
		"no guest ID":  {Given: withGuest(), When: team.PromoteGuest{Actor: carol}, Kind: domain.Invalid, Code: team.CodeUserIDRequired},
		"not a guest":  {Given: withGuest(), When: team.PromoteGuest{Actor: carol, GuestUserID: "erin"}, Kind: domain.NotFound, Code: team.CodeNotAGuest},
	})
}
