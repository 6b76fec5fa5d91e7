package collab_test

import (
	"context"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/collab"
	"github.com/hindsight-retro/hindsight/collab/wire"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
)

// Boards are compacted into snapshots, load from the latest snapshot plus
// the chunks after it, and come back from the log after being evicted.
func TestSnapshotsEvictionAndReload(t *testing.T) {
	store := memstore.New(nil)
	n := startNodeWith(t, store, "", func(d *collab.Deps) {
		d.SnapshotEvery = 3
		d.IdleAfter = 50 * time.Millisecond
	})
	d := startDriver(t)
	d.do(map[string]any{"op": "open", "client": "a", "url": n.url("alice")})
	url := d.do(map[string]any{"op": "create", "client": "a", "value": map[string]any{"notes": []any{}}})["url"].(string)
	docID, _ := wire.ParseDocumentID(url)
	stream := eventstore.StreamID{Category: "wbdoc", ID: docID}
	// Rounds of edits, each given time to be flushed as its own chunk, until
	// a snapshot has been taken and more chunks follow it.
	total := 0
	for round := 0; round < 8; round++ {
		d.do(map[string]any{"op": "edit", "client": "a", "url": url, "key": "notes", "count": 5, "prefix": "r" + string(rune('a'+round))})
		total += 5
		waitUntil(t, func() bool {
			evs, err := store.Load(context.Background(), stream, 0)
			return err == nil && len(evs) > round
		})
	}
	evs, err := store.Load(context.Background(), stream, 0)
	if err != nil {
		t.Fatal(err)
	}
	snapshots, lastSnapshot := 0, -1
	for i, e := range evs {
		if e.Type == "WhiteboardSnapshot" {
			snapshots++
			lastSnapshot = i
		}
	}
	if snapshots == 0 || lastSnapshot == len(evs)-1 {
		t.Fatalf("want snapshots followed by chunks, got %d events with snapshots at up to %d", len(evs), lastSnapshot)
	}

	// Once nobody uses it, the board leaves memory...
	d.do(map[string]any{"op": "close", "client": "a"})
	waitUntil(t, func() bool { return n.srv.LoadedBoards() == 0 })
	// ...and a client asking for it again gets all of it back from the log.
	d.do(map[string]any{"op": "open", "client": "b", "url": n.url("bob")})
	d.do(map[string]any{"op": "find", "client": "b", "url": url})
	rb := d.do(map[string]any{"op": "waitFor", "client": "b", "url": url, "key": "notes", "length": total})
	want := map[string]int{}
	for round := 0; round < 8; round++ {
		want["r"+string(rune('a'+round))] = 5
	}
	expectItems(t, list(t, rb["doc"], "notes"), want)
}

// waitUntil polls cond until it holds, failing the test after a generous while.
func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition never held")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
