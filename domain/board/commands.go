package board

import (
	"time"

	"github.com/hindsight-retro/hindsight/domain"
)

// Command is a request to change a board's metadata. The set is closed.
// Actor and At come from the application, never from the client.
type Command interface{ isCommand() }

// Create opens a board: for a topic of a retro (RetroID and Topic set), or
// as a team's standalone board (TeamID set, no retro, no topic).
type Create struct {
	Actor      domain.Actor
	At         time.Time
	BoardID    string
	RetroID    string
	TeamID     string
	Topic      Topic
	TemplateID string
	Title      string
	// Seed asks for the board's first content (its title and template's
	// prompts) to be stored by the server: a board the server creates, not
	// one a client made and will sync.
	Seed bool
}

// Rename changes an open board's title.
type Rename struct {
	Actor domain.Actor
	At    time.Time
	Title string
}

// Archive closes a board: its metadata stays, its document stops syncing.
type Archive struct {
	Actor domain.Actor
	At    time.Time
}

// Restore opens an archived board again.
type Restore struct {
	Actor domain.Actor
	At    time.Time
}

func (Create) isCommand()  {}
func (Rename) isCommand()  {}
func (Archive) isCommand() {}
func (Restore) isCommand() {}

// Commands lists one value of every board command type, once: what tests hold
// every switch over the commands to, and what a new command type must be
// added to.
func Commands() []Command {
	return []Command{
		Create{}, Rename{}, Archive{}, Restore{},
		StartWriting{}, OpenNotes{}, RevealNotes{},
	}
}
