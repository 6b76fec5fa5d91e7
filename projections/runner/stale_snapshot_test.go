package runner_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
	"github.com/hindsight-retro/hindsight/projections/actiontracker"
	"github.com/hindsight-retro/hindsight/projections/projtest"
	"github.com/hindsight-retro/hindsight/projections/runner"
)

// snapshotsPastTheLog saves snapshots of a log of two retros into dir and
// returns a new, shorter log (the old one lost its end), with its end and
// the snapshots' position.
func snapshotsPastTheLog(t *testing.T, ctx context.Context, dir string) (*memstore.Store, uint64, uint64) {
	t.Helper()
	old := memstore.New(nil)
	l := projtest.New(t, t0)
	retroLog(t, l, "r1", 2)
	retroLog(t, l, "r2", 2)
	pos := projtest.AppendAll(ctx, t, old, l.Events)
	f := start(t, ctx, old, dir)
	if err := f.r.WaitFor(ctx, pos); err != nil {
		t.Fatal(err)
	}
	if err := f.r.Close(); err != nil {
		t.Fatal(err)
	}
	shorter := memstore.New(nil)
	other := projtest.New(t, t0)
	retroLog(t, other, "r9", 1)
	end := projtest.AppendAll(ctx, t, shorter, other.Events)
	if end >= pos {
		t.Fatalf("the new log ends at %d, want before the snapshot's %d", end, pos)
	}
	return shorter, end, pos
}

func TestASnapshotPastTheEndOfTheLogRefusesStartNamingTheMissingPositions(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dir := t.TempDir()
	store, end, pos := snapshotsPastTheLog(t, ctx, dir)
	history := runner.NewSlot(newHistory)
	r, err := runner.New(runner.Config{Store: store, SnapshotDir: dir}, history, runner.NewSlot(actiontracker.New))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	err = r.Start(ctx)
	if !errors.Is(err, eventstore.ErrDataLoss) {
		t.Fatalf("start with snapshots past the log's end: %v, want ErrDataLoss", err)
	}
	for _, want := range []string{"team-history", "ends at position " + itoa(end), itoa(end+1) + " to " + itoa(pos)} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if got := history.Current().TeamRetros("team-a"); len(got) != 0 {
		t.Errorf("the refused read model serves %+v", got)
	}
	if err := r.CheckSnapshots(ctx); !errors.Is(err, eventstore.ErrDataLoss) {
		t.Errorf("CheckSnapshots: %v, want ErrDataLoss", err)
	}
}

func TestASnapshotPastTheEndOfTheLogIsRebuiltFromTheLogWhenTheLossIsAccepted(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dir := t.TempDir()
	store, end, _ := snapshotsPastTheLog(t, ctx, dir)
	history := runner.NewSlot(newHistory)
	r, err := runner.New(runner.Config{Store: store, SnapshotDir: dir, AcceptDataLoss: true}, history, runner.NewSlot(actiontracker.New))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := r.WaitFor(ctx, end); err != nil {
		t.Fatal(err)
	}
	// It shows what the log holds, not the retros it lost.
	got := history.Current().TeamRetros("team-a")
	if len(got) != 1 || got[0].RetroID != "r9" {
		t.Errorf("after accepting the loss: %+v, want only r9", got)
	}
	if cp := history.Current().Checkpoint(); cp != end {
		t.Errorf("checkpoint %d, want the log's end %d", cp, end)
	}
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }
