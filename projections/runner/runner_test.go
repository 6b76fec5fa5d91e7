package runner_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
	"github.com/hindsight-retro/hindsight/projections/actiontracker"
	"github.com/hindsight-retro/hindsight/projections/projtest"
	"github.com/hindsight-retro/hindsight/projections/runner"
	"github.com/hindsight-retro/hindsight/projections/teamhistory"
)

var t0 = time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)

func retroLog(t *testing.T, l *projtest.Log, id string, cards int) {
	l.Retro(id, retro.RetroCreated{RetroID: id, TeamID: "team-a", Title: id, Moderator: "u-mod",
		Columns: []catalog.Column{{ID: "good", Title: "Good"}}, Agenda: retro.DefaultAgenda(), At: t0},
		retro.ParticipantJoined{UserID: "u-mod", Role: retro.RoleMember, At: t0})
	for i := range cards {
		l.Retro(id, retro.CardAdded{CardID: id + "-c" + string(rune('a'+i)), ColumnID: "good", Author: "u-mod", Text: "x", Concealed: true, At: t0})
	}
}

type fixture struct {
	store   *memstore.Store
	history *runner.Slot[*teamhistory.History]
	actions *runner.Slot[*actiontracker.Tracker]
	r       *runner.Runner
}

func start(t *testing.T, ctx context.Context, store *memstore.Store, dir string) *fixture {
	t.Helper()
	f := startOn(t, ctx, store, dir)
	f.store = store
	return f
}

// startOn starts the two read models on any store.
func startOn(t *testing.T, ctx context.Context, store eventstore.Store, dir string) *fixture {
	t.Helper()
	f := &fixture{
		history: runner.NewSlot(newHistory),
		actions: runner.NewSlot(actiontracker.New)}
	r, err := runner.New(runner.Config{Store: store, SnapshotDir: dir, MaxRetries: 1}, f.history, f.actions)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	f.r = r
	return f
}

func TestServeCatchesUpAtStartAndStaysLive(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// Given a log with two retros.
	store := memstore.New(nil)
	l := projtest.New(t, t0)
	retroLog(t, l, "r1", 2)
	retroLog(t, l, "r2", 1)
	projtest.AppendAll(ctx, t, store, l.Events)
	// When the runner starts and is waited on.
	f := start(t, ctx, store, "")
	defer f.r.Close()
	if err := f.r.WaitCaughtUp(ctx); err != nil {
		t.Fatal(err)
	}
	// Then the history has both retros.
	if got := f.history.Current().TeamRetros("team-a"); len(got) != 2 || got[0].Cards != 2 {
		t.Fatalf("after catch-up: %+v", got)
	}
	// And when a new retro is appended, it shows up without a restart.
	more := projtest.New(t, t0)
	retroLog(t, more, "r3", 3)
	pos := projtest.AppendAll(ctx, t, store, more.Events)
	if err := f.r.WaitFor(ctx, pos); err != nil {
		t.Fatal(err)
	}
	if got := f.history.Current().TeamRetros("team-a"); len(got) != 3 || got[2].Cards != 3 {
		t.Errorf("live: %+v", got)
	}
	lag, err := f.r.Lag(ctx)
	if err != nil || lag["team-history"] != 0 || lag["action-tracker"] != 0 {
		t.Errorf("lag %v (%v), want 0 for both", lag, err)
	}
}

