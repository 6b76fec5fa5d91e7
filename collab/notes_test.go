package collab_test

import (
	"context"
	"testing"

	"github.com/hindsight-retro/hindsight/collab"
	"github.com/hindsight-retro/hindsight/collab/wire"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
)

// A reveal merges each person's private notes into the board a stock client
// has open: the client receives the notes (text still collaborative text it
// types into), stacked above the board's items, with the author the server
// gives them (empty here, as on an anonymous retro's board) whatever the
// notes said; a second reveal adds nothing.
func TestRevealedNotesReachAClientOfTheBoardWithTheAuthorTheServerGives(t *testing.T) {
	ctx := context.Background()
	store := memstore.New(nil)
	boardID, aliceNotes, bobNotes := wire.NewDocumentID(), wire.NewDocumentID(), wire.NewDocumentID()
	if err := collab.SeedBoard(ctx, store, boardID, "Retro", nil, nil); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{aliceNotes, bobNotes} {
		if err := collab.SeedNotes(ctx, store, id, "Retro"); err != nil {
			t.Fatal(err)
		}
	}
	n := startNode(t, store, "")
	d := startDriver(t)
	d.do(map[string]any{"op": "open", "client": "a", "url": n.url("alice")})
	d.do(map[string]any{"op": "open", "client": "b", "url": n.url("bob")})
	d.do(map[string]any{"op": "open", "client": "c", "url": n.url("carol")})
	board := wire.URLPrefix + boardID
	d.do(map[string]any{"op": "find", "client": "c", "url": board})
	d.do(map[string]any{"op": "set", "client": "c", "url": board, "path": []any{"items", "c1"},
		"value": map[string]any{"kind": "note", "x": 0, "y": 0, "w": 160, "h": 120, "color": "yellow", "z": 7, "author": "carol", "text": "on the board"}})
	for _, w := range []struct{ client, doc, id, text string }{{"a", aliceNotes, "a1", "alice's secret"}, {"b", bobNotes, "b1", "bob's secret"}} {
		url := wire.URLPrefix + w.doc
		d.do(map[string]any{"op": "find", "client": w.client, "url": url})
		d.do(map[string]any{"op": "set", "client": w.client, "url": url, "path": []any{"items", w.id},
			"value": map[string]any{"kind": "note", "x": 10, "y": 20, "w": 160, "h": 120, "color": "pink", "z": 1, "author": w.client + "-user-id", "text": w.text}})
		// The server has the note once another client of it (this test's
		// authorization lets anyone) receives it.
		d.do(map[string]any{"op": "waitValue", "client": "c", "url": url, "path": []any{"items", w.id, "text"}, "want": w.text})
	}
	// The writers' last edits may be on this node only, or still being
	// checked: Flush waits for them and puts them in the log.
	notes := []collab.Notes{{DocID: aliceNotes, Author: ""}, {DocID: bobNotes, Author: ""}}
	if err := n.srv.Flush(ctx, aliceNotes, bobNotes); err != nil {
		t.Fatal(err)
	}
	if _, err := collab.MergeNotes(ctx, store, collab.Reveal{Board: boardID, Notes: notes}); err != nil {
		t.Fatal(err)
	}
	d.do(map[string]any{"op": "waitValue", "client": "c", "url": board, "path": []any{"items", "a1", "text"}, "want": "alice's secret"})
	d.do(map[string]any{"op": "waitValue", "client": "c", "url": board, "path": []any{"items", "b1", "text"}, "want": "bob's secret"})
	got := d.do(map[string]any{"op": "doc", "client": "c", "url": board})["doc"].(map[string]any)["items"].(map[string]any)
	for _, id := range []string{"a1", "b1"} {
		it := got[id].(map[string]any)
		if it["author"] != "" || it["x"] != float64(10) || it["kind"] != "note" || it["color"] != "pink" {
			t.Errorf("revealed item %s: %v", id, it)
		}
		if z, _ := it["z"].(float64); z <= 7 {
			t.Errorf("revealed item %s is stacked at %v, under the board's item at 7", id, it["z"])
		}
	}
	// Collaborative text: the board's client types into a revealed note.
	d.do(map[string]any{"op": "splice", "client": "c", "url": board, "path": []any{"items", "a1", "text"}, "index": 0, "insert": "Re: "})
	d.do(map[string]any{"op": "waitValue", "client": "a", "url": board, "path": []any{"items", "a1", "text"}, "want": "Re: alice's secret"})

	if _, err := collab.MergeNotes(ctx, store, collab.Reveal{Board: boardID, Notes: notes}); err != nil {
		t.Fatal(err)
	}
	d.do(map[string]any{"op": "waitValue", "client": "a", "url": board, "path": []any{"items", "a1", "text"}, "want": "Re: alice's secret"})
	if items := d.do(map[string]any{"op": "doc", "client": "a", "url": board})["doc"].(map[string]any)["items"].(map[string]any); len(items) != 3 {
		t.Errorf("after a second reveal the board holds %d items, want 3", len(items))
	}
}
