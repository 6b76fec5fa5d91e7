package workspace

import (
	"time"

	"github.com/hindsight-retro/hindsight/domain"
)

// Command is a request to change a workspace. The set is closed.
type Command interface{ isCommand() }

// CreateWorkspace creates a workspace; its creator becomes the first admin.
type CreateWorkspace struct {
	Actor       domain.Actor
	At          time.Time
	WorkspaceID string
	Name        string
}

// RenameWorkspace changes the workspace's name (admins only).
type RenameWorkspace struct {
	Actor domain.Actor
	At    time.Time
	Name  string
}

// AddWorkspaceAdmin names another workspace admin (admins only). ByOperator
// marks the installation's operator doing it from the command line, with
// the log in hand (say, for a workspace whose admins have all left); the
// actor then need not be an admin, and names the operator for the record.
type AddWorkspaceAdmin struct {
	Actor      domain.Actor
	At         time.Time
	UserID     string
	ByOperator bool
}

// RemoveWorkspaceAdmin takes the admin role from someone (admins only); the
// last admin cannot be removed, so a workspace is never left unmanaged.
type RemoveWorkspaceAdmin struct {
	Actor  domain.Actor
	At     time.Time
	UserID string
}

// RegisterTeam records that a team exists in the workspace (admins only).
// The team's own stream is then created by team.CreateTeam.
type RegisterTeam struct {
	Actor  domain.Actor
	At     time.Time
	TeamID string
	Name   string
}

func (CreateWorkspace) isCommand()      {}
func (RenameWorkspace) isCommand()      {}
func (AddWorkspaceAdmin) isCommand()    {}
func (RemoveWorkspaceAdmin) isCommand() {}
func (RegisterTeam) isCommand()         {}

// Commands lists one value of every workspace command type, once: what tests hold
// every switch over the commands to, and what a new command type must be
// added to.
func Commands() []Command {
	return []Command{
		CreateWorkspace{}, RenameWorkspace{}, AddWorkspaceAdmin{}, RemoveWorkspaceAdmin{},
		RegisterTeam{},
	}
}
