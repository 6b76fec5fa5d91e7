package board

import (
	"time"

	"github.com/hindsight-retro/hindsight/domain"
)

// Concealed writing: while a board's writing phase is open, each person
// writes their notes into a document of their own (a private notes
// document, registered here under its owner), which nobody else may sync;
// the shared board never holds them. The moderator's reveal ends the phase:
// the notes are merged into the board (a reaction), and the private
// documents are served to nobody from then on.

// StartWriting opens the board's writing phase (the moderator; the
// application decides who that is).
type StartWriting struct {
	Actor domain.Actor
	At    time.Time
}

// OpenNotes registers Owner's private notes document DocID. Owner is the
// user ID, or the person's pseudonym on a board of an anonymous retro. A
// person who has one already keeps it: nothing is decided.
type OpenNotes struct {
	Actor domain.Actor
	At    time.Time
	Owner string
	DocID string
}

// RevealNotes ends the writing phase: everyone's notes go on the board.
type RevealNotes struct {
	Actor domain.Actor
	At    time.Time
}

func (StartWriting) isCommand() {}
func (OpenNotes) isCommand()    {}
func (RevealNotes) isCommand()  {}

// WritingStarted: notes written from now until the reveal are concealed.
type WritingStarted struct {
	By string    `json:"by"`
	At time.Time `json:"at"`
}

// NotesOpened: DocID is Owner's private notes document on this board.
type NotesOpened struct {
	Owner string    `json:"owner"`
	DocID string    `json:"docId"`
	At    time.Time `json:"at"`
}

// NotesRevealed: the writing phase is over; the notes go on the board.
type NotesRevealed struct {
	By string    `json:"by"`
	At time.Time `json:"at"`
}

// Event type names as stored in the log; stable once written.
const (
	TypeWritingStarted = "WhiteboardWritingStarted"
	TypeNotesOpened    = "WhiteboardNotesOpened"
	TypeNotesRevealed  = "WhiteboardNotesRevealed"
)

func (WritingStarted) EventType() string { return TypeWritingStarted }
func (NotesOpened) EventType() string    { return TypeNotesOpened }
func (NotesRevealed) EventType() string  { return TypeNotesRevealed }

// Rejection codes of the writing phase.
const (
	CodeWritingStarted     = "whiteboard-writing-started"
	CodeNotWriting         = "whiteboard-not-in-writing"
	CodeNotesOwnerRequired = "notes-owner-required"
)

// Phase is where a board is in concealed writing.
type Phase string

const (
	PhaseOpen     Phase = ""         // never concealed: everything is on the board
	PhaseWriting  Phase = "writing"  // notes are in their authors' private documents
	PhaseRevealed Phase = "revealed" // the notes were merged into the board
)

func decideStartWriting(s State, c StartWriting) ([]Event, error) {
	if err := requireOpen(s, c.Actor); err != nil {
		return nil, err
	}
	switch s.Phase {
	case PhaseWriting:
		return nil, nil // started twice: nothing new
	case PhaseRevealed:
		return nil, domain.Errorf(domain.Conflict, CodeWritingStarted, "the board's notes were revealed; its writing phase is over")
	}
	return []Event{WritingStarted{By: c.Actor.UserID, At: c.At}}, nil
}

func decideOpenNotes(s State, c OpenNotes) ([]Event, error) {
	if err := requireOpen(s, c.Actor); err != nil {
		return nil, err
	}
	if s.Phase != PhaseWriting {
		return nil, domain.Errorf(domain.Conflict, CodeNotWriting, "the board is not in its writing phase")
	}
	if c.Owner == "" {
		return nil, domain.Errorf(domain.Invalid, CodeNotesOwnerRequired, "private notes need an owner")
	}
	if c.DocID == "" {
		return nil, domain.Errorf(domain.Invalid, CodeIDRequired, "private notes need a document ID")
	}
	if _, ok := s.Notes[c.Owner]; ok {
		return nil, nil // one notes document per person: they keep theirs
	}
	for _, id := range s.Notes {
		if id == c.DocID {
			return nil, domain.Errorf(domain.Conflict, CodeExists, "document %s holds someone's notes already", c.DocID)
		}
	}
	return []Event{NotesOpened{Owner: c.Owner, DocID: c.DocID, At: c.At}}, nil
}

func decideRevealNotes(s State, c RevealNotes) ([]Event, error) {
	if err := requireOpen(s, c.Actor); err != nil {
		return nil, err
	}
	switch s.Phase {
	case PhaseRevealed:
		return nil, nil // revealed twice: nothing new
	case PhaseOpen:
		return nil, domain.Errorf(domain.Conflict, CodeNotWriting, "the board is not in its writing phase")
	}
	return []Event{NotesRevealed{By: c.Actor.UserID, At: c.At}}, nil
}

// NotesOf is the owner of the private notes document docID on this board,
// "" when it is none of them.
func (s State) NotesOf(docID string) string {
	for owner, id := range s.Notes {
		if id == docID {
			return owner
		}
	}
	return ""
}
