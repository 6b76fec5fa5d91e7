package team

import (
	"strings"
	"unicode/utf8"

	"github.com/hindsight-retro/hindsight/domain"
)

// Limits on free text, in characters.
const (
	MaxNameLength    = 100
	MaxTitleLength   = 200
	MaxCommentLength = 2000
)

// Rejection codes, stable for clients.
const (
	CodeUnknownCommand    = "unknown-command"
	CodeActorRequired     = "actor-required"
	CodeIDRequired        = "id-required"
	CodeNameRequired      = "name-required"
	CodeNameTooLong       = "name-too-long"
	CodeTemplateRequired  = "template-required"
	CodeTemplateNoPack    = "template-without-health-pack"
	CodeAlreadyExists     = "team-exists"
	CodeNotFound          = "team-not-found"
	CodeNotWorkspaceAdmin = "not-workspace-admin"
	CodeNotTeamAdmin      = "not-team-admin"
	CodeNotMember         = "not-a-member"
	CodeUserIDRequired    = "user-id-required"
	CodeAlreadyMember     = "already-member"
	CodeAlreadyAdmin      = "already-admin"
	CodeNotAnAdmin        = "not-an-admin"
	CodeLastAdmin         = "last-admin"
	CodeRetroIDRequired   = "retro-id-required"
	CodeAlreadyAdmitted   = "guest-already-admitted"
	CodeNotAGuest         = "not-a-guest"
	CodeActionExists      = "action-exists"
	CodeActionNotFound    = "action-not-found"
	CodeTitleRequired     = "title-required"
	CodeTitleTooLong      = "title-too-long"
	CodeAssigneeNotMember = "assignee-not-member"
	CodeInvalidStatus     = "invalid-status"
	CodeStatusUnchanged   = "status-unchanged"
	CodeCommentRequired   = "comment-required"
	CodeCommentTooLong    = "comment-too-long"
	CodeCommentIDRequired = "comment-id-required"
	CodeCommentExists     = "comment-exists"
	CodeAssigneeUnchanged = "assignee-unchanged"
	CodeDueUnchanged      = "due-unchanged"
	CodeActionClosed      = "action-closed"
)

// Decide turns a command into events, or rejects it with a *domain.Error.
func Decide(s State, c Command) ([]Event, error) {
	switch c := c.(type) {
	case CreateTeam:
		return decideCreate(s, c)
	case AddMember:
		return decideAddMember(s, c)
	case RemoveMember:
		return decideRemoveMember(s, c)
	case AppointTeamAdmin:
		return decideAppointAdmin(s, c)
	case RemoveTeamAdmin:
		return decideRemoveAdmin(s, c)
	case AdmitGuest:
		return decideAdmitGuest(s, c)
	case PromoteGuest:
		return decidePromoteGuest(s, c)
	case RecordAction:
		return decideRecordAction(s, c)
	case UpdateActionStatus:
		return decideUpdateActionStatus(s, c)
	case CommentOnAction:
		return decideCommentOnAction(s, c)
	case ReassignAction:
		return decideReassignAction(s, c)
	case RescheduleAction:
		return decideRescheduleAction(s, c)
	}
	return nil, domain.Errorf(domain.Invalid, CodeUnknownCommand, "unknown team command %T", c)
}

func requireTeam(s State, a domain.Actor) error {
	if !s.Exists() {
		return domain.Errorf(domain.NotFound, CodeNotFound, "the team does not exist")
	}
	if a.UserID == "" {
		return domain.Errorf(domain.Invalid, CodeActorRequired, "the acting user is missing")
	}
	return nil
}

func requireMember(s State, a domain.Actor) error {
	if err := requireTeam(s, a); err != nil {
		return err
	}
	if !s.IsMember(a.UserID) {
		return domain.Errorf(domain.Forbidden, CodeNotMember, "only members of the team may do this")
	}
	return nil
}

func requireTeamAdmin(s State, a domain.Actor) error {
	if err := requireTeam(s, a); err != nil {
		return err
	}
	if !s.IsAdmin(a.UserID) {
		return domain.Errorf(domain.Forbidden, CodeNotTeamAdmin, "only team admins may do this")
	}
	return nil
}

// cleanText trims text and checks it is present and at most max characters.
func cleanText(text string, max int, missingCode, longCode, what string) (string, error) {
	t := strings.TrimSpace(text)
	if t == "" {
		return "", domain.Errorf(domain.Invalid, missingCode, "%s is required", what)
	}
	if utf8.RuneCountInString(t) > max {
		return "", domain.Errorf(domain.Invalid, longCode, "%s is longer than %d characters", what, max)
	}
	return t, nil
}
