package schedule_test

import (
	"testing"

	"github.com/hindsight-retro/hindsight/domain/decidertest"
	"github.com/hindsight-retro/hindsight/domain/schedule"
)

func TestEveryEventAndCommandTypeIsListedAndKnownToTheCodecAndDecide(t *testing.T) {
	decidertest.Covers(t, schedule.Decider(), schedule.Events(), schedule.Commands(), schedule.EncodeEvent, schedule.DecodeEvent, schedule.CodeUnknownCommand)
}
