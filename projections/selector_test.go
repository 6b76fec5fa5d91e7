package projections_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/domain/survey"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/domain/workspace"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
	"github.com/hindsight-retro/hindsight/projections"
	"github.com/hindsight-retro/hindsight/projections/actiontracker"
	"github.com/hindsight-retro/hindsight/projections/dashboard"
	"github.com/hindsight-retro/hindsight/projections/demo"
	"github.com/hindsight-retro/hindsight/projections/healthtrends"
	"github.com/hindsight-retro/hindsight/projections/membership"
	"github.com/hindsight-retro/hindsight/projections/names"
	"github.com/hindsight-retro/hindsight/projections/teamhistory"
	"github.com/hindsight-retro/hindsight/projections/teamsurveys"
)

// everything is a read model made to fold every event, the reference.
type everything interface {
	projections.Projection
	FoldEverything()
}

func readModels() []everything {
	return []everything{
		teamhistory.New(retro.Policy{}), actiontracker.New(), healthtrends.New(healthtrends.Config{}),
		dashboard.New(0), membership.New(), teamsurveys.New(), names.New(),
	}
}

// Each read model declares the events it folds (its Selector); the others
// only move its cursor, and the live runner passes them by without a
// handler. Folding every event of a year of retros, health checks, actions
// and surveys must give each read model exactly what folding only its
// declared events gives: a type its fold reads but its list forgets would
// differ here.
func TestAReadModelFoldingOnlyWhatItDeclaresEndsAsOneFoldingEverything(t *testing.T) {
	ctx := context.Background()
	store := memstore.New(nil)
	if _, err := demo.Generate(ctx, store, demo.Config{Seed: 11, Retros: 40, RetrosPerTeam: 10}); err != nil {
		t.Fatal(err)
	}
	declared, reference := readModels(), readModels()
	for _, p := range reference {
		p.FoldEverything()
	}
	types := map[string]bool{}
	passed := make([]int, len(declared))
	err := store.ReadAll(ctx, 0, func(_ context.Context, e eventstore.RecordedEvent) error {
		ev, err := projections.Decode(e)
		if err != nil {
			return err
		}
		types[e.Stream.Category+" "+e.Type] = true
		for i := range declared {
			if !declared[i].Folds(e, ev) {
				passed[i]++
			}
			if err := declared[i].ApplyDecoded(e, ev); err != nil {
				return err
			}
			if err := reference[i].ApplyDecoded(e, ev); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(types) < 25 {
		t.Fatalf("the demo log holds %d event types, too few to hold the lists to", len(types))
	}
	for i := range declared {
		a, err := declared[i].Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		b, err := reference[i].Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s folding only its declared events differs from folding every event: its list misses a type it reads", declared[i].Name())
		}
		if passed[i] == 0 {
			t.Errorf("%s declares every event of the log: nothing to pass by", declared[i].Name())
		}
	}
}

// A replay decodes only what projections.Relevant lets through: every
// event type a read model declares must be one of those, or a replay would
// hand that read model nothing to fold.
func TestEveryTypeAReadModelDeclaresIsDecodedByAReplay(t *testing.T) {
	type typed struct {
		category string
		ev       interface{ EventType() string }
	}
	var all []typed
	for _, e := range retro.Events() {
		all = append(all, typed{retro.Category, e})
	}
	for _, e := range team.Events() {
		all = append(all, typed{team.Category, e})
	}
	for _, e := range workspace.Events() {
		all = append(all, typed{workspace.Category, e})
	}
	for _, e := range survey.Events() {
		all = append(all, typed{survey.Category, e})
	}
	folded := 0
	for _, p := range readModels() {
		for _, x := range all {
			e := eventstore.RecordedEvent{Stream: eventstore.StreamID{Category: x.category, ID: "x"}, Type: x.ev.EventType()}
			if !p.Folds(e, x.ev) {
				continue
			}
			folded++
			if !projections.Relevant(e) {
				t.Errorf("%s folds %s %s, which a replay does not decode (projections.Relevant)", p.Name(), x.category, e.Type)
			}
		}
	}
	if folded < len(retro.Events()) {
		t.Errorf("the read models fold %d event types in all, fewer than team history alone", folded)
	}
}
