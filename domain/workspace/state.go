package workspace

import (
	"time"

	"github.com/hindsight-retro/hindsight/domain"
)

// State is the folded workspace. Evolve never mutates maps of a previous
// State: it copies what it changes, so states can be kept and compared.
type State struct {
	ID        string
	Name      string
	CreatedAt time.Time
	// Admins is the set of workspace admins' user IDs.
	Admins map[string]bool
	// Teams maps team ID to the team's register entry.
	Teams map[string]TeamEntry
}

// TeamEntry is what the workspace knows about one of its teams: metadata
// only, never the team's content.
type TeamEntry struct {
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	RegisteredAt time.Time `json:"registeredAt"`
}

// Initial is the state before any event: no workspace.
func Initial() State { return State{} }

// Exists reports whether the workspace has been created.
func (s State) Exists() bool { return s.ID != "" }

// IsAdmin reports whether userID is a workspace admin.
func IsAdmin(s State, userID string) bool { return userID != "" && s.Admins[userID] }

// Decider is the workspace aggregate's decider.
func Decider() domain.Decider[State, Command, Event] {
	return domain.Decider[State, Command, Event]{Initial: Initial, Decide: Decide, Evolve: Evolve}
}

// Evolve folds one event into the state.
func Evolve(s State, e Event) State {
	switch e := e.(type) {
	case WorkspaceCreated:
		s.ID = e.WorkspaceID
		s.Name = e.Name
		s.CreatedAt = e.At
		s.Admins = map[string]bool{e.CreatedBy: true}
		s.Teams = map[string]TeamEntry{}
	case WorkspaceRenamed:
		s.Name = e.Name
	case WorkspaceAdminAdded:
		s.Admins = copySet(s.Admins)
		s.Admins[e.UserID] = true
	case WorkspaceAdminRemoved:
		s.Admins = copySet(s.Admins)
		delete(s.Admins, e.UserID)
	case TeamRegistered:
		teams := make(map[string]TeamEntry, len(s.Teams)+1)
		for k, v := range s.Teams {
			teams[k] = v
		}
		teams[e.TeamID] = TeamEntry{ID: e.TeamID, Name: e.Name, RegisteredAt: e.At}
		s.Teams = teams
	}
	return s
}

func copySet(m map[string]bool) map[string]bool {
	c := make(map[string]bool, len(m)+1)
	for k, v := range m {
		c[k] = v
	}
	return c
}
