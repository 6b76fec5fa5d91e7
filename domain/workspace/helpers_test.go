package workspace_test

import (
	"testing"
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

// thenEvents runs when on given and expects exactly want.
func thenEvents(t *testing.T, given []workspace.Event, when workspace.Command, want ...workspace.Event) workspace.State {
	t.Helper()
	return decidertest.Then(t, workspace.Decider(), given, when, want...)
}

// thenRejected runs when on given and expects a rejection of kind and code.
func thenRejected(t *testing.T, given []workspace.Event, when workspace.Command, kind domain.Kind, code string) {
	t.Helper()
	decidertest.Refused(t, workspace.Decider(), given, when, kind, code)
}
