package collab

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
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
	if _, err := MergeNotes(ctx, store, Reveal{Board: board, Notes: []Notes{{DocID: notes}}}); err == nil {
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
	if _, err := MergeNotes(ctx, store, Reveal{Board: board, Notes: []Notes{{DocID: notes, Author: "u-1"}, {DocID: never, Author: "u-2"}}}); err != nil {
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

// boardItems is the items of board as stored in the log, by ID.
func boardItems(t *testing.T, store eventstore.Store, board string) (*automerge.Doc, map[string]*automerge.Value) {
	t.Helper()
	doc, _, _, err := loadDoc(context.Background(), store, board)
	if err != nil {
		t.Fatal(err)
	}
	items, err := itemsMap(doc)
	if err != nil {
		t.Fatal(err)
	}
	values, err := items.Values()
	if err != nil {
		t.Fatal(err)
	}
	return doc, values
}

func textOf(t *testing.T, v *automerge.Value, field string) string {
	t.Helper()
	f, err := v.Map().Get(field)
	if err != nil {
		t.Fatal(err)
	}
	if f.Kind() == automerge.KindText {
		s, _ := f.Text().Get()
		return s
	}
	if f.Kind() == automerge.KindStr {
		return f.Str()
	}
	return ""
}

// Fixed document IDs, so the order a reveal on an anonymous retro's board
// makes (from the reveal's inputs) is the same on every run.
const (
	fixedBoard  = "2tLamDVjc33wQMsirGN3YfZxBMao"
	fixedNotesA = "3uiVUHwkyu2u1BXptnc4wvNTcXcJ"
	fixedNotesB = "3g58RzCHqnhvf3eQ4hJ3AK6Sz2HP"
)

// On an anonymous retro's board the stacking order of the revealed notes
// does not group them by writer: two people's ten notes each, written in
// order, end up interleaved, each under a new ID, while on a named board each
// person's notes keep their own order.
func TestAnAnonymousRevealInterleavesItsWritersNotes(t *testing.T) {
	for _, anonymous := range []bool{false, true} {
		ctx := context.Background()
		store := memstore.New(nil)
		if err := SeedBoard(ctx, store, fixedBoard, "Retro", nil, nil); err != nil {
			t.Fatal(err)
		}
		for _, w := range []struct{ doc, who string }{{fixedNotesA, "a"}, {fixedNotesB, "b"}} {
			items := map[string]any{}
			for i := range 10 {
				items[fmt.Sprintf("%s-%02d", w.who, i)] = map[string]any{"kind": automerge.NewText("note"), "z": int64(i),
					"text": automerge.NewText(fmt.Sprintf("%s %02d", w.who, i))}
			}
			writeNotes(t, store, w.doc, items)
		}
		got, err := MergeNotes(ctx, store, Reveal{Board: fixedBoard, Anonymous: anonymous,
			Notes: []Notes{{DocID: fixedNotesA, Author: "a"}, {DocID: fixedNotesB, Author: "b"}}})
		if err != nil || got != (Merged{Added: 20}) {
			t.Fatalf("anonymous %v: merged %+v, %v", anonymous, got, err)
		}
		_, values := boardItems(t, store, fixedBoard)
		var stack []string // the notes' texts, bottom to top
		for id, v := range values {
			if strings.HasPrefix(id, "a-") || strings.HasPrefix(id, "b-") {
				if anonymous {
					t.Errorf("item %s keeps its writer's ID", id)
				}
			}
			stack = append(stack, fmt.Sprintf("%06d %s", zOf(v), textOf(t, v, "text")))
		}
		slices.Sort(stack)
		writerOf := func(s string) byte { return s[7] }
		runs := 1
		for i := 1; i < len(stack); i++ {
			if writerOf(stack[i]) != writerOf(stack[i-1]) {
				runs++
			}
		}
		if anonymous && runs < 6 {
			t.Errorf("the anonymous board stacks its writers' notes in %d runs of one writer: %v", runs, stack)
		}
		if !anonymous {
			for _, w := range []byte{'a', 'b'} {
				var mine []string
				for _, s := range stack {
					if writerOf(s) == w {
						mine = append(mine, s[7:])
					}
				}
				if !slices.IsSorted(mine) {
					t.Errorf("a named board does not keep %c's order: %v", w, mine)
				}
			}
		}
	}
}

// randomText is n characters that do not compress.
func randomText(n int) string {
	b := make([]byte, n*3/4+3)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)[:n]
}

// A reveal never makes a board larger than its limit: when everyone's notes
// do not fit, the board takes what fits, one note of each writer in turn,
// so the writer of a few short notes keeps them all and the one who wrote
// most loses their last; what was left out is recorded with the merge,
// where the moderator's answer reads it. A reveal repeated adds nothing.
func TestARevealKeepsTheBoardWithinItsLimitAndSaysWhatItLeftOut(t *testing.T) {
	ctx := context.Background()
	store := memstore.New(nil)
	board, big, small := wire.NewDocumentID(), wire.NewDocumentID(), wire.NewDocumentID()
	if err := SeedBoard(ctx, store, board, "Retro", nil, nil); err != nil {
		t.Fatal(err)
	}
	const limit = 128 << 10
	items := map[string]any{}
	for i := range 6 {
		// A scalar string (one operation, not one per character) keeps
		// the test quick; it weighs on the board the same.
		items[fmt.Sprintf("big-%d", i)] = map[string]any{"kind": automerge.NewText("note"), "z": int64(i), "text": randomText(30 << 10)}
	}
	writeNotes(t, store, big, items)
	writeNotes(t, store, small, map[string]any{
		"small-0": map[string]any{"kind": automerge.NewText("note"), "z": int64(0), "text": automerge.NewText("short one")},
		"small-1": map[string]any{"kind": automerge.NewText("note"), "z": int64(1), "text": automerge.NewText("short two")},
	})
	r := Reveal{Board: board, MaxBytes: limit, Notes: []Notes{{DocID: big, Author: "big"}, {DocID: small, Author: "small"}}}
	got, err := MergeNotes(ctx, store, r)
	if err != nil {
		t.Fatal(err)
	}
	if got.Added+got.LeftOut != 8 || got.LeftOut == 0 || got.Added < 3 {
		t.Fatalf("merged %+v: want 8 items, some left out, at least the first round and one more", got)
	}
	doc, values := boardItems(t, store, board)
	if n := len(doc.Save()); n > limit {
		t.Errorf("the board saves to %d bytes, over its limit of %d", n, limit)
	}
	if len(values) != got.Added {
		t.Errorf("the board holds %d items, the reveal says it added %d", len(values), got.Added)
	}
	for _, id := range []string{"small-0", "small-1"} {
		if values[id] == nil {
			t.Errorf("the short note %s was left out", id)
		}
	}
	for i := range 6 {
		_, on := values[fmt.Sprintf("big-%d", i)]
		if want := i < got.Added-2; on != want {
			t.Errorf("big-%d on the board: %v; want the first %d of the big writer's notes", i, on, got.Added-2)
		}
	}
	if rec, found, err := RevealOutcome(ctx, store, board); err != nil || !found || rec != got {
		t.Errorf("the recorded outcome: %+v (found %v, %v), want %+v", rec, found, err, got)
	}
	if _, err := MergeNotes(ctx, store, r); err != nil {
		t.Fatal(err)
	}
	if _, again := boardItems(t, store, board); len(again) != len(values) {
		t.Errorf("a repeated reveal changed the board from %d items to %d", len(values), len(again))
	}
}
