package collab_test

import (
	"context"
	"testing"

	"github.com/automerge/automerge-go"
	"github.com/coder/websocket"
	"github.com/hindsight-retro/hindsight/collab/wire"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
)

// BenchmarkHonestEditDuringFloods times an honest peer's edit round trip on
// a board (as BenchmarkHonestEditDuringOversizeAbuse does) while another
// member floods the server, against the same round trip with nobody
// flooding, in the same run: "unknown-requests" asks for document after
// document that does not exist, as fast as the socket takes them;
// "presence" sends presence for the honest peer's board as fast as it can.
// Both reconnect whenever the server cuts them off. Reported: p50 and p99
// in ms, and how many messages the flood got out.
func BenchmarkHonestEditDuringFloods(b *testing.B) {
	for _, mode := range []string{"quiet", "unknown-requests", "presence"} {
		b.Run(mode, func(b *testing.B) {
			n := startNode(b, memstore.New(nil), "")
			var disturb func(board string, stop chan struct{}) int
			if mode != "quiet" {
				disturb = func(board string, stop chan struct{}) int { return flood(n, board, mode, stop) }
			}
			honestEditsUnder(b, n, "flood-msgs", disturb)
		})
	}
}

// flood sends messages of the mode's kind until stop, reconnecting when
// cut off, and never reads what the server answers beyond its peer message.
func flood(n *node, board, mode string, stop chan struct{}) (sent int) {
	for {
		select {
		case <-stop:
			return sent
		default:
		}
		ctx, cancel := context.WithCancel(context.Background())
		ws, _, err := websocket.Dial(ctx, n.url("bob"), nil)
		if err != nil {
			cancel()
			continue
		}
		go func() { // drain, so the flood is the messages, not a stalled reader
			for {
				if _, _, err := ws.Read(ctx); err != nil {
					return
				}
			}
		}()
		write := func(m wire.Message) bool {
			m.SenderID = "flooder"
			raw, _ := wire.Encode(m)
			return ws.Write(ctx, websocket.MessageBinary, raw) == nil
		}
		ok := write(wire.Message{Type: wire.TypeJoin, SupportedProtocolVersions: []string{"1"}})
		if ok && mode == "presence" {
			// Attach to the board first, as a member's client does.
			hello, _ := automerge.NewSyncState(automerge.New()).GenerateMessage()
			ok = write(wire.Message{Type: wire.TypeRequest, TargetID: "server", DocumentID: board, Data: hello.Bytes()})
		}
		for count := uint64(1); ok; count++ {
			select {
			case <-stop:
				ok = false
				continue
			default:
			}
			if mode == "presence" {
				ok = write(wire.Message{Type: wire.TypeEphemeral, TargetID: "server", DocumentID: board, SessionID: "s", Count: count, Data: []byte{0xa0}})
			} else {
				hello, _ := automerge.NewSyncState(automerge.New()).GenerateMessage()
				ok = write(wire.Message{Type: wire.TypeRequest, TargetID: "server", DocumentID: wire.NewDocumentID(), Data: hello.Bytes()})
			}
			if ok {
				sent++
			}
		}
		ws.CloseNow()
		cancel()
	}
}
