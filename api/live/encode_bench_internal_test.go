package live

import (
	"fmt"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/domain/retro"
)

// What one card costs to send to the 20 viewers of its retro, as a whole
// view (the default feed) against a patch (?changes=patch), in a retro that
// already holds cards cards. Each iteration encodes one commit for every
// viewer, alternating the two in one run:
//
//	go test -run '^$' -bench EncodeChange -benchmem ./api/live
func BenchmarkEncodeChange(b *testing.B) {
	for _, cards := range []int{60, 1200} {
		prev, next, ev, viewers := benchCommit(b, cards, 20)
		b.Run(fmt.Sprintf("cards=%d/whole-view", cards), func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				for _, v := range viewers {
					if _, err := encodeChange(1, []retro.Event{ev}, next, v, retro.Policy{}, true); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
		b.Run(fmt.Sprintf("cards=%d/patch", cards), func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				it := &item{kind: kindChange, pos: 1, events: []retro.Event{ev}, state: &next, prev: &prev}
				for _, v := range viewers {
					if _, err := it.patchFor(v, retro.Policy{}); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// benchCommit is a revealed retro with viewers participants and cards
// cards written by participant 0, as in issue 15's workload, and one more
// card: the state before and after it, and its event.
func benchCommit(tb testing.TB, cards, viewers int) (prev, next retro.State, ev retro.Event, vs []retro.Viewer) {
	at := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	mod := domain.Actor{UserID: "user-0"}
	evs := []retro.Event{}
	decide := func(st retro.State, c retro.Command) retro.State {
		out, err := retro.Decide(st, c)
		if err != nil {
			tb.Fatalf("%T: %v", c, err)
		}
		evs = append(evs, out...)
		return retro.EvolveAll(st, out)
	}
	st := decide(retro.Initial(), retro.CreateRetro{Actor: mod, At: at, RetroID: "r", TeamID: "t", Title: "Bench",
		TemplateID: "ks", Columns: []catalog.Column{{ID: "start", Title: "Start"}, {ID: "stop", Title: "Stop"}}})
	for i := range viewers {
		a := domain.Actor{UserID: fmt.Sprintf("user-%d", i)}
		vs = append(vs, retro.Viewer{UserID: a.UserID})
		if i > 0 {
			st = decide(st, retro.JoinRetro{Actor: a, At: at, Role: retro.RoleMember})
		}
	}
	st = decide(st, retro.RevealColumn{Actor: mod, At: at, ColumnID: "start"})
	for i := range cards + 1 {
		if i == cards {
			prev = st
		}
		st = decide(st, retro.AddCard{Actor: mod, At: at, CardID: fmt.Sprintf("card-%d", i), ColumnID: "start",
			Text: fmt.Sprintf("LOADCARD%08d %s", i, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")})
	}
	return prev, st, evs[len(evs)-1], vs
}
