package app

import (
	"context"
	"time"

	"github.com/hindsight-retro/hindsight/collab/wire"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/domain/team"
)

// RetroInput is what a caller asks of a retro (see RetroCommand): the
// caller's part of one retro command. The app makes the domain command from
// it, stamped with the actor and time it established and with the IDs it
// mints, so the transport never builds a domain command. Only this package
// implements it.
type RetroInput interface {
	retroCommand(ctx context.Context, s retroScope) (retro.Command, error)
}

// retroScope is what the app knows when it turns a RetroInput into a
// command: the retro and its team as the caller may see them, and the stamp.
type retroScope struct {
	app   *App
	retro retro.State
	team  team.State
	actor domain.Actor
	at    time.Time
}

// Retro lifecycle.
type (
	// LockRetro lets no newcomers in (moderator).
	LockRetro struct{}
	// UnlockRetro lets newcomers in again (moderator).
	UnlockRetro struct{}
	// HandOverModeration hands moderation to another participant (moderator).
	HandOverModeration struct{ To string }
	// SetAnonymity turns anonymity on or off before cards are written (moderator).
	SetAnonymity struct{ Anonymous bool }
	// CloseRetro closes the retro; its actions go to the team (moderator).
	CloseRetro struct{}
)

func (LockRetro) retroCommand(_ context.Context, s retroScope) (retro.Command, error) {
	return retro.LockRetro{Actor: s.actor, At: s.at}, nil
}

func (UnlockRetro) retroCommand(_ context.Context, s retroScope) (retro.Command, error) {
	return retro.UnlockRetro{Actor: s.actor, At: s.at}, nil
}

func (in HandOverModeration) retroCommand(_ context.Context, s retroScope) (retro.Command, error) {
	return retro.HandOverModeration{Actor: s.actor, At: s.at, To: in.To}, nil
}

func (in SetAnonymity) retroCommand(_ context.Context, s retroScope) (retro.Command, error) {
	return retro.SetAnonymity{Actor: s.actor, At: s.at, Anonymous: in.Anonymous}, nil
}

func (CloseRetro) retroCommand(_ context.Context, s retroScope) (retro.Command, error) {
	return retro.CloseRetro{Actor: s.actor, At: s.at}, nil
}

// The agenda and its timer.
type (
	// GoToStep moves the retro to a step (moderator).
	GoToStep struct{ StepID string }
	// SkipStep skips a step (moderator).
	SkipStep struct{ StepID string }
	// ReorderSteps reorders the agenda: every step ID once (moderator).
	ReorderSteps struct{ Order []string }
	// AddStep adds a step after the step After ("": at the end) (moderator).
	AddStep struct {
		Step  retro.Step
		After string
	}
	// StartTimer starts the current step's timer (moderator).
	StartTimer struct{ Duration time.Duration }
	// ExtendTimer moves the running timer's deadline (moderator).
	ExtendTimer struct{ By time.Duration }
	// StopTimer stops the running timer (moderator).
	StopTimer struct{}
)

func (in GoToStep) retroCommand(_ context.Context, s retroScope) (retro.Command, error) {
	return retro.GoToStep{Actor: s.actor, At: s.at, StepID: in.StepID}, nil
}

func (in SkipStep) retroCommand(_ context.Context, s retroScope) (retro.Command, error) {
	return retro.SkipStep{Actor: s.actor, At: s.at, StepID: in.StepID}, nil
}

func (in ReorderSteps) retroCommand(_ context.Context, s retroScope) (retro.Command, error) {
	return retro.ReorderSteps{Actor: s.actor, At: s.at, Order: in.Order}, nil
}

func (in AddStep) retroCommand(_ context.Context, s retroScope) (retro.Command, error) {
	return retro.AddStep{Actor: s.actor, At: s.at, Step: in.Step, After: in.After}, nil
}

func (in StartTimer) retroCommand(_ context.Context, s retroScope) (retro.Command, error) {
	return retro.StartTimer{Actor: s.actor, At: s.at, Duration: in.Duration}, nil
}

func (in ExtendTimer) retroCommand(_ context.Context, s retroScope) (retro.Command, error) {
	return retro.ExtendTimer{Actor: s.actor, At: s.at, By: in.By}, nil
}

