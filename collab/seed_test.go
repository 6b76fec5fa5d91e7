package collab

import (
	"context"
	"testing"

	"github.com/automerge/automerge-go"
	"github.com/hindsight-retro/hindsight/collab/wire"
	"github.com/hindsight-retro/hindsight/domain/board"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
)

func TestSeedBoardLoadsWithItsContentAndOnce(t *testing.T) {
	ctx := context.Background()
	store := memstore.New(nil)
	id := wire.NewDocumentID()
	for range 2 { // a retry leaves the first content alone
		if err := SeedBoard(ctx, store, id, "Check-in", []string{"How are you?"}, nil); err != nil {
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
	if err := SeedBoard(ctx, store, "not-a-doc-id", "x", nil, nil); err == nil {
		t.Fatal("seeded a board under an invalid document ID")
	}
}

func TestASeededTemplateBoardHoldsItsLayoutsItems(t *testing.T) {
	ctx := context.Background()
	store := memstore.New(nil)
	id := wire.NewDocumentID()
	tpl, _ := board.TemplateByID("check-in")
	if err := SeedBoard(ctx, store, id, tpl.Name, tpl.Prompts, tpl.Layout); err != nil {
		t.Fatal(err)
	}
	doc, _, found, err := loadDoc(ctx, store, id)
	if err != nil || !found {
		t.Fatalf("found %v, err %v", found, err)
	}
	if n := doc.Path("items").Map().Len(); n != len(tpl.Layout) || n == 0 {
		t.Fatalf("%d items, want the layout's %d", n, len(tpl.Layout))
	}
	v, err := doc.Path("items", "frame-1", "text").Get()
	if err != nil || v.Kind() != automerge.KindText {
		t.Fatalf("frame text %v, err %v", v, err)
	}
	if s, _ := v.Text().Get(); s != tpl.Prompts[1] {
		t.Fatalf("frame text %q, want %q", s, tpl.Prompts[1])
	}
}
