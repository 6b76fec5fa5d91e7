package survey_test

import (
	"testing"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/survey"
)

func TestTheCreatorClosesEarly(t *testing.T) {
	s := thenEvents(t, answered(), survey.CloseSurvey{Actor: carol, At: during},
		survey.SurveyClosed{ClosedBy: "carol", Early: true, At: during})
	if !s.Closed || !s.IsClosedAt(during) {
		t.Fatal("the survey is not closed")
	}
}

func TestAnyoneClosesOnceTheWindowIsOver(t *testing.T) {
	thenEvents(t, answered(), survey.CloseSurvey{Actor: domain.Actor{UserID: "scheduler"}, At: closes},
		survey.SurveyClosed{ClosedBy: "scheduler", At: closes})
}

func TestCloseSurveyRejections(t *testing.T) {
	thenRejected(t, map[string]rejection{
		"no survey":        {nil, survey.CloseSurvey{Actor: carol, At: during}, domain.NotFound, survey.CodeNotFound},
		"no actor":         {created(), survey.CloseSurvey{At: closes}, domain.Invalid, survey.CodeActorRequired},
		"already closed":   {closedSurvey(), survey.CloseSurvey{Actor: carol, At: closes}, domain.Conflict, survey.CodeAlreadyClosed},
		"early by another": {created(), survey.CloseSurvey{Actor: ada, At: during}, domain.Forbidden, survey.CodeNotCreator},
	})
}
