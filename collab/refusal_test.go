package collab_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/automerge/automerge-go"
	"github.com/hindsight-retro/hindsight/collab"
	"github.com/hindsight-retro/hindsight/collab/wire"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
)

// foreignLoad is what finding out that a board is another team's costs
// beyond finding out that it does not exist: loading that team.
const foreignLoad = 8 * time.Millisecond

// refusingNode serves no board to anyone: an unknown board is refused at
// once, another team's board after foreignLoad, as the application's
// Authorize does.
func refusingNode(t testing.TB, foreign string) *node {
	return startNodeWith(t, memstore.New(nil), "", func(d *collab.Deps) {
		d.Authorize = func(_ context.Context, _, docID string) bool {
			if docID == foreign {
				time.Sleep(foreignLoad)
			}
			return false
		}
	})
}

// askFor requests docID (and offers changes for it) and returns what the
// server answers until it says doc-unavailable.
func askFor(t testing.TB, p *rawPeer, docID string, typ string) []wire.Message {
	t.Helper()
	data, _ := automerge.NewSyncState(automerge.New()).GenerateMessage()
	p.send(wire.Message{Type: typ, TargetID: "server", DocumentID: docID, Data: data.Bytes()})
	var got []wire.Message
	for {
		m, ok := p.next(10 * time.Second)
		if !ok {
			t.Fatalf("no answer for %s", docID)
		}
		got = append(got, m)
		if m.Type == wire.TypeDocUnavailable {
			return got
		}
	}
}

// issue 12.6: a board that does not exist and another team's board take the
// same way through the server and are answered with the same message, but
// for the document's ID; BenchmarkRefusalOfAnUnknownAndAnotherTeamsBoard
// shows the answers' timing cannot tell them apart either.
func TestAnUnknownBoardAndAnotherTeamsAreAnsweredAlike(t *testing.T) {
	foreign, unknown := wire.NewDocumentID(), wire.NewDocumentID()
	n := refusingNode(t, foreign)
	p := dialRaw(t, n, "alice", "asker")
	p.join()
	for _, typ := range []string{wire.TypeRequest, wire.TypeSync} {
		a, b := askFor(t, p, unknown, typ), askFor(t, p, foreign, typ)
		if len(a) != 1 || len(b) != 1 {
			t.Fatalf("%s: answered %+v for an unknown board, %+v for another team's", typ, a, b)
		}
		a[0].DocumentID, b[0].DocumentID = "", ""
		ea, _ := wire.Encode(a[0])
		eb, _ := wire.Encode(b[0])
		if !slices.Equal(ea, eb) {
			t.Fatalf("%s: answered %+v for an unknown board, %+v for another team's", typ, a[0], b[0])
		}
	}
}

// BenchmarkRefusalOfAnUnknownAndAnotherTeamsBoard asks for a board that
// does not exist and for another team's board in turn, where finding out
// about the latter costs foreignLoad more (as loading that team does), and
// reports both answers' p50 and p99 from when the request was sent, and
// the ratio of their medians (another team's / unknown).
func BenchmarkRefusalOfAnUnknownAndAnotherTeamsBoard(b *testing.B) {
	foreign, unknown := wire.NewDocumentID(), wire.NewDocumentID()
	n := refusingNode(b, foreign)
	p := dialRaw(b, n, "alice", "asker")
	p.join()
	took := map[string][]time.Duration{}
	b.ResetTimer()
	for range b.N {
		for _, doc := range []string{unknown, foreign} {
			start := time.Now()
			askFor(b, p, doc, wire.TypeRequest)
			took[doc] = append(took[doc], time.Since(start))
		}
	}
	b.StopTimer()
	pct := func(ds []time.Duration, q int) float64 {
		s := slices.Clone(ds)
		slices.Sort(s)
		return float64(s[len(s)*q/100].Microseconds()) / 1000
	}
	b.ReportMetric(pct(took[unknown], 50), "unknown-p50-ms")
	b.ReportMetric(pct(took[unknown], 99), "unknown-p99-ms")
	b.ReportMetric(pct(took[foreign], 50), "foreign-p50-ms")
	b.ReportMetric(pct(took[foreign], 99), "foreign-p99-ms")
	b.ReportMetric(pct(took[foreign], 50)/pct(took[unknown], 50), "foreign/unknown-p50")
}
