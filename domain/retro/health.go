package retro

import (
	"slices"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/catalog"
)

// StartHealthCheck opens the health check with questions from a pack.
type StartHealthCheck struct {
	Actor     domain.Actor
	At        time.Time
	Questions []catalog.Question
}

// AnswerHealthCheck answers one question; answering again replaces the
// answer. Always anonymous: the actor's pseudonym is required.
type AnswerHealthCheck struct {
	Actor      domain.Actor
	At         time.Time
	QuestionID string
	Score      int
}

// RevealHealthCheck shows the results (aggregates only) to everyone.
type RevealHealthCheck struct {
	Actor domain.Actor
	At    time.Time
}

// ImportSurvey brings a closed survey into the retro: its open answers as
// cards (with no author: the survey's anonymity carries over) and its
// scores as the health check's results.
type ImportSurvey struct {
	Actor    domain.Actor
	At       time.Time
	SurveyID string
	Cards    []ImportedCard
	Scores   []ImportedScore
}

// ImportedCard is a survey's open answer, to become a card in a column.
type ImportedCard struct {
	CardID   string `json:"cardId"`
	ColumnID string `json:"columnId"`
	Text     string `json:"text"`
}

// ImportedScore is a survey question's result as a distribution: score →
// number of respondents. Only aggregates cross over, never answers.
type ImportedScore struct {
	Question     catalog.Question `json:"question"`
	Distribution map[int]int      `json:"distribution"`
}

func (StartHealthCheck) isCommand()  {}
func (AnswerHealthCheck) isCommand() {}
func (RevealHealthCheck) isCommand() {}
func (ImportSurvey) isCommand()      {}

// HealthCheckStarted: the questions of the health check.
type HealthCheckStarted struct {
	Questions []catalog.Question `json:"questions"`
	At        time.Time          `json:"at"`
}

// HealthCheckAnswered: one answer; Respondent is always a pseudonym.
type HealthCheckAnswered struct {
	QuestionID string    `json:"questionId"`
	Respondent string    `json:"respondent"`
	Score      int       `json:"score"`
	At         time.Time `json:"at"`
}

// HealthCheckRevealed: results are shown.
type HealthCheckRevealed struct {
	At time.Time `json:"at"`
}

// SurveyCardsImported: a survey's open answers became cards, without
// authors. Concealed tells whether the column was still concealed.
type SurveyCardsImported struct {
	SurveyID string            `json:"surveyId"`
	Cards    []ImportedCardRec `json:"cards"`
	At       time.Time         `json:"at"`
}

// ImportedCardRec is an imported card as recorded.
type ImportedCardRec struct {
	ImportedCard
	Concealed bool `json:"concealed"`
}

// SurveyScoresImported: a survey's score distributions joined the health
// check (starting it with the survey's questions if needed).
type SurveyScoresImported struct {
	SurveyID string          `json:"surveyId"`
	Scores   []ImportedScore `json:"scores"`
	At       time.Time       `json:"at"`
}

func (HealthCheckStarted) EventType() string   { return TypeHealthCheckStarted }
func (HealthCheckAnswered) EventType() string  { return TypeHealthCheckAnswered }
func (HealthCheckRevealed) EventType() string  { return TypeHealthCheckRevealed }
func (SurveyCardsImported) EventType() string  { return TypeSurveyCardsImported }
func (SurveyScoresImported) EventType() string { return TypeSurveyScoresImported }

// ScaleRange is the lowest and highest answer on a scale.
func ScaleRange(sc catalog.Scale) (lo, hi int, ok bool) {
	switch sc {
	case catalog.ScaleFive:
		return 1, 5, true
	case catalog.ScaleTen:
		return 0, 10, true
	}
	return 0, 0, false
}

func checkQuestion(q catalog.Question) error {
	if q.ID == "" || q.Text == "" {
		return domain.Errorf(domain.Invalid, CodeQuestionInvalid, "a question needs an ID and a text")
	}
	if _, _, ok := ScaleRange(q.Scale); !ok {
		return domain.Errorf(domain.Invalid, CodeQuestionInvalid, "question %q has unknown scale %q", q.ID, q.Scale)
	}
	return nil
}

func (s State) question(id string) (catalog.Question, bool) {
	for _, q := range s.Health.Questions {
		if q.ID == id {
			return q, true
		}
	}
	return catalog.Question{}, false
}

func decideStartHealthCheck(s State, c StartHealthCheck) ([]Event, error) {
	if err := s.asModerator(c.Actor); err != nil {
		return nil, err
	}
	if len(c.Questions) == 0 {
		return nil, domain.Errorf(domain.Invalid, CodeQuestionsRequired, "a health check needs questions")
	}
	seen := map[string]bool{}
	for _, q := range c.Questions {
		if err := checkQuestion(q); err != nil {
			return nil, err
		}
		if seen[q.ID] {
			return nil, domain.Errorf(domain.Invalid, CodeQuestionInvalid, "question %q appears twice", q.ID)
		}
		seen[q.ID] = true
	}
	if s.Health.Started {
		return nil, domain.Errorf(domain.Conflict, CodeHealthCheckStarted, "the health check has already started")
	}
	return []Event{HealthCheckStarted{Questions: slices.Clone(c.Questions), At: c.At}}, nil
}

