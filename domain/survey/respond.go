package survey

import (
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/catalog"
)

func decideSubmit(s State, c SubmitResponse) ([]Event, error) {
	if err := requireSurvey(s, c.Actor); err != nil {
		return nil, err
	}
	if c.At.Before(s.OpensAt) {
		return nil, domain.Errorf(domain.Conflict, CodeNotOpenYet, "the survey opens at %s", s.OpensAt.UTC().Format("2006-01-02 15:04 MST"))
	}
	if s.IsClosedAt(c.At) {
		return nil, domain.Errorf(domain.Conflict, CodeClosed, "the survey is closed")
	}
	ratings, err := checkRatings(s, c.Ratings)
	if err != nil {
		return nil, err
	}
	answers, err := checkAnswers(s, c.OpenAnswers)
	if err != nil {
		return nil, err
	}
	if len(ratings)+len(answers) == 0 {
		return nil, domain.Errorf(domain.Invalid, CodeEmptyResponse, "the response answers nothing")
	}
	if s.NamedOpenAnswers && len(answers) > 0 {
		if len(ratings) > 0 {
			return nil, domain.Errorf(domain.Invalid, CodeSubmitSeparately,
				"open answers are named in this survey: send them apart from the anonymous ratings")
		}
		_, again := s.NamedAnswers[c.Actor.UserID]
		return []Event{NamedAnswersSubmitted{Author: c.Actor.UserID, Answers: answers, Replaces: again, At: c.At}}, nil
	}
	team := ""
	if len(s.TeamIDs) > 1 {
		if !slices.Contains(s.TeamIDs, c.Team) {
			return nil, domain.Errorf(domain.Invalid, CodeNotSurveyTeam, "this survey went to several teams: a response names one of them, not %q", c.Team)
		}
		team = c.Team
	}
	if !isPseudonym(c.Actor.Pseudonym) {
		return nil, domain.Errorf(domain.Invalid, CodePseudonymRequired, "an anonymous response needs the respondent's pseudonym")
	}
	_, again := s.Responses[c.Actor.Pseudonym]
	return []Event{ResponseSubmitted{Respondent: c.Actor.Pseudonym, Ratings: ratings, OpenAnswers: answers, Replaces: again, Team: team, At: c.At}}, nil
}

func checkRatings(s State, in map[string]int) (map[string]int, error) {
	if len(in) == 0 {
		return nil, nil
	}
	for id, v := range in {
		q, ok := s.healthQuestion(id)
		if !ok {
			return nil, domain.Errorf(domain.Invalid, CodeUnknownQuestion, "the survey has no health question %q", id)
		}
		lo, hi := scaleRange(q.Scale)
		if v < lo || v > hi {
			return nil, domain.Errorf(domain.Invalid, CodeRatingOutOfRange, "question %q is rated %d to %d, not %d", id, lo, hi, v)
		}
	}
	return maps.Clone(in), nil
}

// checkAnswers trims answers and drops empty ones: an empty box is a
// question skipped, not an answer.
func checkAnswers(s State, in map[string]string) (map[string]string, error) {
	out := map[string]string{}
	for id, text := range in {
		if _, ok := s.openQuestion(id); !ok {
			return nil, domain.Errorf(domain.Invalid, CodeUnknownQuestion, "the survey has no open question %q", id)
		}
		t := strings.TrimSpace(text)
		if t == "" {
			continue
		}
		if utf8.RuneCountInString(t) > MaxAnswerLength {
			return nil, domain.Errorf(domain.Invalid, CodeAnswerTooLong, "the answer to %q is longer than %d characters", id, MaxAnswerLength)
		}
		out[id] = t
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

func scaleRange(sc catalog.Scale) (lo, hi int) {
	if sc == catalog.ScaleTen {
		return 0, 10
	}
	return 1, 5
}
