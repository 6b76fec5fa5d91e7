package app

import (
	"context"
	"fmt"
	"time"

	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/domain/workspace"
	"github.com/hindsight-retro/hindsight/eventstore"
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
func (a *App) CreateTeam(ctx context.Context, c identity.Caller, in CreateTeamInput) (Result, error) {
	if err := commandGate(c); err != nil {
		return Result{}, err
	}
	p := c.Principal
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
		return Result{}, domain.Errorf(domain.Invalid, team.CodeTemplateRequired, "a team template is required")
	}
	tmpl, ok := a.d.Catalog.TeamTemplate(in.TemplateID)
	if !ok {
		return Result{}, domain.Errorf(domain.Invalid, "team-template-not-found", "no team template %q in the catalogue", in.TemplateID)
	}
	id, err := a.claimID(ctx, team.Category, p.UserID, c.CommandID)
	if err != nil {
		return Result{}, err
	}
	// A quick retro's workspace seals what is made in it (quickcontent.go).
	if err := a.sealInWorkspace(ctx, ws.ID, eventstore.StreamID{Category: team.Category, ID: id}); err != nil {
		return Result{}, err
	}
	actor := domain.Actor{UserID: p.UserID}
	at := a.now()
	if _, err := a.workspaceCommand(ctx, c, ws.ID, workspace.RegisterTeam{Actor: actor, At: at, TeamID: id, Name: in.Name}); err != nil {
		return Result{}, err
	}
	res, err := a.teamCommand(ctx, id, aggregate.Meta{CommandID: c.CommandID, Actor: p.UserID}, team.CreateTeam{
		Actor: actor, At: at, TeamID: id, WorkspaceID: ws.ID, Name: in.Name, Template: tmpl,
		FirstAdminID: in.FirstAdminID, ByWorkspaceAdmin: workspace.IsAdmin(ws, p.UserID),
	})
	if err != nil {
		return Result{}, err
	}
	res.ID = id
	return res, nil
}

// Person names whom a membership command is about, apart from the target's
// ID, so the two cannot be swapped.
type Person struct{ UserID string }

// AddMemberInput is who joins a team, and whether as a team admin too.
type AddMemberInput struct {
	UserID string
	Admin  bool
}

// AddMember adds a member (team admins only) and, with in.Admin, makes
// them a team admin in the same commit.
func (a *App) AddMember(ctx context.Context, c identity.Caller, teamID string, in AddMemberInput) (Result, error) {
	return a.onTeam(ctx, c, teamID, func(actor domain.Actor, at time.Time) team.Command {
		return team.AddMember{Actor: actor, At: at, UserID: in.UserID, AsAdmin: in.Admin}
	})
}

// RemoveMember removes a member (team admins), or lets a member leave.
func (a *App) RemoveMember(ctx context.Context, c identity.Caller, teamID string, who Person) (Result, error) {
	return a.onTeam(ctx, c, teamID, func(actor domain.Actor, at time.Time) team.Command {
		return team.RemoveMember{Actor: actor, At: at, UserID: who.UserID}
	})
}

// AppointTeamAdmin makes a member a team admin (team admins only).
func (a *App) AppointTeamAdmin(ctx context.Context, c identity.Caller, teamID string, who Person) (Result, error) {
	return a.onTeam(ctx, c, teamID, func(actor domain.Actor, at time.Time) team.Command {
		return team.AppointTeamAdmin{Actor: actor, At: at, UserID: who.UserID}
	})
}

// RemoveTeamAdmin takes the team admin role away; the last one stays.
func (a *App) RemoveTeamAdmin(ctx context.Context, c identity.Caller, teamID string, who Person) (Result, error) {
	return a.onTeam(ctx, c, teamID, func(actor domain.Actor, at time.Time) team.Command {
		return team.RemoveTeamAdmin{Actor: actor, At: at, UserID: who.UserID}
	})
}

// PromoteGuest makes a guest of one of the team's retros a member.
func (a *App) PromoteGuest(ctx context.Context, c identity.Caller, teamID string, guest Person) (Result, error) {
	return a.onTeam(ctx, c, teamID, func(actor domain.Actor, at time.Time) team.Command {
		return team.PromoteGuest{Actor: actor, At: at, GuestUserID: guest.UserID}
	})
}

// RecordTeamActionInput is an action item recorded outside a retro. Due
// zero means none.
type RecordTeamActionInput struct {
	Title    string
	Assignee string
	Due      time.Time
}

// RecordTeamAction records an action item outside a retro (members only).
// Result.ID is the action's ID.
func (a *App) RecordTeamAction(ctx context.Context, c identity.Caller, teamID string, in RecordTeamActionInput) (Result, error) {
	id := a.d.NewID()
	return a.onTeam(ctx, c, teamID, func(actor domain.Actor, at time.Time) team.Command {
		return team.RecordAction{Actor: actor, At: at, ActionID: id, Title: in.Title, Assignee: in.Assignee, Due: in.Due}
	})
}

// UpdateActionStatusInput moves a team action on, with an optional comment.
type UpdateActionStatusInput struct {
	ActionID string
	Status   team.ActionStatus
	Comment  string
}

// UpdateActionStatus marks a team action open, kept, done or discarded
// (members only), with an optional comment.
func (a *App) UpdateActionStatus(ctx context.Context, c identity.Caller, teamID string, in UpdateActionStatusInput) (Result, error) {
	commentID := ""
	if in.Comment != "" {
		commentID = a.d.NewID()
	}
	return a.onTeam(ctx, c, teamID, func(actor domain.Actor, at time.Time) team.Command {
		return team.UpdateActionStatus{Actor: actor, At: at, ActionID: in.ActionID, Status: in.Status, Comment: in.Comment, CommentID: commentID}
	})
}

// CommentOnTeamActionInput is a comment on a team action.
type CommentOnTeamActionInput struct {
	ActionID string
	Text     string
}

// CommentOnTeamAction comments on a team action (members only). Result.ID
// is the comment's ID.
func (a *App) CommentOnTeamAction(ctx context.Context, c identity.Caller, teamID string, in CommentOnTeamActionInput) (Result, error) {
	commentID := a.d.NewID()
	return a.onTeam(ctx, c, teamID, func(actor domain.Actor, at time.Time) team.Command {
		return team.CommentOnAction{Actor: actor, At: at, ActionID: in.ActionID, CommentID: commentID, Text: in.Text}
	})
}

// onTeam runs a command on an existing team. Guests never act on a team;
// everything else (team admin, member) is the decider's rule.
func (a *App) onTeam(ctx context.Context, c identity.Caller, teamID string, build func(domain.Actor, time.Time) team.Command) (Result, error) {
	if err := commandGate(c); err != nil {
		return Result{}, err
	}
	if err := notGuest(c.Principal); err != nil {
		return Result{}, err
	}
	if _, _, err := a.visibleTeam(ctx, c.Principal, teamID); err != nil {
		return Result{}, err
	}
	return a.teamCommand(ctx, teamID, aggregate.Meta{CommandID: c.CommandID, Actor: c.Principal.UserID}, build(domain.Actor{UserID: c.Principal.UserID}, a.now()))
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
