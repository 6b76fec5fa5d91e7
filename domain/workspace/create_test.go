package workspace_test

import (
	"strings"
	"testing"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/workspace"
)

func TestCreateWorkspaceMakesTheCreatorItsFirstAdmin(t *testing.T) {
	s := decider.Then(t, nil,
		workspace.CreateWorkspace{Actor: ada, At: t0, WorkspaceID: "ws1", Name: "  Acme  "},
		workspace.WorkspaceCreated{WorkspaceID: "ws1", Name: "Acme", CreatedBy: "ada", At: t0})
	if !workspace.IsAdmin(s, "ada") || workspace.IsAdmin(s, "bob") {
		t.Fatalf("admins = %v, want only ada", s.Admins)
	}
}

func TestCreateWorkspaceRejections(t *testing.T) {
	long := strings.Repeat("x", workspace.MaxNameLength+1)
	for name, tc := range map[string]struct {
		given []workspace.Event
		when  workspace.CreateWorkspace
		kind  domain.Kind
		code  string
	}{
		"already exists": {created(), workspace.CreateWorkspace{Actor: bob, At: t0, WorkspaceID: "ws1", Name: "Other"}, domain.Conflict, workspace.CodeAlreadyExists},
		"no ID":          {nil, workspace.CreateWorkspace{Actor: ada, At: t0, Name: "Acme"}, domain.Invalid, workspace.CodeIDRequired},
		"no actor":       {nil, workspace.CreateWorkspace{At: t0, WorkspaceID: "ws1", Name: "Acme"}, domain.Invalid, workspace.CodeActorRequired},
		"blank name":     {nil, workspace.CreateWorkspace{Actor: ada, At: t0, WorkspaceID: "ws1", Name: "   "}, domain.Invalid, workspace.CodeNameRequired},
		"long name":      {nil, workspace.CreateWorkspace{Actor: ada, At: t0, WorkspaceID: "ws1", Name: long}, domain.Invalid, workspace.CodeNameTooLong},
	} {
		t.Run(name, func(t *testing.T) { decider.Refused(t, tc.given, tc.when, tc.kind, tc.code) })
	}
}

func TestRenameWorkspace(t *testing.T) {
	s := decider.Then(t, created(),
		workspace.RenameWorkspace{Actor: ada, At: t0, Name: "Acme Corp"},
		workspace.WorkspaceRenamed{Name: "Acme Corp", RenamedBy: "ada", At: t0})
	if s.Name != "Acme Corp" {
		t.Fatalf("name = %q", s.Name)
	}
}

func TestRenameWorkspaceRejections(t *testing.T) {
	for name, tc := range map[string]struct {
		given []workspace.Event
		when  workspace.RenameWorkspace
		kind  domain.Kind
		code  string
	}{
		"no workspace": {nil, workspace.RenameWorkspace{Actor: ada, Name: "X"}, domain.NotFound, workspace.CodeNotFound},
		"no actor":     {created(), workspace.RenameWorkspace{Name: "X"}, domain.Invalid, workspace.CodeActorRequired},
		"not an admin": {created(), workspace.RenameWorkspace{Actor: bob, Name: "X"}, domain.Forbidden, workspace.CodeNotAdmin},
		"blank name":   {created(), workspace.RenameWorkspace{Actor: ada, Name: ""}, domain.Invalid, workspace.CodeNameRequired},
		"long name":    {created(), workspace.RenameWorkspace{Actor: ada, Name: strings.Repeat("é", 101)}, domain.Invalid, workspace.CodeNameTooLong},
		"same name":    {created(), workspace.RenameWorkspace{Actor: ada, Name: "Acme"}, domain.Conflict, workspace.CodeNameUnchanged},
	} {
		t.Run(name, func(t *testing.T) { decider.Refused(t, tc.given, tc.when, tc.kind, tc.code) })
	}
}
