package collab_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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
// Both reconnect whenever the server cuts them off. "join-storm" has 500
// peers join the board at once, each until it holds the board, then leave,
// again and again. Reported: p50, p95 and p99 in ms, and how many messages
// the flood got out (joins for the storm).
func BenchmarkHonestEditDuringFloods(b *testing.B) {
	for _, mode := range []string{"quiet", "unknown-requests", "presence", "join-storm"} {
		b.Run(mode, func(b *testing.B) {
			n := startNode(b, memstore.New(nil), "")
			var disturb func(board string, stop chan struct{}) int
			if mode == "join-storm" {
				disturb = func(board string, stop chan struct{}) int { return joinStorms(b, n, board, 500, stop) }
			} else if mode != "quiet" {
				disturb = func(board string, stop chan struct{}) int {
					var sent atomic.Int64
					flood(n, "bob", board, mode, stop, &sent)
					return int(sent.Load())
				}
			}
			honestEditsUnder(b, n, "flood-msgs", disturb)
		})
	}
}

// flood sends messages of the mode's kind as token until stop, reconnecting
// when cut off, and counts them in sent; what the server answers is read
// and dropped.
func flood(n *node, token, board, mode string, stop chan struct{}, sent *atomic.Int64) {
	for {
		select {
		case <-stop:
			return
		default:
		}
		ctx, cancel := context.WithCancel(context.Background())
		ws, _, err := websocket.Dial(ctx, n.url(token), nil)
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
				sent.Add(1)
			}
		}
		ws.CloseNow()
		cancel()
	}
}

// joinStorms has peers join board at once, each until it holds the board,
// then leave, until stop; it returns how many joins completed.
func joinStorms(b *testing.B, n *node, board string, peers int, stop chan struct{}) (joins int) {
	for round := 0; ; round++ {
		select {
		case <-stop:
			return joins
		default:
		}
		var wg sync.WaitGroup
		var done atomic.Int64
		for i := range peers {
			wg.Go(func() {
				m, err := joinE(b, n, "bob", fmt.Sprintf("storm-%d-%d", round, i), board)
				if err != nil {
					return
				}
				defer m.p.ws.CloseNow()
				if m.waitKey("n", 2*time.Minute) == nil {
					done.Add(1)
				}
			})
		}
		wg.Wait()
		joins += int(done.Load())
	}
}
