package retro

import (
	"time"

	"github.com/hindsight-retro/hindsight/domain"
)

// AddCard writes a card into a column. Until the column is revealed only
// its author sees the text. Cards may be added in any step, so a card still
// being written when the moderator moves on is not lost; a card added to a
// revealed column is visible at once.
type AddCard struct {
	Actor    domain.Actor
	At       time.Time
	CardID   string
	ColumnID string
	Text     string
}

// EditCard changes the text of one's own card while the retro is open. An
// edit after the column's reveal is shown to everyone at once, so a card once
// revealed is never concealed again; the card keeps its group and votes.
type EditCard struct {
	Actor  domain.Actor
	At     time.Time
	CardID string
	Text   string
}

// DeleteCard removes one's own card until its column is revealed.
type DeleteCard struct {
	Actor  domain.Actor
	At     time.Time
	CardID string
}

// HideCard takes a card off the board for everyone but its author
// (moderator only): it stays in the log, shown as hidden, keeping its group
// and votes. It cannot be undone, and its author can no longer edit it, so
// no later text reaches the others.
type HideCard struct {
	Actor  domain.Actor
	At     time.Time
	CardID string
}

// RevealColumn shows a column's cards to everyone.
type RevealColumn struct {
	Actor    domain.Actor
	At       time.Time
	ColumnID string
}

func (AddCard) isCommand()      {}
func (EditCard) isCommand()     {}
func (DeleteCard) isCommand()   {}
func (RevealColumn) isCommand() {}
func (HideCard) isCommand()     {}

// CardAdded: a card exists. The text is in the log (the log is the truth
// and the author must find it again); Concealed records that the column was
// not yet revealed, so redaction never depends on which state it is given.
// Author is a user ID, or a pseudonym in an anonymous retro.
type CardAdded struct {
	CardID    string    `json:"cardId"`
	ColumnID  string    `json:"columnId"`
	Author    string    `json:"author"`
	Text      string    `json:"text"`
	Concealed bool      `json:"concealed"`
	At        time.Time `json:"at"`
}

// CardEdited: the author changed a card's text. Revealed records that the
// column was revealed when the edit was made, so the new text is everyone's;
// absent (every edit before edits after reveal existed) it is a draft only
// its author sees.
type CardEdited struct {
	CardID   string    `json:"cardId"`
	Author   string    `json:"author"`
	Text     string    `json:"text"`
	Revealed bool      `json:"revealed,omitempty"`
	At       time.Time `json:"at"`
}

// CardDeleted: the author removed a concealed card.
type CardDeleted struct {
	CardID string    `json:"cardId"`
	Author string    `json:"author"`
	At     time.Time `json:"at"`
}

// CardHidden: the moderator hid a card; from then on only its author sees
// its text.
type CardHidden struct {
	CardID string    `json:"cardId"`
	At     time.Time `json:"at"`
}

// ColumnRevealed: everyone sees the column's cards from now on.
type ColumnRevealed struct {
	ColumnID string    `json:"columnId"`
	At       time.Time `json:"at"`
}

func (CardAdded) EventType() string      { return TypeCardAdded }
func (CardEdited) EventType() string     { return TypeCardEdited }
func (CardDeleted) EventType() string    { return TypeCardDeleted }
func (ColumnRevealed) EventType() string { return TypeColumnRevealed }
func (CardHidden) EventType() string     { return TypeCardHidden }

// contribution checks what every authored piece of text needs: a
// participant, their author key (a pseudonym in an anonymous retro), a
// well-formed new ID and text within limits. It returns the author key.
func (s State) contribution(a domain.Actor, idName, id, text, missingID, badID string) (string, error) {
	if err := s.asParticipant(a); err != nil {
		return "", err
	}
	author, err := s.authorKey(a)
	if err != nil {
		return "", err
	}
	if err := checkID(idName, id, missingID, badID); err != nil {
		return "", err
	}
	if err := checkText("text", text, MaxTextLen, CodeTextRequired, CodeTextTooLong); err != nil {
		return "", err
	}
	return author, nil
}

func decideAddCard(s State, c AddCard) ([]Event, error) {
	author, err := s.contribution(c.Actor, "card-id", c.CardID, c.Text, CodeCardIDRequired, CodeCardIDInvalid)
	if err != nil {
		return nil, err
	}
	if _, ok := s.column(c.ColumnID); !ok {
		return nil, domain.Errorf(domain.NotFound, CodeColumnNotFound, "no column %q", c.ColumnID)
	}
	if s.idTaken(c.CardID) {
		return nil, domain.Errorf(domain.Conflict, CodeIDTaken, "the ID %q is taken", c.CardID)
	}
	return []Event{CardAdded{CardID: c.CardID, ColumnID: c.ColumnID, Author: author, Text: c.Text,
		Concealed: !s.Revealed[c.ColumnID], At: c.At}}, nil
}

