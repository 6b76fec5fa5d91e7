package board_test

import (
	"time"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/board"
	"github.com/hindsight-retro/hindsight/domain/decidertest"
)

var (
	t0  = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	t1  = t0.Add(time.Hour)
	ana = domain.Actor{UserID: "ana"}
	ben = domain.Actor{UserID: "ben"}
)

// created: ana opened board b1 on card c1 of retro r1 (team t1).
func created() []board.Event {
	return []board.Event{board.Created{BoardID: "b1", RetroID: "r1", TeamID: "t1", Topic: board.Topic{Kind: board.TopicCard, ID: "c1"},
		TemplateID: "check-in", Title: "Why did the deploy fail?", By: "ana", At: t0}}
}

// archived: board b1, then archived by ben.
func archived() []board.Event {
	return append(created(), board.Archived{By: "ben", At: t1})
}

// rejection is given, when, and the refusal: kind and code.
type rejection = decidertest.Refusal[board.Command, board.Event]

// decider is the board decider under the shared given/when/then helpers.
var decider = decidertest.For(board.Decider())
