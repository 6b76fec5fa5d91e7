package survey

import (
	"strings"

	"github.com/hindsight-retro/hindsight/domain"
)

// Limits, in characters or counts.
const (
	MaxTitleLength     = 200
	MaxQuestionLength  = 500
	MaxAnswerLength    = 2000
	MaxQuestions       = 50
	MaxTeams           = 100
	MaxColumnIDLength  = 64
	MaxRespondentIDLen = 128
)

// Rejection codes, stable for clients.
const (
	CodeUnknownCommand     = "unknown-command"
	CodeActorRequired      = "actor-required"
	CodeIDRequired         = "id-required"
	CodeAlreadyExists      = "survey-exists"
	CodeNotFound           = "survey-not-found"
	CodeTeamRequired       = "team-required"
	CodeDuplicateTeam      = "duplicate-team"
	CodeTooManyTeams       = "too-many-teams"
	CodeMultiTeamForbidden = "multi-team-needs-workspace-admin"
	CodeTitleRequired      = "title-required"
	CodeTitleTooLong       = "title-too-long"
	CodeNoQuestions        = "no-questions"
	CodeTooManyQuestions   = "too-many-questions"
	CodeInvalidQuestion    = "invalid-question"
	CodeDuplicateQuestion  = "duplicate-question"
	CodeInvalidScale       = "invalid-scale"
	CodeWindowInvalid      = "window-invalid"
	CodeWindowPast         = "window-in-past"
	CodeNotOpenYet         = "survey-not-open-yet"
	CodeClosed             = "survey-closed"
	CodePseudonymRequired  = "pseudonym-required"
	CodeEmptyResponse      = "empty-response"
	CodeUnknownQuestion    = "unknown-question"
	CodeRatingOutOfRange   = "rating-out-of-range"
	CodeAnswerTooLong      = "answer-too-long"
	CodeSubmitSeparately   = "named-answers-separately"
	CodeAlreadyClosed      = "already-closed"
	CodeNotCreator         = "not-survey-creator"
	CodeNotSurveyTeam      = "not-a-survey-team"
)

// Decide turns a command into events, or rejects it with a *domain.Error.
func Decide(s State, c Command) ([]Event, error) {
	switch c := c.(type) {
	case CreateSurvey:
		return decideCreate(s, c)
	case SubmitResponse:
		return decideSubmit(s, c)
	case CloseSurvey:
		return decideClose(s, c)
	}
	return nil, domain.Errorf(domain.Invalid, CodeUnknownCommand, "unknown survey command %T", c)
}

func requireSurvey(s State, a domain.Actor) error {
	if !s.Exists() {
		return domain.Errorf(domain.NotFound, CodeNotFound, "the survey does not exist")
	}
	if a.UserID == "" {
		return domain.Errorf(domain.Invalid, CodeActorRequired, "the acting user is missing")
	}
	return nil
}

// isPseudonym guards against an app that puts a user ID where a pseudonym
// belongs: domain.Pseudonym always yields the "anon:" prefix.
func isPseudonym(p string) bool { return strings.HasPrefix(p, "anon:") && len(p) <= MaxRespondentIDLen }
