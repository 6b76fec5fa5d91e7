package retro_test

import (
	"testing"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/retro"
)

func merge(a domain.Actor, card, target, newGroup string) retro.MergeCard {
	return retro.MergeCard{Actor: a, At: t0, CardID: card, TargetID: target, NewGroupID: newGroup}
}

// partlyRevealed: cards written, only keep revealed (c1, c2 visible; c3, c4 not).
func partlyRevealed(t *testing.T) []retro.Event {
	return base(t, false, append(cards(), retro.RevealColumn{Actor: mod, At: t0, ColumnID: "keep"})...)
}

func TestMergeCard(t *testing.T) {
	board := revealedBoard(t, false)
	grouped := revealedBoard(t, false, merge(alice, "c2", "c1", "g1"))
	run(t, []tc{
		{name: "two ungrouped cards form a group", given: board, when: merge(alice, "c2", "c1", "g1"),
			then: []retro.Event{retro.GroupCreated{GroupID: "g1", CardIDs: []string{"c1", "c2"}, At: t0}}},
		{name: "merging into a grouped card joins its group", given: grouped, when: merge(bob, "c3", "c1", "g2"),
			then: []retro.Event{retro.CardGrouped{CardID: "c3", GroupID: "g1", At: t0}}},
		{name: "merging into a group by its ID", given: grouped, when: merge(bob, "c3", "g1", ""),
			then: []retro.Event{retro.CardGrouped{CardID: "c3", GroupID: "g1", At: t0}}},
		{name: "a grouped card merged elsewhere leaves its group", given: grouped, when: merge(bob, "c2", "c3", "g2"),
			then: []retro.Event{
				retro.CardUngrouped{CardID: "c2", GroupID: "g1", At: t0},
				retro.GroupCreated{GroupID: "g2", CardIDs: []string{"c3", "c2"}, At: t0},
			}},
		{name: "a group losing its last card dissolves",
			given: revealedBoard(t, false, merge(alice, "c2", "c1", "g1"), retro.MoveCardOut{Actor: alice, At: t0, CardID: "c2"}),
			when:  merge(bob, "c1", "c3", "g2"),
			then: []retro.Event{
				retro.CardUngrouped{CardID: "c1", GroupID: "g1", At: t0},
				retro.GroupDissolved{GroupID: "g1", LastCard: "c1", At: t0},
				retro.GroupCreated{GroupID: "g2", CardIDs: []string{"c3", "c1"}, At: t0},
			}},
		{name: "merging into one's own group changes nothing", given: grouped, when: merge(bob, "c1", "c2", "g9")},
		{name: "merging into one's own group by ID changes nothing", given: grouped, when: merge(bob, "c1", "g1", "")},
		{name: "rejects an unknown card", given: board, when: merge(alice, "c9", "c1", "g1"), kind: domain.NotFound, code: "card-not-found"},
		{name: "rejects a concealed card", given: partlyRevealed(t), when: merge(alice, "c3", "c1", "g1"),
			kind: domain.Conflict, code: "card-concealed"},
		{name: "rejects a concealed target", given: partlyRevealed(t), when: merge(alice, "c1", "c3", "g1"),
			kind: domain.Conflict, code: "card-concealed"},
		{name: "rejects a card merged into itself", given: board, when: merge(alice, "c1", "c1", "g1"),
			kind: domain.Invalid, code: "merge-into-self"},
		{name: "rejects an unknown target", given: board, when: merge(alice, "c1", "c9", "g1"),
			kind: domain.NotFound, code: "topic-not-found"},
		{name: "rejects a new group without ID", given: board, when: merge(alice, "c2", "c1", ""),
			kind: domain.Invalid, code: "group-id-required"},
		{name: "rejects a taken group ID", given: board, when: merge(alice, "c2", "c1", "c3"),
			kind: domain.Conflict, code: "id-taken"},
		{name: "rejects regrouping during a voting round",
			given: revealedBoard(t, false, retro.StartVoting{Actor: mod, At: t0, RoundID: "r1", Budget: 3}),
			when:  merge(alice, "c2", "c1", "g1"), kind: domain.Conflict, code: "voting-open"},
	})
}

// Two people drag at once; the log orders their commands and the second is
// decided on what the first left, so the outcome is the same everywhere.
func TestConcurrentMergesResolveInLogOrder(t *testing.T) {
	evs := revealedBoard(t, false,
		merge(alice, "c2", "c1", "g-alice"),
		merge(bob, "c3", "c1", "g-bob"), // c1 is grouped by now: c3 joins alice's group
		merge(bob, "c4", "c2", "g-bob2"),
	)
	s := fold(evs)
	if len(s.Groups) != 1 {
		t.Fatalf("groups %v, want only g-alice", s.Groups)
	}
	if g := s.Groups["g-alice"]; !equal(g.Cards, []string{"c1", "c2", "c3", "c4"}) {
		t.Fatalf("g-alice holds %v", g.Cards)
	}
}

