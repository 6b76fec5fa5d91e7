package retro_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/retro"
)

func vote(a domain.Actor, topic string) retro.CastVote {
	return retro.CastVote{Actor: a, At: t0, TopicID: topic}
}

func TestStartVoting(t *testing.T) {
	board := revealedBoard(t, false)
	start := func(id string, budget, cap int) retro.StartVoting {
		return retro.StartVoting{Actor: mod, At: t0, RoundID: id, Budget: budget, Cap: cap}
	}
	decider.Run(t, []tc{
		{Name: "opens a round with a budget and a cap", Given: board, When: start("r1", 3, 2),
			Then: []retro.Event{retro.VotingStarted{RoundID: "r1", Budget: 3, Cap: 2, At: t0}}},
		{Name: "rejects no round ID", Given: board, When: start("", 3, 0), Kind: domain.Invalid, Code: retro.CodeRoundIDRequired},
		{Name: "rejects a zero budget", Given: board, When: start("r1", 0, 0), Kind: domain.Invalid, Code: retro.CodeBudgetInvalid},
		{Name: "rejects a huge budget", Given: board, When: start("r1", retro.MaxBudget+1, 0), Kind: domain.Invalid, Code: retro.CodeBudgetInvalid},
		{Name: "rejects a negative cap", Given: board, When: start("r1", 3, -1), Kind: domain.Invalid, Code: retro.CodeCapInvalid},
		{Name: "rejects a second open round", Given: revealedBoard(t, false, start("r1", 3, 0)), When: start("r2", 3, 0),
			Kind: domain.Conflict, Code: retro.CodeVotingOpen},
		{Name: "rejects a round ID used before",
			Given: revealedBoard(t, false, start("r1", 3, 0), retro.CloseVoting{Actor: mod, At: t0}),
			When:  start("r1", 3, 0), Kind: domain.Conflict, Code: retro.CodeIDTaken},
	})
}

func TestARoundOpenedWithoutABudgetTakesTheRetrosVotingDefaults(t *testing.T) {
	withDefaults := func(more ...retro.Command) []retro.Event {
		c := create(false)
		c.Voting = &retro.VotingDefaults{Budget: 5, Cap: 3}
		return history(t, append([]retro.Command{c, retro.JoinRetro{Actor: alice, At: t0, Role: retro.RoleMember}}, more...)...)
	}
	decider.Run(t, []tc{
		{Name: "a round with no budget opens with the defaults' budget and cap", Given: withDefaults(),
			When: retro.StartVoting{Actor: mod, At: t0, RoundID: "r1"},
			Then: []retro.Event{retro.VotingStarted{RoundID: "r1", Budget: 5, Cap: 3, At: t0}}},
		{Name: "a round naming its budget and cap keeps them", Given: withDefaults(),
			When: retro.StartVoting{Actor: mod, At: t0, RoundID: "r1", Budget: 2, Cap: 0},
			Then: []retro.Event{retro.VotingStarted{RoundID: "r1", Budget: 2, At: t0}}},
		{Name: "without defaults a round with no budget is refused", Given: base(t, false),
			When: retro.StartVoting{Actor: mod, At: t0, RoundID: "r1"}, Kind: domain.Invalid, Code: retro.CodeBudgetInvalid},
	})
	// Every viewer reads the defaults, so the moderator's page can offer them.
	s := fold(withDefaults())
	for _, who := range []retro.Viewer{{UserID: mod.UserID}, {UserID: alice.UserID}} {
		v := retro.View(s, who, policy)
		if v.VotingDefaults == nil || *v.VotingDefaults != (retro.VotingDefaults{Budget: 5, Cap: 3}) {
			t.Fatalf("%s's view has voting defaults %+v, want budget 5 and cap 3", who.UserID, v.VotingDefaults)
		}
	}
	if v := retro.View(fold(base(t, false)), retro.Viewer{UserID: mod.UserID}, policy); v.VotingDefaults != nil {
		t.Fatalf("a retro made without voting defaults shows %+v", v.VotingDefaults)
	}
}