// ownCard finds a card of the actor's own. Unless afterReveal, it must
// still be concealed: a deleted card would vanish from under a discussion.
func (s State) ownCard(a domain.Actor, id string, afterReveal bool) (Card, string, error) {
	author, err := s.authorKey(a)
	if err != nil {
		return Card{}, "", err
	}
	card, ok := s.Cards.Get(id)
	if !ok {
		return Card{}, "", domain.Errorf(domain.NotFound, CodeCardNotFound, "no card %q", id)
	}
	if card.Author == "" || card.Author != author {
		return Card{}, "", domain.Errorf(domain.Forbidden, CodeNotAuthor, "only its author may change a card")
	}
	if s.Revealed[card.ColumnID] && !afterReveal {
		return Card{}, "", domain.Errorf(domain.Conflict, CodeColumnRevealed, "the card's column is revealed; it can no longer change")
	}
	return card, author, nil
}

func decideEditCard(s State, c EditCard) ([]Event, error) {
	if err := s.asParticipant(c.Actor); err != nil {
		return nil, err
	}
	if err := checkText("text", c.Text, MaxTextLen, CodeTextRequired, CodeTextTooLong); err != nil {
		return nil, err
	}
	card, author, err := s.ownCard(c.Actor, c.CardID, true)
	if err != nil {
		return nil, err
	}
	if card.Hidden {
		return nil, domain.Errorf(domain.Conflict, CodeCardHidden, "the moderator hid the card; it can no longer change")
	}
	if card.Text == c.Text {
		return nil, nil
	}
	return []Event{CardEdited{CardID: c.CardID, Author: author, Text: c.Text, Revealed: s.Revealed[card.ColumnID], At: c.At}}, nil
}

func decideDeleteCard(s State, c DeleteCard) ([]Event, error) {
	if err := s.asParticipant(c.Actor); err != nil {
		return nil, err
	}
	_, author, err := s.ownCard(c.Actor, c.CardID, false)
	if err != nil {
		return nil, err
	}
	return []Event{CardDeleted{CardID: c.CardID, Author: author, At: c.At}}, nil
}

func decideHideCard(s State, c HideCard) ([]Event, error) {
	if err := s.asModerator(c.Actor); err != nil {
		return nil, err
	}
	card, ok := s.Cards.Get(c.CardID)
	if !ok {
		return nil, domain.Errorf(domain.NotFound, CodeCardNotFound, "no card %q", c.CardID)
	}
	if card.Hidden {
		return nil, nil
	}
	return []Event{CardHidden{CardID: c.CardID, At: c.At}}, nil
}

func decideRevealColumn(s State, c RevealColumn) ([]Event, error) {
	if err := s.asModerator(c.Actor); err != nil {
		return nil, err
	}
	if _, ok := s.column(c.ColumnID); !ok {
		return nil, domain.Errorf(domain.NotFound, CodeColumnNotFound, "no column %q", c.ColumnID)
	}
	if s.Revealed[c.ColumnID] {
		return nil, nil
	}
	return []Event{ColumnRevealed{ColumnID: c.ColumnID, At: c.At}}, nil
}

func evolveCards(s State, e Event) State {
	switch e := e.(type) {
	case CardAdded:
		if old, ok := s.Cards.Get(e.CardID); ok {
			s.uncountAuthor(old.Author)
		}
		s.Cards = s.Cards.Set(e.CardID, Card{ID: e.CardID, ColumnID: e.ColumnID, Author: e.Author, Text: e.Text})
		s.CardOrder = s.CardOrder.Append(e.CardID)
		s.countAuthor(e.Author)
		s.ContentStarted = true
	case CardEdited:
		if c, ok := s.Cards.Get(e.CardID); ok {
			c.Text = e.Text
			s.Cards = s.Cards.Set(e.CardID, c)
		}
	case CardDeleted:
		// Only concealed cards can be deleted, and those are never grouped
		// or voted, so nothing else refers to them.
		if old, ok := s.Cards.Get(e.CardID); ok {
			s.uncountAuthor(old.Author)
		}
		s.Cards = s.Cards.Delete(e.CardID)
		s.CardOrder = s.CardOrder.Filter(func(id string) bool { return id != e.CardID })
	case ColumnRevealed:
		s.Revealed[e.ColumnID] = true
	case CardHidden:
		if c, ok := s.Cards.Get(e.CardID); ok {
			c.Hidden = true
			s.Cards = s.Cards.Set(e.CardID, c)
		}
	case SurveyCardsImported:
		s.Surveys[e.SurveyID] = true
		for _, ic := range e.Cards {
			if old, ok := s.Cards.Get(ic.CardID); ok {
				s.uncountAuthor(old.Author)
			}
			s.Cards = s.Cards.Set(ic.CardID, Card{ID: ic.CardID, ColumnID: ic.ColumnID, Text: ic.Text, Imported: true})
			s.CardOrder = s.CardOrder.Append(ic.CardID)
		}
	}
	return s
}

// countAuthor and uncountAuthor keep CardAuthors with Cards; s is the
// evolving clone.
func (s *State) countAuthor(author string) {
	if author == "" {
		return
	}
	if s.CardAuthors == nil {
		s.CardAuthors = map[string]int{}
	}
	s.CardAuthors[author]++
}

func (s *State) uncountAuthor(author string) {
	if s.CardAuthors[author] <= 1 {
		delete(s.CardAuthors, author)
		return
	}
	s.CardAuthors[author]--
}
