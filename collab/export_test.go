package collab

import (
	"context"
	"fmt"

	"github.com/automerge/automerge-go"

	"github.com/hindsight-retro/hindsight/eventstore"
)

// StoreSavedBoard stores a saved Automerge document as board docID's
// snapshot, as the server would have written it: for tests and benchmarks
// that start from a board of a given history.
func StoreSavedBoard(ctx context.Context, store eventstore.Store, docID string, saved []byte) error {
	_, err := store.Append(ctx, eventstore.Commit{
		Stream: docStream(docID), ExpectedVersion: eventstore.NoStream, CommandID: "seed-" + docID,
		Events: []eventstore.Event{chunkEvent(eventSnapshot, saved)},
	})
	if err != nil {
		return fmt.Errorf("store board %s: %w", docID, err)
	}
	return nil
}

// StoredBoard loads board docID from the log as a fresh server would: for
// tests that check nothing was lost or corrupted.
func StoredBoard(ctx context.Context, store eventstore.Store, docID string) (*automerge.Doc, error) {
	doc, _, found, err := loadDoc(ctx, store, docID)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("board %s is not in the log", docID)
	}
	return doc, nil
}

// AppendSyncHashes appends hashes as a sync message lists them: for tests
// that write a sync message the stock core would not.
func AppendSyncHashes(out []byte, hashes []automerge.ChangeHash) []byte {
	return appendHashes(out, hashes)
}

// StartOverIfUnknown is what the server does with a peer's sync message
// naming heads the board lacks (see apply): for the tests' Go client, which
// runs the same old core and must ask as browsers' current core does.
// It returns ss itself when doc knows every head.
func StartOverIfUnknown(doc *automerge.Doc, ss *automerge.SyncState, heads []automerge.ChangeHash, data []byte) (*automerge.SyncState, error) {
	if knowsAll(doc, heads) {
		return ss, nil
	}
	return startOver(doc, ss, data)
}
