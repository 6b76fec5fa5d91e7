package team

import "github.com/hindsight-retro/hindsight/domain"

func decideAddMember(s State, c AddMember) ([]Event, error) {
	if err := requireTeamAdmin(s, c.Actor); err != nil {
		return nil, err
	}
	if c.UserID == "" {
		return nil, domain.Errorf(domain.Invalid, CodeUserIDRequired, "the user to add is missing")
	}
	if s.IsMember(c.UserID) {
		return nil, domain.Errorf(domain.Conflict, CodeAlreadyMember, "%s is already a member", c.UserID)
	}
	// A guest becomes a member through PromoteGuest, which also ends their
	// guest record; adding them directly would leave both.
	var evs []Event
	if _, ok := s.Guests[c.UserID]; ok {
		promoted, err := decidePromoteGuest(s, PromoteGuest{Actor: c.Actor, At: c.At, GuestUserID: c.UserID})
		if err != nil {
			return nil, err
		}
		evs = promoted
	} else {
		evs = []Event{MemberAdded{UserID: c.UserID, AddedBy: c.Actor.UserID, At: c.At}}
	}
	if c.AsAdmin {
		evs = append(evs, TeamAdminAppointed{UserID: c.UserID, AppointedBy: c.Actor.UserID, At: c.At})
	}
	return evs, nil
}

func decideRemoveMember(s State, c RemoveMember) ([]Event, error) {
	if err := requireTeam(s, c.Actor); err != nil {
		return nil, err
	}
	leaving := c.UserID == c.Actor.UserID
	if !leaving && !s.IsAdmin(c.Actor.UserID) {
		return nil, domain.Errorf(domain.Forbidden, CodeNotTeamAdmin, "only team admins remove other members")
	}
	if c.UserID == "" {
		return nil, domain.Errorf(domain.Invalid, CodeUserIDRequired, "the member to remove is missing")
	}
	if !s.IsMember(c.UserID) {
		return nil, domain.Errorf(domain.NotFound, CodeNotMember, "%s is not a member", c.UserID)
	}
	if s.IsAdmin(c.UserID) && len(s.Admins) == 1 {
		return nil, domain.Errorf(domain.Conflict, CodeLastAdmin, "the last team admin cannot leave; appoint another admin first")
	}
	return []Event{MemberRemoved{UserID: c.UserID, RemovedBy: c.Actor.UserID, At: c.At}}, nil
}

func decideAppointAdmin(s State, c AppointTeamAdmin) ([]Event, error) {
	if err := requireTeamAdmin(s, c.Actor); err != nil {
		return nil, err
	}
	if c.UserID == "" {
		return nil, domain.Errorf(domain.Invalid, CodeUserIDRequired, "the member to appoint is missing")
	}
	if !s.IsMember(c.UserID) {
		return nil, domain.Errorf(domain.NotFound, CodeNotMember, "%s is not a member; add them first", c.UserID)
	}
	if s.IsAdmin(c.UserID) {
		return nil, domain.Errorf(domain.Conflict, CodeAlreadyAdmin, "%s is already a team admin", c.UserID)
	}
	return []Event{TeamAdminAppointed{UserID: c.UserID, AppointedBy: c.Actor.UserID, At: c.At}}, nil
}

func decideRemoveAdmin(s State, c RemoveTeamAdmin) ([]Event, error) {
	if err := requireTeamAdmin(s, c.Actor); err != nil {
		return nil, err
	}
	if c.UserID == "" {
		return nil, domain.Errorf(domain.Invalid, CodeUserIDRequired, "the admin to remove is missing")
	}
	if !s.IsAdmin(c.UserID) {
		return nil, domain.Errorf(domain.NotFound, CodeNotAnAdmin, "%s is not a team admin", c.UserID)
	}
	if len(s.Admins) == 1 {
		return nil, domain.Errorf(domain.Conflict, CodeLastAdmin, "the last team admin cannot be removed; appoint another admin first")
	}
	return []Event{TeamAdminRemoved{UserID: c.UserID, RemovedBy: c.Actor.UserID, At: c.At}}, nil
}
