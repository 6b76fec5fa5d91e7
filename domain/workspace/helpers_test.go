package workspace_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
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
	got, s, err := workspace.Decider().Run(given, when)
	if err != nil {
		t.Fatalf("rejected: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("events:\n got  %#v\n want %#v", got, want)
	}
	return s
}

// thenRejected runs when on given and expects a rejection of kind and code.
func thenRejected(t *testing.T, given []workspace.Event, when workspace.Command, kind domain.Kind, code string) {
	t.Helper()
	got, _, err := workspace.Decider().Run(given, when)
	var de *domain.Error
	if !errors.As(err, &de) {
		t.Fatalf("want rejection %s/%s, got events %#v, err %v", kind, code, got, err)
	}
	if de.Kind != kind || de.Code != code {
		t.Fatalf("want rejection %s/%s, got %s/%s (%s)", kind, code, de.Kind, de.Code, de.Message)
	}
}
