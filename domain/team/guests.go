package team

import (
	"slices"

	"github.com/hindsight-retro/hindsight/domain"
)

func decideAdmitGuest(s State, c AdmitGuest) ([]Event, error) {
	if err := requireMember(s, c.Actor); err != nil {
		return nil, err
	}
	if c.GuestUserID == "" {
		return nil, domain.Errorf(domain.Invalid, CodeUserIDRequired, "the guest's user ID is missing")
	}
	if c.RetroID == "" {
		return nil, domain.Errorf(domain.Invalid, CodeRetroIDRequired, "the retro the guest joins is missing")
	}
	if s.IsMember(c.GuestUserID) {
		return nil, domain.Errorf(domain.Conflict, CodeAlreadyMember, "%s is a member, not a guest", c.GuestUserID)
	}
	if slices.Contains(s.Guests[c.GuestUserID].RetroIDs, c.RetroID) {
		return nil, domain.Errorf(domain.Conflict, CodeAlreadyAdmitted, "the guest already joined retro %s", c.RetroID)
	}
	return []Event{GuestAdmitted{GuestUserID: c.GuestUserID, RetroID: c.RetroID, InvitedBy: c.Actor.UserID, At: c.At}}, nil
}

func decidePromoteGuest(s State, c PromoteGuest) ([]Event, error) {
	if err := requireTeamAdmin(s, c.Actor); err != nil {
		return nil, err
	}
	if c.GuestUserID == "" {
		return nil, domain.Errorf(domain.Invalid, CodeUserIDRequired, "the guest's user ID is missing")
	}
	if _, ok := s.Guests[c.GuestUserID]; !ok {
		return nil, domain.Errorf(domain.NotFound, CodeNotAGuest, "%s is not a guest of this team", c.GuestUserID)
	}
	return []Event{GuestPromoted{GuestUserID: c.GuestUserID, PromotedBy: c.Actor.UserID, At: c.At}}, nil
}
