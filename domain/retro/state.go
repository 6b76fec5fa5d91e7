package retro

import (
	"maps"
	"slices"
	"time"

	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/domain/persistent"
)

// Role of a participant.
type Role string

const (
	RoleMember Role = "member"
	RoleGuest  Role = "guest"
)

// State is a retro folded from its events. Evolve never mutates a State it
// was given: it works on a copy (see clone), so a caller may keep old states.
type State struct {
	Created bool
	RetroID string
	TeamID  string
	Title   string
	// TemplateID is the retro template the board was made from; its
	// suggested health pack is the health check's default.
	TemplateID string
	Moderator  string
	Anonymous  bool
	Locked     bool
	Closed     bool

	Columns  []catalog.Column
	Revealed map[string]bool // column ID → revealed

	Agenda  []Step
	Current string // current step ID
	Timer   *Timer

	Participants     map[string]Role // user ID → role
	ParticipantOrder []string

	Icebreaker *Icebreaker
	IceAnswers []IceAnswer

	// CheckIn is the lobby's poll (nil in retros made without one);
	// CheckIns its answers by respondent pseudonym.
	CheckIn  *catalog.CheckIn
	CheckIns map[string]string

	// VotingDefaults are the budget and cap rounds start with (nil: none).
	VotingDefaults *VotingDefaults

	Carried []CarriedAction

	Health Health

	// Cards and their order are persistent collections: a new card copies
	// a few small nodes, not every card, so Evolve's cost does not grow
	// with the retro (see clone).
	Cards     persistent.Map[Card]
	CardOrder persistent.Vector[string]
	// CardAuthors counts the cards of each author, so whether a viewer
	// owns a card (Audience, for every viewer at every commit) does not
	// walk every card.
	CardAuthors map[string]int
	Groups      map[string]Group
	GroupOrder  []string

	Round  *Round
	Rounds map[string]bool // round IDs used
	// Tally is the published result: set when a round closes, or by the
	// moderator directly (facilitated voting). Keyed by card or group ID.
	Tally map[string]int

	Focus       string
	Actions     map[string]Action
	ActionOrder []string
	Whiteboards []TopicWhiteboard

	Roti Roti

	// ContentStarted is set by the first authored contribution; from then on
	// the anonymity setting is fixed (see SetAnonymity).
	ContentStarted bool
	Surveys        map[string]bool // imported survey IDs
}

// Timer of the current step. The deadline is a fact of the log.
type Timer struct {
	StepID   string    `json:"stepId"`
	Deadline time.Time `json:"deadline"`
}

// Icebreaker is the chosen warm-up question.
type Icebreaker struct {
	QuestionID string `json:"questionId,omitempty"`
	Text       string `json:"text"`
}

// IceAnswer is an icebreaker answer card. Author is a user ID, or a
// pseudonym in an anonymous retro.
type IceAnswer struct {
	CardID string
	Author string
	Text   string
}

// Outcome of reviewing a carried action.
type Outcome string

const (
	OutcomeOpen      Outcome = "" // not reviewed: stays open for the next retro
	OutcomeKept      Outcome = "kept"
	OutcomeDone      Outcome = "done"
	OutcomeDiscarded Outcome = "discarded"
)

// OpenAction is an open action of one of the team's earlier retros, passed
// in by the application when the retro is created.
type OpenAction struct {
	ID            string `json:"id"`
	Title         string `json:"title"`
	Assignee      string `json:"assignee,omitempty"`
	OriginRetroID string `json:"originRetroId,omitempty"`
}

// CarriedAction is an open action under review in this retro.
type CarriedAction struct {
	OpenAction
	Outcome  Outcome
	Comments []Comment
}

// Comment on a carried action. Author as for cards.
type Comment struct {
	ID     string
	Author string
	Text   string
}

// Health is the health check: questions, answers keyed by question and
// respondent pseudonym, and distributions imported from a survey.
type Health struct {
	Started   bool
	Revealed  bool
	Questions []catalog.Question
	Answers   map[answerKey]int
	Imported  map[string]map[int]int // question ID → score → count
}

type answerKey struct{ Question, Respondent string }

// Card on the feedback board. Author is a user ID, a pseudonym in an
// anonymous retro, or "" for a card imported from a survey.
type Card struct {
	ID       string
	ColumnID string
	Author   string
	Text     string
	GroupID  string
	Imported bool
	Hidden   bool // by the moderator: its text is its author's alone
}

// Group of cards; it exists while it holds at least one card.
type Group struct {
	ID    string
	Name  string
	Cards []string
}

// Round of live voting. Votes are keyed by voter (user ID or pseudonym) and
// topic (ungrouped card or group).
type Round struct {
	ID     string
	Budget int
	Cap    int // per voter and topic, 0 for none
	Open   bool
	Votes  map[voteKey]int
}

