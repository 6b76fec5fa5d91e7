package survey_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/survey"
)

func TestSubmitResponseIsRecordedUnderThePseudonym(t *testing.T) {
	decider.Then(t, created(),
		survey.SubmitResponse{Actor: dan, At: during, Ratings: map[string]int{"q-safety": 5, "q-enps": 0}, OpenAnswers: map[string]string{"o-improve": "  Pair more  "}},
		survey.ResponseSubmitted{Respondent: dan.Pseudonym, Ratings: map[string]int{"q-safety": 5, "q-enps": 0}, OpenAnswers: map[string]string{"o-improve": "Pair more"}, At: during})
}

func TestResubmittingReplacesTheEarlierResponse(t *testing.T) {
	s := decider.Then(t, answered(),
		survey.SubmitResponse{Actor: dan, At: during.Add(time.Hour), Ratings: map[string]int{"q-safety": 1}},
		survey.ResponseSubmitted{Respondent: dan.Pseudonym, Ratings: map[string]int{"q-safety": 1}, Replaces: true, At: during.Add(time.Hour)})
	if len(s.Responses) != 2 {
		t.Fatalf("%d responses, want 2", len(s.Responses))
	}
	if r := s.Responses[dan.Pseudonym]; r.Ratings["q-safety"] != 1 || r.Ratings["q-enps"] != 0 || r.OpenAnswers != nil {
		t.Fatalf("dan's response = %+v, want only the new rating", r)
	}
}

func TestAnEmptyOpenAnswerIsASkippedQuestion(t *testing.T) {
	decider.Then(t, created(),
		survey.SubmitResponse{Actor: dan, At: opens, Ratings: map[string]int{"q-enps": 10}, OpenAnswers: map[string]string{"o-improve": "  "}},
		survey.ResponseSubmitted{Respondent: dan.Pseudonym, Ratings: map[string]int{"q-enps": 10}, At: opens})
}

func TestNamedOpenAnswersAreSentApartFromAnonymousRatings(t *testing.T) {
	s := decider.Then(t, named(),
		survey.SubmitResponse{Actor: dan, At: during, OpenAnswers: map[string]string{"o-improve": "Fewer meetings"}},
		survey.NamedAnswersSubmitted{Author: "dan", Answers: map[string]string{"o-improve": "Fewer meetings"}, At: during})
	evs, _, err := survey.Decider().Run(append(named(), survey.NamedAnswersSubmitted{Author: "dan", Answers: map[string]string{"o-improve": "x"}}),
		survey.SubmitResponse{Actor: dan, At: during, Ratings: map[string]int{"q-safety": 3}})
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := evs[0].(survey.ResponseSubmitted); !ok || r.Respondent != dan.Pseudonym {
		t.Fatalf("ratings in a named survey = %#v, want them under the pseudonym", evs)
	}
	if s.NamedAnswers["dan"]["o-improve"] != "Fewer meetings" || len(s.Responses) != 0 {
		t.Fatalf("named answers %v, responses %v", s.NamedAnswers, s.Responses)
	}
}

func TestNamedAnswersResubmittedReplace(t *testing.T) {
	given := append(named(), survey.NamedAnswersSubmitted{Author: "dan", Answers: map[string]string{"o-improve": "x"}, At: during})
	decider.Then(t, given,
		survey.SubmitResponse{Actor: dan, At: during, OpenAnswers: map[string]string{"o-improve": "y"}},
		survey.NamedAnswersSubmitted{Author: "dan", Answers: map[string]string{"o-improve": "y"}, Replaces: true, At: during})
}

