package app

import (
	"context"
	"fmt"
	"time"

	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/domain/workspace"
	"github.com/hindsight-retro/hindsight/eventstore/aggregate"
)

// CreateTeamInput is what a new team is made of.
type CreateTeamInput struct {
	WorkspaceID string `json:"workspaceId"`
	Name        string `json:"name"`
	// TemplateID names a catalogue team template (health pack, default
	// retro template).
	TemplateID string `json:"templateId"`
	// FirstAdminID is who runs the team; empty means the creator.
	FirstAdminID string `json:"firstAdminId,omitempty"`
}

// CreateTeam creates a team in a workspace (workspace admins only): it is
// registered in the workspace, then its own stream is created. Result.ID
// is the team's ID; Result's version and position are the team stream's.
// A retry after a failure between the two steps completes the second.
func (a *App) CreateTeam(ctx context.Context, p identity.Principal, cmdID string, in CreateTeamInput) (Result, error) {
	if err := commandGate(p, cmdID); err != nil {
		return Result{}, err
	}
	if err := notGuest(p); err != nil {
		return Result{}, err
	}
	ws, err := a.visibleWorkspace(ctx, p, in.WorkspaceID)
	if err != nil {
		return Result{}, err
	}
	// Checked before the workspace registers the team, so a team is never
	// registered without a stream of its own.
	if in.TemplateID == "" {
		return Result{}, invalidInput(team.CodeTemplateRequired, "a team template is required")
	}
	tmpl, ok := a.d.Catalog.TeamTemplate(in.TemplateID)
	if !ok {
		return Result{}, invalidInput("team-template-not-found", "no team template %q in the catalogue", in.TemplateID)
	}
	id, err := a.claimID(ctx, team.Category, p.UserID, cmdID)
	if err != nil {
		return Result{}, err
	}
	actor := domain.Actor{UserID: p.UserID}
	at := a.now()
	if _, err := a.workspaceCommand(ctx, p, ws.ID, cmdID, workspace.RegisterTeam{Actor: actor, At: at, TeamID: id, Name: in.Name}); err != nil {
		return Result{}, err
	}
	res, err := a.teamCommand(ctx, id, aggregate.Meta{CommandID: cmdID, Actor: p.UserID}, team.CreateTeam{
		Actor: actor, At: at, TeamID: id, WorkspaceID: ws.ID, Name: in.Name, Template: tmpl,
		FirstAdminID: in.FirstAdminID, ByWorkspaceAdmin: workspace.IsAdmin(ws, p.UserID),
	})
	if err != nil {
		return Result{}, err
	}
	res.ID = id
	return res, nil
}

// AddMember adds a member (team admins only).
func (a *App) AddMember(ctx context.Context, p identity.Principal, cmdID, teamID, userID string) (Result, error) {
	return a.onTeam(ctx, p, cmdID, teamID, func(actor domain.Actor, at time.Time) team.Command {
		return team.AddMember{Actor: actor, At: at, UserID: userID}
	})
}

// RemoveMember removes a member (team admins), or lets a member leave.
func (a *App) RemoveMember(ctx context.Context, p identity.Principal, cmdID, teamID, userID string) (Result, error) {
	return a.onTeam(ctx, p, cmdID, teamID, func(actor domain.Actor, at time.Time) team.Command {
		return team.RemoveMember{Actor: actor, At: at, UserID: userID}
	})
}

// AppointTeamAdmin makes a member a team admin (team admins only).
func (a *App) AppointTeamAdmin(ctx context.Context, p identity.Principal, cmdID, teamID, userID string) (Result, error) {
	return a.onTeam(ctx, p, cmdID, teamID, func(actor domain.Actor, at time.Time) team.Command {
		return team.AppointTeamAdmin{Actor: actor, At: at, UserID: userID}
	})
}

