package team

import (
	"slices"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
)

func decideRecordAction(s State, c RecordAction) ([]Event, error) {
	if err := requireMember(s, c.Actor); err != nil {
		return nil, err
	}
	if c.ActionID == "" {
		return nil, domain.Errorf(domain.Invalid, CodeIDRequired, "an action ID is required")
	}
	if _, ok := s.Actions[c.ActionID]; ok {
		return nil, domain.Errorf(domain.Conflict, CodeActionExists, "action %q already exists", c.ActionID)
	}
	title, err := cleanText(c.Title, MaxTitleLength, CodeTitleRequired, CodeTitleTooLong, "the action's title")
	if err != nil {
		return nil, err
	}
	if c.Assignee != "" && !s.IsMember(c.Assignee) {
		return nil, domain.Errorf(domain.Invalid, CodeAssigneeNotMember, "the assignee %s is not a member of the team", c.Assignee)
	}
	return []Event{ActionRecorded{
		ActionID: c.ActionID, Title: title, Assignee: c.Assignee, Due: c.Due,
		OriginRetroID: c.OriginRetroID, RecordedBy: c.Actor.UserID, At: c.At,
	}}, nil
}

func decideUpdateActionStatus(s State, c UpdateActionStatus) ([]Event, error) {
	a, err := actionFor(s, c.Actor, c.ActionID)
	if err != nil {
		return nil, err
	}
	if !c.Status.Valid() {
		return nil, domain.Errorf(domain.Invalid, CodeInvalidStatus, "status %q is not one of open, kept, done, discarded", c.Status)
	}
	// Keeping an action is a review outcome, so keeping it again in a later
	// retro is news; any other unchanged status is a mistake worth telling.
	if c.Status == a.Status && c.Status != StatusKept {
		return nil, domain.Errorf(domain.Conflict, CodeStatusUnchanged, "the action is already %s", c.Status)
	}
	evs := []Event{ActionStatusChanged{
		ActionID: c.ActionID, From: a.Status, To: c.Status, RetroID: c.RetroID, ChangedBy: c.Actor.UserID, At: c.At,
	}}
	if c.Comment != "" {
		ce, err := comment(a, c.Actor, c.At, c.ActionID, c.CommentID, c.Comment)
		if err != nil {
			return nil, err
		}
		evs = append(evs, ce)
	}
	return evs, nil
}

func decideCommentOnAction(s State, c CommentOnAction) ([]Event, error) {
	a, err := actionFor(s, c.Actor, c.ActionID)
	if err != nil {
		return nil, err
	}
	ce, err := comment(a, c.Actor, c.At, c.ActionID, c.CommentID, c.Text)
	if err != nil {
		return nil, err
	}
	return []Event{ce}, nil
}

func decideReassignAction(s State, c ReassignAction) ([]Event, error) {
	a, err := changeableAction(s, c.Actor, c.ActionID)
	if err != nil {
		return nil, err
	}
	if c.Assignee != "" && !s.IsMember(c.Assignee) {
		return nil, domain.Errorf(domain.Invalid, CodeAssigneeNotMember, "the assignee %s is not a member of the team", c.Assignee)
	}
	if c.Assignee == a.Assignee {
		return nil, domain.Errorf(domain.Conflict, CodeAssigneeUnchanged, "the action is already assigned to %q", c.Assignee)
	}
	return []Event{ActionReassigned{
		ActionID: c.ActionID, From: a.Assignee, To: c.Assignee, RetroID: c.RetroID, By: c.Actor.UserID, At: c.At,
	}}, nil
}

func decideRescheduleAction(s State, c RescheduleAction) ([]Event, error) {
	a, err := changeableAction(s, c.Actor, c.ActionID)
	if err != nil {
		return nil, err
	}
	var due time.Time
	if c.Due != nil {
		due = *c.Due
	}
	// Equal, not ==: the same instant read back from JSON or given in
	// another zone is the same due date.
	if due.Equal(a.Due) {
		return nil, domain.Errorf(domain.Conflict, CodeDueUnchanged, "the action's due date is already %s", dueText(a.Due))
	}
	// A pointer to the zero time clears the date too, as nil does; the
	// event holds its own copy, never the caller's pointer.
	var evDue *time.Time
	if !due.IsZero() {
		evDue = &due
	}
	return []Event{ActionRescheduled{ActionID: c.ActionID, Due: evDue, RetroID: c.RetroID, By: c.Actor.UserID, At: c.At}}, nil
}

// changeableAction is an action whose plan (assignee, due date) may still
// change: a done or discarded action's plan is history, and changing it
// would rewrite what the team reviewed. Reopen it first.
func changeableAction(s State, actor domain.Actor, id string) (Action, error) {
	a, err := actionFor(s, actor, id)
	if err != nil {
		return Action{}, err
	}
	if !a.Status.IsOpen() {
		return Action{}, domain.Errorf(domain.Conflict, CodeActionClosed, "the action is %s; reopen it to change its plan", a.Status)
	}
	return a, nil
}

func dueText(d time.Time) string {
	if d.IsZero() {
		return "unset"
	}
	return d.Format(time.RFC3339)
}

func actionFor(s State, actor domain.Actor, id string) (Action, error) {
	if err := requireMember(s, actor); err != nil {
		return Action{}, err
	}
	a, ok := s.Actions[id]
	if !ok {
		return Action{}, domain.Errorf(domain.NotFound, CodeActionNotFound, "action %q does not exist", id)
	}
	return a, nil
}

func comment(a Action, actor domain.Actor, at time.Time, actionID, commentID, text string) (Event, error) {
	t, err := cleanText(text, MaxCommentLength, CodeCommentRequired, CodeCommentTooLong, "the comment")
	if err != nil {
		return nil, err
	}
	if commentID == "" {
		return nil, domain.Errorf(domain.Invalid, CodeCommentIDRequired, "a comment ID is required")
	}
	if slices.ContainsFunc(a.Comments, func(c Comment) bool { return c.ID == commentID }) {
		return nil, domain.Errorf(domain.Conflict, CodeCommentExists, "comment %q already exists", commentID)
	}
	return ActionCommented{ActionID: actionID, CommentID: commentID, Author: actor.UserID, Text: t, At: at}, nil
}
