// Package board is the whiteboard metadata aggregate, as a pure decider:
// which retro and topic a board belongs to, the template it started from,
// its title, and whether it is archived. The board's content is the Automerge
// document of the same ID, synced and stored by package collab; this is only
// what the rest of the application needs to know about it (who may open it,
// where it appears). Streams: whiteboard-<board ID>, the board ID being the
// document's automerge ID.
package board

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Category is the stream category of the aggregate.
const Category = "whiteboard"

// TopicKind says what a board was opened for.
type TopicKind string

const (
	TopicStep   TopicKind = "step"   // a retro step (check-in, team building, ...)
	TopicCard   TopicKind = "card"   // one card
	TopicGroup  TopicKind = "group"  // a group of cards
	TopicAction TopicKind = "action" // an action item
)

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
}

// Commands. Actor and At come from the application, never from the client.
type (
	Create struct {
		BoardID, RetroID, TeamID string
		Topic                    Topic
		TemplateID, Title        string
		Actor                    string
		At                       time.Time
	}
	Rename struct {
		Title string
		Actor string
		At    time.Time
	}
	Archive struct {
		Actor string
		At    time.Time
	}
	Restore struct {
		Actor string
		At    time.Time
	}
)

// Events, in the past tense.
type (
	Created struct {
		BoardID    string    `json:"boardId"`
		RetroID    string    `json:"retroId"`
		TeamID     string    `json:"teamId"`
		Topic      Topic     `json:"topic"`
		TemplateID string    `json:"templateId,omitempty"`
		Title      string    `json:"title"`
		By         string    `json:"by"`
		At         time.Time `json:"at"`
	}
	Renamed struct {
		Title string    `json:"title"`
		By    string    `json:"by"`
		At    time.Time `json:"at"`
	}
	Archived struct {
		By string    `json:"by"`
		At time.Time `json:"at"`
	}
	Restored struct {
		By string    `json:"by"`
		At time.Time `json:"at"`
	}
)

// Event type names in the log.
const (
	TypeCreated  = "WhiteboardCreated"
	TypeRenamed  = "WhiteboardRenamed"
	TypeArchived = "WhiteboardArchived"
	TypeRestored = "WhiteboardRestored"
)

// Rejection kinds, matching the domain's (invalid, not found, conflict).
var (
	ErrInvalid  = errors.New("invalid")
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict")
)

const maxTitle = 200

// Decide turns a command into events given the board's state.
func Decide(s State, cmd any) ([]any, error) {
	switch c := cmd.(type) {
	case Create:
		if s.Exists {
			return nil, fmt.Errorf("%w: board %s exists already", ErrConflict, s.BoardID)
		}
		if c.BoardID == "" || (c.RetroID == "" && c.TeamID == "") || c.Actor == "" {
			return nil, fmt.Errorf("%w: a board needs an ID, a retro or a team, and an actor", ErrInvalid)
		}
		if c.RetroID == "" {
			// A team's standalone board (a check-in, a team-building
			// session) belongs to no retro and so to no topic in one.
			if c.Topic != (Topic{}) {
				return nil, fmt.Errorf("%w: a topic needs a retro", ErrInvalid)
			}
		} else {
			switch c.Topic.Kind {
			case TopicStep, TopicCard, TopicGroup, TopicAction:
			default:
				return nil, fmt.Errorf("%w: unknown topic kind %q", ErrInvalid, c.Topic.Kind)
			}
			if c.Topic.ID == "" {
				return nil, fmt.Errorf("%w: the topic needs an ID", ErrInvalid)
			}
		}
		if c.TemplateID != "" {
			if _, ok := TemplateByID(c.TemplateID); !ok {
				return nil, fmt.Errorf("%w: unknown whiteboard template %q", ErrInvalid, c.TemplateID)
			}
		}
		title, err := checkTitle(c.Title)
		if err != nil {
			return nil, err
		}
		return []any{Created{BoardID: c.BoardID, RetroID: c.RetroID, TeamID: c.TeamID, Topic: c.Topic, TemplateID: c.TemplateID, Title: title, By: c.Actor, At: c.At}}, nil
	case Rename:
		if err := requireOpen(s); err != nil {
			return nil, err
		}
		title, err := checkTitle(c.Title)
		if err != nil {
			return nil, err
		}
		if title == s.Title {
			return nil, nil
		}
		return []any{Renamed{Title: title, By: c.Actor, At: c.At}}, nil
	case Archive:
		if !s.Exists {
			return nil, fmt.Errorf("%w: no such board", ErrNotFound)
		}
		if s.Archived {
			return nil, nil // archiving twice changes nothing
		}
		return []any{Archived{By: c.Actor, At: c.At}}, nil
	case Restore:
		if !s.Exists {
			return nil, fmt.Errorf("%w: no such board", ErrNotFound)
		}
		if !s.Archived {
			return nil, nil
		}
		return []any{Restored{By: c.Actor, At: c.At}}, nil
	}
	return nil, fmt.Errorf("%w: unknown command %T", ErrInvalid, cmd)
}

func requireOpen(s State) error {
	if !s.Exists {
		return fmt.Errorf("%w: no such board", ErrNotFound)
	}
	if s.Archived {
		return fmt.Errorf("%w: the board is archived", ErrConflict)
	}
	return nil
}

func checkTitle(t string) (string, error) {
	t = strings.TrimSpace(t)
	if t == "" || utf8.RuneCountInString(t) > maxTitle || !utf8.ValidString(t) {
		return "", fmt.Errorf("%w: a title is 1 to %d characters", ErrInvalid, maxTitle)
	}
	return t, nil
}

// Evolve folds one event into the state.
func Evolve(s State, e any) State {
	switch e := e.(type) {
	case Created:
		return State{Exists: true, BoardID: e.BoardID, RetroID: e.RetroID, TeamID: e.TeamID, Topic: e.Topic, TemplateID: e.TemplateID, Title: e.Title, CreatedBy: e.By}
	case Renamed:
		s.Title = e.Title
	case Archived:
		s.Archived = true
	case Restored:
		s.Archived = false
	}
	return s
}

// Encode names an event and writes it as JSON for the log.
func Encode(e any) (typ string, payload []byte, err error) {
	switch e.(type) {
	case Created:
		typ = TypeCreated
	case Renamed:
		typ = TypeRenamed
	case Archived:
		typ = TypeArchived
	case Restored:
		typ = TypeRestored
	default:
		return "", nil, fmt.Errorf("board: cannot encode %T", e)
	}
	payload, err = json.Marshal(e)
	return typ, payload, err
}

// Decode reads an event back from the log.
func Decode(typ string, payload []byte) (any, error) {
	var e any
	var err error
	switch typ {
	case TypeCreated:
		var v Created
		err, e = json.Unmarshal(payload, &v), &v
	case TypeRenamed:
		var v Renamed
		err, e = json.Unmarshal(payload, &v), &v
	case TypeArchived:
		var v Archived
		err, e = json.Unmarshal(payload, &v), &v
	case TypeRestored:
		var v Restored
		err, e = json.Unmarshal(payload, &v), &v
	default:
		return nil, fmt.Errorf("board: unknown event type %q", typ)
	}
	if err != nil {
		return nil, fmt.Errorf("board: decode %s: %w", typ, err)
	}
	switch v := e.(type) {
	case *Created:
		return *v, nil
	case *Renamed:
		return *v, nil
	case *Archived:
		return *v, nil
	default:
		return *e.(*Restored), nil
	}
}
