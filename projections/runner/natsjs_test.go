package runner_test

import (
	"context"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/eventstore/natsjs"
	"github.com/hindsight-retro/hindsight/projections/actiontracker"
	"github.com/hindsight-retro/hindsight/projections/projtest"
	"github.com/hindsight-retro/hindsight/projections/runner"
	"github.com/hindsight-retro/hindsight/projections/teamhistory"
)

// The runner asks only the Store port, so it follows a real JetStream log
// as it follows the memory one: catch-up, live, rebuild.
func TestTheRunnerFollowsAnEmbeddedNATSLog(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	store, err := natsjs.Open(ctx, natsjs.Config{DataDir: t.TempDir(), SyncInterval: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	l := projtest.New(t, t0)
	retroLog(t, l, "r1", 2)
	projtest.AppendAll(ctx, t, store, l.Events)
	history := runner.NewSlot(newHistory)
	r, err := runner.New(runner.Config{Store: store}, history, runner.NewSlot(actiontracker.New))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	more := projtest.New(t, t0)
	retroLog(t, more, "r2", 3)
	pos := projtest.AppendAll(ctx, t, store, more.Events)
	if err := r.WaitFor(ctx, pos); err != nil {
		t.Fatal(err)
	}
	if got := history.Current().TeamRetros("team-a"); len(got) != 2 || got[1].Cards != 3 {
		t.Fatalf("history %+v", got)
	}
	if err := r.Rebuild(ctx, teamhistory.Name); err != nil {
		t.Fatal(err)
	}
	if got := history.Current().TeamRetros("team-a"); len(got) != 2 || history.Current().Checkpoint() != pos {
		t.Errorf("after rebuild %+v at %d", got, history.Current().Checkpoint())
	}
}
