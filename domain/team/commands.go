package team

import (
	"time"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/catalog"
)

// Command is a request to change a team. The set is closed.
type Command interface{ isCommand() }

// CreateTeam creates a team from a team template, which picks its health
// check pack and default retro template.
type CreateTeam struct {
	Actor       domain.Actor
	At          time.Time
	TeamID      string
	WorkspaceID string
	Name        string
	Template    catalog.TeamTemplate
	// FirstAdminID is who runs the team; empty means the actor. A workspace
	// admin creating a team for others names its admin here and stays out.
	FirstAdminID string
	// ByWorkspaceAdmin is set by the app from workspace.IsAdmin: the team
	// stream cannot see the workspace's admins, so the fact travels in.
	ByWorkspaceAdmin bool
}

// AddMember adds a member (team admins only); with AsAdmin they are a team
// admin from the same commit, so no crash can leave them a plain member.
type AddMember struct {
	Actor   domain.Actor
	At      time.Time
	UserID  string
	AsAdmin bool
}

// RemoveMember removes a member (team admins, or the member leaving).
type RemoveMember struct {
	Actor  domain.Actor
	At     time.Time
	UserID string
}

// AppointTeamAdmin makes a member a team admin (team admins only).
type AppointTeamAdmin struct {
	Actor  domain.Actor
	At     time.Time
	UserID string
}

// RemoveTeamAdmin takes the team admin role away; the last one stays.
type RemoveTeamAdmin struct {
	Actor  domain.Actor
	At     time.Time
	UserID string
}

// AdmitGuest records that a guest (known only by e-mail, given a user ID by
// the app) joined one of the team's retros. Issued on behalf of the member
// who invited them.
type AdmitGuest struct {
	Actor       domain.Actor
	At          time.Time
	GuestUserID string
	RetroID     string
}

// PromoteGuest makes a guest a member of the team (team admins only).
type PromoteGuest struct {
	Actor       domain.Actor
	At          time.Time
	GuestUserID string
}

// RecordAction records an action item, usually created in a retro.
type RecordAction struct {
	Actor    domain.Actor
	At       time.Time
	ActionID string
	Title    string
	// Assignee is a member's user ID, or empty for nobody yet.
	Assignee string
	// Due is the due date; zero means none.
	Due time.Time
	// OriginRetroID is the retro that created it; empty if created directly.
	OriginRetroID string
}

// UpdateActionStatus marks an action kept, done, discarded or open again,
// from a retro's action review (RetroID set) or directly, with an optional
// comment (then CommentID is required).
type UpdateActionStatus struct {
	Actor     domain.Actor
	At        time.Time
	ActionID  string
	Status    ActionStatus
	RetroID   string
	Comment   string
	CommentID string
}

// CommentOnAction adds a comment to an action item.
type CommentOnAction struct {
	Actor     domain.Actor
	At        time.Time
	ActionID  string
	CommentID string
	Text      string
}

// ReassignAction changes who an action is assigned to ("" unassigns),
// from a retro (RetroID set) or directly.
type ReassignAction struct {
	Actor    domain.Actor
	At       time.Time
	ActionID string
	Assignee string
	RetroID  string
}

// RescheduleAction sets or clears (nil) an action's due date, from a retro
// (RetroID set) or directly.
type RescheduleAction struct {
	Actor    domain.Actor
	At       time.Time
	ActionID string
	Due      *time.Time
	RetroID  string
}

func (CreateTeam) isCommand()         {}
func (AddMember) isCommand()          {}
func (RemoveMember) isCommand()       {}
func (AppointTeamAdmin) isCommand()   {}
func (RemoveTeamAdmin) isCommand()    {}
func (AdmitGuest) isCommand()         {}
func (PromoteGuest) isCommand()       {}
func (RecordAction) isCommand()       {}
func (UpdateActionStatus) isCommand() {}
func (CommentOnAction) isCommand()    {}
func (ReassignAction) isCommand()     {}
func (RescheduleAction) isCommand()   {}

// Commands lists one value of every team command type, once: what tests hold
// every switch over the commands to, and what a new command type must be
// added to.
func Commands() []Command {
	return []Command{
		CreateTeam{}, AddMember{}, RemoveMember{}, AppointTeamAdmin{}, RemoveTeamAdmin{}, AdmitGuest{},
		PromoteGuest{}, RecordAction{}, UpdateActionStatus{}, CommentOnAction{}, ReassignAction{},
		RescheduleAction{},
	}
}
