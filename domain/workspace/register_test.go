package workspace_test

import (
	"testing"

	"github.com/hindsight-retro/hindsight/domain/decidertest"
	"github.com/hindsight-retro/hindsight/domain/workspace"
)

func TestEveryEventAndCommandTypeIsListedAndKnownToTheCodecAndDecide(t *testing.T) {
	decidertest.Covers(t, workspace.Decider(), workspace.Events(), workspace.Commands(), workspace.EncodeEvent, workspace.DecodeEvent, workspace.CodeUnknownCommand)
}
