package survey_test

import (
	"strings"
	"testing"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/domain/survey"
)

func TestCreateSurveyForOneTeam(t *testing.T) {
	s := decider.Then(t, nil, createCmd(), createdEvent())
	if s.IsClosedAt(during) || !s.IsClosedAt(closes) {
		t.Fatal("the window is not [opens, closes)")
	}
}

func TestAWorkspaceAdminSendsASurveyToSeveralTeams(t *testing.T) {
	c := createCmd()
	c.Actor, c.TeamIDs, c.ActorIsWorkspaceAdmin = ada, []string{"t1", "t2", "t3"}, true
	want := createdEvent()
	want.TeamIDs, want.CreatedBy = []string{"t1", "t2", "t3"}, "ada"
	decider.Then(t, nil, c, want)
}

func TestCreateSurveyWithOnlyOpenQuestions(t *testing.T) {
	c := createCmd()
	c.HealthQuestions = nil
	want := createdEvent()
	want.HealthQuestions = nil
	decider.Then(t, nil, c, want)
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
	decider.RefusedAll(t, map[string]rejection{
		"exists":                             {Given: created(), When: createCmd(), Kind: domain.Conflict, Code: survey.CodeAlreadyExists},
		"no actor":                           {Given: nil, When: with(func(c *survey.CreateSurvey) { c.Actor = domain.Actor{} }), Kind: domain.Invalid, Code: survey.CodeActorRequired},
		"no ID":                              {Given: nil, When: with(func(c *survey.CreateSurvey) { c.SurveyID = "" }), Kind: domain.Invalid, Code: survey.CodeIDRequired},
		"no team":                            {Given: nil, When: with(func(c *survey.CreateSurvey) { c.TeamIDs = nil }), Kind: domain.Invalid, Code: survey.CodeTeamRequired},
		"empty team ID":                      {Given: nil, When: with(func(c *survey.CreateSurvey) { c.TeamIDs = []string{""} }), Kind: domain.Invalid, Code: survey.CodeTeamRequired},
		"team twice":                         {Given: nil, When: with(func(c *survey.CreateSurvey) { c.TeamIDs = []string{"t1", "t1"}; c.ActorIsWorkspaceAdmin = true }), Kind: domain.Invalid, Code: survey.CodeDuplicateTeam},
		"too many teams":                     {Given: nil, When: with(func(c *survey.CreateSurvey) { c.TeamIDs = lots; c.ActorIsWorkspaceAdmin = true }), Kind: domain.Invalid, Code: survey.CodeTooManyTeams},
		"several teams, not workspace admin": {Given: nil, When: with(func(c *survey.CreateSurvey) { c.TeamIDs = []string{"t1", "t2"} }), Kind: domain.Forbidden, Code: survey.CodeMultiTeamForbidden},
		"no title":                           {Given: nil, When: with(func(c *survey.CreateSurvey) { c.Title = " " }), Kind: domain.Invalid, Code: survey.CodeTitleRequired},
		"long title":                         {Given: nil, When: with(func(c *survey.CreateSurvey) { c.Title = strings.Repeat("t", 201) }), Kind: domain.Invalid, Code: survey.CodeTitleTooLong},
		"no questions":                       {Given: nil, When: with(func(c *survey.CreateSurvey) { c.HealthQuestions, c.OpenQuestions = nil, nil }), Kind: domain.Invalid, Code: survey.CodeNoQuestions},
		"too many questions":                 {Given: nil, When: with(func(c *survey.CreateSurvey) { c.OpenQuestions = many }), Kind: domain.Invalid, Code: survey.CodeTooManyQuestions},
		"question no ID":                     {Given: nil, When: with(func(c *survey.CreateSurvey) { c.OpenQuestions = []survey.OpenQuestion{{Text: "Why?"}} }), Kind: domain.Invalid, Code: survey.CodeInvalidQuestion},
		"question no text": {Given: nil, When: with(func(c *survey.CreateSurvey) {
			c.HealthQuestions = []catalog.Question{{ID: "q", Scale: catalog.ScaleFive}}
		}), Kind: domain.Invalid, Code: survey.CodeInvalidQuestion},
		"question twice": {Given: nil, When: with(func(c *survey.CreateSurvey) {
			c.OpenQuestions = []survey.OpenQuestion{{ID: "q-safety", Text: "Again?"}}
		}), Kind: domain.Invalid, Code: survey.CodeDuplicateQuestion},
		"column ID too long": {Given: nil, When: with(func(c *survey.CreateSurvey) {
			c.OpenQuestions = []survey.OpenQuestion{{ID: "o", Text: "Why?", Column: strings.Repeat("c", survey.MaxColumnIDLength+1)}}
		}), Kind: domain.Invalid, Code: survey.CodeInvalidQuestion},
		"column ID with a newline": {Given: nil, When: with(func(c *survey.CreateSurvey) {
			c.OpenQuestions = []survey.OpenQuestion{{ID: "o", Text: "Why?", Column: "went\nwell"}}
		}), Kind: domain.Invalid, Code: survey.CodeInvalidQuestion},
		"bad scale":           {Given: nil, When: with(func(c *survey.CreateSurvey) { q := safety; q.Scale = "1-7"; c.HealthQuestions = []catalog.Question{q} }), Kind: domain.Invalid, Code: survey.CodeInvalidScale},
		"closes before opens": {Given: nil, When: with(func(c *survey.CreateSurvey) { c.ClosesAt = c.OpensAt }), Kind: domain.Invalid, Code: survey.CodeWindowInvalid},
		"closed already":      {Given: nil, When: with(func(c *survey.CreateSurvey) { c.At = closes }), Kind: domain.Invalid, Code: survey.CodeWindowPast},
	})
}

func TestUnknownCommandIsRejected(t *testing.T) {
	decider.RefusedAll(t, map[string]rejection{"nil": {Given: created(), When: nil, Kind: domain.Invalid, Code: survey.CodeUnknownCommand}})
}