func TestSubmitResponseRejections(t *testing.T) {
	ok := survey.SubmitResponse{Actor: dan, At: during, Ratings: map[string]int{"q-safety": 3}}
	with := func(f func(*survey.SubmitResponse)) survey.SubmitResponse { c := ok; f(&c); return c }
	early := created()
	early[0] = func() survey.SurveyCreated { e := createdEvent(); e.OpensAt = during; return e }()
	decider.RefusedAll(t, map[string]rejection{
		"no survey":               {Given: nil, When: ok, Kind: domain.NotFound, Code: survey.CodeNotFound},
		"no actor":                {Given: created(), When: with(func(c *survey.SubmitResponse) { c.Actor = domain.Actor{} }), Kind: domain.Invalid, Code: survey.CodeActorRequired},
		"not open yet":            {Given: early, When: with(func(c *survey.SubmitResponse) { c.At = opens }), Kind: domain.Conflict, Code: survey.CodeNotOpenYet},
		"window over":             {Given: created(), When: with(func(c *survey.SubmitResponse) { c.At = closes }), Kind: domain.Conflict, Code: survey.CodeClosed},
		"closed early":            {Given: append(created(), survey.SurveyClosed{ClosedBy: "carol", Early: true, At: opens}), When: ok, Kind: domain.Conflict, Code: survey.CodeClosed},
		"unknown rating":          {Given: created(), When: with(func(c *survey.SubmitResponse) { c.Ratings = map[string]int{"q-nope": 3} }), Kind: domain.Invalid, Code: survey.CodeUnknownQuestion},
		"rating an open question": {Given: created(), When: with(func(c *survey.SubmitResponse) { c.Ratings = map[string]int{"o-improve": 3} }), Kind: domain.Invalid, Code: survey.CodeUnknownQuestion},
		"five-scale zero":         {Given: created(), When: with(func(c *survey.SubmitResponse) { c.Ratings = map[string]int{"q-safety": 0} }), Kind: domain.Invalid, Code: survey.CodeRatingOutOfRange},
		"five-scale six":          {Given: created(), When: with(func(c *survey.SubmitResponse) { c.Ratings = map[string]int{"q-safety": 6} }), Kind: domain.Invalid, Code: survey.CodeRatingOutOfRange},
		"ten-scale eleven":        {Given: created(), When: with(func(c *survey.SubmitResponse) { c.Ratings = map[string]int{"q-enps": 11} }), Kind: domain.Invalid, Code: survey.CodeRatingOutOfRange},
		"ten-scale negative":      {Given: created(), When: with(func(c *survey.SubmitResponse) { c.Ratings = map[string]int{"q-enps": -1} }), Kind: domain.Invalid, Code: survey.CodeRatingOutOfRange},
		"unknown open":            {Given: created(), When: with(func(c *survey.SubmitResponse) { c.OpenAnswers = map[string]string{"q-safety": "hm"} }), Kind: domain.Invalid, Code: survey.CodeUnknownQuestion},
		"answer too long": {Given: created(), When: with(func(c *survey.SubmitResponse) {
			c.OpenAnswers = map[string]string{"o-improve": strings.Repeat("a", 2001)}
		}), Kind: domain.Invalid, Code: survey.CodeAnswerTooLong},
		"empty":                    {Given: created(), When: with(func(c *survey.SubmitResponse) { c.Ratings = nil; c.OpenAnswers = map[string]string{"o-improve": ""} }), Kind: domain.Invalid, Code: survey.CodeEmptyResponse},
		"no pseudonym":             {Given: created(), When: with(func(c *survey.SubmitResponse) { c.Actor.Pseudonym = "" }), Kind: domain.Invalid, Code: survey.CodePseudonymRequired},
		"user ID as pseudonym":     {Given: created(), When: with(func(c *survey.SubmitResponse) { c.Actor.Pseudonym = "dan" }), Kind: domain.Invalid, Code: survey.CodePseudonymRequired},
		"named mixed with ratings": {Given: named(), When: with(func(c *survey.SubmitResponse) { c.OpenAnswers = map[string]string{"o-improve": "hi"} }), Kind: domain.Invalid, Code: survey.CodeSubmitSeparately},
	})
}

// twoTeams is a survey a workspace admin sent to teams t1 and t2.
func twoTeams() []survey.Event {
	e := createdEvent()
	e.TeamIDs, e.CreatedBy = []string{"t1", "t2"}, "ada"
	return []survey.Event{e}
}

func TestAResponseToASurveyOfSeveralTeamsNamesTheRespondentsTeam(t *testing.T) {
	decider.Then(t, twoTeams(),
		survey.SubmitResponse{Actor: dan, At: during, Ratings: map[string]int{"q-safety": 4}, Team: "t2"},
		survey.ResponseSubmitted{Respondent: dan.Pseudonym, Ratings: map[string]int{"q-safety": 4}, Team: "t2", At: during})
}

func TestAResponseToAOneTeamSurveyKeepsNoTeam(t *testing.T) {
	decider.Then(t, created(),
		survey.SubmitResponse{Actor: dan, At: during, Ratings: map[string]int{"q-safety": 4}, Team: "t1"},
		survey.ResponseSubmitted{Respondent: dan.Pseudonym, Ratings: map[string]int{"q-safety": 4}, At: during})
}

func TestAResponseToASurveyOfSeveralTeamsNeedsOneOfThem(t *testing.T) {
	ok := survey.SubmitResponse{Actor: dan, At: during, Ratings: map[string]int{"q-safety": 4}}
	other := ok
	other.Team = "t9"
	decider.RefusedAll(t, map[string]rejection{
		"no team":      {Given: twoTeams(), When: ok, Kind: domain.Invalid, Code: survey.CodeNotSurveyTeam},
		"another team": {Given: twoTeams(), When: other, Kind: domain.Invalid, Code: survey.CodeNotSurveyTeam},
	})
}
