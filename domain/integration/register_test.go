package integration_test

import (
	"testing"

	"github.com/hindsight-retro/hindsight/domain/decidertest"
	"github.com/hindsight-retro/hindsight/domain/integration"
)

func TestEveryEventAndCommandTypeIsListedAndKnownToTheCodecAndDecide(t *testing.T) {
	decidertest.Covers(t, integration.Decider(), integration.Events(), integration.Commands(), integration.EncodeEvent, integration.DecodeEvent, integration.CodeUnknownCommand)
}
