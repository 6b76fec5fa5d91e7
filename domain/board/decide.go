package board

import (
	"strings"
	"unicode/utf8"

	"github.com/hindsight-retro/hindsight/domain"
)

// MaxTitleLength is the longest title, in characters.
const MaxTitleLength = 200

// Rejection codes, stable for clients.
const (
	CodeUnknownCommand    = "unknown-command"
	CodeActorRequired     = "actor-required"
	CodeIDRequired        = "id-required"
	CodeOwnerRequired     = "retro-or-team-required"
	CodeTopicWithoutRetro = "topic-without-retro"
	CodeUnknownTopicKind  = "unknown-topic-kind"
	CodeTopicIDRequired   = "topic-id-required"
	CodeUnknownTemplate   = "unknown-whiteboard-template"
	CodeTitleRequired     = "title-required"
	CodeTitleTooLong      = "title-too-long"
	CodeTitleNotText      = "title-not-utf8"
	CodeExists            = "whiteboard-exists"
	CodeNotFound          = "whiteboard-not-found"
	CodeArchived          = "whiteboard-archived"
)

// Decide turns a command into events, or rejects it with a *domain.Error.
func Decide(s State, c Command) ([]Event, error) {
	switch c := c.(type) {
	case Create:
		return decideCreate(s, c)
	case Rename:
		if err := requireOpen(s, c.Actor); err != nil {
			return nil, err
		}
		title, err := checkTitle(c.Title)
		if err != nil {
			return nil, err
		}
		if title == s.Title {
			return nil, nil
		}
		return []Event{Renamed{Title: title, By: c.Actor.UserID, At: c.At}}, nil
	case Archive:
		if err := requireBoard(s, c.Actor); err != nil {
			return nil, err
		}
		if s.Archived {
			return nil, nil // archiving twice changes nothing
		}
		return []Event{Archived{By: c.Actor.UserID, At: c.At}}, nil
	case Restore:
		if err := requireBoard(s, c.Actor); err != nil {
			return nil, err
		}
		if !s.Archived {
			return nil, nil
		}
		return []Event{Restored{By: c.Actor.UserID, At: c.At}}, nil
	case StartWriting:
		return decideStartWriting(s, c)
	case OpenNotes:
		return decideOpenNotes(s, c)
	case RevealNotes:
		return decideRevealNotes(s, c)
	}
	return nil, domain.Errorf(domain.Invalid, CodeUnknownCommand, "unknown whiteboard command %T", c)
}

func decideCreate(s State, c Create) ([]Event, error) {
	if s.Exists {
		return nil, domain.Errorf(domain.Conflict, CodeExists, "whiteboard %s exists already", s.BoardID)
	}
	if c.Actor.UserID == "" {
		return nil, domain.Errorf(domain.Invalid, CodeActorRequired, "the acting user is missing")
	}
	if c.BoardID == "" {
		return nil, domain.Errorf(domain.Invalid, CodeIDRequired, "a whiteboard needs an ID")
	}
	if c.RetroID == "" && c.TeamID == "" {
		return nil, domain.Errorf(domain.Invalid, CodeOwnerRequired, "a whiteboard belongs to a retro or a team")
	}
	if c.RetroID == "" {
		// A team's standalone board (a check-in, a team-building session)
		// belongs to no retro and so to no topic in one.
		if c.Topic != (Topic{}) {
			return nil, domain.Errorf(domain.Invalid, CodeTopicWithoutRetro, "a topic needs a retro")
		}
	} else {
		if !c.Topic.Kind.Valid() {
			return nil, domain.Errorf(domain.Invalid, CodeUnknownTopicKind, "unknown topic kind %q", c.Topic.Kind)
		}
		if c.Topic.ID == "" {
			return nil, domain.Errorf(domain.Invalid, CodeTopicIDRequired, "the topic needs an ID")
		}
	}
	if c.TemplateID != "" {
		if _, ok := TemplateByID(c.TemplateID); !ok {
			return nil, domain.Errorf(domain.Invalid, CodeUnknownTemplate, "unknown whiteboard template %q", c.TemplateID)
		}
	}
	title, err := checkTitle(c.Title)
	if err != nil {
		return nil, err
	}
	return []Event{Created{BoardID: c.BoardID, RetroID: c.RetroID, TeamID: c.TeamID, Topic: c.Topic,
		TemplateID: c.TemplateID, Title: title, By: c.Actor.UserID, At: c.At, Seed: c.Seed}}, nil
}

func requireBoard(s State, a domain.Actor) error {
	if !s.Exists {
		return domain.Errorf(domain.NotFound, CodeNotFound, "no such whiteboard")
	}
	if a.UserID == "" {
		return domain.Errorf(domain.Invalid, CodeActorRequired, "the acting user is missing")
	}
	return nil
}

func requireOpen(s State, a domain.Actor) error {
	if err := requireBoard(s, a); err != nil {
		return err
	}
	if s.Archived {
		return domain.Errorf(domain.Conflict, CodeArchived, "the whiteboard is archived")
	}
	return nil
}

func checkTitle(t string) (string, error) {
	if !utf8.ValidString(t) {
		return "", domain.Errorf(domain.Invalid, CodeTitleNotText, "a title is text (UTF-8)")
	}
	t = strings.TrimSpace(t)
	switch {
	case t == "":
		return "", domain.Errorf(domain.Invalid, CodeTitleRequired, "a title is required")
	case utf8.RuneCountInString(t) > MaxTitleLength:
		return "", domain.Errorf(domain.Invalid, CodeTitleTooLong, "a title is at most %d characters", MaxTitleLength)
	}
	return t, nil
}
