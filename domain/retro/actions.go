package retro

import (
	"time"

	"github.com/hindsight-retro/hindsight/domain"
)

// FocusTopic puts a topic in the discussion's focus ("" clears it).
type FocusTopic struct {
	Actor   domain.Actor
	At      time.Time
	TopicID string
}

// CreateAction records an action item, derived from a topic (card or
// group) or free (TopicID ""), with an optional assignee and due date.
type CreateAction struct {
	Actor    domain.Actor
	At       time.Time
	ActionID string
	Title    string
	TopicID  string
	Assignee string
	Due      *time.Time
}

// AssignAction sets an action's assignee ("" unassigns).
type AssignAction struct {
	Actor    domain.Actor
	At       time.Time
	ActionID string
	Assignee string
}

// SetActionDueDate sets or clears (nil) an action's due date.
type SetActionDueDate struct {
	Actor    domain.Actor
	At       time.Time
	ActionID string
	Due      *time.Time
}

// SetActionStatus sets an action open, done or discarded.
type SetActionStatus struct {
	Actor    domain.Actor
	At       time.Time
	ActionID string
	Status   ActionStatus
}

// OpenTopicWhiteboard opens a whiteboard for a topic, optionally from an
// action. The whiteboard itself lives in its own aggregate; WhiteboardID is
// chosen by the caller.
type OpenTopicWhiteboard struct {
	Actor        domain.Actor
	At           time.Time
	WhiteboardID string
	TopicID      string
	ActionID     string
}

func (FocusTopic) isCommand()          {}
func (CreateAction) isCommand()        {}
func (AssignAction) isCommand()        {}
func (SetActionDueDate) isCommand()    {}
func (SetActionStatus) isCommand()     {}
func (OpenTopicWhiteboard) isCommand() {}

// TopicFocused: the topic under discussion.
type TopicFocused struct {
	TopicID string    `json:"topicId"`
	At      time.Time `json:"at"`
}

// ActionCreated: an action item. It records no creator: next to a card in
// an anonymous retro a creator could hint at the card's author. The
// assignee is named deliberately and is not anonymous.
type ActionCreated struct {
	ActionID string     `json:"actionId"`
	Title    string     `json:"title"`
	TopicID  string     `json:"topicId,omitempty"`
	Assignee string     `json:"assignee,omitempty"`
	Due      *time.Time `json:"due,omitempty"`
	At       time.Time  `json:"at"`
}

// ActionAssigned: the action's assignee.
type ActionAssigned struct {
	ActionID string    `json:"actionId"`
	Assignee string    `json:"assignee"`
	At       time.Time `json:"at"`
}

// ActionDueDateSet: the action's due date (nil: none).
type ActionDueDateSet struct {
	ActionID string     `json:"actionId"`
	Due      *time.Time `json:"due"`
	At       time.Time  `json:"at"`
}

// ActionStatusSet: the action's status.
type ActionStatusSet struct {
	ActionID string       `json:"actionId"`
	Status   ActionStatus `json:"status"`
	At       time.Time    `json:"at"`
}

// TopicWhiteboardOpened: a whiteboard was requested for a topic.
type TopicWhiteboardOpened struct {
	WhiteboardID string    `json:"whiteboardId"`
	TopicID      string    `json:"topicId"`
	ActionID     string    `json:"actionId,omitempty"`
	At           time.Time `json:"at"`
}

func (TopicFocused) EventType() string          { return TypeTopicFocused }
func (ActionCreated) EventType() string         { return TypeActionCreated }
func (ActionAssigned) EventType() string        { return TypeActionAssigned }
func (ActionDueDateSet) EventType() string      { return TypeActionDueDateSet }
func (ActionStatusSet) EventType() string       { return TypeActionStatusSet }
func (TopicWhiteboardOpened) EventType() string { return TypeTopicWhiteboardOpened }

func decideFocusTopic(s State, c FocusTopic) ([]Event, error) {
	if err := s.asModerator(c.Actor); err != nil {
		return nil, err
	}
	topic := ""
	if c.TopicID != "" {
		t, err := s.topic(c.TopicID)
		if err != nil {
			return nil, err
		}
		topic = t
	}
	if topic == s.Focus {
		return nil, nil
	}
	return []Event{TopicFocused{TopicID: topic, At: c.At}}, nil
}

func (s State) action(id string) (Action, error) {
	a, ok := s.Actions[id]
	if !ok {
		return Action{}, domain.Errorf(domain.NotFound, CodeActionNotFound, "no action %q", id)
	}
	return a, nil
}

