package collab_test

import (
	"crypto/rand"
	"encoding/base64"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/automerge/automerge-go"
	"github.com/hindsight-retro/hindsight/collab"
	"github.com/hindsight-retro/hindsight/collab/wire"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
)

// A sync message whose changes cannot fit the board is refused before any
// worker sees it, with an answer that says why and lasts: the sender's
// connection stays open for its other boards, and what it sends for that
// board afterwards is not looked at again.
func TestChangesTooLargeForTheBoardAreRefusedBeforeAnyWorker(t *testing.T) {
	const limit = 64 << 10
	var workers atomic.Int32
	n := startNodeWith(t, memstore.New(nil), "", func(d *collab.Deps) {
		d.MaxDocBytes = limit
		d.WorkerCommand = func() *exec.Cmd { workers.Add(1); return workerCommand() }
	})
	big := make([]byte, 3*limit)
	if _, err := rand.Read(big); err != nil {
		t.Fatal(err)
	}
	tooBig := firstSync(t, func(d *automerge.Doc) error { return d.Path("pasted").Set(base64.StdEncoding.EncodeToString(big)) })
	board := wire.NewDocumentID()

	p := dialRaw(t, n, "alice", "abuser")
	p.join()
	p.send(wire.Message{Type: wire.TypeSync, TargetID: "server", DocumentID: board, Data: tooBig})
	var reason string
	for {
		m, ok := p.next(5 * time.Second)
		if !ok {
			t.Fatalf("no doc-unavailable for a board's worth of changes too large (error said %q)", reason)
		}
		if m.Type == wire.TypeError {
			reason = m.ErrorMessage
		}
		if m.Type == wire.TypeDocUnavailable && m.DocumentID == board {
			break
		}
	}
	if !strings.Contains(reason, "too large") {
		t.Fatalf("the refusal says %q, want why", reason)
	}
	// Sent again on the same connection, it is not looked at: the next
	// answer is for another board, which the connection still syncs.
	p.send(wire.Message{Type: wire.TypeSync, TargetID: "server", DocumentID: board, Data: tooBig})
	other := wire.NewDocumentID()
	p.send(wire.Message{Type: wire.TypeSync, TargetID: "server", DocumentID: other,
		Data: firstSync(t, func(d *automerge.Doc) error { return d.Path("note").Set("small") })})
	m, ok := p.next(10 * time.Second)
	if !ok || m.DocumentID != other || m.Type != wire.TypeSync {
		t.Fatalf("want a sync message for the small board, got %+v", m)
	}
	if w := workers.Load(); w != 1 {
		t.Fatalf("%d validation workers started, want 1 (for the small board only)", w)
	}
}

// firstSync is the sync message a client that made a document with change
// sends to a server that has nothing of it.
func firstSync(t *testing.T, change func(*automerge.Doc) error) []byte {
	t.Helper()
	doc := automerge.New()
	if err := change(doc); err != nil {
		t.Fatal(err)
	}
	if _, err := doc.Commit("made"); err != nil {
		t.Fatal(err)
	}
	// What the server would say first, having nothing: the client then
	// sends every change.
	hello, _ := automerge.NewSyncState(automerge.New()).GenerateMessage()
	ours := automerge.NewSyncState(doc)
	if _, err := ours.ReceiveMessage(hello.Bytes()); err != nil {
		t.Fatal(err)
	}
	m, ok := ours.GenerateMessage()
	if !ok {
		t.Fatal("no sync message")
	}
	return m.Bytes()
}
