package runner_test

import (
	"context"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/eventstore/memstore"
	"github.com/hindsight-retro/hindsight/projections/projtest"
)

func TestASnapshotPastTheEndOfTheLogIsIgnored(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dir := t.TempDir()
	// Given snapshots saved by a runner over a log of two retros,
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
	// when a runner with the same snapshot folder starts over a new, shorter
	// log (the data folder reused for another store),
	fresh := memstore.New(nil)
	other := projtest.New(t, t0)
	retroLog(t, other, "r9", 1)
	end := projtest.AppendAll(ctx, t, fresh, other.Events)
	if end >= pos {
		t.Fatalf("the new log ends at %d, want before the snapshot's %d", end, pos)
	}
	g := start(t, ctx, fresh, dir)
	defer g.r.Close()
	if err := g.r.WaitFor(ctx, end); err != nil {
		t.Fatal(err)
	}
	// then it shows the new log alone, not the retros of the old one.
	got := g.history.Current().TeamRetros("team-a")
	if len(got) != 1 || got[0].RetroID != "r9" {
		t.Errorf("after starting over another log: %+v, want only r9", got)
	}
	if cp := g.history.Current().Checkpoint(); cp != end {
		t.Errorf("checkpoint %d, want the new log's end %d", cp, end)
	}
}