func TestCastVote(t *testing.T) {
	open := func(anon bool, more ...retro.Command) []retro.Event {
		return revealedBoard(t, anon, append([]retro.Command{
			merge(alice, "c2", "c1", "g1"),
			retro.StartVoting{Actor: mod, At: t0, RoundID: "r1", Budget: 2, Cap: 2},
		}, more...)...)
	}
	// wide: a budget of 3 with the cap of 2, so the cap binds first.
	wide := func(more ...retro.Command) []retro.Event {
		return revealedBoard(t, false, append([]retro.Command{
			merge(alice, "c2", "c1", "g1"),
			retro.StartVoting{Actor: mod, At: t0, RoundID: "r1", Budget: 3, Cap: 2},
		}, more...)...)
	}
	decider.Run(t, []tc{
		{Name: "votes for a card", Given: open(false), When: vote(alice, "c3"),
			Then: []retro.Event{retro.VoteCast{RoundID: "r1", TopicID: "c3", Voter: "user-alice", At: t0}}},
		{Name: "a vote for a grouped card counts for its group", Given: open(false), When: vote(alice, "c2"),
			Then: []retro.Event{retro.VoteCast{RoundID: "r1", TopicID: "g1", Voter: "user-alice", At: t0}}},
		{Name: "in an anonymous retro the voter is the pseudonym", Given: open(true), When: vote(alice, "g1"),
			Then: []retro.Event{retro.VoteCast{RoundID: "r1", TopicID: "g1", Voter: alice.Pseudonym, At: t0}}},
		{Name: "rejects an anonymous vote without pseudonym", Given: open(true), When: vote(domain.Actor{UserID: alice.UserID}, "g1"),
			Kind: domain.Invalid, Code: retro.CodePseudonymRequired},
		{Name: "rejects a vote with no round open", Given: revealedBoard(t, false), When: vote(alice, "c1"),
			Kind: domain.Conflict, Code: retro.CodeVotingNotOpen},
		{Name: "rejects an unknown topic", Given: open(false), When: vote(alice, "c9"), Kind: domain.NotFound, Code: retro.CodeTopicNotFound},
		{Name: "rejects a concealed card",
			Given: base(t, false, append(cards(), retro.StartVoting{Actor: mod, At: t0, RoundID: "r1", Budget: 2})...),
			When:  vote(alice, "c1"), Kind: domain.Conflict, Code: retro.CodeCardConcealed},
		{Name: "rejects a vote over budget", Given: open(false, vote(alice, "c3"), vote(alice, "c4")), When: vote(alice, "g1"),
			Kind: domain.Conflict, Code: retro.CodeVoteBudgetExhausted},
		{Name: "a voter at their own cap for the topic is refused", Given: wide(vote(alice, "c3"), vote(alice, "c3")),
			When: vote(alice, "c3"), Kind: domain.Conflict, Code: retro.CodeVoteCapReached},
		{Name: "a grouped card's votes count towards its group's cap", Given: wide(vote(alice, "c1"), vote(alice, "g1")),
			When: vote(alice, "c2"), Kind: domain.Conflict, Code: retro.CodeVoteCapReached},
		{Name: "a voter is not refused because others voted for the topic", Given: open(false, vote(bob, "c3"), vote(bob, "c3")),
			When: vote(alice, "c3"), Then: []retro.Event{retro.VoteCast{RoundID: "r1", TopicID: "c3", Voter: "user-alice", At: t0}}},
		{Name: "an anonymous voter is not refused because others voted for the topic", Given: open(true, vote(bob, "g1"), vote(mod, "g1")),
			When: vote(alice, "g1"), Then: []retro.Event{retro.VoteCast{RoundID: "r1", TopicID: "g1", Voter: alice.Pseudonym, At: t0}}},
	})
}