func TestMoveCardOut(t *testing.T) {
	grouped := revealedBoard(t, false, merge(alice, "c2", "c1", "g1"))
	run(t, []tc{
		{name: "moves a card out", given: revealedBoard(t, false, merge(alice, "c2", "c1", "g1"), merge(alice, "c3", "g1", "")),
			when: retro.MoveCardOut{Actor: bob, At: t0, CardID: "c3"},
			then: []retro.Event{retro.CardUngrouped{CardID: "c3", GroupID: "g1", At: t0}}},
		{name: "moving the last card out dissolves the group",
			given: revealedBoard(t, false, merge(alice, "c2", "c1", "g1"), retro.MoveCardOut{Actor: bob, At: t0, CardID: "c1"}),
			when:  retro.MoveCardOut{Actor: bob, At: t0, CardID: "c2"},
			then: []retro.Event{
				retro.CardUngrouped{CardID: "c2", GroupID: "g1", At: t0},
				retro.GroupDissolved{GroupID: "g1", LastCard: "c2", At: t0},
			}},
		{name: "rejects an unknown card", given: grouped, when: retro.MoveCardOut{Actor: bob, At: t0, CardID: "c9"},
			kind: domain.NotFound, code: "card-not-found"},
		{name: "rejects a concealed card", given: partlyRevealed(t), when: retro.MoveCardOut{Actor: bob, At: t0, CardID: "c3"},
			kind: domain.Conflict, code: "card-concealed"},
		{name: "rejects a card in no group", given: grouped, when: retro.MoveCardOut{Actor: bob, At: t0, CardID: "c3"},
			kind: domain.Conflict, code: "card-not-grouped"},
		{name: "rejects regrouping during a voting round",
			given: revealedBoard(t, false, merge(alice, "c2", "c1", "g1"), retro.StartVoting{Actor: mod, At: t0, RoundID: "r1", Budget: 3}),
			when:  retro.MoveCardOut{Actor: bob, At: t0, CardID: "c2"}, kind: domain.Conflict, code: "voting-open"},
	})
}

func TestMergeGroups(t *testing.T) {
	two := revealedBoard(t, false, merge(alice, "c2", "c1", "g1"), merge(alice, "c4", "c3", "g2"))
	run(t, []tc{
		{name: "merges whole groups", given: two, when: retro.MergeGroups{Actor: bob, At: t0, GroupID: "g2", IntoGroupID: "g1"},
			then: []retro.Event{retro.GroupsMerged{GroupID: "g2", IntoGroupID: "g1", At: t0}}},
		{name: "rejects a group merged into itself", given: two, when: retro.MergeGroups{Actor: bob, At: t0, GroupID: "g1", IntoGroupID: "g1"},
			kind: domain.Invalid, code: "merge-into-self"},
		{name: "rejects a group merged away meanwhile",
			given: cat(two, []retro.Event{retro.GroupsMerged{GroupID: "g2", IntoGroupID: "g1", At: t0}}),
			when:  retro.MergeGroups{Actor: bob, At: t0, GroupID: "g2", IntoGroupID: "g1"}, kind: domain.NotFound, code: "group-not-found"},
		{name: "rejects an unknown target group", given: two, when: retro.MergeGroups{Actor: bob, At: t0, GroupID: "g1", IntoGroupID: "g9"},
			kind: domain.NotFound, code: "group-not-found"},
		{name: "rejects regrouping during a voting round",
			given: cat(two, []retro.Event{retro.VotingStarted{RoundID: "r1", Budget: 2, At: t0}}),
			when:  retro.MergeGroups{Actor: bob, At: t0, GroupID: "g2", IntoGroupID: "g1"}, kind: domain.Conflict, code: "voting-open"},
	})
	s := fold(cat(two, []retro.Event{retro.GroupsMerged{GroupID: "g2", IntoGroupID: "g1", At: t0}}))
	if g := s.Groups["g1"]; len(s.Groups) != 1 || !equal(g.Cards, []string{"c1", "c2", "c3", "c4"}) || s.Cards["c4"].GroupID != "g1" {
		t.Fatalf("after merging: groups %v", s.Groups)
	}
}

func TestNameGroup(t *testing.T) {
	grouped := revealedBoard(t, false, merge(alice, "c2", "c1", "g1"))
	run(t, []tc{
		{name: "names a group", given: grouped, when: retro.NameGroup{Actor: bob, At: t0, GroupID: "g1", Name: "Ways of working"},
			then: []retro.Event{retro.GroupNamed{GroupID: "g1", Name: "Ways of working", At: t0}}},
		{name: "the same name changes nothing", given: revealedBoard(t, false, merge(alice, "c2", "c1", "g1"),
			retro.NameGroup{Actor: bob, At: t0, GroupID: "g1", Name: "W"}),
			when: retro.NameGroup{Actor: alice, At: t0, GroupID: "g1", Name: "W"}},
		{name: "rejects an overlong name", given: grouped,
			when: retro.NameGroup{Actor: bob, At: t0, GroupID: "g1", Name: string(make([]rune, retro.MaxTitleLen+1))},
			kind: domain.Invalid, code: "name-too-long"},
		{name: "rejects an unknown group", given: grouped, when: retro.NameGroup{Actor: bob, At: t0, GroupID: "g9", Name: "x"},
			kind: domain.NotFound, code: "group-not-found"},
	})
}
