package demo_test

import (
	"context"
	"testing"

	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
	"github.com/hindsight-retro/hindsight/projections"
	"github.com/hindsight-retro/hindsight/projections/demo"
)

func generate(t *testing.T, cfg demo.Config) (*memstore.Store, demo.Stats) {
	t.Helper()
	store := memstore.New(nil)
	st, err := demo.Generate(context.Background(), store, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return store, st
}

func TestTheDemoIsAValidLogOfTheRequestedSize(t *testing.T) {
	// Given a demo of 30 retros.
	store, st := generate(t, demo.Config{Seed: 7, Retros: 30, RetrosPerTeam: 10})
	// Then it has the retros, teams and surveys asked for, and every event decodes.
	if st.Retros != 30 || st.Teams != 3 || st.Surveys == 0 || st.Events < 30*50 {
		t.Errorf("stats %+v", st)
	}
	n := 0
	err := store.ReadAll(context.Background(), 0, func(_ context.Context, e eventstore.RecordedEvent) error {
		n++
		_, err := projections.Decode(e)
		return err
	})
	if err != nil || n != st.Events {
		t.Errorf("read %d events (%v), stats say %d", n, err, st.Events)
	}
}

func TestTheDemoIsDeterministicFromItsSeed(t *testing.T) {
	// Given two demos with the same seed and one with another.
	a, _ := generate(t, demo.Config{Seed: 1, Retros: 5})
	b, _ := generate(t, demo.Config{Seed: 1, Retros: 5})
	c, _ := generate(t, demo.Config{Seed: 2, Retros: 5})
	// Then the first two logs are the same payloads in the same order, the third differs.
	payloads := func(s *memstore.Store) []string {
		var out []string
		_ = s.ReadAll(context.Background(), 0, func(_ context.Context, e eventstore.RecordedEvent) error {
			out = append(out, e.Stream.String()+e.Type+string(e.Payload))
			return nil
		})
		return out
	}
	pa, pb, pc := payloads(a), payloads(b), payloads(c)
	if len(pa) != len(pb) {
		t.Fatalf("same seed, %d and %d events", len(pa), len(pb))
	}
	for i := range pa {
		if pa[i] != pb[i] {
			t.Fatalf("same seed differs at event %d", i)
		}
	}
	same := len(pa) == len(pc)
	for i := 0; same && i < len(pa); i++ {
		same = pa[i] == pc[i]
	}
	if same {
		t.Error("another seed gave the same log")
	}
}

func TestTheDemoStopsNearTheEventTarget(t *testing.T) {
	_, st := generate(t, demo.Config{Seed: 3, Events: 5000})
	if st.Events < 5000 || st.Events > 5000+1000 {
		t.Errorf("asked for 5000 events, got %d", st.Events)
	}
}
