package workspace

import (
	"strings"
	"unicode/utf8"

	"github.com/hindsight-retro/hindsight/domain"
)

// MaxNameLength bounds workspace and team names, in characters.
const MaxNameLength = 100

// Rejection codes, stable for clients.
const (
	CodeActorRequired  = "actor-required"
	CodeIDRequired     = "id-required"
	CodeNameRequired   = "name-required"
	CodeNameTooLong    = "name-too-long"
	CodeAlreadyExists  = "workspace-exists"
	CodeNotFound       = "workspace-not-found"
	CodeNotAdmin       = "not-workspace-admin"
	CodeAlreadyAdmin   = "already-admin"
	CodeNotAnAdmin     = "not-an-admin"
	CodeLastAdmin      = "last-admin"
	CodeTeamExists     = "team-exists"
	CodeTeamNameTaken  = "team-name-taken"
	CodeUnknownCommand = "unknown-command"
	CodeUserIDRequired = "user-id-required"
	CodeTeamIDRequired = "team-id-required"
	CodeNameUnchanged  = "name-unchanged"
)

// Decide turns a command into events, or rejects it with a *domain.Error.
func Decide(s State, c Command) ([]Event, error) {
	switch c := c.(type) {
	case CreateWorkspace:
		return decideCreate(s, c)
	case RenameWorkspace:
		return decideRename(s, c)
	case AddWorkspaceAdmin:
		return decideAddAdmin(s, c)
	case RemoveWorkspaceAdmin:
		return decideRemoveAdmin(s, c)
	case RegisterTeam:
		return decideRegisterTeam(s, c)
	}
	return nil, domain.Errorf(domain.Invalid, CodeUnknownCommand, "unknown workspace command %T", c)
}

// requireAdmin is the common gate of every command on an existing workspace.
func requireAdmin(s State, a domain.Actor) error {
	if !s.Exists() {
		return domain.Errorf(domain.NotFound, CodeNotFound, "the workspace does not exist")
	}
	if a.UserID == "" {
		return domain.Errorf(domain.Invalid, CodeActorRequired, "the acting user is missing")
	}
	if !IsAdmin(s, a.UserID) {
		return domain.Errorf(domain.Forbidden, CodeNotAdmin, "only workspace admins may do this")
	}
	return nil
}

// cleanName trims a name and checks it is present and not too long.
func cleanName(name string) (string, error) {
	n := strings.TrimSpace(name)
	if n == "" {
		return "", domain.Errorf(domain.Invalid, CodeNameRequired, "a name is required")
	}
	if utf8.RuneCountInString(n) > MaxNameLength {
		return "", domain.Errorf(domain.Invalid, CodeNameTooLong, "the name is longer than %d characters", MaxNameLength)
	}
	return n, nil
}
