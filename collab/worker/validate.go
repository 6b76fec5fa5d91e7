// Package worker checks untrusted Automerge sync messages in a sacrificial
// process. The Automerge core aborts the whole process on some malformed
// messages, and accepts one that leaves a document that can no longer be
// loaded; so the serving process never applies a message until a worker has
// applied it to a copy of the document, generated a reply, saved the result
// and loaded it again, and lived to say so.
package worker

import (
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/automerge/automerge-go"
)

// Request asks a worker to check one sync message against a document.
type Request struct {
	DocID string `cbor:"1,keyasint"`
	// Heads identifies the document state the message is checked against
	// (HeadsKey of the serving process's copy).
	Heads string `cbor:"2,keyasint"`
	// Doc is the document saved by the serving process. It may be left out
	// when the worker last reported exactly these heads for this document;
	// a worker that no longer has them answers Miss.
	Doc    []byte `cbor:"3,keyasint"`
	HasDoc bool   `cbor:"4,keyasint"`
	// Messages are checked in order, as one batch: one save and reload
	// covers them all. Syncs[i] is the encoded sync state of the peer that
	// sent Messages[i] (may be empty).
	Syncs    [][]byte `cbor:"5,keyasint"`
	Messages [][]byte `cbor:"6,keyasint"`
	// MaxDocBytes bounds the saved document after the message; 0 means no bound.
	MaxDocBytes int `cbor:"7,keyasint"`
}

// Response is a worker's verdict.
type Response struct {
	OK bool `cbor:"1,keyasint"`
	// Miss asks for the request again with the document included.
	Miss   bool   `cbor:"2,keyasint"`
	Reason string `cbor:"3,keyasint"`
	// Heads is the document's HeadsKey after the message.
	Heads string `cbor:"4,keyasint"`
	Size  int    `cbor:"5,keyasint"`
}

// HeadsKey names a document state by its heads.
func HeadsKey(heads []automerge.ChangeHash) string {
	parts := make([]string, len(heads))
	for i, h := range heads {
		parts[i] = hex.EncodeToString(h[:])
	}
	return strings.Join(parts, ",")
}

// Checker holds the documents a worker checked last, so a stream of messages
// for one board does not reload the board each time.
type Checker struct {
	docs  map[string]*automerge.Doc
	heads map[string]string
	order []string
}

// cachedDocs bounds the documents a worker keeps loaded. Each costs the
// worker several hundred KiB of C memory, and boards are spread over the
// workers by ID, so a handful covers the boards being edited at once on a
// usual node; 200 boards edited at once overflow a cache of 32 as surely as
// one of 8, and the 32 cost each worker ~14 MB more at the peak.
const cachedDocs = 8

// NewChecker returns a Checker with an empty cache.
func NewChecker() *Checker {
	return &Checker{docs: map[string]*automerge.Doc{}, heads: map[string]string{}}
}

// Check applies req.Messages to the document and verifies the result. It runs
// in the worker process: whatever the core does on bad input happens here.
func (c *Checker) Check(req Request) (resp Response) {
	defer func() {
		// automerge-go turns some core errors into Go panics; a panic is a
		// rejection, and the cached copy can no longer be trusted.
		if r := recover(); r != nil {
			c.drop(req.DocID)
			resp = Response{Reason: fmt.Sprintf("automerge panicked: %v", r)}
		}
	}()
	doc, ok := c.docs[req.DocID]
	if !ok || c.heads[req.DocID] != req.Heads {
		if !req.HasDoc {
			return Response{Miss: true}
		}
		var err error
		if len(req.Doc) == 0 {
			doc = automerge.New()
		} else if doc, err = automerge.Load(req.Doc); err != nil {
			return Response{Reason: fmt.Sprintf("stored document does not load: %v", err)}
		}
	}
	c.drop(req.DocID)
	before := HeadsKey(doc.Heads())
	added := false
	for i, msg := range req.Messages {
		var ss *automerge.SyncState
		if i < len(req.Syncs) && len(req.Syncs[i]) > 0 {
			var err error
			if ss, err = automerge.LoadSyncState(doc, req.Syncs[i]); err != nil {
				ss = automerge.NewSyncState(doc)
			}
		} else {
			ss = automerge.NewSyncState(doc)
		}
		sm, err := ss.ReceiveMessage(msg)
		if err != nil {
			return Response{Reason: fmt.Sprintf("sync message %d rejected: %v", i, err)}
		}
		ss.GenerateMessage()
		added = added || len(sm.Changes()) > 0
	}
	if !added && HeadsKey(doc.Heads()) == before {
		// Nothing was added: the document is what was saved and loaded before.
		c.keep(req.DocID, doc, before)
		return Response{OK: true, Heads: before, Size: -1}
	}
	saved := doc.Save()
	if req.MaxDocBytes > 0 && len(saved) > req.MaxDocBytes {
		return Response{Reason: fmt.Sprintf("document would grow to %d bytes, at most %d allowed", len(saved), req.MaxDocBytes)}
	}
	reloaded, err := automerge.Load(saved)
	if err != nil {
		return Response{Reason: fmt.Sprintf("document would no longer load: %v", err)}
	}
	key := HeadsKey(reloaded.Heads())
	if key != HeadsKey(doc.Heads()) {
		return Response{Reason: "document reloads with different heads"}
	}
	c.keep(req.DocID, reloaded, key)
	return Response{OK: true, Heads: key, Size: len(saved)}
}

func (c *Checker) keep(id string, d *automerge.Doc, heads string) {
	c.docs[id], c.heads[id] = d, heads
	c.order = append(c.order, id)
	if len(c.order) > cachedDocs {
		c.drop(c.order[0])
	}
}

func (c *Checker) drop(id string) {
	delete(c.docs, id)
	delete(c.heads, id)
	for i, v := range c.order {
		if v == id {
			c.order = append(c.order[:i], c.order[i+1:]...)
			break
		}
	}
}
