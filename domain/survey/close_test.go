package survey_test

import (
	"testing"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/survey"
)

func TestTheCreatorClosesEarly(t *testing.T) {
	s := decider.Then(t, answered(), survey.CloseSurvey{Actor: carol, At: during},
		survey.SurveyClosed{ClosedBy: "carol", Early: true, At: during})
	if !s.Closed || !s.IsClosedAt(during) {
		t.Fatal("the survey is not closed")
	}
}

func TestAnyoneClosesOnceTheWindowIsOver(t *testing.T) {
	decider.Then(t, answered(), survey.CloseSurvey{Actor: domain.Actor{UserID: "scheduler"}, At: closes},
		survey.SurveyClosed{ClosedBy: "scheduler", At: closes})
}

func TestCloseSurveyRejections(t *testing.T) {
	decider.RefusedAll(t, map[string]rejection{
		"no survey":        {Given: nil, When: survey.CloseSurvey{Actor: carol, At: during}, Kind: domain.NotFound, Code: survey.CodeNotFound},
		"no actor":         {Given: created(), When: survey.CloseSurvey{At: closes}, Kind: domain.Invalid, Code: survey.CodeActorRequired},
		"already closed":   {Given: closedSurvey(), When: survey.CloseSurvey{Actor: carol, At: closes}, Kind: domain.Conflict, Code: survey.CodeAlreadyClosed},
		"early by another": {Given: created(), When: survey.CloseSurvey{Actor: ada, At: during}, Kind: domain.Forbidden, Code: survey.CodeNotCreator},
	})
}
