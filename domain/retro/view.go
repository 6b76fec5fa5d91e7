package retro

import (
	"slices"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/catalog"
)

// Policy is how few answers a health check or ROTI result shows only the
// number of: the server's one minimum group (domain.GroupPolicy).
type Policy = domain.GroupPolicy

// Viewer is the person a view is for: their user ID and their pseudonym in
// this retro (computed by the application, "" if unknown). Whether they
// moderate is read from the state, never taken from the viewer.
type Viewer struct {
	UserID    string
	Pseudonym string
}

// RetroView is what one viewer may see of a retro, ready to serialise as
// JSON. It is the only shape in which a retro leaves the server: concealed
// card text only for its author, votes as counts, health and ROTI answers as
// aggregates (only a count below the policy's minimum group), anonymous
// authors never, pseudonyms never.
type RetroView struct {
	RetroID      string              `json:"retroId"`
	TeamID       string              `json:"teamId"`
	Title        string              `json:"title"`
	Moderator    string              `json:"moderator"`
	You          YouView             `json:"you"`
	Anonymous    bool                `json:"anonymous"`
	Locked       bool                `json:"locked"`
	Closed       bool                `json:"closed"`
	Agenda       []Step              `json:"agenda"`
	CurrentStep  string              `json:"currentStep"`
	Timer        *Timer              `json:"timer,omitempty"`
	Participants []ParticipantView   `json:"participants"`
	Icebreaker   *IcebreakerView     `json:"icebreaker,omitempty"`
	CheckIn      *CheckInView        `json:"checkIn,omitempty"`
	ActionReview []CarriedActionView `json:"actionReview"`
	Health       *HealthView         `json:"health,omitempty"`
	Columns      []ColumnView        `json:"columns"`
	Groups       []GroupView         `json:"groups"`
	Voting       *VotingView         `json:"voting,omitempty"`
	// VotingDefaults are the budget and cap a round opened without a
	// budget takes (chosen when the retro was made); absent for none.
	VotingDefaults *VotingDefaults  `json:"votingDefaults,omitempty"`
	Topics         []TopicView      `json:"topics"`
	Focus          string           `json:"focus,omitempty"`
	Actions        []ActionView     `json:"actions"`
	Whiteboards    []WhiteboardView `json:"whiteboards"`
	Roti           RotiView         `json:"roti"`
}

// YouView is the viewer's own standing.
type YouView struct {
	UserID      string `json:"userId"`
	Participant bool   `json:"participant"`
	Moderator   bool   `json:"moderator"`
	Role        Role   `json:"role,omitempty"`
}

// ParticipantView is one participant. Presence is not anonymous.
type ParticipantView struct {
	UserID string `json:"userId"`
	Role   Role   `json:"role"`
}

// IcebreakerView is the question and its answer cards.
type IcebreakerView struct {
	QuestionID string       `json:"questionId,omitempty"`
	Text       string       `json:"text"`
	Answers    []AnswerView `json:"answers"`
}

// AnswerView is an icebreaker answer or a comment. Author only in a retro
// that is not anonymous.
type AnswerView struct {
	ID     string `json:"id"`
	Text   string `json:"text"`
	Author string `json:"author,omitempty"`
	Mine   bool   `json:"mine,omitempty"`
}

// CarriedActionView is an open action under review.
type CarriedActionView struct {
	OpenAction
	Outcome  Outcome      `json:"outcome,omitempty"`
	Comments []AnswerView `json:"comments"`
}

// HealthView is the health check.
type HealthView struct {
	Revealed  bool                 `json:"revealed"`
	Questions []HealthQuestionView `json:"questions"`
}

// HealthQuestionView is a question with the viewer's own answer and, once
// revealed, the aggregate.
type HealthQuestionView struct {
	catalog.Question
	Respondents int        `json:"respondents"`
	YourScore   *int       `json:"yourScore,omitempty"`
	Result      *Aggregate `json:"result,omitempty"`
}

// Aggregate of anonymous scores. ENPS is set for 0..10 questions: the
// share of promoters (9-10) minus the share of detractors (0-6), in points.
type Aggregate struct {
	Count int `json:"count"`
	// Withheld is true when fewer answered than the policy's minimum group:
	// only Count is given, since with two answers each person can read off
	// the other's from an average or a distribution.
	Withheld bool `json:"withheld,omitempty"`
	// Average, Distribution and ENPS are absent when withheld.
	Average      *float64    `json:"average,omitempty"`
	Distribution map[int]int `json:"distribution,omitempty"`
	ENPS         *float64    `json:"enps,omitempty"`
}

