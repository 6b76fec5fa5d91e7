package survey_test

import (
	"time"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/domain/decidertest"
	"github.com/hindsight-retro/hindsight/domain/survey"
)

var (
	key     = []byte("survey-s1-key")
	opens   = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	during  = opens.Add(3 * 24 * time.Hour)
	closes  = opens.Add(14 * 24 * time.Hour)
	carol   = domain.Actor{UserID: "carol"} // creator, team admin
	ada     = domain.Actor{UserID: "ada"}   // workspace admin
	dan     = respondent("dan")
	erin    = respondent("erin")
	safety  = catalog.Question{ID: "q-safety", Dimension: "psychological-safety", Text: "I can raise problems without fear.", Scale: catalog.ScaleFive, Low: "never", High: "always"}
	enps    = catalog.Question{ID: "q-enps", Dimension: "engagement", Text: "Would you recommend this team?", Scale: catalog.ScaleTen, Low: "not at all", High: "certainly"}
	improve = survey.OpenQuestion{ID: "o-improve", Text: "What should we change?"}
)

func respondent(id string) domain.Actor {
	return domain.Actor{UserID: id, Pseudonym: domain.Pseudonym(key, id)}
}

func createCmd() survey.CreateSurvey {
	return survey.CreateSurvey{
		Actor: carol, At: opens, SurveyID: "s1", TeamIDs: []string{"t1"}, Title: "Sprint 42 pulse", RetroID: "r42",
		HealthQuestions: []catalog.Question{safety, enps}, OpenQuestions: []survey.OpenQuestion{improve},
		OpensAt: opens, ClosesAt: closes,
	}
}

func createdEvent() survey.SurveyCreated {
	return survey.SurveyCreated{
		SurveyID: "s1", TeamIDs: []string{"t1"}, Title: "Sprint 42 pulse", RetroID: "r42",
		HealthQuestions: []catalog.Question{safety, enps}, OpenQuestions: []survey.OpenQuestion{improve},
		OpensAt: opens, ClosesAt: closes, CreatedBy: "carol", At: opens,
	}
}

func created() []survey.Event { return []survey.Event{createdEvent()} }

// named is a survey whose open answers carry their author.
func named() []survey.Event {
	e := createdEvent()
	e.NamedOpenAnswers = true
	return []survey.Event{e}
}

func answered() []survey.Event {
	return append(created(),
		survey.ResponseSubmitted{Respondent: dan.Pseudonym, Ratings: map[string]int{"q-safety": 4, "q-enps": 9}, OpenAnswers: map[string]string{"o-improve": "Fewer meetings"}, At: during},
		survey.ResponseSubmitted{Respondent: erin.Pseudonym, Ratings: map[string]int{"q-safety": 2, "q-enps": 5}, At: during},
	)
}

func closedSurvey() []survey.Event {
	return append(answered(), survey.SurveyClosed{ClosedBy: "scheduler", At: closes})
}

// rejection is given, when, and the refusal: kind and code.
type rejection = decidertest.Refusal[survey.Command, survey.Event]

// decider is the survey decider under the shared given/when/then helpers.
var decider = decidertest.For(survey.Decider())