type voteKey struct{ Voter, Topic string }

// ActionStatus of an action item.
type ActionStatus string

const (
	ActionOpen      ActionStatus = "open"
	ActionDone      ActionStatus = "done"
	ActionDiscarded ActionStatus = "discarded"
)

// Action derived in the discussion.
type Action struct {
	ID       string
	Title    string
	TopicID  string
	Assignee string
	Due      *time.Time
	Status   ActionStatus
}

// TopicWhiteboard is a whiteboard opened for a topic; its content is the
// collab package's.
type TopicWhiteboard struct {
	WhiteboardID string
	TopicID      string
	ActionID     string
}

// Roti is return on time invested: ratings by pseudonym, on Scale.
type Roti struct {
	Ratings map[string]int
	Closed  bool
	Scale   catalog.Scale
}

// Initial is the state before RetroCreated.
func Initial() State { return State{} }

// clone copies everything Evolve may change, so the caller's State stays as
// it was. Slices inside values (Group.Cards, CarriedAction.Comments) are
// never appended to in place; they are replaced (see appendTo, without).
// Cards and CardOrder are not copied: they are persistent, every change
// makes a new version and leaves the caller's as it was.
func (s State) clone() State {
	c := s
	c.Columns = slices.Clone(s.Columns)
	c.Revealed = maps.Clone(s.Revealed)
	c.Agenda = slices.Clone(s.Agenda)
	if s.Timer != nil {
		t := *s.Timer
		c.Timer = &t
	}
	c.Participants = maps.Clone(s.Participants)
	c.CardAuthors = maps.Clone(s.CardAuthors)
	c.ParticipantOrder = slices.Clone(s.ParticipantOrder)
	if s.Icebreaker != nil {
		i := *s.Icebreaker
		c.Icebreaker = &i
	}
	c.IceAnswers = slices.Clone(s.IceAnswers)
	c.CheckIns = maps.Clone(s.CheckIns)
	c.Carried = slices.Clone(s.Carried)
	c.Health.Questions = slices.Clone(s.Health.Questions)
	c.Health.Answers = maps.Clone(s.Health.Answers)
	if s.Health.Imported != nil {
		c.Health.Imported = make(map[string]map[int]int, len(s.Health.Imported))
		for k, v := range s.Health.Imported {
			c.Health.Imported[k] = maps.Clone(v)
		}
	}
	c.Groups = maps.Clone(s.Groups)
	c.GroupOrder = slices.Clone(s.GroupOrder)
	if s.Round != nil {
		r := *s.Round
		r.Votes = maps.Clone(s.Round.Votes)
		c.Round = &r
	}
	c.Rounds = maps.Clone(s.Rounds)
	c.Tally = maps.Clone(s.Tally)
	c.Actions = maps.Clone(s.Actions)
	c.ActionOrder = slices.Clone(s.ActionOrder)
	c.Whiteboards = slices.Clone(s.Whiteboards)
	c.Roti.Ratings = maps.Clone(s.Roti.Ratings)
	c.Surveys = maps.Clone(s.Surveys)
	return c
}

// appendTo returns a new slice: xs followed by more, never sharing xs's
// backing array.
func appendTo[T any](xs []T, more ...T) []T {
	out := make([]T, 0, len(xs)+len(more))
	return append(append(out, xs...), more...)
}

// without returns a new slice of xs minus every x.
func without(xs []string, x string) []string {
	out := make([]string, 0, len(xs))
	for _, v := range xs {
		if v != x {
			out = append(out, v)
		}
	}
	return out
}

// IsParticipant reports whether the user has joined (the moderator has).
func (s State) IsParticipant(userID string) bool {
	_, ok := s.Participants[userID]
	return ok
}

// column returns the column with the ID.
func (s State) column(id string) (catalog.Column, bool) {
	for _, c := range s.Columns {
		if c.ID == id {
			return c, true
		}
	}
	return catalog.Column{}, false
}

// card is the card with the given ID, or the zero Card if there is none.
func (s State) card(id string) Card {
	c, _ := s.Cards.Get(id)
	return c
}

// idTaken reports whether a card, icebreaker answer or group already uses id:
// they share one namespace because topics may be either.
func (s State) idTaken(id string) bool {
	if s.Cards.Has(id) {
		return true
	}
	if _, ok := s.Groups[id]; ok {
		return true
	}
	for _, a := range s.IceAnswers {
		if a.CardID == id {
			return true
		}
	}
	return false
}

// topicVotes is a topic's published votes: a group counts its own and its
// cards' (cards may have been voted before they were grouped).
func (s State) topicVotes(id string) int {
	n := s.Tally[id]
	if g, ok := s.Groups[id]; ok {
		for _, c := range g.Cards {
			n += s.Tally[c]
		}
	}
	return n
}
