package sharelink_test

import (
	"testing"

	"github.com/hindsight-retro/hindsight/domain/decidertest"
	"github.com/hindsight-retro/hindsight/domain/sharelink"
)

func TestEveryEventAndCommandTypeIsListedAndKnownToTheCodecAndDecide(t *testing.T) {
	decidertest.Covers(t, sharelink.Decider(), sharelink.Events(), sharelink.Commands(), sharelink.EncodeEvent, sharelink.DecodeEvent, sharelink.CodeUnknownCommand)
}