func (StopTimer) retroCommand(_ context.Context, s retroScope) (retro.Command, error) {
	return retro.StopTimer{Actor: s.actor, At: s.at}, nil
}

// Warm-up, action review and health check. ChooseIcebreaker,
// StartHealthCheck and ImportSurvey take facts from the catalogue and the
// survey log, which is why the app, not the caller, fills them in.
type (
	// ChooseIcebreaker sets the icebreaker: the catalogue's IcebreakerID,
	// or one drawn at random when empty (moderator).
	ChooseIcebreaker struct{ IcebreakerID string }
	// AnswerIcebreaker answers the icebreaker; Result.ID is the answer card's.
	AnswerIcebreaker struct{ Text string }
	// ReviewAction records the outcome of reviewing a carried action.
	ReviewAction struct {
		ActionID string
		Outcome  retro.Outcome
	}
	// CommentOnAction comments on a carried action; Result.ID is the comment's.
	CommentOnAction struct {
		ActionID string
		Text     string
	}
	// StartHealthCheck starts the health check with the questions of the
	// catalogue pack PackID; empty means the pack the retro's template
	// suggests, else the team's (moderator).
	StartHealthCheck struct{ PackID string }
	// AnswerCheckIn picks an option of the lobby's check-in (always
	// anonymous; again to change it, while the lobby lasts).
	AnswerCheckIn struct{ OptionID string }
	// AnswerHealthCheck scores one health question (always anonymous).
	AnswerHealthCheck struct {
		QuestionID string
		Score      int
	}
	// RevealHealthCheck reveals the health check's results (moderator).
	RevealHealthCheck struct{}
	// ImportSurvey brings a closed survey of the retro's team into the
	// retro: its open answers as cards in the column their question is
	// tied to (survey.OpenQuestion.Column) when the retro has it, else in
	// ColumnID (the first column when empty), its scores into the health check (moderator). What the
	// survey's results withhold (questions rated by fewer than the minimum
	// group, anonymous answers of too few respondents) is not imported.
	ImportSurvey struct {
		SurveyID string
		ColumnID string
	}
)

func (in ChooseIcebreaker) retroCommand(ctx context.Context, s retroScope) (retro.Command, error) {
	return s.app.icebreaker(ctx, s.team.WorkspaceID, s.actor, s.at, in.IcebreakerID)
}

func (in AnswerIcebreaker) retroCommand(_ context.Context, s retroScope) (retro.Command, error) {
	return retro.AnswerIcebreaker{Actor: s.actor, At: s.at, CardID: s.app.NewContentID(), Text: in.Text}, nil
}

func (in ReviewAction) retroCommand(_ context.Context, s retroScope) (retro.Command, error) {
	return retro.ReviewAction{Actor: s.actor, At: s.at, ActionID: in.ActionID, Outcome: in.Outcome}, nil
}

func (in CommentOnAction) retroCommand(_ context.Context, s retroScope) (retro.Command, error) {
	return retro.CommentOnAction{Actor: s.actor, At: s.at, ActionID: in.ActionID, CommentID: s.app.NewContentID(), Text: in.Text}, nil
}

func (in StartHealthCheck) retroCommand(ctx context.Context, s retroScope) (retro.Command, error) {
	packID := in.PackID
	if packID == "" {
		packID = s.app.defaultHealthPack(ctx, s.retro, s.team)
	}
	pack, err := s.app.healthPack(ctx, s.team.WorkspaceID, packID)
	if err != nil {
		return nil, err
	}
	return retro.StartHealthCheck{Actor: s.actor, At: s.at, Questions: pack.Questions}, nil
}

func (in AnswerCheckIn) retroCommand(_ context.Context, s retroScope) (retro.Command, error) {
	return retro.AnswerCheckIn{Actor: s.actor, At: s.at, OptionID: in.OptionID}, nil
}

func (in AnswerHealthCheck) retroCommand(_ context.Context, s retroScope) (retro.Command, error) {
	return retro.AnswerHealthCheck{Actor: s.actor, At: s.at, QuestionID: in.QuestionID, Score: in.Score}, nil
}

