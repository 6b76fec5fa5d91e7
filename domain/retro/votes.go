package retro

import (
	"slices"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
)

// Voting. Live voting runs in rounds: the moderator sets a budget per
// participant and an optional cap per participant and topic, opens the
// round, and closes it; only then do totals appear, and never who voted
// what. While the round is open, no answer to a voter depends on anyone
// else's votes: the budget and the cap count the voter's own. Facilitated
// voting: the moderator sets a topic's votes directly. A topic is an
// ungrouped card or a group; a vote for a grouped card counts for its group.
// Each command is decided on the state every earlier command left (the log
// serialises a retro's commands), so checking the budget and cap here keeps
// them under every interleaving.

// MaxBudget bounds a round's budget per participant.
const MaxBudget = 100

// StartVoting opens a voting round.
type StartVoting struct {
	Actor   domain.Actor
	At      time.Time
	RoundID string
	Budget  int
	Cap     int // most votes one voter may give one topic in the round; 0 for none
}

// CastVote spends one vote on a topic.
type CastVote struct {
	Actor   domain.Actor
	At      time.Time
	TopicID string
}

// RetractVote takes back one of one's votes on a topic.
type RetractVote struct {
	Actor   domain.Actor
	At      time.Time
	TopicID string
}

// CloseVoting closes the round and publishes its totals.
type CloseVoting struct {
	Actor domain.Actor
	At    time.Time
}

// SetTopicVotes sets a topic's votes directly (facilitated voting).
type SetTopicVotes struct {
	Actor   domain.Actor
	At      time.Time
	TopicID string
	Votes   int
}

func (StartVoting) isCommand()   {}
func (CastVote) isCommand()      {}
func (RetractVote) isCommand()   {}
func (CloseVoting) isCommand()   {}
func (SetTopicVotes) isCommand() {}

// VotingStarted: a round is open.
type VotingStarted struct {
	RoundID string    `json:"roundId"`
	Budget  int       `json:"budget"`
	Cap     int       `json:"cap,omitempty"`
	At      time.Time `json:"at"`
}

// VoteCast: one vote. Voter is a user ID, or a pseudonym in an anonymous
// retro; views and redaction never show it to anyone else.
type VoteCast struct {
	RoundID string    `json:"roundId"`
	TopicID string    `json:"topicId"`
	Voter   string    `json:"voter"`
	At      time.Time `json:"at"`
}

// VoteRetracted: one vote taken back.
type VoteRetracted struct {
	RoundID string    `json:"roundId"`
	TopicID string    `json:"topicId"`
	Voter   string    `json:"voter"`
	At      time.Time `json:"at"`
}

// VotingClosed: the round's totals per topic, most votes first.
type VotingClosed struct {
	RoundID string       `json:"roundId"`
	Results []TopicVotes `json:"results"`
	At      time.Time    `json:"at"`
}

// TopicVotes is a topic's number of votes.
type TopicVotes struct {
	TopicID string `json:"topicId"`
	Votes   int    `json:"votes"`
}

// TopicVotesSet: the moderator set a topic's votes.
type TopicVotesSet struct {
	TopicID string    `json:"topicId"`
	Votes   int       `json:"votes"`
	At      time.Time `json:"at"`
}

func (VotingStarted) EventType() string { return TypeVotingStarted }
func (VoteCast) EventType() string      { return TypeVoteCast }
func (VoteRetracted) EventType() string { return TypeVoteRetracted }
func (VotingClosed) EventType() string  { return TypeVotingClosed }
func (TopicVotesSet) EventType() string { return TypeTopicVotesSet }

// topic resolves an ID to the topic it stands for: a group, or a revealed
// card (its group if it has one).
func (s State) topic(id string) (string, error) {
	if _, ok := s.Groups[id]; ok {
		return id, nil
	}
	if !s.Cards.Has(id) {
		return "", domain.Errorf(domain.NotFound, CodeTopicNotFound, "no card or group %q", id)
	}
	c, err := s.revealedCard(id)
	if err != nil {
		return "", err
	}
	if c.GroupID != "" {
		return c.GroupID, nil
	}
	return id, nil
}

func (s State) openRound() (*Round, error) {
	if s.Round == nil || !s.Round.Open {
		return nil, domain.Errorf(domain.Conflict, CodeVotingNotOpen, "no voting round is open")
	}
	return s.Round, nil
}

// votesBy counts a voter's votes in the round.
func (r *Round) votesBy(voter string) int {
	n := 0
	for k, v := range r.Votes {
		if k.Voter == voter {
			n += v
		}
	}
	return n
}

// VotingDefaults are the budget and cap a retro's voting rounds start
// with, chosen when it is created: a round opened with no budget takes
// both.
type VotingDefaults struct {
	Budget int `json:"budget"`
	Cap    int `json:"cap,omitempty"`
}

// checkBudget is the rule for a round's budget and cap, and for a retro's
// defaults of them.
func checkBudget(budget, cap int) error {
	if budget < 1 || budget > MaxBudget {
		return domain.Errorf(domain.Invalid, CodeBudgetInvalid, "a budget is 1..%d votes, not %d", MaxBudget, budget)
	}
	if cap < 0 || cap > MaxBudget*1000 {
		return domain.Errorf(domain.Invalid, CodeCapInvalid, "a cap is 0 (none) or positive, not %d", cap)
	}
	return nil
}

