package membership_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/domain/workspace"
	"github.com/hindsight-retro/hindsight/projections/membership"
	"github.com/hindsight-retro/hindsight/projections/projtest"
)

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// history: Ann creates workspace w1 and makes Bob an admin, then removes
// herself; Bob creates team t1 (first admin Bob), adds Cy, who leaves; a
// guest Dee is promoted in t1; team t2 of w1 has Ann as first admin.
func history(t *testing.T) *projtest.Log {
	l := projtest.New(t, t0)
	l.Workspace("w1", workspace.WorkspaceCreated{WorkspaceID: "w1", Name: "Acme", CreatedBy: "ann", At: t0})
	l.Workspace("w1", workspace.WorkspaceAdminAdded{UserID: "bob", AddedBy: "ann", At: t0})
	l.Workspace("w1", workspace.WorkspaceAdminRemoved{UserID: "ann", RemovedBy: "ann", At: t0})
	l.Workspace("w1", workspace.TeamRegistered{TeamID: "t1", Name: "Platform", RegisteredBy: "bob", At: t0})
	l.Team("t1", team.TeamCreated{TeamID: "t1", WorkspaceID: "w1", Name: "Platform", FirstAdminID: "bob", CreatedBy: "bob", At: t0})
	l.Team("t1", team.MemberAdded{UserID: "cy", AddedBy: "bob", At: t0})
	l.Team("t1", team.MemberRemoved{UserID: "cy", RemovedBy: "cy", At: t0})
	l.Team("t1", team.GuestAdmitted{GuestUserID: "dee", RetroID: "r1", At: t0})
	l.Team("t1", team.GuestPromoted{GuestUserID: "dee", PromotedBy: "bob", At: t0})
	l.Team("t2", team.TeamCreated{TeamID: "t2", WorkspaceID: "w1", Name: "Data", FirstAdminID: "ann", CreatedBy: "bob", At: t0})
	return l
}

func TestEachPersonIsIndexedUnderTheWorkspacesTheyRunAndTheTeamsTheyAreIn(t *testing.T) {
	// Given the history above.
	x := membership.New()
	projtest.ApplyAll(t, x, history(t).Events)
	// Then each person's workspaces and teams are as the last event left them.
	for _, c := range []struct {
		user              string
		workspaces, teams []string
	}{
		{"ann", []string{}, []string{"t2"}},
		{"bob", []string{"w1"}, []string{"t1"}},
		{"cy", []string{}, []string{}},
		{"dee", []string{}, []string{"t1"}},
		{"nobody", []string{}, []string{}},
	} {
		ws, ts := x.Of(c.user)
		if !reflect.DeepEqual(ws, c.workspaces) || !reflect.DeepEqual(ts, c.teams) {
			t.Errorf("%s: workspaces %v teams %v, want %v and %v", c.user, ws, ts, c.workspaces, c.teams)
		}
	}
}

func TestTheIndexSurvivesASnapshotAndIgnoresARepeatedDelivery(t *testing.T) {
	// Given the index folded over the history and snapshotted.
	l := history(t)
	x := membership.New()
	projtest.ApplyAll(t, x, l.Events)
	snap, err := x.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	// When a fresh index restores it and the whole log is delivered again.
	y := membership.New()
	if err := y.Restore(snap); err != nil {
		t.Fatal(err)
	}
	projtest.ApplyAll(t, y, l.Events)
	// Then it answers as the original, at the same checkpoint.
	if ws, ts := y.Of("bob"); !reflect.DeepEqual(ws, []string{"w1"}) || !reflect.DeepEqual(ts, []string{"t1"}) {
		t.Errorf("bob after restore: %v %v", ws, ts)
	}
	if _, ts := y.Of("cy"); len(ts) != 0 {
		t.Errorf("cy, who left, is back in %v after a repeated delivery", ts)
	}
	if y.Checkpoint() != x.Checkpoint() || y.Checkpoint() == 0 {
		t.Errorf("checkpoint %d, want %d", y.Checkpoint(), x.Checkpoint())
	}
}
