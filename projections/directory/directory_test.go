package directory_test

import (
	"context"
	"slices"
	"testing"

	"github.com/hindsight-retro/hindsight/eventstore/memstore"
	"github.com/hindsight-retro/hindsight/projections/demo"
	"github.com/hindsight-retro/hindsight/projections/directory"
)

func TestTheDirectoryListsEveryWorkspaceAndTeamWithTheirAdmins(t *testing.T) {
	ctx := context.Background()
	store := memstore.New(nil)
	// 14 teams of 1 retro each: two workspaces, of 12 and 2 teams.
	if _, err := demo.Generate(ctx, store, demo.Config{Seed: 2, Retros: 14, RetrosPerTeam: 1}); err != nil {
		t.Fatal(err)
	}
	d, err := directory.Read(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Workspaces) != 2 || d.Workspaces[0].ID != "ws-000" || d.Workspaces[0].Teams != 12 || d.Workspaces[1].Teams != 2 {
		t.Fatalf("workspaces %+v, want ws-000 with 12 teams and ws-001 with 2", d.Workspaces)
	}
	if w := d.Workspaces[0]; w.Name != "Workspace ws-000" || !slices.Equal(w.Admins, []string{"u-admin-000"}) {
		t.Errorf("ws-000 is %+v", w)
	}
	if len(d.Teams) != 14 {
		t.Fatalf("%d teams, want 14", len(d.Teams))
	}
	tm := d.Teams[0]
	if tm.ID != "team-0000" || tm.WorkspaceID != "ws-000" || tm.Name != "Team team-0000" || tm.Members < 4 || !slices.Equal(tm.Admins, []string{"u-0000-00"}) {
		t.Errorf("the first team is %+v", tm)
	}
	if d.Teams[13].WorkspaceID != "ws-001" {
		t.Errorf("the last team is in %s, want ws-001", d.Teams[13].WorkspaceID)
	}
}