func TestRetractVote(t *testing.T) {
	voted := revealedBoard(t, false, retro.StartVoting{Actor: mod, At: t0, RoundID: "r1", Budget: 2}, vote(alice, "c1"))
	decider.Run(t, []tc{
		{Name: "takes a vote back", Given: voted, When: retro.RetractVote{Actor: alice, At: t0, TopicID: "c1"},
			Then: []retro.Event{retro.VoteRetracted{RoundID: "r1", TopicID: "c1", Voter: "user-alice", At: t0}}},
		{Name: "rejects with no round open", Given: revealedBoard(t, false), When: retro.RetractVote{Actor: alice, At: t0, TopicID: "c1"},
			Kind: domain.Conflict, Code: retro.CodeVotingNotOpen},
		{Name: "rejects an unknown topic", Given: voted, When: retro.RetractVote{Actor: alice, At: t0, TopicID: "c9"},
			Kind: domain.NotFound, Code: retro.CodeTopicNotFound},
		{Name: "rejects without a vote there", Given: voted, When: retro.RetractVote{Actor: bob, At: t0, TopicID: "c1"},
			Kind: domain.Conflict, Code: retro.CodeNoVoteToRetract},
		{Name: "rejects an anonymous retraction without pseudonym",
			Given: revealedBoard(t, true, retro.StartVoting{Actor: mod, At: t0, RoundID: "r1", Budget: 2}, vote(alice, "c1")),
			When:  retro.RetractVote{Actor: domain.Actor{UserID: alice.UserID}, At: t0, TopicID: "c1"},
			Kind:  domain.Invalid, Code: retro.CodePseudonymRequired},
	})
	// The budget comes back.
	s := fold(cat(voted, []retro.Event{retro.VoteRetracted{RoundID: "r1", TopicID: "c1", Voter: "user-alice", At: t0}}))
	if v := retro.View(s, viewer(alice), policy); v.Voting.YourRemaining != 2 || v.Voting.Cast != 0 {
		t.Fatalf("after retracting: %+v", v.Voting)
	}
}

func TestCloseVoting(t *testing.T) {
	voted := revealedBoard(t, false, retro.StartVoting{Actor: mod, At: t0, RoundID: "r1", Budget: 3},
		vote(alice, "c3"), vote(bob, "c3"), vote(bob, "c1"), vote(alice, "c4"), vote(alice, "c4"))
	decider.Run(t, []tc{
		{Name: "publishes totals, most votes first, no voters", Given: voted, When: retro.CloseVoting{Actor: mod, At: t0},
			Then: []retro.Event{retro.VotingClosed{RoundID: "r1", At: t0,
				Results: []retro.TopicVotes{{TopicID: "c3", Votes: 2}, {TopicID: "c4", Votes: 2}, {TopicID: "c1", Votes: 1}}}}},
		{Name: "rejects with no round open", Given: revealedBoard(t, false), When: retro.CloseVoting{Actor: mod, At: t0},
			Kind: domain.Conflict, Code: retro.CodeVotingNotOpen},
	})
}

func TestSetTopicVotes(t *testing.T) {
	board := revealedBoard(t, false, merge(alice, "c2", "c1", "g1"))
	decider.Run(t, []tc{
		{Name: "sets a topic's votes", Given: board, When: retro.SetTopicVotes{Actor: mod, At: t0, TopicID: "c3", Votes: 5},
			Then: []retro.Event{retro.TopicVotesSet{TopicID: "c3", Votes: 5, At: t0}}},
		{Name: "a grouped card's votes are its group's", Given: board, When: retro.SetTopicVotes{Actor: mod, At: t0, TopicID: "c2", Votes: 4},
			Then: []retro.Event{retro.TopicVotesSet{TopicID: "g1", Votes: 4, At: t0}}},
		{Name: "rejects negative votes", Given: board, When: retro.SetTopicVotes{Actor: mod, At: t0, TopicID: "c3", Votes: -1},
			Kind: domain.Invalid, Code: retro.CodeVotesInvalid},
		{Name: "rejects during a live round",
			Given: revealedBoard(t, false, retro.StartVoting{Actor: mod, At: t0, RoundID: "r1", Budget: 3}),
			When:  retro.SetTopicVotes{Actor: mod, At: t0, TopicID: "c3", Votes: 5}, Kind: domain.Conflict, Code: retro.CodeVotingOpen},
		{Name: "rejects an unknown topic", Given: board, When: retro.SetTopicVotes{Actor: mod, At: t0, TopicID: "c9", Votes: 5},
			Kind: domain.NotFound, Code: retro.CodeTopicNotFound},
	})
	s := fold(revealedBoard(t, false, merge(alice, "c2", "c1", "g1"),
		retro.SetTopicVotes{Actor: mod, At: t0, TopicID: "c4", Votes: 1},
		retro.SetTopicVotes{Actor: mod, At: t0, TopicID: "g1", Votes: 3}))
	topics := retro.View(s, viewer(bob), policy).Topics
	if len(topics) != 3 || topics[0].ID != "g1" || topics[0].Votes != 3 || topics[1].ID != "c4" {
		t.Fatalf("topics in vote order: %+v", topics)
	}
}

