package api

import (
	"net/http"

	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/domain/survey"
)

// SurveyResponseRequest answers a survey: a score per health question ID and
// an answer per open question ID.
type SurveyResponseRequest struct {
	Ratings map[string]int    `json:"ratings"`
	Answers map[string]string `json:"answers,omitempty"`
}

func surveyRoutes() []route {
	return tagged("surveys",
		command(http.MethodPost, "/v1/surveys", "createSurvey", "Send an asynchronous health-check survey to one or more teams",
			func(s *server, c call, in app.CreateSurveyInput) (app.Result, error) {
				return s.deps.App.CreateSurvey(c.r.Context(), c.caller(), in)
			}).created(),
		withParams(list("/v1/teams/{teamId}/surveys", "listTeamSurveys", "The surveys sent to the team, oldest first, each as you may see it (members)",
			func(s *server, c call) ([]survey.SurveyView, error) {
				if err := waitAfter(c, s.deps.App.WaitForTeamSurveys); err != nil {
					return nil, err
				}
				return s.deps.App.TeamSurveys(c.r.Context(), c.p, c.param("teamId"))
			}), afterParam),
		query("/v1/surveys/{surveyId}", "getSurvey", "A survey as you may see it: your own response, results once closed",
			func(s *server, c call) (survey.SurveyView, error) {
				return s.deps.App.Survey(c.r.Context(), c.p, c.param("surveyId"))
			}),
		command(http.MethodPost, "/v1/surveys/{surveyId}/responses", "submitSurveyResponse", "Answer a survey (anonymously)",
			func(s *server, c call, in SurveyResponseRequest) (app.Result, error) {
				return s.deps.App.SubmitSurveyResponse(c.r.Context(), c.caller(), c.param("surveyId"), app.SurveyResponse{Ratings: in.Ratings, Answers: in.Answers})
			}).created(),
		action(http.MethodPost, "/v1/surveys/{surveyId}/close", "closeSurvey", "Close a survey and publish its results",
			func(s *server, c call) (app.Result, error) {
				return s.deps.App.CloseSurvey(c.r.Context(), c.caller(), c.param("surveyId"))
			}),
	)
}
