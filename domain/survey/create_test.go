package survey_test

import (
	"strings"
	"testing"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/domain/survey"
)

func TestCreateSurveyForOneTeam(t *testing.T) {
	s := thenEvents(t, nil, createCmd(), createdEvent())
	if s.IsClosedAt(during) || !s.IsClosedAt(closes) {
		t.Fatal("the window is not [opens, closes)")
	}
}

func TestAWorkspaceAdminSendsASurveyToSeveralTeams(t *testing.T) {
	c := createCmd()
	c.Actor, c.TeamIDs, c.ActorIsWorkspaceAdmin = ada, []string{"t1", "t2", "t3"}, true
	want := createdEvent()
	want.TeamIDs, want.CreatedBy = []string{"t1", "t2", "t3"}, "ada"
	thenEvents(t, nil, c, want)
}

func TestCreateSurveyWithOnlyOpenQuestions(t *testing.T) {
	c := createCmd()
	c.HealthQuestions = nil
	want := createdEvent()
	want.HealthQuestions = nil
	thenEvents(t, nil, c, want)
}

func TestCreateSurveyRejections(t *testing.T) {
	with := func(f func(*survey.CreateSurvey)) survey.CreateSurvey { c := createCmd(); f(&c); return c }
	many := make([]survey.OpenQuestion, survey.MaxQuestions+1)
	for i := range many {
		many[i] = survey.OpenQuestion{ID: strings.Repeat("o", i+1), Text: "Why?"}
	}
	lots := make([]string, survey.MaxTeams+1)
	for i := range lots {
		lots[i] = strings.Repeat("t", i+1)
	}
	thenRejected(t, map[string]rejection{
		"exists":                             {created(), createCmd(), domain.Conflict, survey.CodeAlreadyExists},
		"no actor":                           {nil, with(func(c *survey.CreateSurvey) { c.Actor = domain.Actor{} }), domain.Invalid, survey.CodeActorRequired},
		"no ID":                              {nil, with(func(c *survey.CreateSurvey) { c.SurveyID = "" }), domain.Invalid, survey.CodeIDRequired},
		"no team":                            {nil, with(func(c *survey.CreateSurvey) { c.TeamIDs = nil }), domain.Invalid, survey.CodeTeamRequired},
		"empty team ID":                      {nil, with(func(c *survey.CreateSurvey) { c.TeamIDs = []string{""} }), domain.Invalid, survey.CodeTeamRequired},
		"team twice":                         {nil, with(func(c *survey.CreateSurvey) { c.TeamIDs = []string{"t1", "t1"}; c.ActorIsWorkspaceAdmin = true }), domain.Invalid, survey.CodeDuplicateTeam},
		"too many teams":                     {nil, with(func(c *survey.CreateSurvey) { c.TeamIDs = lots; c.ActorIsWorkspaceAdmin = true }), domain.Invalid, survey.CodeTooManyTeams},
		"several teams, not workspace admin": {nil, with(func(c *survey.CreateSurvey) { c.TeamIDs = []string{"t1", "t2"} }), domain.Forbidden, survey.CodeMultiTeamForbidden},
		"no title":                           {nil, with(func(c *survey.CreateSurvey) { c.Title = " " }), domain.Invalid, survey.CodeTitleRequired},
		"long title":                         {nil, with(func(c *survey.CreateSurvey) { c.Title = strings.Repeat("t", 201) }), domain.Invalid, survey.CodeTitleTooLong},
		"no questions":                       {nil, with(func(c *survey.CreateSurvey) { c.HealthQuestions, c.OpenQuestions = nil, nil }), domain.Invalid, survey.CodeNoQuestions},
		"too many questions":                 {nil, with(func(c *survey.CreateSurvey) { c.OpenQuestions = many }), domain.Invalid, survey.CodeTooManyQuestions},
		"question no ID":                     {nil, with(func(c *survey.CreateSurvey) { c.OpenQuestions = []survey.OpenQuestion{{Text: "Why?"}} }), domain.Invalid, survey.CodeInvalidQuestion},
		"question no text": {nil, with(func(c *survey.CreateSurvey) {
			c.HealthQuestions = []catalog.Question{{ID: "q", Scale: catalog.ScaleFive}}
		}), domain.Invalid, survey.CodeInvalidQuestion},
		"question twice": {nil, with(func(c *survey.CreateSurvey) {
			c.OpenQuestions = []survey.OpenQuestion{{ID: "q-safety", Text: "Again?"}}
		}), domain.Invalid, survey.CodeDuplicateQuestion},
		"bad scale":           {nil, with(func(c *survey.CreateSurvey) { q := safety; q.Scale = "1-7"; c.HealthQuestions = []catalog.Question{q} }), domain.Invalid, survey.CodeInvalidScale},
		"closes before opens": {nil, with(func(c *survey.CreateSurvey) { c.ClosesAt = c.OpensAt }), domain.Invalid, survey.CodeWindowInvalid},
		"closed already":      {nil, with(func(c *survey.CreateSurvey) { c.At = closes }), domain.Invalid, survey.CodeWindowPast},
	})
}

func TestUnknownCommandIsRejected(t *testing.T) {
	thenRejected(t, map[string]rejection{"nil": {created(), nil, domain.Invalid, survey.CodeUnknownCommand}})
}
