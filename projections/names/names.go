// Package names is the read model of what teams and workspaces are called,
// so tables written for analysts (sqlexport) carry names beside IDs. It
// holds only what the replayed log holds: a replay of an export knows the
// exported team's name and no workspace's.
package names

import (
	"sort"

	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/domain/workspace"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/projections"
)

// Name of the read model.
const Name = "names"

// Names is the read model.
type Names struct {
	*projections.Fold[state]
}

type state struct {
	Teams map[string]string `json:"teams"`
	// TeamWorkspace maps a team to its workspace.
	TeamWorkspace map[string]string `json:"teamWorkspace"`
	Workspaces    map[string]string `json:"workspaces"`
}

// New returns an empty read model.
func New() *Names {
	return &Names{projections.NewFold(Name, func() *state {
		return &state{Teams: map[string]string{}, TeamWorkspace: map[string]string{}, Workspaces: map[string]string{}}
	}, fold, projections.Types(team.TeamCreated{}, workspace.WorkspaceCreated{}, workspace.WorkspaceRenamed{}))}
}

func fold(s *state, e eventstore.RecordedEvent, ev any) {
	switch ev := ev.(type) {
	case team.TeamCreated:
		s.Teams[e.Stream.ID] = ev.Name
		s.TeamWorkspace[e.Stream.ID] = ev.WorkspaceID
	case workspace.WorkspaceCreated:
		s.Workspaces[e.Stream.ID] = ev.Name
	case workspace.WorkspaceRenamed:
		s.Workspaces[e.Stream.ID] = ev.Name
	}
}

// Team is the team's name, "" when the log read holds none.
func (n *Names) Team(id string) (name string) {
	n.Read(func(s *state) { name = s.Teams[id] })
	return name
}

// TeamWorkspace is the ID of the team's workspace, "" when unknown.
func (n *Names) TeamWorkspace(teamID string) (id string) {
	n.Read(func(s *state) { id = s.TeamWorkspace[teamID] })
	return id
}

// Teams lists the IDs of the teams named, sorted.
func (n *Names) Teams() []string {
	var out []string
	n.Read(func(s *state) {
		for id := range s.Teams {
			out = append(out, id)
		}
	})
	sort.Strings(out)
	return out
}

// Workspace is the workspace's name, "" when the log read holds none.
func (n *Names) Workspace(id string) (name string) {
	n.Read(func(s *state) { name = s.Workspaces[id] })
	return name
}
