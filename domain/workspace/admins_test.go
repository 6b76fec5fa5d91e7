package workspace_test

import (
	"testing"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/workspace"
)

func bobIsAdmin() []workspace.Event {
	return append(created(), workspace.WorkspaceAdminAdded{UserID: "bob", AddedBy: "ada", At: t0})
}

func TestAddWorkspaceAdmin(t *testing.T) {
	s := decider.Then(t, created(),
		workspace.AddWorkspaceAdmin{Actor: ada, At: t0, UserID: "bob"},
		workspace.WorkspaceAdminAdded{UserID: "bob", AddedBy: "ada", At: t0})
	if !workspace.IsAdmin(s, "bob") {
		t.Fatal("bob is not an admin after being added")
	}
}

func TestAddWorkspaceAdminRejections(t *testing.T) {
	for name, tc := range map[string]struct {
		given []workspace.Event
		when  workspace.AddWorkspaceAdmin
		kind  domain.Kind
		code  string
	}{
		"no workspace":  {nil, workspace.AddWorkspaceAdmin{Actor: ada, UserID: "bob"}, domain.NotFound, workspace.CodeNotFound},
		"no actor":      {created(), workspace.AddWorkspaceAdmin{UserID: "bob"}, domain.Invalid, workspace.CodeActorRequired},
		"not an admin":  {created(), workspace.AddWorkspaceAdmin{Actor: bob, UserID: "bob"}, domain.Forbidden, workspace.CodeNotAdmin},
		"no user":       {created(), workspace.AddWorkspaceAdmin{Actor: ada}, domain.Invalid, workspace.CodeUserIDRequired},
		"already admin": {bobIsAdmin(), workspace.AddWorkspaceAdmin{Actor: ada, UserID: "bob"}, domain.Conflict, workspace.CodeAlreadyAdmin},
	} {
		t.Run(name, func(t *testing.T) { decider.Refused(t, tc.given, tc.when, tc.kind, tc.code) })
	}
}

// Every admin of a workspace has left: the operator names a new one.
func TestTheOperatorMayNameAWorkspaceAdminWithoutBeingOne(t *testing.T) {
	operator := domain.Actor{UserID: "operator"}
	s := decider.Then(t, created(),
		workspace.AddWorkspaceAdmin{Actor: operator, At: t0, UserID: "bob", ByOperator: true},
		workspace.WorkspaceAdminAdded{UserID: "bob", AddedBy: "operator", At: t0, ByOperator: true})
	if !workspace.IsAdmin(s, "bob") || workspace.IsAdmin(s, "operator") {
		t.Fatalf("admins after the operator named bob: %v", s.Admins)
	}
	for name, tc := range map[string]struct {
		given []workspace.Event
		when  workspace.AddWorkspaceAdmin
		kind  domain.Kind
		code  string
	}{
		"no workspace":  {nil, workspace.AddWorkspaceAdmin{Actor: operator, UserID: "bob", ByOperator: true}, domain.NotFound, workspace.CodeNotFound},
		"no operator":   {created(), workspace.AddWorkspaceAdmin{UserID: "bob", ByOperator: true}, domain.Invalid, workspace.CodeActorRequired},
		"already admin": {bobIsAdmin(), workspace.AddWorkspaceAdmin{Actor: operator, UserID: "bob", ByOperator: true}, domain.Conflict, workspace.CodeAlreadyAdmin},
	} {
		t.Run(name, func(t *testing.T) { decider.Refused(t, tc.given, tc.when, tc.kind, tc.code) })
	}
}

func TestRemoveWorkspaceAdmin(t *testing.T) {
	s := decider.Then(t, bobIsAdmin(),
		workspace.RemoveWorkspaceAdmin{Actor: bob, At: t0, UserID: "ada"},
		workspace.WorkspaceAdminRemoved{UserID: "ada", RemovedBy: "bob", At: t0})
	if workspace.IsAdmin(s, "ada") {
		t.Fatal("ada is still an admin after being removed")
	}
}

func TestAnAdminMayStepDownWhileAnotherRemains(t *testing.T) {
	decider.Then(t, bobIsAdmin(),
		workspace.RemoveWorkspaceAdmin{Actor: bob, At: t0, UserID: "bob"},
		workspace.WorkspaceAdminRemoved{UserID: "bob", RemovedBy: "bob", At: t0})
}

func TestRemoveWorkspaceAdminRejections(t *testing.T) {
	for name, tc := range map[string]struct {
		given []workspace.Event
		when  workspace.RemoveWorkspaceAdmin
		kind  domain.Kind
		code  string
	}{
		"no workspace":     {nil, workspace.RemoveWorkspaceAdmin{Actor: ada, UserID: "ada"}, domain.NotFound, workspace.CodeNotFound},
		"no actor":         {bobIsAdmin(), workspace.RemoveWorkspaceAdmin{UserID: "bob"}, domain.Invalid, workspace.CodeActorRequired},
		"not an admin":     {bobIsAdmin(), workspace.RemoveWorkspaceAdmin{Actor: carol, UserID: "bob"}, domain.Forbidden, workspace.CodeNotAdmin},
		"no user":          {bobIsAdmin(), workspace.RemoveWorkspaceAdmin{Actor: ada}, domain.Invalid, workspace.CodeUserIDRequired},
		"target not admin": {bobIsAdmin(), workspace.RemoveWorkspaceAdmin{Actor: ada, UserID: "carol"}, domain.NotFound, workspace.CodeNotAnAdmin},
		"last admin":       {created(), workspace.RemoveWorkspaceAdmin{Actor: ada, UserID: "ada"}, domain.Conflict, workspace.CodeLastAdmin},
	} {
		t.Run(name, func(t *testing.T) { decider.Refused(t, tc.given, tc.when, tc.kind, tc.code) })
	}
}