// RemoveTeamAdmin takes the team admin role away; the last one stays.
func (a *App) RemoveTeamAdmin(ctx context.Context, p identity.Principal, cmdID, teamID, userID string) (Result, error) {
	return a.onTeam(ctx, p, cmdID, teamID, func(actor domain.Actor, at time.Time) team.Command {
		return team.RemoveTeamAdmin{Actor: actor, At: at, UserID: userID}
	})
}

// PromoteGuest makes a guest of one of the team's retros a member.
func (a *App) PromoteGuest(ctx context.Context, p identity.Principal, cmdID, teamID, guestUserID string) (Result, error) {
	return a.onTeam(ctx, p, cmdID, teamID, func(actor domain.Actor, at time.Time) team.Command {
		return team.PromoteGuest{Actor: actor, At: at, GuestUserID: guestUserID}
	})
}

// RecordTeamAction records an action item outside a retro (members only).
// Result.ID is the action's ID. Due zero means none.
func (a *App) RecordTeamAction(ctx context.Context, p identity.Principal, cmdID, teamID, title, assignee string, due time.Time) (Result, error) {
	id := a.d.NewID()
	return a.onTeam(ctx, p, cmdID, teamID, func(actor domain.Actor, at time.Time) team.Command {
		return team.RecordAction{Actor: actor, At: at, ActionID: id, Title: title, Assignee: assignee, Due: due}
	})
}

// UpdateActionStatus marks a team action open, kept, done or discarded
// (members only), with an optional comment.
func (a *App) UpdateActionStatus(ctx context.Context, p identity.Principal, cmdID, teamID, actionID string, status team.ActionStatus, comment string) (Result, error) {
	commentID := ""
	if comment != "" {
		commentID = a.d.NewID()
	}
	return a.onTeam(ctx, p, cmdID, teamID, func(actor domain.Actor, at time.Time) team.Command {
		return team.UpdateActionStatus{Actor: actor, At: at, ActionID: actionID, Status: status, Comment: comment, CommentID: commentID}
	})
}

// CommentOnTeamAction comments on a team action (members only). Result.ID
// is the comment's ID.
func (a *App) CommentOnTeamAction(ctx context.Context, p identity.Principal, cmdID, teamID, actionID, text string) (Result, error) {
	commentID := a.d.NewID()
	return a.onTeam(ctx, p, cmdID, teamID, func(actor domain.Actor, at time.Time) team.Command {
		return team.CommentOnAction{Actor: actor, At: at, ActionID: actionID, CommentID: commentID, Text: text}
	})
}

// onTeam runs a command on an existing team. Guests never act on a team;
// everything else (team admin, member) is the decider's rule.
func (a *App) onTeam(ctx context.Context, p identity.Principal, cmdID, teamID string, build func(domain.Actor, time.Time) team.Command) (Result, error) {
	if err := commandGate(p, cmdID); err != nil {
		return Result{}, err
	}
	if err := notGuest(p); err != nil {
		return Result{}, err
	}
	if _, _, err := a.visibleTeam(ctx, p, teamID); err != nil {
		return Result{}, err
	}
	return a.teamCommand(ctx, teamID, aggregate.Meta{CommandID: cmdID, Actor: p.UserID}, build(domain.Actor{UserID: p.UserID}, a.now()))
}

func (a *App) teamCommand(ctx context.Context, id string, meta aggregate.Meta, c team.Command) (Result, error) {
	r, err := a.teams.Handle(ctx, id, meta, c)
	if err != nil {
		return Result{}, fmt.Errorf("team %s: %w", id, err)
	}
	res := Result{StreamVersion: r.Version, Position: r.Position, Duplicate: r.Duplicate}
	// What the command created is read from its events, which for a retry
	// are the first attempt's: a retry answers the first attempt's ID.
	for _, e := range r.Events {
		switch e := e.(type) {
		case team.ActionRecorded:
			res.ID = e.ActionID
		case team.ActionCommented:
			res.ID = e.CommentID
		}
	}
	return res, nil
}