func decideStartVoting(s State, c StartVoting) ([]Event, error) {
	if err := s.asModerator(c.Actor); err != nil {
		return nil, err
	}
	if err := checkID("round-id", c.RoundID, CodeRoundIDRequired, CodeRoundIDInvalid); err != nil {
		return nil, err
	}
	if c.Budget == 0 && s.VotingDefaults != nil {
		c.Budget, c.Cap = s.VotingDefaults.Budget, s.VotingDefaults.Cap
	}
	if err := checkBudget(c.Budget, c.Cap); err != nil {
		return nil, err
	}
	if s.Round != nil && s.Round.Open {
		return nil, domain.Errorf(domain.Conflict, CodeVotingOpen, "a voting round is already open")
	}
	if s.Rounds[c.RoundID] {
		return nil, domain.Errorf(domain.Conflict, CodeIDTaken, "round %q was already held", c.RoundID)
	}
	return []Event{VotingStarted{RoundID: c.RoundID, Budget: c.Budget, Cap: c.Cap, At: c.At}}, nil
}

func decideCastVote(s State, c CastVote) ([]Event, error) {
	if err := s.asParticipant(c.Actor); err != nil {
		return nil, err
	}
	voter, err := s.authorKey(c.Actor)
	if err != nil {
		return nil, err
	}
	r, err := s.openRound()
	if err != nil {
		return nil, err
	}
	topic, err := s.topic(c.TopicID)
	if err != nil {
		return nil, err
	}
	if r.votesBy(voter) >= r.Budget {
		return nil, domain.Errorf(domain.Conflict, CodeVoteBudgetExhausted, "all %d votes are spent", r.Budget)
	}
	// The cap is per voter: counting everyone's votes would tell a refused
	// voter that others chose this topic.
	if r.Cap > 0 && r.Votes[voteKey{voter, topic}] >= r.Cap {
		return nil, domain.Errorf(domain.Conflict, CodeVoteCapReached, "you have given this topic the most votes one person may, %d", r.Cap)
	}
	return []Event{VoteCast{RoundID: r.ID, TopicID: topic, Voter: voter, At: c.At}}, nil
}

func decideRetractVote(s State, c RetractVote) ([]Event, error) {
	if err := s.asParticipant(c.Actor); err != nil {
		return nil, err
	}
	voter, err := s.authorKey(c.Actor)
	if err != nil {
		return nil, err
	}
	r, err := s.openRound()
	if err != nil {
		return nil, err
	}
	topic, err := s.topic(c.TopicID)
	if err != nil {
		return nil, err
	}
	if r.Votes[voteKey{voter, topic}] == 0 {
		return nil, domain.Errorf(domain.Conflict, CodeNoVoteToRetract, "you have no vote on this topic")
	}
	return []Event{VoteRetracted{RoundID: r.ID, TopicID: topic, Voter: voter, At: c.At}}, nil
}

// closeRound is the VotingClosed event for the open round: totals only.
func closeRound(s State, at time.Time) VotingClosed {
	totals := map[string]int{}
	for k, v := range s.Round.Votes {
		totals[k.Topic] += v
	}
	res := make([]TopicVotes, 0, len(totals))
	for t, n := range totals {
		if n > 0 {
			res = append(res, TopicVotes{TopicID: t, Votes: n})
		}
	}
	slices.SortFunc(res, func(a, b TopicVotes) int {
		if a.Votes != b.Votes {
			return b.Votes - a.Votes
		}
		if a.TopicID < b.TopicID {
			return -1
		}
		if a.TopicID > b.TopicID {
			return 1
		}
		return 0
	})
	return VotingClosed{RoundID: s.Round.ID, Results: res, At: at}
}

func decideCloseVoting(s State, c CloseVoting) ([]Event, error) {
	if err := s.asModerator(c.Actor); err != nil {
		return nil, err
	}
	if _, err := s.openRound(); err != nil {
		return nil, err
	}
	return []Event{closeRound(s, c.At)}, nil
}

func decideSetTopicVotes(s State, c SetTopicVotes) ([]Event, error) {
	if err := s.asModerator(c.Actor); err != nil {
		return nil, err
	}
	if c.Votes < 0 || c.Votes > MaxBudget*1000 {
		return nil, domain.Errorf(domain.Invalid, CodeVotesInvalid, "votes must be 0 or more, not %d", c.Votes)
	}
	if s.Round != nil && s.Round.Open {
		return nil, domain.Errorf(domain.Conflict, CodeVotingOpen, "close the voting round before setting votes")
	}
	topic, err := s.topic(c.TopicID)
	if err != nil {
		return nil, err
	}
	return []Event{TopicVotesSet{TopicID: topic, Votes: c.Votes, At: c.At}}, nil
}

func evolveVotes(s State, e Event) State {
	switch e := e.(type) {
	case VotingStarted:
		s.Round = &Round{ID: e.RoundID, Budget: e.Budget, Cap: e.Cap, Open: true, Votes: map[voteKey]int{}}
		s.Rounds[e.RoundID] = true
	case VoteCast:
		if s.Round != nil && s.Round.ID == e.RoundID {
			s.Round.Votes[voteKey{e.Voter, e.TopicID}]++
		}
		s.ContentStarted = true
	case VoteRetracted:
		if s.Round != nil && s.Round.ID == e.RoundID {
			k := voteKey{e.Voter, e.TopicID}
			if s.Round.Votes[k] <= 1 {
				delete(s.Round.Votes, k)
			} else {
				s.Round.Votes[k]--
			}
		}
	case VotingClosed:
		if s.Round != nil {
			s.Round.Open = false
		}
		// A round's result replaces the previous one: topics are voted afresh.
		s.Tally = map[string]int{}
		for _, r := range e.Results {
			s.Tally[r.TopicID] = r.Votes
		}
	case TopicVotesSet:
		s.Tally[e.TopicID] = e.Votes
		// A set group total replaces what its cards brought in.
		if g, ok := s.Groups[e.TopicID]; ok {
			for _, c := range g.Cards {
				delete(s.Tally, c)
			}
		}
	}
	return s
}