func TestVotesAreHiddenUntilTheRoundCloses(t *testing.T) {
	open := revealedBoard(t, true, retro.StartVoting{Actor: mod, At: t0, RoundID: "r1", Budget: 3},
		vote(alice, "c3"), vote(alice, "c3"), vote(bob, "c1"))
	s := fold(open)
	va := retro.View(s, viewer(alice), policy)
	if va.Voting.YourVotes["c3"] != 2 || len(va.Voting.YourVotes) != 1 || va.Voting.YourRemaining != 1 {
		t.Fatalf("alice sees her own votes: %+v", va.Voting)
	}
	if va.Voting.Cast != 3 || va.Voting.Remaining != 3*3-3 {
		t.Fatalf("alice sees the count of votes cast: %+v", va.Voting)
	}
	for _, c := range va.Columns {
		for _, card := range c.Cards {
			if card.Votes != 0 {
				t.Fatalf("card %s shows %d votes during the round", card.ID, card.Votes)
			}
		}
	}
	vm := retro.View(s, viewer(mod), policy)
	if vm.Voting.Cast != 3 || len(vm.Voting.YourVotes) != 0 {
		t.Fatalf("the moderator sees the count of votes cast, not votes: %+v", vm.Voting)
	}
	closed := fold(cat(open, []retro.Event{retro.VotingClosed{RoundID: "r1", At: t0,
		Results: []retro.TopicVotes{{TopicID: "c3", Votes: 2}, {TopicID: "c1", Votes: 1}}}}))
	topics := retro.View(closed, viewer(bob), policy).Topics
	if topics[0].ID != "c3" || topics[0].Votes != 2 || topics[1].ID != "c1" || topics[1].Votes != 1 {
		t.Fatalf("after closing, topics sort by votes: %+v", topics)
	}
}

// During an open round, nothing a voter is told depends on the others'
// votes except how many were cast: two rounds in which the others cast as
// many votes on different topics look the same to alice and to the
// moderator, and every vote or retraction alice (or the moderator) tries is
// answered the same way in both.
func TestNothingAVoterIsToldDuringARoundDependsOnOthersVotesButTheirCount(t *testing.T) {
	carol := actor("user-carol")
	round := func(anon bool, others ...retro.Command) retro.State {
		cmds := append([]retro.Command{
			retro.JoinRetro{Actor: carol, At: t0, Role: retro.RoleMember},
			merge(alice, "c2", "c1", "g1"),
			retro.StartVoting{Actor: mod, At: t0, RoundID: "r1", Budget: 2, Cap: 2},
			vote(alice, "c4"),
		}, others...)
		return fold(revealedBoard(t, anon, cmds...))
	}
	for _, anon := range []bool{false, true} {
		// Bob spends his whole budget on g1; or bob and carol cast one vote each elsewhere.
		a := round(anon, vote(bob, "g1"), vote(bob, "g1"))
		b := round(anon, vote(bob, "c3"), vote(carol, "c4"))
		for _, who := range []domain.Actor{alice, mod} {
			name := fmt.Sprintf("%s, anonymous %v", who.UserID, anon)
			va, vb := asJSON(t, retro.View(a, viewer(who), policy)), asJSON(t, retro.View(b, viewer(who), policy))
			if va != vb {
				t.Errorf("%s: the view depends on others' votes:\n%s\n%s", name, va, vb)
			}
			for _, topic := range []string{"g1", "c1", "c2", "c3", "c4"} {
				for _, cmd := range []retro.Command{
					vote(who, topic),
					retro.RetractVote{Actor: who, At: t0, TopicID: topic},
					retro.SetTopicVotes{Actor: who, At: t0, TopicID: topic, Votes: 1},
				} {
					if ra, rb := answer(retro.Decide(a, cmd)), answer(retro.Decide(b, cmd)); ra != rb {
						t.Errorf("%s: %T on %s is answered %s after others voted one way, %s after another", name, cmd, topic, ra, rb)
					}
				}
			}
		}
	}
}

func asJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// answer is what a command's caller learns: its events or its error.
func answer(evs []retro.Event, err error) string {
	if err != nil {
		return "error: " + err.Error()
	}
	return fmt.Sprintf("events: %#v", evs)
}
