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
	decider.Run(t, []tc{
		{Name: "two ungrouped cards form a group", Given: board, When: merge(alice, "c2", "c1", "g1"),
			Then: []retro.Event{retro.GroupCreated{GroupID: "g1", CardIDs: []string{"c1", "c2"}, At: t0}}},
		{Name: "merging into a grouped card joins its group", Given: grouped, When: merge(bob, "c3", "c1", "g2"),
			Then: []retro.Event{retro.CardGrouped{CardID: "c3", GroupID: "g1", At: t0}}},
		{Name: "merging into a group by its ID", Given: grouped, When: merge(bob, "c3", "g1", ""),
			Then: []retro.Event{retro.CardGrouped{CardID: "c3", GroupID: "g1", At: t0}}},
		{Name: "a grouped card merged elsewhere leaves its group", Given: grouped, When: merge(bob, "c2", "c3", "g2"),
			Then: []retro.Event{
				retro.CardUngrouped{CardID: "c2", GroupID: "g1", At: t0},
				retro.GroupCreated{GroupID: "g2", CardIDs: []string{"c3", "c2"}, At: t0},
			}},
		{Name: "a group losing its last card dissolves",
			Given: revealedBoard(t, false, merge(alice, "c2", "c1", "g1"), retro.MoveCardOut{Actor: alice, At: t0, CardID: "c2"}),
			When:  merge(bob, "c1", "c3", "g2"),
			Then: []retro.Event{
				retro.CardUngrouped{CardID: "c1", GroupID: "g1", At: t0},
				retro.GroupDissolved{GroupID: "g1", LastCard: "c1", At: t0},
				retro.GroupCreated{GroupID: "g2", CardIDs: []string{"c3", "c1"}, At: t0},
			}},
		{Name: "merging into one's own group changes nothing", Given: grouped, When: merge(bob, "c1", "c2", "g9")},
		{Name: "merging into one's own group by ID changes nothing", Given: grouped, When: merge(bob, "c1", "g1", "")},
		{Name: "rejects an unknown card", Given: board, When: merge(alice, "c9", "c1", "g1"), Kind: domain.NotFound, Code: retro.CodeCardNotFound},
		{Name: "rejects a concealed card", Given: partlyRevealed(t), When: merge(alice, "c3", "c1", "g1"),
			Kind: domain.Conflict, Code: retro.CodeCardConcealed},
		{Name: "rejects a concealed target", Given: partlyRevealed(t), When: merge(alice, "c1", "c3", "g1"),
			Kind: domain.Conflict, Code: retro.CodeCardConcealed},
		{Name: "rejects a card merged into itself", Given: board, When: merge(alice, "c1", "c1", "g1"),
			Kind: domain.Invalid, Code: retro.CodeMergeIntoSelf},
		{Name: "rejects an unknown target", Given: board, When: merge(alice, "c1", "c9", "g1"),
			Kind: domain.NotFound, Code: retro.CodeTopicNotFound},
		{Name: "rejects a new group without ID", Given: board, When: merge(alice, "c2", "c1", ""),
			Kind: domain.Invalid, Code: retro.CodeGroupIDRequired},
		{Name: "rejects a taken group ID", Given: board, When: merge(alice, "c2", "c1", "c3"),
			Kind: domain.Conflict, Code: retro.CodeIDTaken},
		{Name: "rejects regrouping during a voting round",
			Given: revealedBoard(t, false, retro.StartVoting{Actor: mod, At: t0, RoundID: "r1", Budget: 3}),
			When:  merge(alice, "c2", "c1", "g1"), Kind: domain.Conflict, Code: retro.CodeVotingOpen},
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
	decider.Run(t, []tc{
		{Name: "moves a card out", Given: revealedBoard(t, false, merge(alice, "c2", "c1", "g1"), merge(alice, "c3", "g1", "")),
			When: retro.MoveCardOut{Actor: bob, At: t0, CardID: "c3"},
			Then: []retro.Event{retro.CardUngrouped{CardID: "c3", GroupID: "g1", At: t0}}},
		{Name: "moving the last card out dissolves the group",
			Given: revealedBoard(t, false, merge(alice, "c2", "c1", "g1"), retro.MoveCardOut{Actor: bob, At: t0, CardID: "c1"}),
			When:  retro.MoveCardOut{Actor: bob, At: t0, CardID: "c2"},
			Then: []retro.Event{
				retro.CardUngrouped{CardID: "c2", GroupID: "g1", At: t0},
				retro.GroupDissolved{GroupID: "g1", LastCard: "c2", At: t0},
			}},
		{Name: "rejects an unknown card", Given: grouped, When: retro.MoveCardOut{Actor: bob, At: t0, CardID: "c9"},
			Kind: domain.NotFound, Code: retro.CodeCardNotFound},
		{Name: "rejects a concealed card", Given: partlyRevealed(t), When: retro.MoveCardOut{Actor: bob, At: t0, CardID: "c3"},
			Kind: domain.Conflict, Code: retro.CodeCardConcealed},
		{Name: "rejects a card in no group", Given: grouped, When: retro.MoveCardOut{Actor: bob, At: t0, CardID: "c3"},
			Kind: domain.Conflict, Code: retro.CodeCardNotGrouped},
		{Name: "rejects regrouping during a voting round",
			Given: revealedBoard(t, false, merge(alice, "c2", "c1", "g1"), retro.StartVoting{Actor: mod, At: t0, RoundID: "r1", Budget: 3}),
			When:  retro.MoveCardOut{Actor: bob, At: t0, CardID: "c2"}, Kind: domain.Conflict, Code: retro.CodeVotingOpen},
	})
}

func TestMergeGroups(t *testing.T) {
	two := revealedBoard(t, false, merge(alice, "c2", "c1", "g1"), merge(alice, "c4", "c3", "g2"))
	decider.Run(t, []tc{
		{Name: "merges whole groups", Given: two, When: retro.MergeGroups{Actor: bob, At: t0, GroupID: "g2", IntoGroupID: "g1"},
			Then: []retro.Event{retro.GroupsMerged{GroupID: "g2", IntoGroupID: "g1", At: t0}}},
		{Name: "rejects a group merged into itself", Given: two, When: retro.MergeGroups{Actor: bob, At: t0, GroupID: "g1", IntoGroupID: "g1"},
			Kind: domain.Invalid, Code: retro.CodeMergeIntoSelf},
		{Name: "rejects a group merged away meanwhile",
			Given: cat(two, []retro.Event{retro.GroupsMerged{GroupID: "g2", IntoGroupID: "g1", At: t0}}),
			When:  retro.MergeGroups{Actor: bob, At: t0, GroupID: "g2", IntoGroupID: "g1"}, Kind: domain.NotFound, Code: retro.CodeGroupNotFound},
		{Name: "rejects an unknown target group", Given: two, When: retro.MergeGroups{Actor: bob, At: t0, GroupID: "g1", IntoGroupID: "g9"},
			Kind: domain.NotFound, Code: retro.CodeGroupNotFound},
		{Name: "rejects regrouping during a voting round",
			Given: cat(two, []retro.Event{retro.VotingStarted{RoundID: "r1", Budget: 2, At: t0}}),
			When:  retro.MergeGroups{Actor: bob, At: t0, GroupID: "g2", IntoGroupID: "g1"}, Kind: domain.Conflict, Code: retro.CodeVotingOpen},
	})
	s := fold(cat(two, []retro.Event{retro.GroupsMerged{GroupID: "g2", IntoGroupID: "g1", At: t0}}))
	c4, _ := s.Cards.Get("c4")
	if g := s.Groups["g1"]; len(s.Groups) != 1 || !equal(g.Cards, []string{"c1", "c2", "c3", "c4"}) || c4.GroupID != "g1" {
		t.Fatalf("after merging: groups %v", s.Groups)
	}
}

func TestNameGroup(t *testing.T) {
	grouped := revealedBoard(t, false, merge(alice, "c2", "c1", "g1"))
	decider.Run(t, []tc{
		{Name: "names a group", Given: grouped, When: retro.NameGroup{Actor: bob, At: t0, GroupID: "g1", Name: "Ways of working"},
			Then: []retro.Event{retro.GroupNamed{GroupID: "g1", Name: "Ways of working", At: t0}}},
		{Name: "the same name changes nothing", Given: revealedBoard(t, false, merge(alice, "c2", "c1", "g1"),
			retro.NameGroup{Actor: bob, At: t0, GroupID: "g1", Name: "W"}),
			When: retro.NameGroup{Actor: alice, At: t0, GroupID: "g1", Name: "W"}},
		{Name: "rejects an overlong name", Given: grouped,
			When: retro.NameGroup{Actor: bob, At: t0, GroupID: "g1", Name: string(make([]rune, retro.MaxTitleLen+1))},
			Kind: domain.Invalid, Code: retro.CodeNameTooLong},
		{Name: "rejects an unknown group", Given: grouped, When: retro.NameGroup{Actor: bob, At: t0, GroupID: "g9", Name: "x"},
			Kind: domain.NotFound, Code: retro.CodeGroupNotFound},
	})
}
