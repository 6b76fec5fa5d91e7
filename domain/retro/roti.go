package retro

import (
	"time"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/catalog"
)

// RateRoti rates return on time invested on the retro's ROTI scale: 1 (a
// waste of time) to 5 (well worth it), or 0..10 in a retro created before
// the classic scale; rating again replaces the rating. Always anonymous:
// the actor's pseudonym is required.
type RateRoti struct {
	Actor domain.Actor
	At    time.Time
	Score int
}

// CloseRoti ends the rating, showing the average even if not everyone rated.
type CloseRoti struct {
	Actor domain.Actor
	At    time.Time
}

func (RateRoti) isCommand()  {}
func (CloseRoti) isCommand() {}

// RotiRated: one rating; Rater is always a pseudonym.
type RotiRated struct {
	Rater string    `json:"rater"`
	Score int       `json:"score"`
	At    time.Time `json:"at"`
}

// RotiClosed: ratings are final and the average is shown.
type RotiClosed struct {
	At time.Time `json:"at"`
}

func (RotiRated) EventType() string  { return TypeRotiRated }
func (RotiClosed) EventType() string { return TypeRotiClosed }

func decideRateRoti(s State, c RateRoti) ([]Event, error) {
	if err := s.asParticipant(c.Actor); err != nil {
		return nil, err
	}
	who, err := requirePseudonym(c.Actor)
	if err != nil {
		return nil, err
	}
	if lo, hi := RotiRange(s.Roti.Scale); c.Score < lo || c.Score > hi {
		return nil, domain.Errorf(domain.Invalid, CodeScoreOutOfRange, "ROTI is %d..%d in this retro, not %d", lo, hi, c.Score)
	}
	if s.Roti.Closed {
		return nil, domain.Errorf(domain.Conflict, CodeRotiClosed, "the ROTI is closed")
	}
	if old, ok := s.Roti.Ratings[who]; ok && old == c.Score {
		return nil, nil
	}
	return []Event{RotiRated{Rater: who, Score: c.Score, At: c.At}}, nil
}

// RotiRange is the lowest and highest rating on a ROTI scale.
func RotiRange(scale catalog.Scale) (lo, hi int) {
	if scale == catalog.ScaleTen {
		return 0, 10
	}
	return 1, 5
}

// RotiOnFive maps a rating on scale onto 1..5, so averages of retros rated
// before and after the classic scale can be put side by side: 0..10 maps
// linearly, 0 to 1 and 10 to 5.
func RotiOnFive(scale catalog.Scale, score float64) float64 {
	if scale == catalog.ScaleTen {
		return 1 + score*4/10
	}
	return score
}

func decideCloseRoti(s State, c CloseRoti) ([]Event, error) {
	if err := s.asModerator(c.Actor); err != nil {
		return nil, err
	}
	if s.Roti.Closed {
		return nil, nil
	}
	return []Event{RotiClosed{At: c.At}}, nil
}

func evolveRoti(s State, e Event) State {
	switch e := e.(type) {
	case RotiRated:
		s.Roti.Ratings[e.Rater] = e.Score
	case RotiClosed:
		s.Roti.Closed = true
	}
	return s
}

// rotiVisible: the average shows once everyone rated or the ROTI closed.
func (s State) rotiVisible() bool {
	return s.Roti.Closed || (len(s.Participants) > 0 && len(s.Roti.Ratings) >= len(s.Participants))
}
