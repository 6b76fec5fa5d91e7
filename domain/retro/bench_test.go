package retro_test

import (
	"fmt"
	"testing"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/retro"
)

// bigRetro is a busy retro: 8 people, 160 cards, 40 groups, a full vote.
func bigRetro(b *testing.B) []retro.Event {
	var ppl []domain.Actor
	cmds := []retro.Command{create(true)}
	for i := 0; i < 7; i++ {
		p := actor(fmt.Sprintf("user-%d", i))
		ppl = append(ppl, p)
		cmds = append(cmds, retro.JoinRetro{Actor: p, At: t0, Role: retro.RoleMember})
	}
	for i := 0; i < 160; i++ {
		cmds = append(cmds, retro.AddCard{Actor: ppl[i%7], At: t0, CardID: fmt.Sprintf("c%d", i),
			ColumnID: columns[i%3].ID, Text: fmt.Sprintf("card number %d", i)})
	}
	for _, c := range columns {
		cmds = append(cmds, retro.RevealColumn{Actor: mod, At: t0, ColumnID: c.ID})
	}
	for i := 0; i < 40; i++ {
		cmds = append(cmds, retro.MergeCard{Actor: ppl[i%7], At: t0, CardID: fmt.Sprintf("c%d", 2*i+1),
			TargetID: fmt.Sprintf("c%d", 2*i), NewGroupID: fmt.Sprintf("g%d", i)})
	}
	cmds = append(cmds, retro.StartVoting{Actor: mod, At: t0, RoundID: "r1", Budget: 5})
	for i := 0; i < 35; i++ {
		cmds = append(cmds, retro.CastVote{Actor: ppl[i%7], At: t0, TopicID: fmt.Sprintf("g%d", i%40)})
	}
	cmds = append(cmds, retro.CloseVoting{Actor: mod, At: t0})
	return history(b, cmds...)
}

// Baseline: decoding the same events from JSON, the work every load does
// anyway; folding and viewing are reported against it.
func BenchmarkDecodeBaseline(b *testing.B) {
	evs := bigRetro(b)
	type enc struct {
		typ string
		ver int
		raw []byte
	}
	var encoded []enc
	for _, e := range evs {
		typ, ver, raw, err := retro.EncodeEvent(e)
		if err != nil {
			b.Fatal(err)
		}
		encoded = append(encoded, enc{typ, ver, raw})
	}
	for b.Loop() {
		for _, e := range encoded {
			if _, err := retro.DecodeEvent(e.typ, e.ver, e.raw); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// Folding through Evolve copies the state per event.
func BenchmarkFoldThroughEvolve(b *testing.B) {
	evs := bigRetro(b)
	for b.Loop() {
		fold(evs)
	}
}

func BenchmarkFold(b *testing.B) {
	evs := bigRetro(b)
	for b.Loop() {
		retro.Fold(evs)
	}
}

func BenchmarkView(b *testing.B) {
	s := fold(bigRetro(b))
	v := viewer(actor("user-3"))
	for b.Loop() {
		retro.View(s, v, policy)
	}
}
