package actiontracker_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/projections/actiontracker"
	"github.com/hindsight-retro/hindsight/projections/projtest"
)

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func day(n int) time.Time { return t0.Add(time.Duration(n) * 24 * time.Hour) }

func ids(items []actiontracker.Item) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, it.ID)
	}
	return out
}

// history: team A records three actions from retro r1 on day 0; a1 (Ann,
// due day 7) stays open, a2 is done in r2's review on day 14, a3 is
// discarded; team B has one action for Ann.
func history(t *testing.T) *projtest.Log {
	l := projtest.New(t, t0)
	l.Retro("r1", retro.ActionCreated{ActionID: "a1", Title: "fix flaky tests", At: day(0)})
	l.Retro("r1", retro.ActionAssigned{ActionID: "a1", Assignee: "u-ann", At: day(0)})
	due := day(7)
	l.Retro("r1", retro.ActionDueDateSet{ActionID: "a1", Due: &due, At: day(0)})
	l.Team("team-a", team.ActionRecorded{ActionID: "a1", Title: "fix flaky tests", OriginRetroID: "r1", At: day(0)})
	l.Team("team-a", team.ActionRecorded{ActionID: "a2", Title: "write runbook", Assignee: "u-bob", OriginRetroID: "r1", At: day(0)})
	l.Team("team-a", team.ActionRecorded{ActionID: "a3", Title: "buy a plant", OriginRetroID: "r1", At: day(0)})
	l.Team("team-a", team.ActionStatusChanged{ActionID: "a2", From: team.StatusOpen, To: team.StatusDone, RetroID: "r2", At: day(14)})
	l.Team("team-a", team.ActionStatusChanged{ActionID: "a3", From: team.StatusOpen, To: team.StatusDiscarded, At: day(3)})
	l.Team("team-b", team.ActionRecorded{ActionID: "b1", Title: "pair more", Assignee: "u-ann", Due: day(30), OriginRetroID: "rb", At: day(1)})
	return l
}

func TestATeamSeesItsActionsByStatusWithOriginAgeAndOverdue(t *testing.T) {
	// Given the history above.
	tr := actiontracker.New()
	projtest.ApplyAll(t, tr, history(t).Events)
	// When team A's actions are read as of day 20.
	s := tr.Team("team-a", day(20))
	// Then a1 is open, 20 days old, overdue (due day 7), assigned to Ann
	// from the retro, from r1; a2 done (reviewed in r2); a3 discarded.
	if !reflect.DeepEqual(ids(s.Open), []string{"a1"}) || !reflect.DeepEqual(ids(s.Done), []string{"a2"}) ||
		!reflect.DeepEqual(ids(s.Discarded), []string{"a3"}) {
		t.Fatalf("open %v done %v discarded %v", ids(s.Open), ids(s.Done), ids(s.Discarded))
	}
	a1 := s.Open[0]
	if a1.AgeDays != 20 || !a1.Overdue || a1.Assignee != "u-ann" || a1.OriginRetroID != "r1" || s.Overdue != 1 {
		t.Errorf("a1 %+v, overdue count %d", a1, s.Overdue)
	}
	if a2 := s.Done[0]; a2.AgeDays != 14 || !reflect.DeepEqual(a2.ReviewedIn, []string{"r2"}) {
		t.Errorf("a2 %+v: want 14 days to done, reviewed in r2", a2)
	}
}

func TestTheSameTeamEarlierShowsWhatWasOpenThen(t *testing.T) {
	// Given the history above.
	tr := actiontracker.New()
	projtest.ApplyAll(t, tr, history(t).Events)
	// When team A's actions are read as of day 5.
	s := tr.Team("team-a", day(5))
	// Then a2 was still open and nothing was overdue yet.
	if !reflect.DeepEqual(ids(s.Open), []string{"a1", "a2"}) || s.Overdue != 0 || len(s.Discarded) != 1 {
		t.Errorf("as of day 5: open %v, overdue %d, discarded %v", ids(s.Open), s.Overdue, ids(s.Discarded))
	}
}

func TestAnAssigneeSeesTheirActionsAcrossTeams(t *testing.T) {
	// Given the history above.
	tr := actiontracker.New()
	projtest.ApplyAll(t, tr, history(t).Events)
	// When Ann's actions are read.
	s := tr.Assignee("u-ann", day(20))
	// Then she has a1 (team A, overdue) and b1 (team B, not due yet).
	if !reflect.DeepEqual(ids(s.Open), []string{"a1", "b1"}) || s.Overdue != 1 {
		t.Errorf("Ann: open %v overdue %d", ids(s.Open), s.Overdue)
	}
}

func TestRedeliveryAndSnapshotsChangeNothing(t *testing.T) {
	// Given a tracker fed the history, then fed it again.
	l := history(t)
	tr := actiontracker.New()
	projtest.ApplyAll(t, tr, l.Events)
	want := tr.Team("team-a", day(20))
	projtest.ApplyAll(t, tr, l.Events)
	// When another restores its snapshot.
	snap, err := tr.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	other := actiontracker.New()
	if err := other.Restore(snap); err != nil {
		t.Fatal(err)
	}
	// Then both read as a single delivery did.
	for name, got := range map[string]actiontracker.Summary{"redelivered": tr.Team("team-a", day(20)), "restored": other.Team("team-a", day(20))} {
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %+v, want %+v", name, got, want)
		}
	}
}
