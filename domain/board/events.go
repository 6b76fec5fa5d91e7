package board

import "time"

// Event is something that happened to a board.
type Event interface{ EventType() string }

// Created: the board exists, for Topic of RetroID or for TeamID alone.
type Created struct {
	BoardID    string    `json:"boardId"`
	RetroID    string    `json:"retroId"`
	TeamID     string    `json:"teamId"`
	Topic      Topic     `json:"topic"`
	TemplateID string    `json:"templateId,omitempty"`
	Title      string    `json:"title"`
	By         string    `json:"by"`
	At         time.Time `json:"at"`
	// Seed: the server stores the first content (a reaction to this
	// event). Absent in boards created before the event said so.
	Seed bool `json:"seed,omitempty"`
}

// Renamed: the board's title is now Title.
type Renamed struct {
	Title string    `json:"title"`
	By    string    `json:"by"`
	At    time.Time `json:"at"`
}

// Archived: the board is closed.
type Archived struct {
	By string    `json:"by"`
	At time.Time `json:"at"`
}

// Restored: an archived board is open again.
type Restored struct {
	By string    `json:"by"`
	At time.Time `json:"at"`
}

// Event type names as stored in the log; stable once written. They have no
// "board." prefix because boards were logged before the domain's naming
// rule existed, and stored events are never rewritten.
const (
	TypeCreated  = "WhiteboardCreated"
	TypeRenamed  = "WhiteboardRenamed"
	TypeArchived = "WhiteboardArchived"
	TypeRestored = "WhiteboardRestored"
)

func (Created) EventType() string  { return TypeCreated }
func (Renamed) EventType() string  { return TypeRenamed }
func (Archived) EventType() string { return TypeArchived }
func (Restored) EventType() string { return TypeRestored }

// Events lists one value of every board event type, once: what tests hold
// every switch over the events to, and what a new event type must be added
// to.
func Events() []Event {
	return []Event{
		Created{}, Renamed{}, Archived{}, Restored{},
		WritingStarted{}, NotesOpened{}, NotesRevealed{},
	}
}
