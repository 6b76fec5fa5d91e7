package board_test

import (
	"testing"

	"github.com/hindsight-retro/hindsight/domain/board"
	"github.com/hindsight-retro/hindsight/domain/decidertest"
)

func TestEveryEventAndCommandTypeIsListedAndKnownToTheCodecAndDecide(t *testing.T) {
	decidertest.Covers(t, board.Decider(), board.Events(), board.Commands(), board.EncodeEvent, board.DecodeEvent, board.CodeUnknownCommand)
}
