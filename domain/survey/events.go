package survey

import (
	"time"

	"github.com/hindsight-retro/hindsight/domain/catalog"
)

// Event is something that happened to a survey.
type Event interface{ EventType() string }

// SurveyCreated: the survey exists with these questions and this window.
type SurveyCreated struct {
	SurveyID         string             `json:"surveyId"`
	TeamIDs          []string           `json:"teamIds"`
	Title            string             `json:"title"`
	RetroID          string             `json:"retroId,omitempty"`
	HealthQuestions  []catalog.Question `json:"healthQuestions"`
	OpenQuestions    []OpenQuestion     `json:"openQuestions"`
	OpensAt          time.Time          `json:"opensAt"`
	ClosesAt         time.Time          `json:"closesAt"`
	NamedOpenAnswers bool               `json:"namedOpenAnswers,omitempty"`
	CreatedBy        string             `json:"createdBy"`
	At               time.Time          `json:"at"`
}

// ResponseSubmitted: an anonymous respondent answered (again). Respondent is
// a pseudonym, never a user ID.
type ResponseSubmitted struct {
	Respondent  string            `json:"respondent"`
	Ratings     map[string]int    `json:"ratings,omitempty"`
	OpenAnswers map[string]string `json:"openAnswers,omitempty"`
	Replaces    bool              `json:"replaces,omitempty"`
	// Team is the team the respondent answers for, in a survey sent to
	// several teams, so each team's trends count its own people (under the
	// minimum group per team). Empty in a one-team survey and in responses
	// recorded before teams were kept: those count for no single team of a
	// multi-team survey.
	Team string    `json:"team,omitempty"`
	At   time.Time `json:"at"`
}

// NamedAnswersSubmitted: in a survey with named open answers, Author
// answered the open questions (again).
type NamedAnswersSubmitted struct {
	Author   string            `json:"author"`
	Answers  map[string]string `json:"answers"`
	Replaces bool              `json:"replaces,omitempty"`
	At       time.Time         `json:"at"`
}

// SurveyClosed: no more responses; results are visible. Early is true when
// the creator closed it before ClosesAt.
type SurveyClosed struct {
	ClosedBy string    `json:"closedBy"`
	Early    bool      `json:"early,omitempty"`
	At       time.Time `json:"at"`
}

// Category is the stream category of surveys: a survey's events are stored
// under survey-<survey ID>.
const Category = "survey"

// Event type names as stored in the log, by the rule in package domain.
const (
	TypeSurveyCreated         = "survey.SurveyCreated"
	TypeResponseSubmitted     = "survey.ResponseSubmitted"
	TypeNamedAnswersSubmitted = "survey.NamedAnswersSubmitted"
	TypeSurveyClosed          = "survey.SurveyClosed"
)

func (SurveyCreated) EventType() string         { return TypeSurveyCreated }
func (ResponseSubmitted) EventType() string     { return TypeResponseSubmitted }
func (NamedAnswersSubmitted) EventType() string { return TypeNamedAnswersSubmitted }
func (SurveyClosed) EventType() string          { return TypeSurveyClosed }

// Events lists one value of every survey event type, once: what tests hold
// every switch over the events to, and what a new event type must be added
// to.
func Events() []Event {
	return []Event{
		SurveyCreated{}, ResponseSubmitted{}, NamedAnswersSubmitted{}, SurveyClosed{},
	}
}
