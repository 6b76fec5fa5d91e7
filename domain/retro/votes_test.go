package retro_test

import (
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
	run(t, []tc{
		{name: "opens a round with a budget and a cap", given: board, when: start("r1", 3, 2),
			then: []retro.Event{retro.VotingStarted{RoundID: "r1", Budget: 3, Cap: 2, At: t0}}},
		{name: "rejects no round ID", given: board, when: start("", 3, 0), kind: domain.Invalid, code: "round-id-required"},
		{name: "rejects a zero budget", given: board, when: start("r1", 0, 0), kind: domain.Invalid, code: "budget-invalid"},
		{name: "rejects a huge budget", given: board, when: start("r1", retro.MaxBudget+1, 0), kind: domain.Invalid, code: "budget-invalid"},
		{name: "rejects a negative cap", given: board, when: start("r1", 3, -1), kind: domain.Invalid, code: "cap-invalid"},
		{name: "rejects a second open round", given: revealedBoard(t, false, start("r1", 3, 0)), when: start("r2", 3, 0),
			kind: domain.Conflict, code: "voting-open"},
		{name: "rejects a round ID used before",
			given: revealedBoard(t, false, start("r1", 3, 0), retro.CloseVoting{Actor: mod, At: t0}),
			when:  start("r1", 3, 0), kind: domain.Conflict, code: "id-taken"},
	})
}

func TestCastVote(t *testing.T) {
	open := func(anon bool, more ...retro.Command) []retro.Event {
		return revealedBoard(t, anon, append([]retro.Command{
			merge(alice, "c2", "c1", "g1"),
			retro.StartVoting{Actor: mod, At: t0, RoundID: "r1", Budget: 2, Cap: 2},
		}, more...)...)
	}
	run(t, []tc{
		{name: "votes for a card", given: open(false), when: vote(alice, "c3"),
			then: []retro.Event{retro.VoteCast{RoundID: "r1", TopicID: "c3", Voter: "user-alice", At: t0}}},
		{name: "a vote for a grouped card counts for its group", given: open(false), when: vote(alice, "c2"),
			then: []retro.Event{retro.VoteCast{RoundID: "r1", TopicID: "g1", Voter: "user-alice", At: t0}}},
		{name: "in an anonymous retro the voter is the pseudonym", given: open(true), when: vote(alice, "g1"),
			then: []retro.Event{retro.VoteCast{RoundID: "r1", TopicID: "g1", Voter: alice.Pseudonym, At: t0}}},
		{name: "rejects an anonymous vote without pseudonym", given: open(true), when: vote(domain.Actor{UserID: alice.UserID}, "g1"),
			kind: domain.Invalid, code: "pseudonym-required"},
		{name: "rejects a vote with no round open", given: revealedBoard(t, false), when: vote(alice, "c1"),
			kind: domain.Conflict, code: "voting-not-open"},
		{name: "rejects an unknown topic", given: open(false), when: vote(alice, "c9"), kind: domain.NotFound, code: "topic-not-found"},
		{name: "rejects a concealed card",
			given: base(t, false, append(cards(), retro.StartVoting{Actor: mod, At: t0, RoundID: "r1", Budget: 2})...),
			when:  vote(alice, "c1"), kind: domain.Conflict, code: "card-concealed"},
		{name: "rejects a vote over budget", given: open(false, vote(alice, "c3"), vote(alice, "c4")), when: vote(alice, "g1"),
			kind: domain.Conflict, code: "vote-budget-exhausted"},
		{name: "rejects a vote over the topic's cap", given: open(false, vote(alice, "c3"), vote(bob, "c3")), when: vote(mod, "c3"),
			kind: domain.Conflict, code: "vote-cap-reached"},
	})
}

func TestRetractVote(t *testing.T) {
	voted := revealedBoard(t, false, retro.StartVoting{Actor: mod, At: t0, RoundID: "r1", Budget: 2}, vote(alice, "c1"))
	run(t, []tc{
		{name: "takes a vote back", given: voted, when: retro.RetractVote{Actor: alice, At: t0, TopicID: "c1"},
			then: []retro.Event{retro.VoteRetracted{RoundID: "r1", TopicID: "c1", Voter: "user-alice", At: t0}}},
		{name: "rejects with no round open", given: revealedBoard(t, false), when: retro.RetractVote{Actor: alice, At: t0, TopicID: "c1"},
			kind: domain.Conflict, code: "voting-not-open"},
		{name: "rejects an unknown topic", given: voted, when: retro.RetractVote{Actor: alice, At: t0, TopicID: "c9"},
			kind: domain.NotFound, code: "topic-not-found"},
		{name: "rejects without a vote there", given: voted, when: retro.RetractVote{Actor: bob, At: t0, TopicID: "c1"},
			kind: domain.Conflict, code: "no-vote-to-retract"},
		{name: "rejects an anonymous retraction without pseudonym",
			given: revealedBoard(t, true, retro.StartVoting{Actor: mod, At: t0, RoundID: "r1", Budget: 2}, vote(alice, "c1")),
			when:  retro.RetractVote{Actor: domain.Actor{UserID: alice.UserID}, At: t0, TopicID: "c1"},
			kind:  domain.Invalid, code: "pseudonym-required"},
	})
	// The budget comes back.
	s := fold(cat(voted, []retro.Event{retro.VoteRetracted{RoundID: "r1", TopicID: "c1", Voter: "user-alice", At: t0}}))
	if v := retro.View(s, viewer(alice)); v.Voting.YourRemaining != 2 || v.Voting.Cast != 0 {
		t.Fatalf("after retracting: %+v", v.Voting)
	}
}

