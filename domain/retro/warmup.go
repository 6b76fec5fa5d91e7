package retro

import (
	"time"

	"github.com/hindsight-retro/hindsight/domain"
)

// ChooseIcebreaker sets the icebreaker question. A random choice is made by
// the application (the decider has no randomness); the command carries the
// result.
type ChooseIcebreaker struct {
	Actor      domain.Actor
	At         time.Time
	QuestionID string
	Text       string
}

// AnswerIcebreaker adds an answer card to the icebreaker.
type AnswerIcebreaker struct {
	Actor  domain.Actor
	At     time.Time
	CardID string
	Text   string
}

// AddOpenActions brings in open actions of earlier retros that the retro
// did not get at creation (for example actions opened since). Actions it
// already has are skipped, so the application may pass the team's whole
// open list when the action review starts.
type AddOpenActions struct {
	Actor   domain.Actor
	At      time.Time
	Actions []OpenAction
}

// ReviewAction marks an open action of an earlier retro kept, done or
// discarded. Actions nobody marks stay open for the next retro.
type ReviewAction struct {
	Actor    domain.Actor
	At       time.Time
	ActionID string
	Outcome  Outcome
}

// CommentOnAction comments on an open action of an earlier retro.
type CommentOnAction struct {
	Actor     domain.Actor
	At        time.Time
	ActionID  string
	CommentID string
	Text      string
}

func (ChooseIcebreaker) isCommand() {}
func (AnswerIcebreaker) isCommand() {}
func (ReviewAction) isCommand()     {}
func (AddOpenActions) isCommand()   {}
func (CommentOnAction) isCommand()  {}

// IcebreakerChosen: the warm-up question.
type IcebreakerChosen struct {
	QuestionID string    `json:"questionId,omitempty"`
	Text       string    `json:"text"`
	At         time.Time `json:"at"`
}

// IcebreakerAnswered: an answer card. Author is a user ID, or a pseudonym
// in an anonymous retro.
type IcebreakerAnswered struct {
	CardID string    `json:"cardId"`
	Author string    `json:"author"`
	Text   string    `json:"text"`
	At     time.Time `json:"at"`
}

// OpenActionsAdded: more open actions of earlier retros to review.
type OpenActionsAdded struct {
	Actions []OpenAction `json:"actions"`
	At      time.Time    `json:"at"`
}

// CarriedActionReviewed: the team's verdict on an open action. It records no
// person: the verdict is the team's.
type CarriedActionReviewed struct {
	ActionID string    `json:"actionId"`
	Outcome  Outcome   `json:"outcome"`
	At       time.Time `json:"at"`
}

// CarriedActionCommented: a comment on an open action; Author as for cards.
type CarriedActionCommented struct {
	ActionID  string    `json:"actionId"`
	CommentID string    `json:"commentId"`
	Author    string    `json:"author"`
	Text      string    `json:"text"`
	At        time.Time `json:"at"`
}

func (IcebreakerChosen) EventType() string       { return TypeIcebreakerChosen }
func (IcebreakerAnswered) EventType() string     { return TypeIcebreakerAnswered }
func (CarriedActionReviewed) EventType() string  { return TypeCarriedActionReviewed }
func (OpenActionsAdded) EventType() string       { return TypeOpenActionsAdded }
func (CarriedActionCommented) EventType() string { return TypeCarriedActionCommented }

func decideChooseIcebreaker(s State, c ChooseIcebreaker) ([]Event, error) {
	if err := s.asModerator(c.Actor); err != nil {
		return nil, err
	}
	if err := checkText("text", c.Text, MaxTitleLen*2, CodeTextRequired, CodeTextTooLong); err != nil {
		return nil, err
	}
	if len(s.IceAnswers) > 0 {
		// Answers belong to the question they answer.
		return nil, domain.Errorf(domain.Conflict, CodeIcebreakerAnswered, "the icebreaker has answers; it cannot change")
	}
	return []Event{IcebreakerChosen{QuestionID: c.QuestionID, Text: c.Text, At: c.At}}, nil
}

