package collab

import (
	"context"
	"testing"

	"github.com/automerge/automerge-go"
	"github.com/hindsight-retro/hindsight/collab/wire"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
)

func TestSeedBoardLoadsWithItsContentAndOnce(t *testing.T) {
	ctx := context.Background()
	store := memstore.New(nil)
	id := wire.NewDocumentID()
	for range 2 { // a retry leaves the first content alone
		if err := SeedBoard(ctx, store, id, "Check-in", []string{"How are you?"}); err != nil {
			t.Fatal(err)
		}
	}
	doc, _, found, err := loadDoc(ctx, store, id)
	if err != nil || !found {
		t.Fatalf("found %v, err %v", found, err)
	}
	// Collaborative text, not scalar strings: a JS client edits them in place.
	if v, err := doc.Path("title").Get(); err != nil || v.Kind() != automerge.KindText {
		t.Fatalf("title %v, err %v", v, err)
	} else if s, _ := v.Text().Get(); s != "Check-in" {
		t.Fatalf("title %q", s)
	}
	if v, err := doc.Path("prompts", 0).Get(); err != nil || v.Kind() != automerge.KindText {
		t.Fatalf("prompt %v, err %v", v, err)
	}
	if n := doc.Path("prompts").List().Len(); n != 1 {
		t.Fatalf("%d prompts, want 1", n)
	}
	if v, err := doc.Path("items").Get(); err != nil || v.Kind() != automerge.KindMap {
		t.Fatalf("items %v, err %v", v, err)
	}
	if err := SeedBoard(ctx, store, "not-a-doc-id", "x", nil); err == nil {
		t.Fatal("seeded a board under an invalid document ID")
	}
}