func TestCloseVoting(t *testing.T) {
	voted := revealedBoard(t, false, retro.StartVoting{Actor: mod, At: t0, RoundID: "r1", Budget: 3},
		vote(alice, "c3"), vote(bob, "c3"), vote(bob, "c1"), vote(alice, "c4"), vote(alice, "c4"))
	run(t, []tc{
		{name: "publishes totals, most votes first, no voters", given: voted, when: retro.CloseVoting{Actor: mod, At: t0},
			then: []retro.Event{retro.VotingClosed{RoundID: "r1", At: t0,
				Results: []retro.TopicVotes{{TopicID: "c3", Votes: 2}, {TopicID: "c4", Votes: 2}, {TopicID: "c1", Votes: 1}}}}},
		{name: "rejects with no round open", given: revealedBoard(t, false), when: retro.CloseVoting{Actor: mod, At: t0},
			kind: domain.Conflict, code: "voting-not-open"},
	})
}

func TestSetTopicVotes(t *testing.T) {
	board := revealedBoard(t, false, merge(alice, "c2", "c1", "g1"))
	run(t, []tc{
		{name: "sets a topic's votes", given: board, when: retro.SetTopicVotes{Actor: mod, At: t0, TopicID: "c3", Votes: 5},
			then: []retro.Event{retro.TopicVotesSet{TopicID: "c3", Votes: 5, At: t0}}},
		{name: "a grouped card's votes are its group's", given: board, when: retro.SetTopicVotes{Actor: mod, At: t0, TopicID: "c2", Votes: 4},
			then: []retro.Event{retro.TopicVotesSet{TopicID: "g1", Votes: 4, At: t0}}},
		{name: "rejects negative votes", given: board, when: retro.SetTopicVotes{Actor: mod, At: t0, TopicID: "c3", Votes: -1},
			kind: domain.Invalid, code: "votes-invalid"},
		{name: "rejects during a live round",
			given: revealedBoard(t, false, retro.StartVoting{Actor: mod, At: t0, RoundID: "r1", Budget: 3}),
			when:  retro.SetTopicVotes{Actor: mod, At: t0, TopicID: "c3", Votes: 5}, kind: domain.Conflict, code: "voting-open"},
		{name: "rejects an unknown topic", given: board, when: retro.SetTopicVotes{Actor: mod, At: t0, TopicID: "c9", Votes: 5},
			kind: domain.NotFound, code: "topic-not-found"},
	})
	s := fold(revealedBoard(t, false, merge(alice, "c2", "c1", "g1"),
		retro.SetTopicVotes{Actor: mod, At: t0, TopicID: "c4", Votes: 1},
		retro.SetTopicVotes{Actor: mod, At: t0, TopicID: "g1", Votes: 3}))
	topics := retro.View(s, viewer(bob)).Topics
	if len(topics) != 3 || topics[0].ID != "g1" || topics[0].Votes != 3 || topics[1].ID != "c4" {
		t.Fatalf("topics in vote order: %+v", topics)
	}
}

func TestVotesAreHiddenUntilTheRoundCloses(t *testing.T) {
	open := revealedBoard(t, true, retro.StartVoting{Actor: mod, At: t0, RoundID: "r1", Budget: 3},
		vote(alice, "c3"), vote(alice, "c3"), vote(bob, "c1"))
	s := fold(open)
	va := retro.View(s, viewer(alice))
	if va.Voting.YourVotes["c3"] != 2 || len(va.Voting.YourVotes) != 1 || va.Voting.YourRemaining != 1 {
		t.Fatalf("alice sees her own votes: %+v", va.Voting)
	}
	if va.Voting.Cast != 3 || va.Voting.Remaining != 3*3-3 || va.Voting.VotersDone != nil {
		t.Fatalf("alice sees totals only: %+v", va.Voting)
	}
	for _, c := range va.Columns {
		for _, card := range c.Cards {
			if card.Votes != 0 {
				t.Fatalf("card %s shows %d votes during the round", card.ID, card.Votes)
			}
		}
	}
	vm := retro.View(s, viewer(mod))
	if vm.Voting.VotersStarted == nil || *vm.Voting.VotersStarted != 2 || *vm.Voting.VotersDone != 0 || len(vm.Voting.YourVotes) != 0 {
		t.Fatalf("the moderator sees counts, not votes: %+v", vm.Voting)
	}
	closed := fold(cat(open, []retro.Event{retro.VotingClosed{RoundID: "r1", At: t0,
		Results: []retro.TopicVotes{{TopicID: "c3", Votes: 2}, {TopicID: "c1", Votes: 1}}}}))
	topics := retro.View(closed, viewer(bob)).Topics
	if topics[0].ID != "c3" || topics[0].Votes != 2 || topics[1].ID != "c1" || topics[1].Votes != 1 {
		t.Fatalf("after closing, topics sort by votes: %+v", topics)
	}
}