// ColumnView is a feedback column and its cards.
type ColumnView struct {
	ID       string     `json:"id"`
	Title    string     `json:"title"`
	Prompt   string     `json:"prompt,omitempty"`
	Revealed bool       `json:"revealed"`
	Cards    []CardView `json:"cards"`
}

// CardView is a card as the viewer may see it: a concealed card of someone
// else shows only that it exists.
type CardView struct {
	ID        string `json:"id"`
	ColumnID  string `json:"columnId"`
	Text      string `json:"text,omitempty"`
	Concealed bool   `json:"concealed"`
	Mine      bool   `json:"mine,omitempty"`
	Author    string `json:"author,omitempty"`
	GroupID   string `json:"groupId,omitempty"`
	Imported  bool   `json:"imported,omitempty"`
	// Hidden by the moderator: only its author still sees its text.
	Hidden bool `json:"hidden,omitempty"`
	Votes  int  `json:"votes"`
}

// GroupView is a group of cards.
type GroupView struct {
	ID      string   `json:"id"`
	Name    string   `json:"name,omitempty"`
	CardIDs []string `json:"cardIds"`
	Votes   int      `json:"votes"`
}

// VotingView is the voting round: the viewer's own votes, and how many
// votes were cast in all. While the round is open nothing else in it
// depends on anyone else's votes, for the moderator too: not which topics
// others chose (totals appear on the topics once it closes), nor how many
// people voted or spent their budget. The count of votes cast stays, as the
// room's progress; it says nothing about topics, and the retro's stream
// version, which every client sees move, carries it anyway.
type VotingView struct {
	RoundID string `json:"roundId"`
	Open    bool   `json:"open"`
	Budget  int    `json:"budget"`
	// Cap is the most votes one voter may give one topic; 0 for none.
	Cap           int            `json:"cap,omitempty"`
	YourVotes     map[string]int `json:"yourVotes"`
	YourRemaining int            `json:"yourRemaining"`
	Cast          int            `json:"cast"`
	// Remaining is every participant's budget less Cast.
	Remaining int `json:"remaining"`
}

// TopicView is a topic (group or ungrouped revealed card) in vote order.
type TopicView struct {
	ID    string `json:"id"`
	Kind  string `json:"kind"` // "card" or "group"
	Title string `json:"title"`
	Votes int    `json:"votes"`
	// Hidden: a card the moderator hid; its title is empty for everyone.
	Hidden bool `json:"hidden,omitempty"`
}

// ActionView is an action item.
type ActionView struct {
	ID       string       `json:"id"`
	Title    string       `json:"title"`
	TopicID  string       `json:"topicId,omitempty"`
	Assignee string       `json:"assignee,omitempty"`
	Due      *time.Time   `json:"due,omitempty"`
	Status   ActionStatus `json:"status"`
}

// WhiteboardView is a whiteboard opened for a topic.
type WhiteboardView struct {
	WhiteboardID string `json:"whiteboardId"`
	TopicID      string `json:"topicId"`
	ActionID     string `json:"actionId,omitempty"`
}

// RotiView is the ROTI: how many rated, the viewer's own rating, and the
// result once everyone rated or it closed.
type RotiView struct {
	// Scale is "1-5", or "0-10" for a retro created before the classic scale.
	Scale        catalog.Scale `json:"scale"`
	Closed       bool          `json:"closed"`
	Ratings      int           `json:"ratings"`
	Participants int           `json:"participants"`
	YourScore    *int          `json:"yourScore,omitempty"`
	Result       *Aggregate    `json:"result,omitempty"`
}

// owns reports whether an author field names the viewer.
func (v Viewer) owns(author string) bool {
	if author == "" {
		return false
	}
	return (v.UserID != "" && author == v.UserID) || (v.Pseudonym != "" && author == v.Pseudonym)
}

// shownAuthor is an author as it may appear to others: never in an
// anonymous retro, never a pseudonym.
func (s State) shownAuthor(author string) string {
	if s.Anonymous || isPseudonym(author) {
		return ""
	}
	return author
}

// voterKey is how the viewer's own votes are keyed.
func (s State) voterKey(v Viewer) string {
	if s.Anonymous {
		return v.Pseudonym
	}
	return v.UserID
}

