package team

import (
	"time"

	"github.com/hindsight-retro/hindsight/domain"
)

// ActionStatus is where an action item stands.
type ActionStatus string

const (
	// StatusOpen: not yet reviewed, or reopened.
	StatusOpen ActionStatus = "open"
	// StatusKept: reviewed and kept going; still open for the next review.
	StatusKept ActionStatus = "kept"
	// StatusDone: finished.
	StatusDone ActionStatus = "done"
	// StatusDiscarded: dropped on purpose.
	StatusDiscarded ActionStatus = "discarded"
)

// Valid reports whether s is one of the known statuses.
func (s ActionStatus) Valid() bool {
	switch s {
	case StatusOpen, StatusKept, StatusDone, StatusDiscarded:
		return true
	}
	return false
}

// IsOpen reports whether an action in this status still comes up for review.
func (s ActionStatus) IsOpen() bool { return s == StatusOpen || s == StatusKept }

// State is the folded team. Evolve copies every map or slice it changes, so a
// State held by a caller never changes under them.
type State struct {
	ID              string
	WorkspaceID     string
	Name            string
	TemplateID      string
	HealthPackID    string
	RetroTemplateID string
	CreatedAt       time.Time
	Members         map[string]bool
	Admins          map[string]bool
	Guests          map[string]Guest
	Actions         map[string]Action
	// ActionOrder keeps actions in the order they were recorded.
	ActionOrder []string
}

// Guest is someone who joined retros of this team with an e-mail address only.
type Guest struct {
	UserID string `json:"userId"`
	// RetroIDs are the retros the guest was admitted to; a guest sees those
	// retros and nothing else of the team.
	RetroIDs []string `json:"retroIds"`
}

// Action is an action item the team carries across retros.
type Action struct {
	ID            string       `json:"id"`
	Title         string       `json:"title"`
	Assignee      string       `json:"assignee,omitempty"`
	Due           time.Time    `json:"due,omitzero"`
	OriginRetroID string       `json:"originRetroId,omitempty"`
	Status        ActionStatus `json:"status"`
	CreatedAt     time.Time    `json:"createdAt"`
	UpdatedAt     time.Time    `json:"updatedAt"`
	// ReviewedInRetro is the retro whose action review last touched it.
	ReviewedInRetro string    `json:"reviewedInRetro,omitempty"`
	Comments        []Comment `json:"comments,omitempty"`
}

// Comment on an action item.
type Comment struct {
	ID     string    `json:"id"`
	Author string    `json:"author"`
	Text   string    `json:"text"`
	At     time.Time `json:"at"`
}

// Initial is the state before any event: no team.
func Initial() State { return State{} }

// Exists reports whether the team has been created.
func (s State) Exists() bool { return s.ID != "" }

// IsMember reports whether userID is a member (admins are members too).
func (s State) IsMember(userID string) bool { return userID != "" && s.Members[userID] }

// IsAdmin reports whether userID is a team admin.
func (s State) IsAdmin(userID string) bool { return userID != "" && s.Admins[userID] }

// CanSeeContent reports whether userID may see the team's content: members,
// guests' retros aside, and nobody else. Being a workspace admin does not
// count; that is deliberate (see package workspace, CanSeeTeamContent).
func CanSeeContent(s State, userID string) bool { return s.IsMember(userID) }

// OpenActions lists the actions still open (open or kept), in the order they
// were recorded: what the next retro's action review shows. Actions nobody
// touched stay open and so appear again.
func OpenActions(s State) []Action {
	var out []Action
	for _, id := range s.ActionOrder {
		if a := s.Actions[id]; a.Status.IsOpen() {
			out = append(out, a)
		}
	}
	return out
}

// Decider is the team aggregate's decider.
func Decider() domain.Decider[State, Command, Event] {
	return domain.Decider[State, Command, Event]{Initial: Initial, Decide: Decide, Evolve: Evolve}
}
