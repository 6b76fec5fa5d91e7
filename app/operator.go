package app

import (
	"context"
	"fmt"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/workspace"
	"github.com/hindsight-retro/hindsight/eventstore/aggregate"
)

// Operator is the caller of the installation operator's commands, which no
// HTTP route leads to: the operator has the log in hand and no principal;
// Name is who the log records them as.
type Operator struct {
	Name      string
	CommandID string
}

// OperatorAddWorkspaceAdmin names someone an admin of the workspace on the
// installation operator's word (`hindsight admin add-workspace-admin`):
// the operator needs no role in the workspace, for instance when all its
// admins have left.
func (a *App) OperatorAddWorkspaceAdmin(ctx context.Context, op Operator, workspaceID string, who Person) (Result, error) {
	if op.CommandID == "" || op.Name == "" {
		return Result{}, domain.Errorf(domain.Invalid, "command-id-required", "an operator and a command ID are required")
	}
	if _, _, err := a.loadWorkspace(ctx, workspaceID); err != nil {
		return Result{}, err
	}
	r, err := a.workspaces.Handle(ctx, workspaceID, aggregate.Meta{CommandID: op.CommandID, Actor: op.Name},
		workspace.AddWorkspaceAdmin{Actor: domain.Actor{UserID: op.Name}, At: a.now(), UserID: who.UserID, ByOperator: true})
	if err != nil {
		return Result{}, fmt.Errorf("workspace %s: %w", workspaceID, err)
	}
	return Result{StreamVersion: r.Version, Position: r.Position, Duplicate: r.Duplicate}, nil
}