func (RevealHealthCheck) retroCommand(_ context.Context, s retroScope) (retro.Command, error) {
	return retro.RevealHealthCheck{Actor: s.actor, At: s.at}, nil
}

func (in ImportSurvey) retroCommand(ctx context.Context, s retroScope) (retro.Command, error) {
	return s.app.importSurvey(ctx, s, in)
}

// The board: cards and groups.
type (
	// AddCard writes a card in a column, concealed from others until the
	// column is revealed; Result.ID is the card's.
	AddCard struct {
		ColumnID string
		Text     string
	}
	// EditCard changes the text of one's own card.
	EditCard struct {
		CardID string
		Text   string
	}
	// DeleteCard deletes one's own card.
	DeleteCard struct{ CardID string }
	// HideCard hides a card from everyone but its author (moderator).
	HideCard struct{ CardID string }
	// RevealColumn shows a column's cards to everyone (moderator).
	RevealColumn struct{ ColumnID string }
	// MergeCard groups a card with another card or group (TargetID).
	MergeCard struct {
		CardID   string
		TargetID string
	}
	// MoveCardOut takes a card out of its group.
	MoveCardOut struct{ CardID string }
	// NameGroup names a group.
	NameGroup struct {
		GroupID string
		Name    string
	}
	// MergeGroups merges a group into IntoGroupID.
	MergeGroups struct {
		GroupID     string
		IntoGroupID string
	}
)

func (in AddCard) retroCommand(_ context.Context, s retroScope) (retro.Command, error) {
	return retro.AddCard{Actor: s.actor, At: s.at, CardID: s.app.NewContentID(), ColumnID: in.ColumnID, Text: in.Text}, nil
}

func (in EditCard) retroCommand(_ context.Context, s retroScope) (retro.Command, error) {
	return retro.EditCard{Actor: s.actor, At: s.at, CardID: in.CardID, Text: in.Text}, nil
}

func (in DeleteCard) retroCommand(_ context.Context, s retroScope) (retro.Command, error) {
	return retro.DeleteCard{Actor: s.actor, At: s.at, CardID: in.CardID}, nil
}

func (in HideCard) retroCommand(_ context.Context, s retroScope) (retro.Command, error) {
	return retro.HideCard{Actor: s.actor, At: s.at, CardID: in.CardID}, nil
}

func (in RevealColumn) retroCommand(_ context.Context, s retroScope) (retro.Command, error) {
	return retro.RevealColumn{Actor: s.actor, At: s.at, ColumnID: in.ColumnID}, nil
}

func (in MergeCard) retroCommand(_ context.Context, s retroScope) (retro.Command, error) {
	return retro.MergeCard{Actor: s.actor, At: s.at, CardID: in.CardID, TargetID: in.TargetID, NewGroupID: s.app.NewID()}, nil
}

func (in MoveCardOut) retroCommand(_ context.Context, s retroScope) (retro.Command, error) {
	return retro.MoveCardOut{Actor: s.actor, At: s.at, CardID: in.CardID}, nil
}

func (in NameGroup) retroCommand(_ context.Context, s retroScope) (retro.Command, error) {
	return retro.NameGroup{Actor: s.actor, At: s.at, GroupID: in.GroupID, Name: in.Name}, nil
}

func (in MergeGroups) retroCommand(_ context.Context, s retroScope) (retro.Command, error) {
	return retro.MergeGroups{Actor: s.actor, At: s.at, GroupID: in.GroupID, IntoGroupID: in.IntoGroupID}, nil
}

// Voting and discussion.
type (
	// StartVoting opens a voting round: Budget votes per person, at most
	// Cap votes per topic from one voter (0: no cap) (moderator);
	// Result.ID is the round's.
	StartVoting struct {
		Budget int
		Cap    int
	}
	// CloseVoting closes the round and publishes totals (moderator).
	CloseVoting struct{}
	// CastVote spends one vote on a topic (a card or a group).
	CastVote struct{ TopicID string }
	// RetractVote takes back one of one's votes for a topic.
	RetractVote struct{ TopicID string }
	// SetTopicVotes corrects a topic's vote total (moderator).
	SetTopicVotes struct {
		TopicID string
		Votes   int
	}
	// FocusTopic discusses a topic now (moderator).
	FocusTopic struct{ TopicID string }
	// OpenTopicWhiteboard opens a whiteboard for a topic or an action;
	// Result.ID is the whiteboard's.
	OpenTopicWhiteboard struct {
		TopicID  string
		ActionID string
	}
)

