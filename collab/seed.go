package collab

import (
	"context"
	"errors"
	"fmt"

	"github.com/automerge/automerge-go"
	"github.com/hindsight-retro/hindsight/collab/wire"
	"github.com/hindsight-retro/hindsight/domain/board"
	"github.com/hindsight-retro/hindsight/eventstore"
)

// SchemaVersion is the board document's shape the server writes (the
// "schema" key; see collab/README.md, "Board schema"). Clients keep what they
// do not know, so a later version only adds keys.
const SchemaVersion = 1

// SeedBoard stores the first content of a board the server creates (through
// the API, not by a client's repo.create()): a document holding title,
// prompts and a template's layout (its frames, shapes and arrows), as a snapshot in the board's stream. A stock client then opens it
// by its automerge URL; without stored content a request for it would be
// answered doc-unavailable. The content is made here, not received, so it
// needs no worker check. Seeding a board that has content already changes
// nothing, so a retried call is harmless.
//
// Title and prompts are collaborative text (automerge Text), as a JS client's
// plain string assignment writes them: a scalar string could only be
// replaced whole, and the JS library refuses to splice into one. items is
// there from the start so that two clients adding their first items do not
// each create the map and lose the other's.
func SeedBoard(ctx context.Context, store eventstore.Store, docID, title string, prompts []string, layout []board.Item) error {
	if _, err := wire.ParseDocumentID(docID); err != nil {
		return fmt.Errorf("collab: seed board: %w", err)
	}
	doc, err := seedDoc(title, prompts, layout)
	if err != nil {
		return fmt.Errorf("collab: seed board %s: %w", docID, err)
	}
	_, err = store.Append(ctx, eventstore.Commit{
		Stream: docStream(docID), ExpectedVersion: eventstore.NoStream, CommandID: "seed-" + docID,
		Events: []eventstore.Event{chunkEvent(eventSnapshot, doc.Save())},
	})
	if err != nil && !errors.Is(err, eventstore.ErrConflict) {
		return fmt.Errorf("collab: seed board %s: %w", docID, err)
	}
	return nil
}

func seedDoc(title string, prompts []string, layout []board.Item) (*automerge.Doc, error) {
	doc := automerge.New()
	root := doc.RootMap()
	if err := root.Set("schema", int64(SchemaVersion)); err != nil {
		return nil, err
	}
	if err := root.Set("title", automerge.NewText(title)); err != nil {
		return nil, err
	}
	list := automerge.NewList()
	if err := root.Set("prompts", list); err != nil {
		return nil, err
	}
	for _, p := range prompts {
		if err := list.Append(automerge.NewText(p)); err != nil {
			return nil, err
		}
	}
	items := automerge.NewMap()
	if err := root.Set("items", items); err != nil {
		return nil, err
	}
	for i, it := range layout {
		if err := items.Set(it.ID, seedItem(it, i+1)); err != nil {
			return nil, err
		}
	}
	if _, err := doc.Commit("create board"); err != nil {
		return nil, err
	}
	return doc, nil
}

// seedItem is a layout item in the board schema; z follows the layout's
// order, and the server is nobody's author. Every string is Text, as a
// JavaScript client's plain assignment writes it: JS reads a scalar string
// as an ImmutableString object, not a string.
func seedItem(it board.Item, z int) map[string]any {
	m := map[string]any{
		"kind": automerge.NewText(it.Kind), "x": int64(it.X), "y": int64(it.Y), "w": int64(it.W), "h": int64(it.H),
		"color": automerge.NewText(it.Color), "z": int64(z), "author": automerge.NewText(""),
	}
	switch it.Kind {
	case "connector":
		m["from"], m["to"] = automerge.NewText(it.From), automerge.NewText(it.To)
	default:
		m["text"] = automerge.NewText(it.Text)
	}
	if it.Shape != "" {
		m["shape"] = automerge.NewText(it.Shape)
	}
	return m
}
