package collab

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/automerge/automerge-go"
	"github.com/hindsight-retro/hindsight/domain/board"
	"github.com/hindsight-retro/hindsight/eventstore"
)

// A board's content lives in its own stream, apart from the whiteboard
// metadata aggregate, so loading the metadata never drags the content along.
const (
	docCategory = board.ContentCategory
	metaStream  = "collabmeta"

	eventChunk    = "WhiteboardChunk"
	eventSnapshot = "WhiteboardSnapshot"
	eventStorage  = "CollabStorageIDAssigned"
)

// chunkPayload carries Automerge bytes inside JSON, as the log requires:
// an incremental save (changes) for a chunk, a whole save for a snapshot.
type chunkPayload struct {
	Data string `json:"data"`
}

func docStream(docID string) eventstore.StreamID {
	return eventstore.StreamID{Category: docCategory, ID: docID}
}

// maxChunkBytes keeps one appended chunk, base64 inside JSON, under the log's
// commit limit.
const maxChunkBytes = (eventstore.MaxCommitBytes - 4096) / 4 * 3

func chunkEvent(typ string, b []byte) eventstore.Event {
	p, _ := json.Marshal(chunkPayload{Data: base64.StdEncoding.EncodeToString(b)}) // cannot fail: a struct of one string
	return eventstore.Event{Type: typ, SchemaVersion: 1, Payload: p}
}

func decodeChunk(e eventstore.RecordedEvent) ([]byte, error) {
	var p chunkPayload
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return nil, fmt.Errorf("%s %s@%d: %w", e.Type, e.Stream, e.StreamVersion, err)
	}
	b, err := base64.StdEncoding.DecodeString(p.Data)
	if err != nil {
		return nil, fmt.Errorf("%s %s@%d: %w", e.Type, e.Stream, e.StreamVersion, err)
	}
	return b, nil
}

// loadDoc rebuilds a board from its stream: the latest snapshot, then every
// chunk after it. found is false when the board was never stored.
func loadDoc(ctx context.Context, store eventstore.Store, docID string) (doc *automerge.Doc, chunksSinceSnapshot int, found bool, err error) {
	events, err := store.Load(ctx, docStream(docID), 0)
	if errors.Is(err, eventstore.ErrStreamNotFound) {
		return automerge.New(), 0, false, nil
	}
	if err != nil {
		return nil, 0, false, fmt.Errorf("load board %s: %w", docID, err)
	}
	start := 0
	for i := len(events) - 1; i >= 0; i-- {
		if events[i].Type == eventSnapshot {
			start = i
			break
		}
	}
	doc = automerge.New()
	for _, e := range events[start:] {
		if e.Type != eventChunk && e.Type != eventSnapshot {
			continue
		}
		b, err := decodeChunk(e)
		if err != nil {
			return nil, 0, false, err
		}
		if err := doc.LoadIncremental(b); err != nil {
			return nil, 0, false, fmt.Errorf("load board %s at version %d: %w", docID, e.StreamVersion, err)
		}
		if e.Type == eventChunk {
			chunksSinceSnapshot++
		}
	}
	return doc, chunksSinceSnapshot, true, nil
}

// storageID returns the storage ID this log is known by, creating it on the
// first start. Every node over one log shares it: they serve the same stored
// documents, so a client's saved sync state stays valid whichever it reaches.
func storageID(ctx context.Context, store eventstore.Store) (string, error) {
	stream := eventstore.StreamID{Category: metaStream, ID: "storage"}
	for attempt := 0; attempt < 3; attempt++ {
		events, err := store.Load(ctx, stream, 0)
		if err == nil && len(events) > 0 {
			var p struct {
				StorageID string `json:"storageId"`
			}
			if err := json.Unmarshal(events[0].Payload, &p); err != nil || p.StorageID == "" {
				return "", fmt.Errorf("collab storage ID event is unreadable: %v", err)
			}
			return p.StorageID, nil
		}
		if err != nil && !errors.Is(err, eventstore.ErrStreamNotFound) {
			return "", fmt.Errorf("load collab storage ID: %w", err)
		}
		id := randomID()
		payload, _ := json.Marshal(map[string]string{"storageId": id})
		_, err = store.Append(ctx, eventstore.Commit{
			Stream: stream, ExpectedVersion: eventstore.NoStream, CommandID: "assign-" + id,
			Events: []eventstore.Event{{Type: eventStorage, SchemaVersion: 1, Payload: payload}},
		})
		if err == nil {
			return id, nil
		}
		if !errors.Is(err, eventstore.ErrConflict) {
			return "", fmt.Errorf("store collab storage ID: %w", err)
		}
		// Another node assigned one first: read theirs.
	}
	return "", errors.New("collab storage ID: kept conflicting")
}

func randomID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err)) // the OS gives no randomness: nothing sane to do
	}
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
