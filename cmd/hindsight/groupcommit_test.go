package main

import (
	"context"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/natsjs"
)

func TestTheEmbeddedLogsFsyncRoundsAreOnTheMetrics(t *testing.T) {
	ctx := context.Background()
	store, err := natsjs.Open(ctx, natsjs.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	reg := prometheus.NewRegistry()
	if err := registerGroupCommit(store, reg); err != nil {
		t.Fatal(err)
	}
	c := eventstore.Commit{Stream: eventstore.StreamID{Category: "retro", ID: "r1"}, ExpectedVersion: eventstore.NoStream, CommandID: "c1",
		Events: []eventstore.Event{{Type: "CardAdded", SchemaVersion: 1, Payload: []byte(`{"text":"x"}`)}}}
	if _, err := store.Append(ctx, c); err != nil {
		t.Fatal(err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			got[mf.GetName()] = m.GetCounter().GetValue()
		}
	}
	for _, name := range []string{"hindsight_eventstore_fsync_rounds_total", "hindsight_eventstore_fsync_waits_total", "hindsight_eventstore_fsync_seconds_total"} {
		if got[name] <= 0 {
			t.Errorf("%s = %v after an append, want it counted (%v)", name, got[name], got)
		}
	}
}
