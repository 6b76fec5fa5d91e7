package collab_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/automerge/automerge-go"
	"github.com/coder/websocket"
	"github.com/hindsight-retro/hindsight/collab/wire"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
)

// BenchmarkHonestEditDuringOversizeAbuse times an honest peer's edit round
// trip (its change sent, the server's answer back) on a board while another
// member keeps reconnecting and sending 3 MB of changes for the same board
// (over the 512 KiB limit, under the 4 MiB frame limit), against the same
// round trip with nobody abusing. Reported: p50 and p99 in ms, and how many
// times the abuse was refused meanwhile. The round trip includes the
// server's SyncDelay throttle (100 ms between sync rounds to a board).
func BenchmarkHonestEditDuringOversizeAbuse(b *testing.B) {
	for _, abused := range []bool{false, true} {
		name := "quiet"
		if abused {
			name = "abused"
		}
		b.Run(name, func(b *testing.B) {
			n := startNode(b, memstore.New(nil), "")
			var disturb func(board string, stop chan struct{}) int
			if abused {
				big := make([]byte, 9<<18)
				_, _ = rand.Read(big)
				tooBig := firstSyncB(b, base64.StdEncoding.EncodeToString(big))
				disturb = func(board string, stop chan struct{}) int { return abuse(n, board, tooBig, stop) }
			}
			honestEditsUnder(b, n, "abuses-refused", disturb)
		})
	}
}

// honestEditsUnder times an honest peer's edit round trips on a new board
// of n while disturb runs against that board (nil: nobody disturbs), and
// reports p50, p95 and p99 in ms and what disturb counted, under metric.
func honestEditsUnder(b *testing.B, n *node, metric string, disturb func(board string, stop chan struct{}) int) {
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
	counted := 0
	var wg sync.WaitGroup
	if disturb != nil {
		wg.Go(func() { counted = disturb(board, stop) })
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
	b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(counted), metric)
}

// abuse reconnects and sends tooBig for board until stop, as a stock client
// that holds such a change does each time it reconnects.
func abuse(n *node, board string, tooBig []byte, stop chan struct{}) (refused int) {
	for {
		select {
		case <-stop:
			return refused
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		ws, _, err := websocket.Dial(ctx, n.url("bob"), nil)
		if err != nil {
			cancel()
			continue
		}
		ws.SetReadLimit(wire.MaxMessageBytes)
		send := func(m wire.Message) bool {
			m.SenderID = "abuser"
			raw, _ := wire.Encode(m)
			return ws.Write(ctx, websocket.MessageBinary, raw) == nil
		}
		if send(wire.Message{Type: wire.TypeJoin, SupportedProtocolVersions: []string{"1"}}) &&
			send(wire.Message{Type: wire.TypeSync, TargetID: "server", DocumentID: board, Data: tooBig}) {
			for {
				_, raw, err := ws.Read(ctx)
				if err != nil {
					break
				}
				if m, err := wire.Decode(raw); err == nil && (m.Type == wire.TypeDocUnavailable || m.Type == wire.TypeError) {
					refused++
					break
				}
			}
		}
		ws.CloseNow()
		cancel()
	}
}

func firstSyncB(b *testing.B, value string) []byte {
	doc := automerge.New()
	if err := doc.Path("pasted").Set(value); err != nil {
		b.Fatal(err)
	}
	if _, err := doc.Commit("paste"); err != nil {
		b.Fatal(err)
	}
	hello, _ := automerge.NewSyncState(automerge.New()).GenerateMessage()
	ours := automerge.NewSyncState(doc)
	if _, err := ours.ReceiveMessage(hello.Bytes()); err != nil {
		b.Fatal(err)
	}
	m, _ := ours.GenerateMessage()
	return m.Bytes()
}
