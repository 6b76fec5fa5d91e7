package survey

import (
	"time"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/catalog"
)

// OpenQuestion is a free-text question.
type OpenQuestion struct {
	ID   string `json:"id"`
	Text string `json:"text"`
	// Column ties the question to a retro column by the column's ID (a
	// template's, such as "went-well"): imported into a retro that has that
	// column, its answers become cards there. Empty, or a column the retro
	// lacks, lands them where the import says.
	Column string `json:"column,omitempty"`
}

// Response is one respondent's anonymous answers, keyed by question ID.
type Response struct {
	Ratings     map[string]int    `json:"ratings,omitempty"`
	OpenAnswers map[string]string `json:"openAnswers,omitempty"`
}

// State is the folded survey. Evolve copies the maps it changes.
type State struct {
	ID               string
	TeamIDs          []string
	Title            string
	RetroID          string
	CreatedBy        string
	HealthQuestions  []catalog.Question
	OpenQuestions    []OpenQuestion
	OpensAt          time.Time
	ClosesAt         time.Time
	NamedOpenAnswers bool
	Closed           bool
	ClosedAt         time.Time
	// Responses are keyed by respondent pseudonym.
	Responses map[string]Response
	// NamedAnswers are keyed by user ID, then question ID; only in surveys
	// whose open answers are named.
	NamedAnswers map[string]map[string]string
}

// Initial is the state before any event: no survey.
func Initial() State { return State{} }

// Exists reports whether the survey has been created.
func (s State) Exists() bool { return s.ID != "" }

// IsClosedAt reports whether the survey is closed at time at: closed by an
// event, or its window has run out.
func (s State) IsClosedAt(at time.Time) bool {
	return s.Closed || (s.Exists() && !at.Before(s.ClosesAt))
}

func (s State) healthQuestion(id string) (catalog.Question, bool) {
	for _, q := range s.HealthQuestions {
		if q.ID == id {
			return q, true
		}
	}
	return catalog.Question{}, false
}

func (s State) openQuestion(id string) (OpenQuestion, bool) {
	for _, q := range s.OpenQuestions {
		if q.ID == id {
			return q, true
		}
	}
	return OpenQuestion{}, false
}

// Decider is the survey aggregate's decider.
func Decider() domain.Decider[State, Command, Event] {
	return domain.Decider[State, Command, Event]{Initial: Initial, Decide: Decide, Evolve: Evolve}
}

// Evolve folds one event into the state.
func Evolve(s State, e Event) State {
	switch e := e.(type) {
	case SurveyCreated:
		s.ID = e.SurveyID
		s.TeamIDs = e.TeamIDs
		s.Title = e.Title
		s.RetroID = e.RetroID
		s.CreatedBy = e.CreatedBy
		s.HealthQuestions = e.HealthQuestions
		s.OpenQuestions = e.OpenQuestions
		s.OpensAt = e.OpensAt
		s.ClosesAt = e.ClosesAt
		s.NamedOpenAnswers = e.NamedOpenAnswers
		s.Responses = map[string]Response{}
		s.NamedAnswers = map[string]map[string]string{}
	case ResponseSubmitted:
		rs := make(map[string]Response, len(s.Responses)+1)
		for k, v := range s.Responses {
			rs[k] = v
		}
		// A resubmission replaces the earlier response whole.
		rs[e.Respondent] = Response{Ratings: e.Ratings, OpenAnswers: e.OpenAnswers}
		s.Responses = rs
	case NamedAnswersSubmitted:
		na := make(map[string]map[string]string, len(s.NamedAnswers)+1)
		for k, v := range s.NamedAnswers {
			na[k] = v
		}
		na[e.Author] = e.Answers
		s.NamedAnswers = na
	case SurveyClosed:
		s.Closed = true
		s.ClosedAt = e.At
	}
	return s
}
