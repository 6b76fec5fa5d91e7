package collab_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/collab"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
)

// A stock client whose user loses access to a board stops receiving its
// presence and changes within two seconds, while another client keeps
// syncing it: at once when the log shows an event that AccessChanged
// names, and within ReauthorizeInterval when nothing in the log says so.
func TestAClientThatLosesAccessStopsReceivingTheBoard(t *testing.T) {
	t.Run("announced by the log", func(t *testing.T) {
		withdrawnClientIsCutOff(t, true)
	})
	t.Run("found by the periodic check", func(t *testing.T) {
		withdrawnClientIsCutOff(t, false)
	})
}

const accessWithdrawn = "test.AccessWithdrawn"

func withdrawnClientIsCutOff(t *testing.T, announce bool) {
	store := memstore.New(nil)
	var denied sync.Map // user IDs
	n := startNodeWith(t, store, "", func(d *collab.Deps) {
		d.Authorize = func(_ context.Context, userID, _ string) bool {
			_, no := denied.Load(userID)
			return !no && userID != "mallory"
		}
		d.AccessChanged = func(e eventstore.RecordedEvent) (collab.AccessChange, bool) {
			return collab.AccessChange{UserID: e.Stream.ID}, e.Type == accessWithdrawn
		}
		if !announce {
			d.ReauthorizeInterval = time.Second
		}
	})
	d := startDriver(t)
	for _, c := range []string{"alice", "bob", "carol"} {
		d.do(map[string]any{"op": "open", "client": c, "url": n.url(c)})
	}
	url := d.do(map[string]any{"op": "create", "client": "alice", "value": map[string]any{"notes": []any{}}})["url"].(string)
	d.do(map[string]any{"op": "edit", "client": "alice", "url": url, "key": "notes", "count": 1, "prefix": "first"})
	for _, c := range []string{"bob", "carol"} {
		d.do(map[string]any{"op": "find", "client": c, "url": url})
	}
	rounds := 0
	round := func(to ...string) {
		rounds++
		seen := map[string]int{}
		for _, c := range to {
			seen[c] = presenceCount(d, c, url)
		}
		d.do(map[string]any{"op": "broadcast", "client": "alice", "url": url, "message": map[string]any{"cursor": rounds}})
		d.do(map[string]any{"op": "edit", "client": "alice", "url": url, "key": "notes", "count": 1, "prefix": fmt.Sprint("round", rounds)})
		for _, c := range to {
			d.do(map[string]any{"op": "waitFor", "client": c, "url": url, "key": "notes", "length": 1 + rounds})
			d.do(map[string]any{"op": "waitEphemeral", "client": c, "url": url, "count": seen[c] + 1})
		}
	}
	round("bob", "carol") // bob receives both, until...

	denied.Store("bob", true)
	if announce {
		if _, err := store.Append(context.Background(), eventstore.Commit{
			Stream: eventstore.StreamID{Category: "test", ID: "bob"}, ExpectedVersion: eventstore.Any, CommandID: "withdraw-bob",
			Events: []eventstore.Event{{Type: accessWithdrawn, SchemaVersion: 1, Payload: []byte(`{}`)}},
		}); err != nil {
			t.Fatal(err)
		}
	}
	lost := time.Now()
	// The bound under test, not a wait for something to happen.
	time.Sleep(time.Until(lost.Add(2 * time.Second)))
	notes := len(list(t, d.do(map[string]any{"op": "doc", "client": "bob", "url": url})["doc"], "notes"))
	presence := presenceCount(d, "bob", url)
	for range 3 {
		round("carol")
	}
	if got := len(list(t, d.do(map[string]any{"op": "doc", "client": "bob", "url": url})["doc"], "notes")); got != notes {
		t.Errorf("bob's copy went from %d to %d notes more than 2 s after losing access", notes, got)
	}
	if got := presenceCount(d, "bob", url); got != presence {
		t.Errorf("bob received %d presence messages more than 2 s after losing access", got-presence)
	}
}

func presenceCount(d *driver, client, url string) int {
	n, _ := d.do(map[string]any{"op": "doc", "client": client, "url": url})["ephemeral"].(float64)
	return int(n)
}

// Boards that end for everyone (a quick retro's, erased at its expiry) cut
// every connection syncing one of them at once, each stock client told the
// reason it can show; a client syncing only other boards goes on.
func TestEndedBoardsCutTheirConnectionsWithTheReason(t *testing.T) {
	n := startNodeWith(t, memstore.New(nil), "", nil)
	d := startDriver(t)
	for _, c := range []string{"alice", "bob", "carol"} {
		d.do(map[string]any{"op": "open", "client": c, "url": n.url(c)})
	}
	ended := d.do(map[string]any{"op": "create", "client": "alice", "value": map[string]any{"notes": []any{}}})["url"].(string)
	kept := d.do(map[string]any{"op": "create", "client": "alice", "value": map[string]any{"notes": []any{}}})["url"].(string)
	d.do(map[string]any{"op": "find", "client": "bob", "url": ended})
	d.do(map[string]any{"op": "find", "client": "carol", "url": kept})

	const reason = "quick-retro-expired: this quick retro expired and what was written in it was erased"
	n.srv.End([]string{strings.TrimPrefix(ended, "automerge:")}, reason)
	errs := d.do(map[string]any{"op": "errors", "client": "bob", "count": 1, "timeoutMs": 20000})
	if list, _ := errs["errors"].([]any); len(list) == 0 || fmt.Sprint(list[0]) != reason {
		t.Fatalf("the client syncing the ended board was told %v, want %q", errs["errors"], reason)
	}
	d.do(map[string]any{"op": "edit", "client": "alice", "url": kept, "key": "notes", "count": 1, "prefix": "after"})
	d.do(map[string]any{"op": "waitFor", "client": "carol", "url": kept, "key": "notes", "length": 1})
	if errs := d.do(map[string]any{"op": "errors", "client": "carol", "timeoutMs": 0}); len(errs["errors"].([]any)) != 0 {
		t.Fatalf("a client syncing only another board was told %v", errs["errors"])
	}
}
