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
