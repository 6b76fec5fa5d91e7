package runner_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/hindsight-retro/hindsight/domain/workspace"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
	"github.com/hindsight-retro/hindsight/projections/names"
	"github.com/hindsight-retro/hindsight/projections/runner"
)

// A runner keeps a read model up to date from the log: Start catches it up
// with what is stored, then it follows new commits; WaitFor waits until a
// commit's position is applied, so a caller reads its own write.
func Example() {
	ctx := context.Background()
	at := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	store := memstore.New(func() time.Time { return at })

	// record stores one workspace event as the application would.
	record := func(cmdID string, e workspace.Event) uint64 {
		typ, version, payload, err := workspace.EncodeEvent(e)
		if err != nil {
			log.Fatal(err)
		}
		res, err := store.Append(ctx, eventstore.Commit{
			Stream:          eventstore.StreamID{Category: workspace.Category, ID: "ws1"},
			ExpectedVersion: eventstore.Any, CommandID: cmdID,
			Events: []eventstore.Event{{Type: typ, SchemaVersion: version, Payload: payload}},
		})
		if err != nil {
			log.Fatal(err)
		}
		return res.Position
	}
	record("create", workspace.WorkspaceCreated{WorkspaceID: "ws1", Name: "Acme", CreatedBy: "ada", At: at})

	slot := runner.NewSlot(names.New)
	r, err := runner.New(runner.Config{Store: store}, slot)
	if err != nil {
		log.Fatal(err)
	}
	if err := r.Start(ctx); err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	fmt.Println(slot.Current().Workspace("ws1"))

	pos := record("rename", workspace.WorkspaceRenamed{Name: "Acme Robotics", RenamedBy: "ada", At: at})
	if err := r.WaitFor(ctx, pos); err != nil {
		log.Fatal(err)
	}
	fmt.Println(slot.Current().Workspace("ws1"))
	// Output:
	// Acme
	// Acme Robotics
}
