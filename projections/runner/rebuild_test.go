package runner_test

import (
	"context"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
	"github.com/hindsight-retro/hindsight/projections"
	"github.com/hindsight-retro/hindsight/projections/actiontracker"
	"github.com/hindsight-retro/hindsight/projections/dashboard"
	"github.com/hindsight-retro/hindsight/projections/demo"
	"github.com/hindsight-retro/hindsight/projections/healthtrends"
	"github.com/hindsight-retro/hindsight/projections/runner"
)

func TestRebuildingFromZeroGivesTheReadModelsTheLiveOnesReached(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	// Given a runner following the log live while a long random workspace
	// is written into it (retros, actions, health checks, surveys).
	store := memstore.New(nil)
	history := runner.NewSlot(newHistory)
	actions := runner.NewSlot(actiontracker.New)
	health := runner.NewSlot(func() *healthtrends.Trends { return healthtrends.New(healthtrends.Config{}) })
	dash := runner.NewSlot(func() *dashboard.Dashboard { return dashboard.New(0) })
	r, err := runner.New(runner.Config{Store: store}, history, actions, health, dash)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	st, err := demo.Generate(ctx, store, demo.Config{Seed: 42, Retros: 60, RetrosPerTeam: 12})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.WaitFor(ctx, st.LastPosition); err != nil {
		t.Fatal(err)
	}
	// When each read model is rebuilt from position zero in one pass.
	fresh := []projections.Projection{newHistory(), actiontracker.New(), healthtrends.New(healthtrends.Config{}), dashboard.New(0)}
	err = store.ReadAll(ctx, 0, func(_ context.Context, e eventstore.RecordedEvent) error {
		for _, p := range fresh {
			if err := p.Apply(e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Then each equals its live twin, state and checkpoint.
	live := []projections.Projection{history.Current(), actions.Current(), health.Current(), dash.Current()}
	for i, p := range fresh {
		a, err := p.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		b, err := live[i].Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		if string(a) != string(b) {
			t.Errorf("%s: rebuilt and live differ (%d and %d bytes)", p.Name(), len(a), len(b))
		}
		if p.Checkpoint() != st.LastPosition {
			t.Errorf("%s: checkpoint %d, want %d", p.Name(), p.Checkpoint(), st.LastPosition)
		}
	}
	if len(history.Current().Teams()) != 5 {
		t.Errorf("history has %d teams, want 5", len(history.Current().Teams()))
	}
}
