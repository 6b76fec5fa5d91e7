package survey

import "github.com/hindsight-retro/hindsight/domain"

func decideClose(s State, c CloseSurvey) ([]Event, error) {
	if err := requireSurvey(s, c.Actor); err != nil {
		return nil, err
	}
	if s.Closed {
		return nil, domain.Errorf(domain.Conflict, CodeAlreadyClosed, "the survey is already closed")
	}
	early := c.At.Before(s.ClosesAt)
	if early && c.Actor.UserID != s.CreatedBy {
		return nil, domain.Errorf(domain.Forbidden, CodeNotCreator, "only the survey's creator closes it before its window ends")
	}
	return []Event{SurveyClosed{ClosedBy: c.Actor.UserID, Early: early, At: c.At}}, nil
}