func TestAnEventAReadModelCannotApplyIsSkippedAndCounted(t *testing.T) {
	for _, live := range []bool{false, true} {
		name := map[bool]string{false: "at catch-up", true: "live, through retry and the poison queue"}[live]
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			store := memstore.New(nil)
			var f *fixture
			if live {
				f = start(t, ctx, store, "")
				defer f.r.Close()
			}
			// Given a log where a retro event is damaged (a payload its type
			// cannot decode), followed by a team action.
			l := projtest.New(t, t0)
			retroLog(t, l, "r1", 1)
			projtest.AppendAll(ctx, t, store, l.Events)
			if _, err := store.Append(ctx, eventstore.Commit{Stream: eventstore.StreamID{Category: retro.Category, ID: "r1"}, ExpectedVersion: eventstore.Any,
				CommandID: "bad", Events: []eventstore.Event{{Type: "CardAdded", SchemaVersion: 2, Payload: []byte(`{"cardId":42}`)}}}); err != nil {
				t.Fatal(err)
			}
			after := projtest.New(t, t0)
			after.Team("team-a", team.ActionRecorded{ActionID: "a1", Title: "fix it", At: t0})
			pos := projtest.AppendAll(ctx, t, store, after.Events)
			// When the runner has caught up with it.
			if !live {
				f = start(t, ctx, store, "")
				defer f.r.Close()
			}
			reg := prometheus.NewRegistry()
			reg.MustRegister(f.r.Collector())
			if err := f.r.WaitFor(ctx, pos); err != nil {
				t.Fatal(err)
			}
			// Then both read models got past it, the later action is
			// tracked, and each counts one poison event with no lag.
			if _, ok := f.actions.Current().Action("a1"); !ok {
				t.Error("the action after the damaged event is missing")
			}
			want := `
# HELP hindsight_projection_poison_events_total Events a read model could not apply and skipped after retries.
# TYPE hindsight_projection_poison_events_total counter
hindsight_projection_poison_events_total{projection="action-tracker"} 1
hindsight_projection_poison_events_total{projection="team-history"} 1
# HELP hindsight_projection_lag_positions Log positions (commits) a read model is behind the end of the log.
# TYPE hindsight_projection_lag_positions gauge
hindsight_projection_lag_positions{projection="action-tracker"} 0
hindsight_projection_lag_positions{projection="team-history"} 0
`
			if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "hindsight_projection_poison_events_total", "hindsight_projection_lag_positions"); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestARebuildServesTheOldInstanceThenSwapsInTheNewOne(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// Given a caught-up runner.
	store := memstore.New(nil)
	l := projtest.New(t, t0)
	for _, id := range []string{"r1", "r2", "r3"} {
		retroLog(t, l, id, 2)
	}
	projtest.AppendAll(ctx, t, store, l.Events)
	f := start(t, ctx, store, "")
	defer f.r.Close()
	if err := f.r.WaitCaughtUp(ctx); err != nil {
		t.Fatal(err)
	}
	old := f.history.Current()
	want := old.TeamRetros("team-a")
	// When the history is rebuilt while retros keep being written.
	writes := make(chan uint64)
	go func() {
		more := projtest.New(t, t0)
		for _, id := range []string{"r4", "r5", "r6", "r7"} {
			retroLog(t, more, id, 1)
		}
		writes <- projtest.AppendAll(ctx, t, store, more.Events)
	}()
	if err := f.r.Rebuild(ctx, teamhistory.Name); err != nil {
		t.Fatal(err)
	}
	last := <-writes
	if err := f.r.WaitFor(ctx, last); err != nil {
		t.Fatal(err)
	}
	// Then queries now go to a new instance, which has every retro, and the
	// old one still answers what it had for anyone holding it.
	cur := f.history.Current()
	if cur == old {
		t.Fatal("the slot still holds the old instance")
	}
	if got := cur.TeamRetros("team-a"); len(got) != 7 {
		t.Errorf("rebuilt instance has %d retros, want 7", len(got))
	}
	if got := old.TeamRetros("team-a"); len(got) < len(want) {
		t.Errorf("old instance lost retros: %d", len(got))
	}
}

func TestARestartResumesFromTheSnapshotsCheckpoint(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dir := t.TempDir()
	// Given a runner that caught up on two retros and was closed (saving snapshots).
	store := memstore.New(nil)
	l := projtest.New(t, t0)
	retroLog(t, l, "r1", 2)
	retroLog(t, l, "r2", 2)
	pos := projtest.AppendAll(ctx, t, store, l.Events)
	f := start(t, ctx, store, dir)
	if err := f.r.WaitFor(ctx, pos); err != nil {
		t.Fatal(err)
	}
	if err := f.r.Close(); err != nil {
		t.Fatal(err)
	}
	// When a retro is written while it is down, and it starts again.
	more := projtest.New(t, t0)
	retroLog(t, more, "r3", 1)
	first := pos
	pos = projtest.AppendAll(ctx, t, store, more.Events)
	g := &fixture{history: runner.NewSlot(newHistory), actions: runner.NewSlot(actiontracker.New)}
	r, err := runner.New(runner.Config{Store: store, SnapshotDir: dir}, g.history, g.actions)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	// Then it starts from the saved checkpoint, not from zero,
	if cp := g.history.Current().Checkpoint(); cp < first {
		t.Errorf("started at checkpoint %d, want the snapshot's %d", cp, first)
	}
	if err := r.WaitFor(ctx, pos); err != nil {
		t.Fatal(err)
	}
	// and it has all three retros, each counted once.
	got := g.history.Current().TeamRetros("team-a")
	if len(got) != 3 || got[0].Cards != 2 || got[1].Cards != 2 || got[2].Cards != 1 {
		t.Errorf("after restart: %+v", got)
	}
}

func TestARunnerClosesOnceAndStartsOnce(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	f := start(t, ctx, memstore.New(nil), t.TempDir())
	if err := f.r.Start(ctx); err == nil {
		t.Error("a second Start was accepted")
	}
	if err := f.r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.r.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// newHistory is the team history under the default minimum group.
func newHistory() *teamhistory.History { return teamhistory.New(retro.Policy{}) }

// A read model invalidated (its texts may have been erased from the log's
// reading) loses its snapshot at once and saves none when the runner
// closes; rebuilt afterwards, it saves again.
func TestAnInvalidatedReadModelSavesNoSnapshotUntilItIsRebuilt(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dir := t.TempDir()
	store := memstore.New(nil)
	l := projtest.New(t, t0)
	retroLog(t, l, "r1", 2)
	pos := projtest.AppendAll(ctx, t, store, l.Events)
	f := start(t, ctx, store, dir)
	if err := f.r.WaitFor(ctx, pos); err != nil {
		t.Fatal(err)
	}
	if err := f.r.SaveSnapshots(); err != nil {
		t.Fatal(err)
	}
	history := filepath.Join(dir, f.history.Current().Name()+".json")
	if _, err := os.Stat(history); err != nil {
		t.Fatalf("no snapshot saved before the invalidation: %v", err)
	}
	if err := f.r.Invalidate(f.history.Current().Name()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(history); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the invalidated read model's snapshot is still there: %v", err)
	}
	if err := f.r.SaveSnapshots(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(history); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("an invalidated read model saved a snapshot before its rebuild: %v", err)
	}
	if err := f.r.Rebuild(ctx, f.history.Current().Name()); err != nil {
		t.Fatal(err)
	}
	if err := f.r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(history); err != nil {
		t.Fatalf("the rebuilt read model saved no snapshot at close: %v", err)
	}
}
