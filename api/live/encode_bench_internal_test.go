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
					if _, err := it.patchFor(v, retro.Policy{}, &audienceAt{}); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// What a run of commits costs patch followers: each of 20 viewers is sent
// 20 consecutive cards, in a retro that already holds cards cards, as a
// room's writers send them. "alone" builds every item's views afresh and
// every viewer's audience twice per commit (as before the items shared
// their views); "shared" is the room's way: consecutive items share the
// views of the state between them, each writer remembers its viewer's
// audience.
//
//	go test -run '^$' -bench PatchStream -benchmem ./api/live
func BenchmarkPatchStream(b *testing.B) {
	const commits = 20
	for _, cards := range []int{60, 1200} {
		states, evs, viewers := benchCommits(b, cards, 20, commits)
		for _, shared := range []bool{false, true} {
			name := map[bool]string{false: "alone", true: "shared"}[shared]
			b.Run(fmt.Sprintf("cards=%d/%s", cards, name), func(b *testing.B) {
				b.ReportAllocs()
				for range b.N {
					items := make([]*item, commits)
					var views *viewCache
					for i := range items {
						it := &item{kind: kindChange, pos: uint64(i + 2), prevPos: uint64(i + 1), events: []retro.Event{evs[i]},
							prev: &states[i], state: &states[i+1]}
						if shared {
							if views == nil {
								views = &viewCache{}
							}
							it.before, it.after = views, &viewCache{}
							views = it.after
						}
						items[i] = it
					}
					for _, v := range viewers {
						last := audienceAt{}
						for _, it := range items {
							if !shared {
								last = audienceAt{}
							}
							if _, err := it.patchFor(v, retro.Policy{}, &last); err != nil {
								b.Fatal(err)
							}
						}
					}
				}
			})
		}
	}
}

// benchCommits is benchCommit's retro followed by n more cards: the n+1
// states around them and their events.
func benchCommits(tb testing.TB, cards, viewers, n int) (states []retro.State, evs []retro.Event, vs []retro.Viewer) {
	prev, st, ev, vs := benchCommit(tb, cards, viewers)
	states, evs = []retro.State{prev, st}, []retro.Event{ev}
	at := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	for i := range n - 1 {
		out, err := retro.Decide(st, retro.AddCard{Actor: domain.Actor{UserID: "user-0"}, At: at, CardID: fmt.Sprintf("more-%d", i),
			ColumnID: "start", Text: fmt.Sprintf("MORECARD%08d", i)})
		if err != nil {
			tb.Fatal(err)
		}
		st = retro.EvolveAll(st, out)
		states, evs = append(states, st), append(evs, out...)
	}
	return states, evs, vs
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