func decideCreateAction(s State, c CreateAction) ([]Event, error) {
	if err := s.asParticipant(c.Actor); err != nil {
		return nil, err
	}
	if err := checkID("action-id", c.ActionID, CodeActionIDRequired, CodeActionIDInvalid); err != nil {
		return nil, err
	}
	if err := checkText("title", c.Title, MaxTextLen, CodeTitleRequired, CodeTitleTooLong); err != nil {
		return nil, err
	}
	if _, ok := s.Actions[c.ActionID]; ok {
		return nil, domain.Errorf(domain.Conflict, CodeIDTaken, "the action %q exists", c.ActionID)
	}
	topic := ""
	if c.TopicID != "" {
		t, err := s.topic(c.TopicID)
		if err != nil {
			return nil, err
		}
		topic = t
	}
	return []Event{ActionCreated{ActionID: c.ActionID, Title: c.Title, TopicID: topic,
		Assignee: c.Assignee, Due: c.Due, At: c.At}}, nil
}

func decideAssignAction(s State, c AssignAction) ([]Event, error) {
	if err := s.asParticipant(c.Actor); err != nil {
		return nil, err
	}
	a, err := s.action(c.ActionID)
	if err != nil {
		return nil, err
	}
	if a.Assignee == c.Assignee {
		return nil, nil
	}
	return []Event{ActionAssigned{ActionID: c.ActionID, Assignee: c.Assignee, At: c.At}}, nil
}

func decideSetDueDate(s State, c SetActionDueDate) ([]Event, error) {
	if err := s.asParticipant(c.Actor); err != nil {
		return nil, err
	}
	if _, err := s.action(c.ActionID); err != nil {
		return nil, err
	}
	return []Event{ActionDueDateSet{ActionID: c.ActionID, Due: c.Due, At: c.At}}, nil
}

func decideSetActionStatus(s State, c SetActionStatus) ([]Event, error) {
	if err := s.asParticipant(c.Actor); err != nil {
		return nil, err
	}
	if c.Status != ActionOpen && c.Status != ActionDone && c.Status != ActionDiscarded {
		return nil, domain.Errorf(domain.Invalid, CodeStatusInvalid, "status must be open, done or discarded, not %q", c.Status)
	}
	a, err := s.action(c.ActionID)
	if err != nil {
		return nil, err
	}
	if a.Status == c.Status {
		return nil, nil
	}
	return []Event{ActionStatusSet{ActionID: c.ActionID, Status: c.Status, At: c.At}}, nil
}

func decideOpenWhiteboard(s State, c OpenTopicWhiteboard) ([]Event, error) {
	if err := s.asParticipant(c.Actor); err != nil {
		return nil, err
	}
	if err := checkID("whiteboard-id", c.WhiteboardID, CodeWhiteboardIDRequired, CodeWhiteboardIDInvalid); err != nil {
		return nil, err
	}
	topic, err := s.topic(c.TopicID)
	if err != nil {
		return nil, err
	}
	if c.ActionID != "" {
		if _, err := s.action(c.ActionID); err != nil {
			return nil, err
		}
	}
	for _, w := range s.Whiteboards {
		if w.WhiteboardID == c.WhiteboardID {
			return nil, domain.Errorf(domain.Conflict, CodeIDTaken, "whiteboard %q exists", c.WhiteboardID)
		}
		if w.TopicID == topic {
			return nil, domain.Errorf(domain.Conflict, CodeWhiteboardOpen, "topic %q already has whiteboard %s", topic, w.WhiteboardID)
		}
	}
	return []Event{TopicWhiteboardOpened{WhiteboardID: c.WhiteboardID, TopicID: topic, ActionID: c.ActionID, At: c.At}}, nil
}

func evolveActions(s State, e Event) State {
	update := func(id string, f func(*Action)) {
		if a, ok := s.Actions[id]; ok {
			f(&a)
			s.Actions[id] = a
		}
	}
	switch e := e.(type) {
	case TopicFocused:
		s.Focus = e.TopicID
	case ActionCreated:
		s.Actions[e.ActionID] = Action{ID: e.ActionID, Title: e.Title, TopicID: e.TopicID,
			Assignee: e.Assignee, Due: e.Due, Status: ActionOpen}
		s.ActionOrder = append(s.ActionOrder, e.ActionID)
	case ActionAssigned:
		update(e.ActionID, func(a *Action) { a.Assignee = e.Assignee })
	case ActionDueDateSet:
		update(e.ActionID, func(a *Action) { a.Due = e.Due })
	case ActionStatusSet:
		update(e.ActionID, func(a *Action) { a.Status = e.Status })
	case TopicWhiteboardOpened:
		s.Whiteboards = append(s.Whiteboards, TopicWhiteboard{WhiteboardID: e.WhiteboardID, TopicID: e.TopicID, ActionID: e.ActionID})
	}
	return s
}
