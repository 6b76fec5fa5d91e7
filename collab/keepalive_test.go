package collab_test

import (
	"context"
	"testing"
	"time"

	"github.com/automerge/automerge-go"
	"github.com/coder/websocket"

	"github.com/hindsight-retro/hindsight/collab"
	"github.com/hindsight-retro/hindsight/collab/wire"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
)

// A peer that stops reading altogether (a laptop closed mid-session, or a
// client that never reads) answers no ping. The server cuts it off, though
// the little it sends such a peer still fits in the kernel's buffers, while
// the members who read are pinged all along, answer and edit on.
func TestAPeerThatAnswersNoPingIsCutOffAndTheOthersEditOn(t *testing.T) {
	board := wire.NewDocumentID()
	n := startNodeWith(t, memstore.New(nil), "", func(d *collab.Deps) {
		d.PingInterval = 200 * time.Millisecond
		d.PongTimeout = 5 * time.Second // the members answer while a busy machine schedules them
	})
	alice := join(t, n, "alice", "alice", board)
	carol := join(t, n, "carol", "carol", board)
	if err := roundTrip(alice, carol, "start", int64(0), 10*time.Second); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	silent, _, err := websocket.Dial(ctx, n.url("bob"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.CloseNow()
	hello, _ := automerge.NewSyncState(automerge.New()).GenerateMessage()
	for _, m := range []wire.Message{
		{Type: wire.TypeJoin, SenderID: "silent", SupportedProtocolVersions: []string{"1"}},
		{Type: wire.TypeRequest, SenderID: "silent", TargetID: "server", DocumentID: board, Data: hello.Bytes()},
	} {
		raw, _ := wire.Encode(m)
		if err := silent.Write(ctx, websocket.MessageBinary, raw); err != nil {
			t.Fatal(err)
		}
	}
	within(t, 10*time.Second, func() bool { return n.srv.Connections() == 3 })
	started := time.Now()
	within(t, 30*time.Second, func() bool { return n.srv.Connections() == 2 })
	t.Logf("the silent peer was cut off after %s", time.Since(started).Round(time.Millisecond))

	// The members answered every ping meanwhile: still connected, in sync.
	if err := roundTrip(carol, alice, "after", int64(1), 10*time.Second); err != nil {
		t.Fatal(err)
	}
	// What the silent peer reads now ends with the server's close.
	for {
		if _, _, err := silent.Read(ctx); err != nil {
			if ctx.Err() != nil {
				t.Fatal("the silent peer's socket was never closed")
			}
			break
		}
	}
}