func decideAnswerIcebreaker(s State, c AnswerIcebreaker) ([]Event, error) {
	author, err := s.contribution(c.Actor, "card-id", c.CardID, c.Text, CodeCardIDRequired, CodeCardIDInvalid)
	if err != nil {
		return nil, err
	}
	if s.Icebreaker == nil {
		return nil, domain.Errorf(domain.Conflict, CodeNoIcebreaker, "no icebreaker question has been chosen")
	}
	if s.idTaken(c.CardID) {
		return nil, domain.Errorf(domain.Conflict, CodeIDTaken, "the ID %q is taken", c.CardID)
	}
	return []Event{IcebreakerAnswered{CardID: c.CardID, Author: author, Text: c.Text, At: c.At}}, nil
}

func (s State) carried(id string) (int, bool) {
	for i, a := range s.Carried {
		if a.ID == id {
			return i, true
		}
	}
	return -1, false
}

func decideAddOpenActions(s State, c AddOpenActions) ([]Event, error) {
	if err := s.asModerator(c.Actor); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var fresh []OpenAction
	for _, a := range c.Actions {
		if a.ID == "" || seen[a.ID] {
			return nil, domain.Errorf(domain.Invalid, CodeOpenActionInvalid, "open action IDs must be present and unique (%q)", a.ID)
		}
		seen[a.ID] = true
		if _, ok := s.carried(a.ID); !ok {
			fresh = append(fresh, a)
		}
	}
	if len(fresh) == 0 {
		return nil, nil
	}
	return []Event{OpenActionsAdded{Actions: fresh, At: c.At}}, nil
}

func decideReviewAction(s State, c ReviewAction) ([]Event, error) {
	if err := s.asParticipant(c.Actor); err != nil {
		return nil, err
	}
	if c.Outcome != OutcomeKept && c.Outcome != OutcomeDone && c.Outcome != OutcomeDiscarded {
		return nil, domain.Errorf(domain.Invalid, CodeOutcomeInvalid, "outcome must be kept, done or discarded, not %q", c.Outcome)
	}
	i, ok := s.carried(c.ActionID)
	if !ok {
		return nil, domain.Errorf(domain.NotFound, CodeActionNotFound, "no open action %q to review", c.ActionID)
	}
	if s.Carried[i].Outcome == c.Outcome {
		return nil, nil
	}
	return []Event{CarriedActionReviewed{ActionID: c.ActionID, Outcome: c.Outcome, At: c.At}}, nil
}

func decideCommentOnAction(s State, c CommentOnAction) ([]Event, error) {
	author, err := s.contribution(c.Actor, "comment-id", c.CommentID, c.Text, CodeCommentIDRequired, CodeCommentIDInvalid)
	if err != nil {
		return nil, err
	}
	i, ok := s.carried(c.ActionID)
	if !ok {
		return nil, domain.Errorf(domain.NotFound, CodeActionNotFound, "no open action %q", c.ActionID)
	}
	for _, cm := range s.Carried[i].Comments {
		if cm.ID == c.CommentID {
			return nil, domain.Errorf(domain.Conflict, CodeIDTaken, "the comment %q exists", c.CommentID)
		}
	}
	return []Event{CarriedActionCommented{ActionID: c.ActionID, CommentID: c.CommentID, Author: author, Text: c.Text, At: c.At}}, nil
}

func evolveWarmup(s State, e Event) State {
	switch e := e.(type) {
	case IcebreakerChosen:
		s.Icebreaker = &Icebreaker{QuestionID: e.QuestionID, Text: e.Text}
	case IcebreakerAnswered:
		s.IceAnswers = append(s.IceAnswers, IceAnswer{CardID: e.CardID, Author: e.Author, Text: e.Text})
		s.ContentStarted = true
	case OpenActionsAdded:
		for _, a := range e.Actions {
			if _, ok := s.carried(a.ID); !ok {
				s.Carried = append(s.Carried, CarriedAction{OpenAction: a})
			}
		}
	case CarriedActionReviewed:
		if i, ok := s.carried(e.ActionID); ok {
			s.Carried[i].Outcome = e.Outcome
		}
	case CarriedActionCommented:
		if i, ok := s.carried(e.ActionID); ok {
			s.Carried[i].Comments = appendTo(s.Carried[i].Comments, Comment{ID: e.CommentID, Author: e.Author, Text: e.Text})
		}
		s.ContentStarted = true
	}
	return s
}
