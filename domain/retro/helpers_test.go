package retro_test

import (
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/domain/decidertest"
	"github.com/hindsight-retro/hindsight/domain/retro"
)

var (
	t0  = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	key = []byte("retro-key-for-tests")

	mod   = actor("user-mod")
	alice = actor("user-alice")
	bob   = actor("user-bob")
	eve   = actor("user-eve") // never joins

	// policy is the server's default minimum group: health and ROTI
	// results of fewer answers show their number only.
	policy = retro.Policy{MinRespondents: 3}

	columns = []catalog.Column{
		{ID: "keep", Title: "Keep"},
		{ID: "stop", Title: "Stop"},
		{ID: "start", Title: "Start"},
	}
	openActions = []retro.OpenAction{
		{ID: "act-old-1", Title: "Fix the build", Assignee: "user-bob", OriginRetroID: "retro-0"},
		{ID: "act-old-2", Title: "Write docs", OriginRetroID: "retro-0"},
	}
	questions = []catalog.Question{
		{ID: "q-fun", Dimension: "fun", Text: "Fun?", Scale: catalog.ScaleFive},
		{ID: "q-enps", Dimension: "enps", Text: "Recommend?", Scale: catalog.ScaleTen},
	}
)

// actor is a user with their pseudonym in the retro under test.
func actor(u string) domain.Actor {
	return domain.Actor{UserID: u, Pseudonym: domain.Pseudonym(key, u)}
}

func viewer(a domain.Actor) retro.Viewer {
	return retro.Viewer{UserID: a.UserID, Pseudonym: a.Pseudonym}
}

func create(anonymous bool) retro.CreateRetro {
	return retro.CreateRetro{Actor: mod, At: t0, RetroID: "retro-1", TeamID: "team-1", Title: "Sprint 7",
		TemplateID: "kss", Columns: columns, Anonymous: anonymous, OpenActions: openActions}
}

// history runs commands from the start and returns the events they wrote:
// the "given" of a test, written as what people did.
func history(t testing.TB, cmds ...retro.Command) []retro.Event {
	t.Helper()
	var evs []retro.Event
	s := retro.Initial()
	for i, c := range cmds {
		out, err := retro.Decide(s, c)
		if err != nil {
			t.Fatalf("given step %d (%T): %v", i, c, err)
		}
		for _, e := range out {
			s = retro.Evolve(s, e)
		}
		evs = append(evs, out...)
	}
	return evs
}

// base: a retro moderated by mod, with alice and bob joined.
func base(t testing.TB, anonymous bool, more ...retro.Command) []retro.Event {
	t.Helper()
	cmds := []retro.Command{
		create(anonymous),
		retro.JoinRetro{Actor: alice, At: t0, Role: retro.RoleMember},
		retro.JoinRetro{Actor: bob, At: t0, Role: retro.RoleGuest},
	}
	return history(t, append(cmds, more...)...)
}

func fold(evs []retro.Event) retro.State { return retro.Decider().Fold(evs) }

// tc is one given/when/then case: Then is the expected events, or Kind and
// Code the expected refusal. Then nil and no Code: accepted, no events.
type tc = decidertest.Case[retro.Command, retro.Event]

func cat(evs ...[]retro.Event) []retro.Event {
	var out []retro.Event
	for _, e := range evs {
		out = append(out, e...)
	}
	return out
}

// cards written: c1 (alice, keep), c2 (bob, keep), c3 (alice, stop),
// c4 (bob, start).
func cards() []retro.Command {
	return []retro.Command{
		retro.AddCard{Actor: alice, At: t0, CardID: "c1", ColumnID: "keep", Text: "pairing"},
		retro.AddCard{Actor: bob, At: t0, CardID: "c2", ColumnID: "keep", Text: "demos"},
		retro.AddCard{Actor: alice, At: t0, CardID: "c3", ColumnID: "stop", Text: "long meetings"},
		retro.AddCard{Actor: bob, At: t0, CardID: "c4", ColumnID: "start", Text: "retro actions"},
	}
}

// revealedBoard: base plus cards(), every column revealed, then more.
func revealedBoard(t testing.TB, anonymous bool, more ...retro.Command) []retro.Event {
	t.Helper()
	cmds := cards()
	for _, c := range columns {
		cmds = append(cmds, retro.RevealColumn{Actor: mod, At: t0, ColumnID: c.ID})
	}
	return base(t, anonymous, append(cmds, more...)...)
}

// decider is the retro decider under the shared given/when/then helpers.
var decider = decidertest.For(retro.Decider())
