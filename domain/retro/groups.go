package retro

import (
	"time"

	"github.com/hindsight-retro/hindsight/domain"
)

// Grouping semantics. The log orders commands, so each one is decided on
// the state all earlier ones left, and the rules below are total:
//   - merging a card into a card that is in a group merges it into that
//     group; into an ungrouped card, the two form a new group (NewGroupID);
//   - merging a card into its own group, or a card into itself, changes
//     nothing;
//   - a card leaving a group (moved out or merged elsewhere) leaves it;
//     a group whose last card leaves ceases to exist, its votes going with
//     that card;
//   - merging groups moves every card of one into the other, votes too.
// Only revealed cards can be grouped, and nothing regroups while a voting
// round is open, so votes and caps refer to a fixed set of topics.

// MergeCard merges a card into another card or a group (TargetID names
// either).
type MergeCard struct {
	Actor      domain.Actor
	At         time.Time
	CardID     string
	TargetID   string
	NewGroupID string // used only when a new group forms
}

// MoveCardOut takes a card out of its group.
type MoveCardOut struct {
	Actor  domain.Actor
	At     time.Time
	CardID string
}

// MergeGroups moves every card of GroupID into IntoGroupID.
type MergeGroups struct {
	Actor       domain.Actor
	At          time.Time
	GroupID     string
	IntoGroupID string
}

// NameGroup names a group ("" clears the name).
type NameGroup struct {
	Actor   domain.Actor
	At      time.Time
	GroupID string
	Name    string
}

func (MergeCard) isCommand()   {}
func (MoveCardOut) isCommand() {}
func (MergeGroups) isCommand() {}
func (NameGroup) isCommand()   {}

// GroupCreated: two or more cards form a group.
type GroupCreated struct {
	GroupID string    `json:"groupId"`
	CardIDs []string  `json:"cardIds"`
	At      time.Time `json:"at"`
}

// CardGrouped: a card joined an existing group.
type CardGrouped struct {
	CardID  string    `json:"cardId"`
	GroupID string    `json:"groupId"`
	At      time.Time `json:"at"`
}

// CardUngrouped: a card left its group.
type CardUngrouped struct {
	CardID  string    `json:"cardId"`
	GroupID string    `json:"groupId"`
	At      time.Time `json:"at"`
}

// GroupDissolved: a group lost its last card; its votes went to that card.
type GroupDissolved struct {
	GroupID  string    `json:"groupId"`
	LastCard string    `json:"lastCard"`
	At       time.Time `json:"at"`
}

// GroupsMerged: every card of GroupID moved into IntoGroupID.
type GroupsMerged struct {
	GroupID     string    `json:"groupId"`
	IntoGroupID string    `json:"intoGroupId"`
	At          time.Time `json:"at"`
}

// GroupNamed: a group's name.
type GroupNamed struct {
	GroupID string    `json:"groupId"`
	Name    string    `json:"name"`
	At      time.Time `json:"at"`
}

func (GroupCreated) EventType() string   { return TypeGroupCreated }
func (CardGrouped) EventType() string    { return TypeCardGrouped }
func (CardUngrouped) EventType() string  { return TypeCardUngrouped }
func (GroupDissolved) EventType() string { return TypeGroupDissolved }
func (GroupsMerged) EventType() string   { return TypeGroupsMerged }
func (GroupNamed) EventType() string     { return TypeGroupNamed }

// groupable checks what every grouping command needs.
func (s State) groupable(a domain.Actor) error {
	if err := s.asParticipant(a); err != nil {
		return err
	}
	if s.Round != nil && s.Round.Open {
		return domain.Errorf(domain.Conflict, CodeVotingOpen, "cards cannot be regrouped while a voting round is open")
	}
	return nil
}

// revealedCard finds a card that may be grouped or voted.
func (s State) revealedCard(id string) (Card, error) {
	c, ok := s.Cards.Get(id)
	if !ok {
		return Card{}, domain.Errorf(domain.NotFound, CodeCardNotFound, "no card %q", id)
	}
	if !s.Revealed[c.ColumnID] {
		return Card{}, domain.Errorf(domain.Conflict, CodeCardConcealed, "card %q is still concealed", id)
	}
	return c, nil
}

// leave is the events for a card leaving its group, if it is in one.
func (s State) leave(card Card, at time.Time) []Event {
	if card.GroupID == "" {
		return nil
	}
	evs := []Event{CardUngrouped{CardID: card.ID, GroupID: card.GroupID, At: at}}
	if g := s.Groups[card.GroupID]; len(g.Cards) == 1 {
		evs = append(evs, GroupDissolved{GroupID: g.ID, LastCard: card.ID, At: at})
	}
	return evs
}

