package app

import (
	"context"
	"fmt"

	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/workspace"
	"github.com/hindsight-retro/hindsight/eventstore/aggregate"
)

// WorkspaceInput names a workspace.
type WorkspaceInput struct{ Name string }

// CreateWorkspace creates a workspace; the caller becomes its first admin.
// Result.ID is the new workspace's ID.
func (a *App) CreateWorkspace(ctx context.Context, c identity.Caller, in WorkspaceInput) (Result, error) {
	if err := commandGate(c); err != nil {
		return Result{}, err
	}
	if err := notGuest(c.Principal); err != nil {
		return Result{}, err
	}
	id, err := a.claimID(ctx, workspace.Category, c.Principal.UserID, c.CommandID)
	if err != nil {
		return Result{}, err
	}
	if identity.IsQuickPerson(c.Principal.UserID) {
		// Their own quick retro's workspace is sealed before it is made;
		// any other would keep their texts in clear after their expiry.
		if _, quick, err := a.quickRetroOf(ctx, id); err != nil {
			return Result{}, err
		} else if !quick {
			return Result{}, domain.Errorf(domain.Forbidden, CodeQuickRetroUnclaimed,
				"a quick retro's starter has no account, and a workspace of theirs would outlive the quick retro: sign up, and claim the quick retro into your account first")
		}
	}
	res, err := a.workspaceCommand(ctx, c, id, workspace.CreateWorkspace{
		Actor: domain.Actor{UserID: c.Principal.UserID}, At: a.now(), WorkspaceID: id, Name: in.Name,
	})
	if err != nil {
		return Result{}, err
	}
	res.ID = id
	return res, nil
}

// RenameWorkspace renames a workspace (workspace admins only).
func (a *App) RenameWorkspace(ctx context.Context, c identity.Caller, workspaceID string, in WorkspaceInput) (Result, error) {
	return a.onWorkspace(ctx, c, workspaceID, func(actor domain.Actor) workspace.Command {
		return workspace.RenameWorkspace{Actor: actor, At: a.now(), Name: in.Name}
	})
}

// AddWorkspaceAdmin names another workspace admin (workspace admins only).
func (a *App) AddWorkspaceAdmin(ctx context.Context, c identity.Caller, workspaceID string, who Person) (Result, error) {
	return a.onWorkspace(ctx, c, workspaceID, func(actor domain.Actor) workspace.Command {
		return workspace.AddWorkspaceAdmin{Actor: actor, At: a.now(), UserID: who.UserID}
	})
}

// RemoveWorkspaceAdmin takes the admin role from someone; the last admin stays.
func (a *App) RemoveWorkspaceAdmin(ctx context.Context, c identity.Caller, workspaceID string, who Person) (Result, error) {
	return a.onWorkspace(ctx, c, workspaceID, func(actor domain.Actor) workspace.Command {
		return workspace.RemoveWorkspaceAdmin{Actor: actor, At: a.now(), UserID: who.UserID}
	})
}

// onWorkspace runs a command on an existing workspace. Who may is the
// decider's rule (admins only), checked against the workspace's own state.
func (a *App) onWorkspace(ctx context.Context, c identity.Caller, workspaceID string, build func(domain.Actor) workspace.Command) (Result, error) {
	if err := commandGate(c); err != nil {
		return Result{}, err
	}
	if err := notGuest(c.Principal); err != nil {
		return Result{}, err
	}
	if _, err := a.visibleWorkspace(ctx, c.Principal, workspaceID); err != nil {
		return Result{}, err
	}
	return a.workspaceCommand(ctx, c, workspaceID, build(domain.Actor{UserID: c.Principal.UserID}))
}

func (a *App) workspaceCommand(ctx context.Context, c identity.Caller, id string, cmd workspace.Command) (Result, error) {
	r, err := a.workspaces.Handle(ctx, id, aggregate.Meta{CommandID: c.CommandID, Actor: c.Principal.UserID}, cmd)
	if err != nil {
		return Result{}, fmt.Errorf("workspace %s: %w", id, err)
	}
	return Result{StreamVersion: r.Version, Position: r.Position, Duplicate: r.Duplicate}, nil
}
