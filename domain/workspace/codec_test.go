package workspace_test

import (
	"reflect"
	"testing"

	"github.com/hindsight-retro/hindsight/domain/workspace"
)

func TestEveryEventRoundTrips(t *testing.T) {
	for _, e := range []workspace.Event{
		workspace.WorkspaceCreated{WorkspaceID: "ws1", Name: "Acme", CreatedBy: "ada", At: t0},
		workspace.WorkspaceRenamed{Name: "Acme 2", RenamedBy: "ada", At: t0},
		workspace.WorkspaceAdminAdded{UserID: "bob", AddedBy: "ada", At: t0},
		workspace.WorkspaceAdminRemoved{UserID: "bob", RemovedBy: "ada", At: t0},
		workspace.TeamRegistered{TeamID: "t1", Name: "Platform", RegisteredBy: "ada", At: t0},
	} {
		typ, v, p, err := workspace.EncodeEvent(e)
		if err != nil {
			t.Fatalf("encode %T: %v", e, err)
		}
		got, err := workspace.DecodeEvent(typ, v, p)
		if err != nil {
			t.Fatalf("decode %s: %v", typ, err)
		}
		if !reflect.DeepEqual(got, e) {
			t.Fatalf("round trip of %s:\n got  %#v\n want %#v", typ, got, e)
		}
	}
}

func TestDecodeRejectsWhatItDoesNotKnow(t *testing.T) {
	if _, err := workspace.DecodeEvent("workspace.Nope", 1, []byte(`{}`)); err == nil {
		t.Error("unknown type decoded")
	}
	if _, err := workspace.DecodeEvent(workspace.TypeWorkspaceCreated, 9, []byte(`{}`)); err == nil {
		t.Error("unknown schema version decoded")
	}
	if _, err := workspace.DecodeEvent(workspace.TypeWorkspaceCreated, 1, []byte(`{`)); err == nil {
		t.Error("broken JSON decoded")
	}
	if _, _, _, err := workspace.EncodeEvent(nil); err == nil {
		t.Error("nil event encoded")
	}
}
