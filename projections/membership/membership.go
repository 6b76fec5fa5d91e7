// Package membership is the read model of who belongs where: for each
// person, the workspaces they administer and the teams they are a member
// of. It answers "what is mine" without a scan of the log; the caller reads
// names and current roles from the aggregates it names, so a rename or a
// role change shows at once even when this index lags a little.
//
// The server follows the log with it (app); replay builds it too, so
// its snapshot can be seeded with the others (projections.Relevant lists
// its event types).
package membership

import (
	"sort"

	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/domain/workspace"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/projections"
)

// Name of the read model.
const Name = "membership"

// Index is the read model.
type Index struct {
	*projections.Fold[state]
}

type state struct {
	// Admins maps a user ID to the workspaces they administer.
	Admins map[string]map[string]bool `json:"admins"`
	// Members maps a user ID to the teams they are a member of.
	Members map[string]map[string]bool `json:"members"`
}

// New returns an empty index.
func New() *Index {
	return &Index{projections.NewFold(Name, newState, fold, projections.Types(
		workspace.WorkspaceCreated{}, workspace.WorkspaceAdminAdded{}, workspace.WorkspaceAdminRemoved{},
		team.TeamCreated{}, team.MemberAdded{}, team.GuestPromoted{}, team.MemberRemoved{}))}
}

func newState() *state {
	return &state{Admins: map[string]map[string]bool{}, Members: map[string]map[string]bool{}}
}

func fold(s *state, e eventstore.RecordedEvent, ev any) {
	id := e.Stream.ID
	switch e.Stream.Category {
	case workspace.Category:
		switch ev := ev.(type) {
		case workspace.WorkspaceCreated:
			add(s.Admins, ev.CreatedBy, id)
		case workspace.WorkspaceAdminAdded:
			add(s.Admins, ev.UserID, id)
		case workspace.WorkspaceAdminRemoved:
			remove(s.Admins, ev.UserID, id)
		}
	case team.Category:
		switch ev := ev.(type) {
		case team.TeamCreated:
			add(s.Members, ev.FirstAdminID, id)
		case team.MemberAdded:
			add(s.Members, ev.UserID, id)
		case team.GuestPromoted:
			add(s.Members, ev.GuestUserID, id)
		case team.MemberRemoved:
			remove(s.Members, ev.UserID, id)
		}
	}
}

func add(m map[string]map[string]bool, userID, id string) {
	if userID == "" {
		return
	}
	set := m[userID]
	if set == nil {
		set = map[string]bool{}
		m[userID] = set
	}
	set[id] = true
}

func remove(m map[string]map[string]bool, userID, id string) {
	delete(m[userID], id)
	if len(m[userID]) == 0 {
		delete(m, userID)
	}
}

// Of returns the workspaces userID administers and the teams they are a
// member of, each sorted by ID.
func (x *Index) Of(userID string) (workspaces, teams []string) {
	x.Read(func(s *state) {
		workspaces = keys(s.Admins[userID])
		teams = keys(s.Members[userID])
	})
	return workspaces, teams
}

func keys(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
