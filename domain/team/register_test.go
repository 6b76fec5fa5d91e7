package team_test

import (
	"testing"

	"github.com/hindsight-retro/hindsight/domain/decidertest"
	"github.com/hindsight-retro/hindsight/domain/team"
)

func TestEveryEventAndCommandTypeIsListedAndKnownToTheCodecAndDecide(t *testing.T) {
	decidertest.Covers(t, team.Decider(), team.Events(), team.Commands(), team.EncodeEvent, team.DecodeEvent, team.CodeUnknownCommand)
}
