package collab

import (
	"context"
	"testing"

	"github.com/automerge/automerge-go"
	"github.com/hindsight-retro/hindsight/collab/wire"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
)

// writeNotes stores a notes document whose items are given, as a client's
// sync would have.
func writeNotes(t *testing.T, store eventstore.Store, docID string, items map[string]any) {
	t.Helper()
	doc := automerge.New()
	m := automerge.NewMap()
	if err := doc.RootMap().Set("items", m); err != nil {
		t.Fatal(err)
	}
	for k, v := range items {
		if err := m.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := doc.Commit("notes"); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Append(context.Background(), eventstore.Commit{Stream: docStream(docID), ExpectedVersion: eventstore.Any,
		CommandID: randomID(), Events: []eventstore.Event{chunkEvent(eventSnapshot, doc.Save())}}); err != nil {
		t.Fatal(err)
	}
}

// What a reveal copies is the board schema as clients write it: text stays
// collaborative text and a scalar string scalar, a drawing's points a list;
// the author is the server's, whatever the notes said. An item no board
// client writes (nested too deep) stays behind without holding up the
// others; notes never stored add nothing; a board with no content is an
// error, not a new document.
func TestARevealCopiesTheBoardSchemaAndSkipsWhatNoClientWrites(t *testing.T) {
	ctx := context.Background()
	store := memstore.New(nil)
	board, notes, never := wire.NewDocumentID(), wire.NewDocumentID(), wire.NewDocumentID()
	if err := MergeNotes(ctx, store, board, []Notes{{DocID: notes}}); err == nil {
		t.Fatal("a reveal into a board with no content succeeded")
	}
	if err := SeedBoard(ctx, store, board, "Retro", nil, nil); err != nil {
		t.Fatal(err)
	}
	deep := map[string]any{"kind": automerge.NewText("note")}
	at := deep
	for range maxItemDepth + 2 {
		next := map[string]any{}
		at["nested"] = next
		at = next
	}
	writeNotes(t, store, notes, map[string]any{
		"text-1":  map[string]any{"kind": automerge.NewText("note"), "text": automerge.NewText("typed"), "color": "pink", "author": automerge.NewText("someone"), "z": int64(3)},
		"draw-1":  map[string]any{"kind": automerge.NewText("drawing"), "points": []any{1.5, 2.0, 3.0, 4.5}, "x": 10.5},
		"deep-1":  deep,
		"scalar":  "not an item",
		"counted": map[string]any{"kind": automerge.NewText("note"), "n": automerge.NewCounter(4)},
	})
	if err := MergeNotes(ctx, store, board, []Notes{{DocID: notes, Author: "u-1"}, {DocID: never, Author: "u-2"}}); err != nil {
		t.Fatal(err)
	}
	doc, _, _, err := loadDoc(ctx, store, board)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]*automerge.Value{}
	for _, id := range []string{"text-1", "draw-1", "deep-1", "scalar", "counted"} {
		v, err := doc.Path("items", id).Get()
		if err != nil {
			t.Fatal(err)
		}
		got[id] = v
	}
	if !got["deep-1"].IsVoid() || !got["scalar"].IsVoid() {
		t.Fatalf("copied what no board client writes: deep %v, scalar %v", got["deep-1"], got["scalar"])
	}
	text, _ := doc.Path("items", "text-1", "text").Get()
	color, _ := doc.Path("items", "text-1", "color").Get()
	author, _ := doc.Path("items", "text-1", "author").Get()
	if text.Kind() != automerge.KindText || color.Kind() != automerge.KindStr || color.Str() != "pink" {
		t.Fatalf("text %v, colour %v", text, color)
	}
	if s, _ := author.Text().Get(); author.Kind() != automerge.KindText || s != "u-1" {
		t.Fatalf("author %v, want the server's u-1", author)
	}
	points, _ := doc.Path("items", "draw-1", "points").Get()
	if points.Kind() != automerge.KindList || points.List().Len() != 4 {
		t.Fatalf("points %v", points)
	}
	if n, _ := doc.Path("items", "counted", "n").Get(); n.Kind() != automerge.KindInt64 || n.Int64() != 4 {
		t.Fatalf("a counter became %v", n)
	}
}