func (in StartVoting) retroCommand(_ context.Context, s retroScope) (retro.Command, error) {
	return retro.StartVoting{Actor: s.actor, At: s.at, RoundID: s.app.NewID(), Budget: in.Budget, Cap: in.Cap}, nil
}

func (CloseVoting) retroCommand(_ context.Context, s retroScope) (retro.Command, error) {
	return retro.CloseVoting{Actor: s.actor, At: s.at}, nil
}

func (in CastVote) retroCommand(_ context.Context, s retroScope) (retro.Command, error) {
	return retro.CastVote{Actor: s.actor, At: s.at, TopicID: in.TopicID}, nil
}

func (in RetractVote) retroCommand(_ context.Context, s retroScope) (retro.Command, error) {
	return retro.RetractVote{Actor: s.actor, At: s.at, TopicID: in.TopicID}, nil
}

func (in SetTopicVotes) retroCommand(_ context.Context, s retroScope) (retro.Command, error) {
	return retro.SetTopicVotes{Actor: s.actor, At: s.at, TopicID: in.TopicID, Votes: in.Votes}, nil
}

func (in FocusTopic) retroCommand(_ context.Context, s retroScope) (retro.Command, error) {
	return retro.FocusTopic{Actor: s.actor, At: s.at, TopicID: in.TopicID}, nil
}

func (in OpenTopicWhiteboard) retroCommand(_ context.Context, s retroScope) (retro.Command, error) {
	return retro.OpenTopicWhiteboard{Actor: s.actor, At: s.at, WhiteboardID: wire.NewDocumentID(), TopicID: in.TopicID, ActionID: in.ActionID}, nil
}

// Actions and ROTI.
type (
	// CreateAction creates an action item; Result.ID is the action's.
	CreateAction struct {
		Title    string
		TopicID  string
		Assignee string
		Due      *time.Time
	}
	// AssignAction assigns an action ("": unassigned).
	AssignAction struct {
		ActionID string
		Assignee string
	}
	// SetActionDueDate sets an action's due date (nil: none).
	SetActionDueDate struct {
		ActionID string
		Due      *time.Time
	}
	// SetActionStatus sets a retro action's status.
	SetActionStatus struct {
		ActionID string
		Status   retro.ActionStatus
	}
	// RateRoti rates the retro's return on time invested.
	RateRoti struct{ Score int }
	// CloseRoti closes the ROTI and shows its results (moderator).
	CloseRoti struct{}
)

func (in CreateAction) retroCommand(_ context.Context, s retroScope) (retro.Command, error) {
	return retro.CreateAction{Actor: s.actor, At: s.at, ActionID: s.app.NewID(), Title: in.Title, TopicID: in.TopicID,
		Assignee: in.Assignee, Due: in.Due}, nil
}

func (in AssignAction) retroCommand(_ context.Context, s retroScope) (retro.Command, error) {
	return retro.AssignAction{Actor: s.actor, At: s.at, ActionID: in.ActionID, Assignee: in.Assignee}, nil
}

func (in SetActionDueDate) retroCommand(_ context.Context, s retroScope) (retro.Command, error) {
	return retro.SetActionDueDate{Actor: s.actor, At: s.at, ActionID: in.ActionID, Due: in.Due}, nil
}

func (in SetActionStatus) retroCommand(_ context.Context, s retroScope) (retro.Command, error) {
	return retro.SetActionStatus{Actor: s.actor, At: s.at, ActionID: in.ActionID, Status: in.Status}, nil
}

func (in RateRoti) retroCommand(_ context.Context, s retroScope) (retro.Command, error) {
	return retro.RateRoti{Actor: s.actor, At: s.at, Score: in.Score}, nil
}

func (CloseRoti) retroCommand(_ context.Context, s retroScope) (retro.Command, error) {
	return retro.CloseRoti{Actor: s.actor, At: s.at}, nil
}
