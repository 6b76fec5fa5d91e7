package mailfailure_test

import (
	"testing"

	"github.com/hindsight-retro/hindsight/domain/decidertest"
	"github.com/hindsight-retro/hindsight/domain/mailfailure"
)

func TestEveryEventAndCommandTypeIsListedAndKnownToTheCodecAndDecide(t *testing.T) {
	decidertest.Covers(t, mailfailure.Decider(), mailfailure.Events(), mailfailure.Commands(), mailfailure.EncodeEvent, mailfailure.DecodeEvent, mailfailure.CodeUnknownCommand)
}