func decideMergeCard(s State, c MergeCard) ([]Event, error) {
	if err := s.groupable(c.Actor); err != nil {
		return nil, err
	}
	card, err := s.revealedCard(c.CardID)
	if err != nil {
		return nil, err
	}
	if c.TargetID == c.CardID {
		return nil, domain.Errorf(domain.Invalid, CodeMergeIntoSelf, "a card cannot be merged into itself")
	}
	if g, ok := s.Groups[c.TargetID]; ok {
		if card.GroupID == g.ID {
			return nil, nil
		}
		return append(s.leave(card, c.At), CardGrouped{CardID: card.ID, GroupID: g.ID, At: c.At}), nil
	}
	if !s.Cards.Has(c.TargetID) {
		return nil, domain.Errorf(domain.NotFound, CodeTopicNotFound, "no card or group %q", c.TargetID)
	}
	target, err := s.revealedCard(c.TargetID)
	if err != nil {
		return nil, err
	}
	if target.GroupID != "" {
		if target.GroupID == card.GroupID {
			return nil, nil
		}
		return append(s.leave(card, c.At), CardGrouped{CardID: card.ID, GroupID: target.GroupID, At: c.At}), nil
	}
	if c.NewGroupID == "" {
		return nil, domain.Errorf(domain.Invalid, CodeGroupIDRequired, "merging two ungrouped cards needs an ID for the new group")
	}
	if s.idTaken(c.NewGroupID) {
		return nil, domain.Errorf(domain.Conflict, CodeIDTaken, "the ID %q is taken", c.NewGroupID)
	}
	return append(s.leave(card, c.At),
		GroupCreated{GroupID: c.NewGroupID, CardIDs: []string{target.ID, card.ID}, At: c.At}), nil
}

func decideMoveCardOut(s State, c MoveCardOut) ([]Event, error) {
	if err := s.groupable(c.Actor); err != nil {
		return nil, err
	}
	card, err := s.revealedCard(c.CardID)
	if err != nil {
		return nil, err
	}
	if card.GroupID == "" {
		return nil, domain.Errorf(domain.Conflict, CodeCardNotGrouped, "card %q is in no group", c.CardID)
	}
	return s.leave(card, c.At), nil
}

func decideMergeGroups(s State, c MergeGroups) ([]Event, error) {
	if err := s.groupable(c.Actor); err != nil {
		return nil, err
	}
	if c.GroupID == c.IntoGroupID {
		return nil, domain.Errorf(domain.Invalid, CodeMergeIntoSelf, "a group cannot be merged into itself")
	}
	for _, id := range []string{c.GroupID, c.IntoGroupID} {
		if _, ok := s.Groups[id]; !ok {
			return nil, domain.Errorf(domain.NotFound, CodeGroupNotFound, "no group %q", id)
		}
	}
	return []Event{GroupsMerged{GroupID: c.GroupID, IntoGroupID: c.IntoGroupID, At: c.At}}, nil
}

func decideNameGroup(s State, c NameGroup) ([]Event, error) {
	if err := s.asParticipant(c.Actor); err != nil {
		return nil, err
	}
	if len([]rune(c.Name)) > MaxTitleLen {
		return nil, domain.Errorf(domain.Invalid, CodeNameTooLong, "a group name has at most %d characters", MaxTitleLen)
	}
	g, ok := s.Groups[c.GroupID]
	if !ok {
		return nil, domain.Errorf(domain.NotFound, CodeGroupNotFound, "no group %q", c.GroupID)
	}
	if g.Name == c.Name {
		return nil, nil
	}
	return []Event{GroupNamed{GroupID: c.GroupID, Name: c.Name, At: c.At}}, nil
}

func evolveGroups(s State, e Event) State {
	setGroup := func(cardID, groupID string) {
		if c, ok := s.Cards.Get(cardID); ok {
			c.GroupID = groupID
			s.Cards = s.Cards.Set(cardID, c)
		}
	}
	switch e := e.(type) {
	case GroupCreated:
		s.Groups[e.GroupID] = Group{ID: e.GroupID, Cards: appendTo(e.CardIDs)}
		s.GroupOrder = append(s.GroupOrder, e.GroupID)
		for _, id := range e.CardIDs {
			setGroup(id, e.GroupID)
		}
	case CardGrouped:
		g := s.Groups[e.GroupID]
		g.Cards = appendTo(g.Cards, e.CardID)
		s.Groups[e.GroupID] = g
		setGroup(e.CardID, e.GroupID)
	case CardUngrouped:
		g := s.Groups[e.GroupID]
		g.Cards = without(g.Cards, e.CardID)
		s.Groups[e.GroupID] = g
		setGroup(e.CardID, "")
	case GroupDissolved:
		s.Tally[e.LastCard] += s.Tally[e.GroupID]
		s.dropGroup(e.GroupID)
	case GroupsMerged:
		from, into := s.Groups[e.GroupID], s.Groups[e.IntoGroupID]
		into.Cards = appendTo(into.Cards, from.Cards...)
		s.Groups[e.IntoGroupID] = into
		for _, id := range from.Cards {
			setGroup(id, e.IntoGroupID)
		}
		s.Tally[e.IntoGroupID] += s.Tally[e.GroupID]
		s.dropGroup(e.GroupID)
	case GroupNamed:
		g := s.Groups[e.GroupID]
		g.Name = e.Name
		s.Groups[e.GroupID] = g
	}
	return s
}

// dropGroup removes a group and every reference to it (called on a clone).
func (s *State) dropGroup(id string) {
	delete(s.Groups, id)
	delete(s.Tally, id)
	s.GroupOrder = without(s.GroupOrder, id)
	if s.Focus == id {
		s.Focus = ""
	}
}