func decideAnswerHealth(s State, c AnswerHealthCheck) ([]Event, error) {
	if err := s.asParticipant(c.Actor); err != nil {
		return nil, err
	}
	who, err := requirePseudonym(c.Actor)
	if err != nil {
		return nil, err
	}
	if !s.Health.Started {
		return nil, domain.Errorf(domain.Conflict, CodeHealthCheckNotStarted, "the health check has not started")
	}
	if s.Health.Revealed {
		return nil, domain.Errorf(domain.Conflict, CodeHealthCheckRevealed, "the results are revealed; answers are final")
	}
	q, ok := s.question(c.QuestionID)
	if !ok {
		return nil, domain.Errorf(domain.NotFound, CodeQuestionNotFound, "no question %q", c.QuestionID)
	}
	lo, hi, _ := ScaleRange(q.Scale)
	if c.Score < lo || c.Score > hi {
		return nil, domain.Errorf(domain.Invalid, CodeScoreOutOfRange, "answer %d..%d, not %d", lo, hi, c.Score)
	}
	if old, ok := s.Health.Answers[answerKey{q.ID, who}]; ok && old == c.Score {
		return nil, nil
	}
	return []Event{HealthCheckAnswered{QuestionID: q.ID, Respondent: who, Score: c.Score, At: c.At}}, nil
}

func decideRevealHealth(s State, c RevealHealthCheck) ([]Event, error) {
	if err := s.asModerator(c.Actor); err != nil {
		return nil, err
	}
	if !s.Health.Started {
		return nil, domain.Errorf(domain.Conflict, CodeHealthCheckNotStarted, "the health check has not started")
	}
	if s.Health.Revealed {
		return nil, nil
	}
	return []Event{HealthCheckRevealed{At: c.At}}, nil
}

func decideImportSurvey(s State, c ImportSurvey) ([]Event, error) {
	if err := s.asModerator(c.Actor); err != nil {
		return nil, err
	}
	if err := checkID("survey-id", c.SurveyID, CodeSurveyIDRequired, CodeSurveyIDInvalid); err != nil {
		return nil, err
	}
	if s.Surveys[c.SurveyID] {
		return nil, domain.Errorf(domain.Conflict, CodeSurveyImported, "survey %q is already imported", c.SurveyID)
	}
	if len(c.Cards) == 0 && len(c.Scores) == 0 {
		return nil, domain.Errorf(domain.Invalid, CodeSurveyEmpty, "the survey has nothing to import")
	}
	recs := make([]ImportedCardRec, 0, len(c.Cards))
	ids := map[string]bool{}
	for _, ic := range c.Cards {
		if err := checkID("card-id", ic.CardID, CodeCardIDRequired, CodeCardIDInvalid); err != nil {
			return nil, err
		}
		if err := checkText("text", ic.Text, MaxTextLen, CodeTextRequired, CodeTextTooLong); err != nil {
			return nil, err
		}
		if _, ok := s.column(ic.ColumnID); !ok {
			return nil, domain.Errorf(domain.NotFound, CodeColumnNotFound, "no column %q", ic.ColumnID)
		}
		if ids[ic.CardID] || s.idTaken(ic.CardID) {
			return nil, domain.Errorf(domain.Conflict, CodeIDTaken, "the ID %q is taken", ic.CardID)
		}
		ids[ic.CardID] = true
		recs = append(recs, ImportedCardRec{ImportedCard: ic, Concealed: !s.Revealed[ic.ColumnID]})
	}
	qs := map[string]bool{}
	for _, sc := range c.Scores {
		if err := checkQuestion(sc.Question); err != nil {
			return nil, err
		}
		if qs[sc.Question.ID] {
			return nil, domain.Errorf(domain.Invalid, CodeQuestionInvalid, "question %q appears twice", sc.Question.ID)
		}
		qs[sc.Question.ID] = true
		if have, ok := s.question(sc.Question.ID); ok && have.Scale != sc.Question.Scale {
			return nil, domain.Errorf(domain.Invalid, CodeQuestionInvalid, "question %q has another scale here", sc.Question.ID)
		}
		lo, hi, _ := ScaleRange(sc.Question.Scale)
		for score, n := range sc.Distribution {
			if score < lo || score > hi || n < 0 {
				return nil, domain.Errorf(domain.Invalid, CodeScoreOutOfRange, "question %q: %d answers of %d", sc.Question.ID, n, score)
			}
		}
	}
	var evs []Event
	if len(recs) > 0 {
		evs = append(evs, SurveyCardsImported{SurveyID: c.SurveyID, Cards: recs, At: c.At})
	}
	if len(c.Scores) > 0 {
		evs = append(evs, SurveyScoresImported{SurveyID: c.SurveyID, Scores: c.Scores, At: c.At})
	}
	return evs, nil
}

func evolveHealth(s State, e Event) State {
	switch e := e.(type) {
	case HealthCheckStarted:
		s.Health.Started = true
		s.Health.Questions = appendTo(s.Health.Questions, e.Questions...)
	case HealthCheckAnswered:
		s.Health.Answers[answerKey{e.QuestionID, e.Respondent}] = e.Score
	case HealthCheckRevealed:
		s.Health.Revealed = true
	case SurveyScoresImported:
		s.Surveys[e.SurveyID] = true
		s.Health.Started = true
		for _, sc := range e.Scores {
			if _, ok := s.question(sc.Question.ID); !ok {
				s.Health.Questions = appendTo(s.Health.Questions, sc.Question)
			}
			d := map[int]int{}
			for k, v := range s.Health.Imported[sc.Question.ID] {
				d[k] = v
			}
			for k, v := range sc.Distribution {
				d[k] += v
			}
			s.Health.Imported[sc.Question.ID] = d
		}
	}
	return s
}
