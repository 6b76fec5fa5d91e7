package workspace

import "time"

// Event is something that happened to a workspace.
type Event interface{ EventType() string }

// WorkspaceCreated: a workspace exists and CreatedBy is its first admin.
type WorkspaceCreated struct {
	WorkspaceID string    `json:"workspaceId"`
	Name        string    `json:"name"`
	CreatedBy   string    `json:"createdBy"`
	At          time.Time `json:"at"`
}

// WorkspaceRenamed: the workspace has a new name.
type WorkspaceRenamed struct {
	Name      string    `json:"name"`
	RenamedBy string    `json:"renamedBy"`
	At        time.Time `json:"at"`
}

// WorkspaceAdminAdded: UserID is now a workspace admin.
type WorkspaceAdminAdded struct {
	UserID  string    `json:"userId"`
	AddedBy string    `json:"addedBy"`
	At      time.Time `json:"at"`
	// ByOperator: added by the installation's operator, not by an admin.
	ByOperator bool `json:"byOperator,omitempty"`
}

// WorkspaceAdminRemoved: UserID is no longer a workspace admin.
type WorkspaceAdminRemoved struct {
	UserID    string    `json:"userId"`
	RemovedBy string    `json:"removedBy"`
	At        time.Time `json:"at"`
}

// TeamRegistered: a team with this ID and name belongs to the workspace.
type TeamRegistered struct {
	TeamID       string    `json:"teamId"`
	Name         string    `json:"name"`
	RegisteredBy string    `json:"registeredBy"`
	At           time.Time `json:"at"`
}

// Category is the stream category of workspaces: a workspace's events are stored
// under workspace-<workspace ID>.
const Category = "workspace"

// Event type names as stored in the log, by the rule in package domain.
const (
	TypeWorkspaceCreated      = "workspace.WorkspaceCreated"
	TypeWorkspaceRenamed      = "workspace.WorkspaceRenamed"
	TypeWorkspaceAdminAdded   = "workspace.WorkspaceAdminAdded"
	TypeWorkspaceAdminRemoved = "workspace.WorkspaceAdminRemoved"
	TypeTeamRegistered        = "workspace.TeamRegistered"
)

func (WorkspaceCreated) EventType() string      { return TypeWorkspaceCreated }
func (WorkspaceRenamed) EventType() string      { return TypeWorkspaceRenamed }
func (WorkspaceAdminAdded) EventType() string   { return TypeWorkspaceAdminAdded }
func (WorkspaceAdminRemoved) EventType() string { return TypeWorkspaceAdminRemoved }
func (TeamRegistered) EventType() string        { return TypeTeamRegistered }

// Events lists one value of every workspace event type, once: what tests hold
// every switch over the events to, and what a new event type must be added
// to.
func Events() []Event {
	return []Event{
		WorkspaceCreated{}, WorkspaceRenamed{}, WorkspaceAdminAdded{}, WorkspaceAdminRemoved{},
		TeamRegistered{},
	}
}