// View is what the viewer may see of the retro; p says how few health or
// ROTI answers show only their number.
func View(s State, v Viewer, p Policy) RetroView {
	if !s.Created {
		return RetroView{}
	}
	role, isPart := s.Participants[v.UserID]
	isMod := v.UserID != "" && v.UserID == s.Moderator
	out := RetroView{
		RetroID: s.RetroID, TeamID: s.TeamID, Title: s.Title, Moderator: s.Moderator,
		You:       YouView{UserID: v.UserID, Participant: isPart, Moderator: isMod, Role: role},
		Anonymous: s.Anonymous, Locked: s.Locked, Closed: s.Closed,
		Agenda: slices.Clone(s.Agenda), CurrentStep: s.Current,
		Participants: []ParticipantView{}, ActionReview: []CarriedActionView{},
		Columns: []ColumnView{}, Groups: []GroupView{}, Topics: []TopicView{},
		Actions: []ActionView{}, Whiteboards: []WhiteboardView{},
		Focus: s.Focus,
	}
	if s.Timer != nil {
		t := *s.Timer
		out.Timer = &t
	}
	for _, id := range s.ParticipantOrder {
		out.Participants = append(out.Participants, ParticipantView{UserID: id, Role: s.Participants[id]})
	}
	out.CheckIn = checkInView(s, v, p)
	if s.VotingDefaults != nil {
		d := *s.VotingDefaults
		out.VotingDefaults = &d
	}
	if s.Icebreaker != nil {
		iv := &IcebreakerView{QuestionID: s.Icebreaker.QuestionID, Text: s.Icebreaker.Text, Answers: []AnswerView{}}
		for _, a := range s.IceAnswers {
			iv.Answers = append(iv.Answers, AnswerView{ID: a.CardID, Text: a.Text, Author: s.shownAuthor(a.Author), Mine: v.owns(a.Author)})
		}
		out.Icebreaker = iv
	}
	for _, ca := range s.Carried {
		cv := CarriedActionView{OpenAction: ca.OpenAction, Outcome: ca.Outcome, Comments: []AnswerView{}}
		for _, c := range ca.Comments {
			cv.Comments = append(cv.Comments, AnswerView{ID: c.ID, Text: c.Text, Author: s.shownAuthor(c.Author), Mine: v.owns(c.Author)})
		}
		out.ActionReview = append(out.ActionReview, cv)
	}
	out.Health = healthView(s, v, p)
	// The cards in order, looked up once for the columns and the topics:
	// in a retro of thousands of cards the lookups were most of a view.
	cards := make([]Card, 0, s.CardOrder.Len())
	for _, id := range s.CardOrder.All() {
		c, _ := s.Cards.Get(id)
		cards = append(cards, c)
	}
	out.Columns = columnsView(s, v, cards)
	for _, id := range s.GroupOrder {
		g := s.Groups[id]
		out.Groups = append(out.Groups, GroupView{ID: g.ID, Name: g.Name, CardIDs: slices.Clone(g.Cards), Votes: s.topicVotes(g.ID)})
	}
	out.Voting = votingView(s, v)
	out.Topics = topicsView(s, cards)
	for _, id := range s.ActionOrder {
		a := s.Actions[id]
		out.Actions = append(out.Actions, ActionView{ID: a.ID, Title: a.Title, TopicID: a.TopicID, Assignee: a.Assignee, Due: a.Due, Status: a.Status})
	}
	for _, w := range s.Whiteboards {
		out.Whiteboards = append(out.Whiteboards, WhiteboardView(w))
	}
	out.Roti = rotiView(s, v, p)
	return out
}

// columnsView is the columns with their cards, cards being the retro's
// cards in order.
func columnsView(s State, v Viewer, cards []Card) []ColumnView {
	cols := make([]ColumnView, 0, len(s.Columns))
	index := make(map[string]int, len(s.Columns))
	for i, c := range s.Columns {
		index[c.ID] = i
		cols = append(cols, ColumnView{ID: c.ID, Title: c.Title, Prompt: c.Prompt, Revealed: s.Revealed[c.ID]})
	}
	// Each column's slice made at its size at once, not grown card by card.
	sizes := make([]int, len(cols))
	for _, c := range cards {
		if i, ok := index[c.ColumnID]; ok {
			sizes[i]++
		}
	}
	for i := range cols {
		cols[i].Cards = make([]CardView, 0, sizes[i])
	}
	for _, c := range cards {
		i, ok := index[c.ColumnID]
		if !ok {
			continue
		}
		cols[i].Cards = append(cols[i].Cards, cardView(s, v, c))
	}
	return cols
}

// cardView is what the viewer may see of one card.
func cardView(s State, v Viewer, c Card) CardView {
	revealed := s.Revealed[c.ColumnID]
	mine := v.owns(c.Author)
	cv := CardView{ID: c.ID, ColumnID: c.ColumnID, Concealed: !revealed, Mine: mine, Imported: c.Imported, Hidden: c.Hidden}
	if (revealed && !c.Hidden) || mine {
		cv.Text = c.Text
		cv.Author = s.shownAuthor(c.Author)
	}
	if revealed {
		cv.GroupID = c.GroupID
		cv.Votes = s.Tally[c.ID]
	}
	return cv
}

