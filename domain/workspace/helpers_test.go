package workspace_test

import (
	"time"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/decidertest"
	"github.com/hindsight-retro/hindsight/domain/workspace"
)

var (
	t0    = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	ada   = domain.Actor{UserID: "ada"}
	bob   = domain.Actor{UserID: "bob"}
	carol = domain.Actor{UserID: "carol"}
)

// created is the history of a workspace ada created.
func created() []workspace.Event {
	return []workspace.Event{workspace.WorkspaceCreated{WorkspaceID: "ws1", Name: "Acme", CreatedBy: "ada", At: t0}}
}

func given(evs ...workspace.Event) []workspace.Event { return evs }

// decider is the workspace decider under the shared given/when/then helpers.
var decider = decidertest.For(workspace.Decider())
