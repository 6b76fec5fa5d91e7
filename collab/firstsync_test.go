package collab_test

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/automerge/automerge-go"
	"github.com/hindsight-retro/hindsight/collab"
	"github.com/hindsight-retro/hindsight/collab/wire"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
)

// storedBoard starts a node whose log holds a board of n one-note changes.
func storedBoard(t *testing.T, n int, tune ...func(*collab.Deps)) (*node, string, []byte) {
	t.Helper()
	store := memstore.New(nil)
	saved := noteBoard(t, n)
	docID := wire.NewDocumentID()
	if err := collab.StoreSavedBoard(context.Background(), store, docID, saved); err != nil {
		t.Fatal(err)
	}
	return startNodeWith(t, store, "", func(d *collab.Deps) {
		for _, f := range tune {
			f(d)
		}
	}), docID, saved
}

// warnings records what the server logs at warning level and above.
type warnings struct {
	mu   sync.Mutex
	msgs []string
}

func (w *warnings) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }
func (w *warnings) Handle(_ context.Context, r slog.Record) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "reason" {
			w.msgs = append(w.msgs, r.Message+": "+a.Value.String())
		}
		return true
	})
	return nil
}
func (w *warnings) WithAttrs([]slog.Attr) slog.Handler { return w }
func (w *warnings) WithGroup(string) slog.Handler      { return w }

func (w *warnings) all() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.msgs)
}

// firstReply sends the first sync message of a peer that has nothing, with
// or without the capabilities an Automerge 3 peer appends, and returns the
// server's first sync message back.
func firstReply(t *testing.T, n *node, docID string, capabilities []byte) []byte {
	t.Helper()
	p := dialRaw(t, n, "alice", "fresh")
	p.ws.SetReadLimit(wire.MaxMessageBytes)
	p.join()
	m, _ := automerge.NewSyncState(automerge.New()).GenerateMessage()
	p.send(wire.Message{Type: wire.TypeRequest, TargetID: "server", DocumentID: docID, Data: append(m.Bytes(), capabilities...)})
	for {
		reply, ok := p.next(10 * time.Second)
		if !ok {
			t.Fatal("no sync message from the server")
		}
		if reply.Type == wire.TypeSync {
			return reply.Data
		}
	}
}

// issue 12.3: a fresh Automerge 3 client gets the board as one saved
// document, about the size of the save, rather than every change one by one.
func TestAFreshClientGetsTheSavedBoardInOneMessage(t *testing.T) {
	n, docID, saved := storedBoard(t, 2000)
	reply := firstReply(t, n, docID, []byte{2, 0x01, 0x02}) // capabilities: v1, v2
	if reply[0] != 0x43 {
		t.Fatalf("the reply is a version %#x sync message, want 0x43 (a whole document)", reply[0])
	}
	if len(reply) > len(saved)+1024 {
		t.Fatalf("a fresh client downloads %d bytes for a board saved in %d", len(reply), len(saved))
	}
	// The saved document starts with Automerge's magic bytes.
	at := bytes.Index(reply, []byte{0x85, 0x6f, 0x4a, 0x83})
	if at < 0 {
		t.Fatal("no document in the reply")
	}
	// Nothing follows the document: with capabilities after it, the stock
	// client would answer in version 2, which the server cannot read.
	doc, err := automerge.Load(reply[at:])
	if err != nil {
		t.Fatalf("the document in the reply does not load: %v", err)
	}
	if notes := doc.Path("notes").List().Len(); notes != 2000 {
		t.Fatalf("the document holds %d notes, want 2000", notes)
	}
}

// A peer that does not announce version 2 (an older client) still gets the
// changes it can read.
func TestAFreshOlderClientGetsTheChanges(t *testing.T) {
	n, docID, _ := storedBoard(t, 50)
	reply := firstReply(t, n, docID, nil)
	if reply[0] != 0x42 {
		t.Fatalf("the reply is a version %#x sync message, want 0x42", reply[0])
	}
	doc := automerge.New()
	if _, err := automerge.NewSyncState(doc).ReceiveMessage(reply); err != nil {
		t.Fatal(err)
	}
	if notes := doc.Path("notes").List().Len(); notes != 50 {
		t.Fatalf("the older client holds %d notes, want 50", notes)
	}
}

// Stock clients that loaded a board from one saved document keep syncing
// edits both ways with each other and with clients that were there before.
func TestStockClientsThatLoadedTheWholeBoardKeepSyncing(t *testing.T) {
	warned := &warnings{}
	n, docID, _ := storedBoard(t, 500, func(d *collab.Deps) { d.Logger = slog.New(warned) })
	url := wire.URLPrefix + docID
	d := startDriver(t)
	for _, c := range []string{"a", "b"} {
		d.do(map[string]any{"op": "open", "client": c, "url": n.url("alice")})
		found := d.do(map[string]any{"op": "find", "client": c, "url": url})
		if got := len(list(t, found["doc"], "notes")); got != 500 {
			t.Fatalf("%s loaded %d notes, want 500", c, got)
		}
	}
	for _, c := range []string{"a", "b"} {
		d.do(map[string]any{"op": "edit", "client": c, "url": url, "key": "notes", "count": 5, "prefix": c})
	}
	ra := d.do(map[string]any{"op": "waitFor", "client": "a", "url": url, "key": "notes", "length": 510})
	rb := d.do(map[string]any{"op": "waitFor", "client": "b", "url": url, "key": "notes", "length": 510})
	expectItems(t, list(t, ra["doc"], "notes"), map[string]int{"a": 5, "b": 5, "note": 500})
	expectItems(t, list(t, rb["doc"], "notes"), map[string]int{"a": 5, "b": 5, "note": 500})
	// Neither client was cut off for answering in a format the server
	// cannot read (it would reconnect and converge anyway).
	if w := warned.all(); len(w) > 0 {
		t.Fatalf("the server refused the clients' messages: %q", w)
	}
}
