package collab_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/collab"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
)

const boardRegistered = "test.BoardRegistered"

// A document a stock client made (repo.create()) and offered before anyone
// registered it reaches another client once it is registered, with no
// further edit by its maker.
func TestARegisteredClientMadeBoardIsServedWithoutAnotherEdit(t *testing.T) {
	store := memstore.New(nil)
	var mu sync.Mutex
	registered, refused := map[string]bool{}, map[string]bool{}
	n := startNodeWith(t, store, "", func(d *collab.Deps) {
		d.Authorize = func(_ context.Context, userID, docID string) bool {
			mu.Lock()
			defer mu.Unlock()
			if !registered[docID] {
				refused[userID+" "+docID] = true
			}
			return registered[docID]
		}
		d.AccessChanged = func(e eventstore.RecordedEvent) (collab.AccessChange, bool) {
			return collab.AccessChange{DocID: e.Stream.ID, Granted: true}, e.Type == boardRegistered
		}
	})
	d := startDriver(t)
	d.do(map[string]any{"op": "open", "client": "a", "url": n.url("alice")})
	d.do(map[string]any{"op": "open", "client": "b", "url": n.url("bob")})
	url := d.do(map[string]any{"op": "create", "client": "a", "value": map[string]any{"notes": []any{"made-0"}}})["url"].(string)
	docID := strings.TrimPrefix(url, "automerge:")

	// The server refused alice's offer: nobody had registered it.
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		done := refused["alice "+docID]
		mu.Unlock()
		if done {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("alice's client never offered the document")
		}
		time.Sleep(10 * time.Millisecond)
	}

	mu.Lock()
	registered[docID] = true
	mu.Unlock()
	if _, err := store.Append(context.Background(), eventstore.Commit{
		Stream: eventstore.StreamID{Category: "test", ID: docID}, ExpectedVersion: eventstore.Any, CommandID: "register-" + docID,
		Events: []eventstore.Event{{Type: boardRegistered, SchemaVersion: 1, Payload: []byte(`{}`)}},
	}); err != nil {
		t.Fatal(err)
	}
	d.do(map[string]any{"op": "find", "client": "b", "url": url, "timeoutMs": 10000})
	got := d.do(map[string]any{"op": "waitFor", "client": "b", "url": url, "key": "notes", "length": 1})
	expectItems(t, list(t, got["doc"], "notes"), map[string]int{"made": 1})
}
