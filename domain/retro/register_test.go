package retro_test

import (
	"testing"

	"github.com/hindsight-retro/hindsight/domain/decidertest"
	"github.com/hindsight-retro/hindsight/domain/retro"
)

func TestEveryEventAndCommandTypeIsListedAndKnownToTheCodecAndDecide(t *testing.T) {
	decidertest.Covers(t, retro.Decider(), retro.Events(), retro.Commands(), retro.EncodeEvent, retro.DecodeEvent, retro.CodeUnknownCommand)
}
