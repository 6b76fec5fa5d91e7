package collab_test

import (
	"context"
	"slices"
	"sync"
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
// Both reconnect whenever the server cuts them off. Reported: p50 and p99
// in ms, and how many messages the flood got out.
func BenchmarkHonestEditDuringFloods(b *testing.B) {
	for _, mode := range []string{"quiet", "unknown-requests", "presence"} {
		b.Run(mode, func(b *testing.B) {
			n := startNode(b, memstore.New(nil), "")
			board := wire.NewDocumentID()
			doc := automerge.New()
			ss := automerge.NewSyncState(doc)
			p := dialRaw(b, n, "alice", "honest")
			p.join()
			roundTrip := func(i int) {
				if err := doc.Path("n").Set(int64(i)); err != nil {
					b.Fatal(err)
				}
				if _, err := doc.Commit("edit"); err != nil {
					b.Fatal(err)
				}
				m, ok := ss.GenerateMessage()
				if !ok {
					b.Fatal("no sync message for a new change")
				}
				p.send(wire.Message{Type: wire.TypeSync, TargetID: "server", DocumentID: board, Data: m.Bytes()})
				for {
					r, ok := p.next(30 * time.Second)
					if !ok {
						b.Fatal("no answer from the server")
					}
					if r.Type == wire.TypeSync && r.DocumentID == board {
						if _, err := ss.ReceiveMessage(r.Data); err != nil {
							b.Fatal(err)
						}
						return
					}
				}
			}
			roundTrip(-1) // the board exists
			stop := make(chan struct{})
			sent := 0
			var wg sync.WaitGroup
			if mode != "quiet" {
				wg.Go(func() { sent = flood(n, board, mode, stop) })
			}
			times := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := range b.N {
				start := time.Now()
				roundTrip(i)
				times = append(times, time.Since(start))
			}
			b.StopTimer()
			close(stop)
			wg.Wait()
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(sent), "flood-msgs")
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
