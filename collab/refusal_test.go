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

// Another team's board and a board that does not exist are both answered
// doc-unavailable, and their answers cannot be told apart by when they
// come, although finding out takes longer for one of them.
func TestAnotherTeamsBoardAndAnUnknownOneAreRefusedAlikeInTime(t *testing.T) {
	const slower = 8 * time.Millisecond // as loading the other team would
	foreign, unknown := wire.NewDocumentID(), wire.NewDocumentID()
	n := startNodeWith(t, memstore.New(nil), "", func(d *collab.Deps) {
		d.Authorize = func(_ context.Context, _, docID string) bool {
			if docID == foreign {
				time.Sleep(slower)
			}
			return false
		}
	})
	p := dialRaw(t, n, "alice", "asker")
	p.join()
	ask, _ := automerge.NewSyncState(automerge.New()).GenerateMessage()
	took := map[string][]time.Duration{}
	for range 25 {
		for _, doc := range []string{unknown, foreign} {
			start := time.Now()
			p.send(wire.Message{Type: wire.TypeRequest, TargetID: "server", DocumentID: doc, Data: ask.Bytes()})
			m, ok := p.next(5 * time.Second)
			if !ok || m.Type != wire.TypeDocUnavailable || m.DocumentID != doc {
				t.Fatalf("want doc-unavailable for %s, got %+v", doc, m)
			}
			took[doc] = append(took[doc], time.Since(start))
		}
	}
	u, f := median(took[unknown]), median(took[foreign])
	if d := (f - u).Abs(); d > slower/2 {
		t.Fatalf("refusals are told apart by time: unknown board answered in %v, another team's in %v (medians)", u, f)
	}
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
