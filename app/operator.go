package app

import (
	"context"
	"fmt"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/workspace"
	"github.com/hindsight-retro/hindsight/eventstore/aggregate"
)

// OperatorAddWorkspaceAdmin names userID an admin of the workspace on the
// installation operator's word (`hindsight admin add-workspace-admin`):
// the operator has the log in hand and needs no role in the workspace, for
// instance when all its admins have left. operator names them in the log.
// No HTTP route leads here.
func (a *App) OperatorAddWorkspaceAdmin(ctx context.Context, operator, cmdID, workspaceID, userID string) (Result, error) {
	if cmdID == "" || operator == "" {
		return Result{}, invalidInput("command-id-required", "an operator and a command ID are required")
	}
	if _, _, err := a.loadWorkspace(ctx, workspaceID); err != nil {
		return Result{}, err
	}
	r, err := a.workspaces.Handle(ctx, workspaceID, aggregate.Meta{CommandID: cmdID, Actor: operator},
		workspace.AddWorkspaceAdmin{Actor: domain.Actor{UserID: operator}, At: a.now(), UserID: userID, ByOperator: true})
	if err != nil {
		return Result{}, fmt.Errorf("workspace %s: %w", workspaceID, err)
	}
	return Result{StreamVersion: r.Version, Position: r.Position, Duplicate: r.Duplicate}, nil
}
