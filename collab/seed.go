package collab

import (
	"context"
	"errors"
	"fmt"

	"github.com/automerge/automerge-go"
	"github.com/hindsight-retro/hindsight/collab/wire"
	"github.com/hindsight-retro/hindsight/eventstore"
)

// SeedBoard stores the first content of a board the server creates (through
// the API, not by a client's repo.create()): a document holding title and
// prompts, as a snapshot in the board's stream. A stock client then opens it
// by its automerge URL; without stored content a request for it would be
// answered doc-unavailable. The content is made here, not received, so it
// needs no worker check. Seeding a board that has content already changes
// nothing, so a retried call is harmless.
func SeedBoard(ctx context.Context, store eventstore.Store, docID, title string, prompts []string) error {
	if _, err := wire.ParseDocumentID(docID); err != nil {
		return fmt.Errorf("collab: seed board: %w", err)
	}
	doc := automerge.New()
	root := doc.RootMap()
	if err := root.Set("title", title); err != nil {
		return fmt.Errorf("collab: seed board %s: %w", docID, err)
	}
	list := automerge.NewList()
	if err := root.Set("prompts", list); err != nil {
		return fmt.Errorf("collab: seed board %s: %w", docID, err)
	}
	for _, p := range prompts {
		if err := list.Append(p); err != nil {
			return fmt.Errorf("collab: seed board %s: %w", docID, err)
		}
	}
	if _, err := doc.Commit("create board"); err != nil {
		return fmt.Errorf("collab: seed board %s: %w", docID, err)
	}
	_, err := store.Append(ctx, eventstore.Commit{
		Stream: docStream(docID), ExpectedVersion: eventstore.NoStream, CommandID: "seed-" + docID,
		Events: []eventstore.Event{chunkEvent(eventSnapshot, doc.Save())},
	})
	if err != nil && !errors.Is(err, eventstore.ErrConflict) {
		return fmt.Errorf("collab: seed board %s: %w", docID, err)
	}
	return nil
}
