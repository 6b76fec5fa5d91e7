package app

import (
	"context"
	"fmt"

	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/workspace"
	"github.com/hindsight-retro/hindsight/eventstore/aggregate"
)

// CreateWorkspace creates a workspace; the principal becomes its first admin.
// Result.ID is the new workspace's ID.
func (a *App) CreateWorkspace(ctx context.Context, p identity.Principal, cmdID, name string) (Result, error) {
	if err := commandGate(p, cmdID); err != nil {
		return Result{}, err
	}
	if err := notGuest(p); err != nil {
		return Result{}, err
	}
	id, err := a.claimID(ctx, workspace.Category, p.UserID, cmdID)
	if err != nil {
		return Result{}, err
	}
	res, err := a.workspaceCommand(ctx, p, id, cmdID, workspace.CreateWorkspace{
		Actor: domain.Actor{UserID: p.UserID}, At: a.now(), WorkspaceID: id, Name: name,
	})
	if err != nil {
		return Result{}, err
	}
	res.ID = id
	return res, nil
}

// RenameWorkspace renames a workspace (workspace admins only).
func (a *App) RenameWorkspace(ctx context.Context, p identity.Principal, cmdID, workspaceID, name string) (Result, error) {
	return a.onWorkspace(ctx, p, cmdID, workspaceID, func(actor domain.Actor) workspace.Command {
		return workspace.RenameWorkspace{Actor: actor, At: a.now(), Name: name}
	})
}

// AddWorkspaceAdmin names another workspace admin (workspace admins only).
func (a *App) AddWorkspaceAdmin(ctx context.Context, p identity.Principal, cmdID, workspaceID, userID string) (Result, error) {
	return a.onWorkspace(ctx, p, cmdID, workspaceID, func(actor domain.Actor) workspace.Command {
		return workspace.AddWorkspaceAdmin{Actor: actor, At: a.now(), UserID: userID}
	})
}

// RemoveWorkspaceAdmin takes the admin role from someone; the last admin stays.
func (a *App) RemoveWorkspaceAdmin(ctx context.Context, p identity.Principal, cmdID, workspaceID, userID string) (Result, error) {
	return a.onWorkspace(ctx, p, cmdID, workspaceID, func(actor domain.Actor) workspace.Command {
		return workspace.RemoveWorkspaceAdmin{Actor: actor, At: a.now(), UserID: userID}
	})
}

// onWorkspace runs a command on an existing workspace. Who may is the
// decider's rule (admins only), checked against the workspace's own state.
func (a *App) onWorkspace(ctx context.Context, p identity.Principal, cmdID, workspaceID string, build func(domain.Actor) workspace.Command) (Result, error) {
	if err := commandGate(p, cmdID); err != nil {
		return Result{}, err
	}
	if err := notGuest(p); err != nil {
		return Result{}, err
	}
	if _, err := a.visibleWorkspace(ctx, p, workspaceID); err != nil {
		return Result{}, err
	}
	return a.workspaceCommand(ctx, p, workspaceID, cmdID, build(domain.Actor{UserID: p.UserID}))
}

func (a *App) workspaceCommand(ctx context.Context, p identity.Principal, id, cmdID string, c workspace.Command) (Result, error) {
	r, err := a.workspaces.Handle(ctx, id, aggregate.Meta{CommandID: cmdID, Actor: p.UserID}, c)
	if err != nil {
		return Result{}, fmt.Errorf("workspace %s: %w", id, err)
	}
	return Result{StreamVersion: r.Version, Position: r.Position, Duplicate: r.Duplicate}, nil
}
