package library_test

import (
	"testing"

	"github.com/hindsight-retro/hindsight/domain/decidertest"
	"github.com/hindsight-retro/hindsight/domain/library"
)

func TestEveryEventAndCommandTypeIsListedAndKnownToTheCodecAndDecide(t *testing.T) {
	decidertest.Covers(t, library.Decider(), library.Events(), library.Commands(), library.EncodeEvent, library.DecodeEvent, library.CodeUnknownCommand)
}