// topicsView is the groups and the ungrouped revealed cards, cards being
// the retro's cards in order.
func topicsView(s State, cards []Card) []TopicView {
	out := make([]TopicView, 0, len(s.GroupOrder)+len(cards))
	for _, id := range s.GroupOrder {
		g := s.Groups[id]
		out = append(out, TopicView{ID: id, Kind: "group", Title: g.Name, Votes: s.topicVotes(id)})
	}
	for _, c := range cards {
		if tv, ok := cardTopic(s, c); ok {
			out = append(out, tv)
		}
	}
	slices.SortStableFunc(out, byVotes)
	return out
}

// byVotes orders topics by votes, most first.
func byVotes(a, b TopicView) int { return b.Votes - a.Votes }

// cardTopic is a card as a topic of its own: revealed and in no group.
func cardTopic(s State, c Card) (TopicView, bool) {
	if c.GroupID != "" || !s.Revealed[c.ColumnID] {
		return TopicView{}, false
	}
	tv := TopicView{ID: c.ID, Kind: "card", Title: c.Text, Votes: s.topicVotes(c.ID), Hidden: c.Hidden}
	if c.Hidden {
		tv.Title = ""
	}
	return tv, true
}

func votingView(s State, v Viewer) *VotingView {
	r := s.Round
	if r == nil {
		return nil
	}
	vv := &VotingView{RoundID: r.ID, Open: r.Open, Budget: r.Budget, Cap: r.Cap, YourVotes: map[string]int{}}
	me := s.voterKey(v)
	perVoter := map[string]int{}
	for k, n := range r.Votes {
		vv.Cast += n
		perVoter[k.Voter] += n
		if me != "" && k.Voter == me {
			vv.YourVotes[k.Topic] = n
		}
	}
	if _, ok := s.Participants[v.UserID]; ok && me != "" {
		vv.YourRemaining = max(0, r.Budget-perVoter[me])
	}
	vv.Remaining = max(0, r.Budget*len(s.Participants)-vv.Cast)
	return vv
}

func healthView(s State, v Viewer, p Policy) *HealthView {
	if !s.Health.Started {
		return nil
	}
	hv := &HealthView{Revealed: s.Health.Revealed, Questions: []HealthQuestionView{}}
	for _, q := range s.Health.Questions {
		dist := map[int]int{}
		for k, n := range s.Health.Imported[q.ID] {
			dist[k] += n
		}
		for k, score := range s.Health.Answers {
			if k.Question == q.ID {
				dist[score]++
			}
		}
		qv := HealthQuestionView{Question: q}
		for _, n := range dist {
			qv.Respondents += n
		}
		if v.Pseudonym != "" {
			if score, ok := s.Health.Answers[answerKey{q.ID, v.Pseudonym}]; ok {
				qv.YourScore = &score
			}
		}
		if s.Health.Revealed {
			qv.Result = aggregate(dist, p)
			if q.Scale == catalog.ScaleTen && !qv.Result.Withheld {
				promoters, detractors := 0, 0
				for score, n := range dist {
					switch {
					case score >= 9:
						promoters += n
					case score <= 6:
						detractors += n
					}
				}
				e := float64(promoters-detractors) * 100 / float64(qv.Result.Count)
				qv.Result.ENPS = &e
			}
		}
		hv.Questions = append(hv.Questions, qv)
	}
	return hv
}

func rotiView(s State, v Viewer, p Policy) RotiView {
	rv := RotiView{Scale: s.Roti.Scale, Closed: s.Roti.Closed, Ratings: len(s.Roti.Ratings), Participants: len(s.Participants)}
	if v.Pseudonym != "" {
		if score, ok := s.Roti.Ratings[v.Pseudonym]; ok {
			rv.YourScore = &score
		}
	}
	if s.rotiVisible() {
		dist := map[int]int{}
		for _, score := range s.Roti.Ratings {
			dist[score]++
		}
		rv.Result = aggregate(dist, p)
	}
	return rv
}

// aggregate sums up scores; below p's minimum group, only their number.
func aggregate(dist map[int]int, p Policy) *Aggregate {
	a := &Aggregate{}
	for _, n := range dist {
		a.Count += n
	}
	if p.Withholds(a.Count) {
		a.Withheld = true
		return a
	}
	a.Distribution = map[int]int{}
	sum := 0
	for score, n := range dist {
		if n == 0 {
			continue
		}
		a.Distribution[score] = n
		sum += score * n
	}
	avg := float64(sum) / float64(a.Count)
	a.Average = &avg
	return a
}
