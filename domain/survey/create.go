package survey

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/catalog"
)

func decideCreate(s State, c CreateSurvey) ([]Event, error) {
	if s.Exists() {
		return nil, domain.Errorf(domain.Conflict, CodeAlreadyExists, "survey %q already exists", s.ID)
	}
	if c.Actor.UserID == "" {
		return nil, domain.Errorf(domain.Invalid, CodeActorRequired, "the acting user is missing")
	}
	if c.SurveyID == "" {
		return nil, domain.Errorf(domain.Invalid, CodeIDRequired, "a survey ID is required")
	}
	teams, err := checkTeams(c.TeamIDs, c.ActorIsWorkspaceAdmin)
	if err != nil {
		return nil, err
	}
	title := strings.TrimSpace(c.Title)
	if title == "" {
		return nil, domain.Errorf(domain.Invalid, CodeTitleRequired, "a title is required")
	}
	if utf8.RuneCountInString(title) > MaxTitleLength {
		return nil, domain.Errorf(domain.Invalid, CodeTitleTooLong, "the title is longer than %d characters", MaxTitleLength)
	}
	health, open, err := checkQuestions(c.HealthQuestions, c.OpenQuestions)
	if err != nil {
		return nil, err
	}
	if !c.ClosesAt.After(c.OpensAt) {
		return nil, domain.Errorf(domain.Invalid, CodeWindowInvalid, "the survey must close after it opens")
	}
	if !c.ClosesAt.After(c.At) {
		return nil, domain.Errorf(domain.Invalid, CodeWindowPast, "the survey would close before it is sent")
	}
	return []Event{SurveyCreated{
		SurveyID: c.SurveyID, TeamIDs: teams, Title: title, RetroID: c.RetroID,
		HealthQuestions: health, OpenQuestions: open, OpensAt: c.OpensAt, ClosesAt: c.ClosesAt,
		NamedOpenAnswers: c.NamedOpenAnswers, CreatedBy: c.Actor.UserID, At: c.At,
	}}, nil
}

func checkTeams(ids []string, byWorkspaceAdmin bool) ([]string, error) {
	if len(ids) == 0 {
		return nil, domain.Errorf(domain.Invalid, CodeTeamRequired, "a survey goes to at least one team")
	}
	if len(ids) > MaxTeams {
		return nil, domain.Errorf(domain.Invalid, CodeTooManyTeams, "a survey goes to at most %d teams", MaxTeams)
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if id == "" {
			return nil, domain.Errorf(domain.Invalid, CodeTeamRequired, "a team ID is empty")
		}
		if seen[id] {
			return nil, domain.Errorf(domain.Invalid, CodeDuplicateTeam, "team %q is listed twice", id)
		}
		seen[id] = true
	}
	if len(ids) > 1 && !byWorkspaceAdmin {
		return nil, domain.Errorf(domain.Forbidden, CodeMultiTeamForbidden, "only workspace admins send a survey to several teams")
	}
	return slices.Clone(ids), nil
}

func checkQuestions(health []catalog.Question, open []OpenQuestion) ([]catalog.Question, []OpenQuestion, error) {
	if len(health)+len(open) == 0 {
		return nil, nil, domain.Errorf(domain.Invalid, CodeNoQuestions, "a survey asks at least one question")
	}
	if len(health)+len(open) > MaxQuestions {
		return nil, nil, domain.Errorf(domain.Invalid, CodeTooManyQuestions, "a survey asks at most %d questions", MaxQuestions)
	}
	// Health and open questions share one ID space: answers are keyed by it.
	seen := map[string]bool{}
	check := func(id, text string) error {
		if id == "" || strings.TrimSpace(text) == "" || utf8.RuneCountInString(text) > MaxQuestionLength {
			return domain.Errorf(domain.Invalid, CodeInvalidQuestion, "question %q needs an ID and a text of at most %d characters", id, MaxQuestionLength)
		}
		if seen[id] {
			return domain.Errorf(domain.Invalid, CodeDuplicateQuestion, "question %q is asked twice", id)
		}
		seen[id] = true
		return nil
	}
	for _, q := range health {
		if err := check(q.ID, q.Text); err != nil {
			return nil, nil, err
		}
		if q.Scale != catalog.ScaleFive && q.Scale != catalog.ScaleTen {
			return nil, nil, domain.Errorf(domain.Invalid, CodeInvalidScale, "question %q has scale %q; want 1-5 or 0-10", q.ID, q.Scale)
		}
	}
	for _, q := range open {
		if err := check(q.ID, q.Text); err != nil {
			return nil, nil, err
		}
		if len(q.Column) > MaxColumnIDLength || strings.ContainsFunc(q.Column, unicode.IsControl) {
			return nil, nil, domain.Errorf(domain.Invalid, CodeInvalidQuestion, "question %q: a column ID has at most %d characters and no control characters", q.ID, MaxColumnIDLength)
		}
	}
	return slices.Clone(health), slices.Clone(open), nil
}
