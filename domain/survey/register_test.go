package survey_test

import (
	"testing"

	"github.com/hindsight-retro/hindsight/domain/decidertest"
	"github.com/hindsight-retro/hindsight/domain/survey"
)

func TestEveryEventAndCommandTypeIsListedAndKnownToTheCodecAndDecide(t *testing.T) {
	decidertest.Covers(t, survey.Decider(), survey.Events(), survey.Commands(), survey.EncodeEvent, survey.DecodeEvent, survey.CodeUnknownCommand)
}
