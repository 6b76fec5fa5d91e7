package workspace

import "github.com/hindsight-retro/hindsight/domain"

func decideAddAdmin(s State, c AddWorkspaceAdmin) ([]Event, error) {
	if c.ByOperator {
		if err := requireOperator(s, c.Actor); err != nil {
			return nil, err
		}
	} else if err := requireAdmin(s, c.Actor); err != nil {
		return nil, err
	}
	if c.UserID == "" {
		return nil, domain.Errorf(domain.Invalid, CodeUserIDRequired, "the user to make admin is missing")
	}
	if s.Admins[c.UserID] {
		return nil, domain.Errorf(domain.Conflict, CodeAlreadyAdmin, "%s is already a workspace admin", c.UserID)
	}
	return []Event{WorkspaceAdminAdded{UserID: c.UserID, AddedBy: c.Actor.UserID, At: c.At, ByOperator: c.ByOperator}}, nil
}

// requireOperator: the workspace exists and the operator is named.
func requireOperator(s State, a domain.Actor) error {
	if !s.Exists() {
		return domain.Errorf(domain.NotFound, CodeNotFound, "the workspace does not exist")
	}
	if a.UserID == "" {
		return domain.Errorf(domain.Invalid, CodeActorRequired, "the acting operator is missing")
	}
	return nil
}

func decideRemoveAdmin(s State, c RemoveWorkspaceAdmin) ([]Event, error) {
	if err := requireAdmin(s, c.Actor); err != nil {
		return nil, err
	}
	if c.UserID == "" {
		return nil, domain.Errorf(domain.Invalid, CodeUserIDRequired, "the admin to remove is missing")
	}
	if !s.Admins[c.UserID] {
		return nil, domain.Errorf(domain.NotFound, CodeNotAnAdmin, "%s is not a workspace admin", c.UserID)
	}
	if len(s.Admins) == 1 {
		return nil, domain.Errorf(domain.Conflict, CodeLastAdmin, "the last workspace admin cannot be removed; name another admin first")
	}
	return []Event{WorkspaceAdminRemoved{UserID: c.UserID, RemovedBy: c.Actor.UserID, At: c.At}}, nil
}
