package board

import (
	"maps"

	"github.com/hindsight-retro/hindsight/domain"
)

// Category is the stream category of the aggregate: whiteboard-<board ID>.
const Category = "whiteboard"

// ContentCategory is the category of a board's content stream: the
// Automerge changes collab keeps apart from the metadata, so loading the
// metadata never drags the content along.
const ContentCategory = "wbdoc"

// TopicKind says what a board was opened for.
type TopicKind string

const (
	TopicStep   TopicKind = "step"   // a retro step (check-in, team building, ...)
	TopicCard   TopicKind = "card"   // one card
	TopicGroup  TopicKind = "group"  // a group of cards
	TopicAction TopicKind = "action" // an action item
)

// Valid reports whether k is one of the known kinds.
func (k TopicKind) Valid() bool {
	switch k {
	case TopicStep, TopicCard, TopicGroup, TopicAction:
		return true
	}
	return false
}

// Topic is what the board is about, inside its retro.
type Topic struct {
	Kind TopicKind `json:"kind"`
	ID   string    `json:"id"`
}

// State is the board's metadata folded from its events.
type State struct {
	Exists     bool
	BoardID    string
	RetroID    string
	TeamID     string
	Topic      Topic
	TemplateID string
	Title      string
	CreatedBy  string
	Archived   bool
	// Phase of concealed writing, and the private notes documents by
	// owner (user ID, or pseudonym on an anonymous retro's board).
	Phase Phase
	Notes map[string]string
}

// Initial is the state of a board that does not exist yet.
func Initial() State { return State{} }

// Evolve folds one event into the state.
func Evolve(s State, e Event) State {
	switch e := e.(type) {
	case Created:
		return State{Exists: true, BoardID: e.BoardID, RetroID: e.RetroID, TeamID: e.TeamID, Topic: e.Topic,
			TemplateID: e.TemplateID, Title: e.Title, CreatedBy: e.By}
	case Renamed:
		s.Title = e.Title
	case Archived:
		s.Archived = true
	case Restored:
		s.Archived = false
	case WritingStarted:
		s.Phase = PhaseWriting
	case NotesOpened:
		notes := make(map[string]string, len(s.Notes)+1)
		maps.Copy(notes, s.Notes)
		notes[e.Owner] = e.DocID
		s.Notes = notes
	case NotesRevealed:
		s.Phase = PhaseRevealed
	}
	return s
}

// Decider is the board aggregate's decider.
func Decider() domain.Decider[State, Command, Event] {
	return domain.Decider[State, Command, Event]{Initial: Initial, Decide: Decide, Evolve: Evolve}
}
