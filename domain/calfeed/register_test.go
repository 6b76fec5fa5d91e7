package calfeed_test

import (
	"testing"

	"github.com/hindsight-retro/hindsight/domain/calfeed"
	"github.com/hindsight-retro/hindsight/domain/decidertest"
)

func TestEveryEventAndCommandTypeIsListedAndKnownToTheCodecAndDecide(t *testing.T) {
	decidertest.Covers(t, calfeed.Decider(), calfeed.Events(), calfeed.Commands(), calfeed.EncodeEvent, calfeed.DecodeEvent, calfeed.CodeUnknownCommand)
}
