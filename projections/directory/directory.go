// Package directory lists an installation's workspaces and teams for its
// operator (`hindsight admin workspaces`, `hindsight admin teams`): IDs,
// names, admins and member counts, folded from the log in one read. It
// holds metadata only, never a retro's content. The server does not follow
// it; an operator's command reads it afresh.
package directory

import (
	"context"
	"fmt"
	"sort"

	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/domain/workspace"
	"github.com/hindsight-retro/hindsight/eventstore"
)

// Workspace is one workspace as its operator sees it.
type Workspace struct {
	ID     string
	Name   string
	Admins []string // user IDs, sorted
	Teams  int
}

// Team is one team as its operator sees it.
type Team struct {
	ID          string
	WorkspaceID string
	Name        string
	Members     int
	Admins      []string // user IDs, sorted
}

// Directory is every workspace and team, sorted by ID.
type Directory struct {
	Workspaces []Workspace
	Teams      []Team
}

// Read folds the workspace and team streams of the whole log.
func Read(ctx context.Context, store eventstore.Store) (Directory, error) {
	wss := map[string]workspace.State{}
	teams := map[string]team.State{}
	err := store.ReadAll(ctx, 0, func(ctx context.Context, e eventstore.RecordedEvent) error {
		switch e.Stream.Category {
		case workspace.Category:
			ev, err := workspace.DecodeEvent(e.Type, e.SchemaVersion, e.Payload)
			if err != nil {
				return fmt.Errorf("position %d: %w", e.Position, err)
			}
			wss[e.Stream.ID] = workspace.Evolve(wss[e.Stream.ID], ev)
		case team.Category:
			ev, err := team.DecodeEvent(e.Type, e.SchemaVersion, e.Payload)
			if err != nil {
				return fmt.Errorf("position %d: %w", e.Position, err)
			}
			teams[e.Stream.ID] = team.Evolve(teams[e.Stream.ID], ev)
		}
		return nil
	})
	if err != nil {
		return Directory{}, fmt.Errorf("directory: read the log: %w", err)
	}
	var d Directory
	for id, s := range wss {
		if !s.Exists() {
			continue
		}
		d.Workspaces = append(d.Workspaces, Workspace{ID: id, Name: s.Name, Admins: sortedKeys(s.Admins), Teams: len(s.Teams)})
	}
	for id, s := range teams {
		if s.ID == "" {
			continue
		}
		d.Teams = append(d.Teams, Team{ID: id, WorkspaceID: s.WorkspaceID, Name: s.Name, Members: len(s.Members), Admins: sortedKeys(s.Admins)})
	}
	sort.Slice(d.Workspaces, func(i, j int) bool { return d.Workspaces[i].ID < d.Workspaces[j].ID })
	sort.Slice(d.Teams, func(i, j int) bool { return d.Teams[i].ID < d.Teams[j].ID })
	return d, nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k, ok := range m {
		if ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
