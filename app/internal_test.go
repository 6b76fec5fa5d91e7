package app

import (
	"errors"
	"testing"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/domain/retro"
)

// The envelope of a retro commit names the pseudonym beside pseudonymous
// records, nobody beside anything else in an anonymous retro, and the user
// in a named retro.
func TestActorMeta(t *testing.T) {
	a := domain.Actor{UserID: "u-1", Pseudonym: "anon:xyz"}
	cases := []struct {
		cmd  retro.Command
		anon bool
		want string
	}{
		{retro.AddCard{}, true, "anon:xyz"},
		{retro.AddCard{}, false, "u-1"},
		{retro.CastVote{}, true, "anon:xyz"},
		{retro.AnswerHealthCheck{}, false, "anon:xyz"},
		{retro.RateRoti{}, false, "anon:xyz"},
		{retro.JoinRetro{}, true, ""},
		{retro.CreateAction{}, true, ""},
		{retro.RevealColumn{}, true, ""},
		{retro.RevealColumn{}, false, "u-1"},
	}
	for _, c := range cases {
		if got := actorMeta(c.anon, c.cmd, a); got != c.want {
			t.Errorf("%T in an anonymous=%v retro: envelope actor %q, want %q", c.cmd, c.anon, got, c.want)
		}
	}
}

// A command prepared for one anonymity setting is not decided under the
// other (the runner decides again after a conflict, on the newer state).
func TestACommandIsNotDecidedUnderAnotherAnonymity(t *testing.T) {
	mod := domain.Actor{UserID: "u-mod", Pseudonym: "anon:mod"}
	evs, err := retro.Decide(retro.Initial(), retro.CreateRetro{Actor: mod, RetroID: "r", TeamID: "t", Title: "x",
		Columns: []catalog.Column{{ID: "c", Title: "C"}}, Anonymous: true})
	if err != nil {
		t.Fatal(err)
	}
	s := retro.Initial()
	for _, e := range evs {
		s = retro.Evolve(s, e)
	}
	add := retro.AddCard{Actor: mod, CardID: "k", ColumnID: "c", Text: "hi"}
	if _, err := decideRetro(s, retroCmd{cmd: add, anonymous: false}); !errors.Is(err, errAnonymityMoved) {
		t.Errorf("decided a card prepared for a named retro in an anonymous one: %v", err)
	}
	if evs, err := decideRetro(s, retroCmd{cmd: add, anonymous: true}); err != nil || len(evs) != 1 {
		t.Errorf("a card prepared for the retro's own setting: %v %v", evs, err)
	}
}
