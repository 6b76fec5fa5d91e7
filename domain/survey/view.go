package survey

import (
	"maps"
	"slices"
	"time"

	"github.com/hindsight-retro/hindsight/domain/catalog"
)

// Viewer is who looks at the survey, and when: the survey counts as closed
// for a viewer who looks at or after ClosesAt.
type Viewer struct {
	UserID string
	// Pseudonym is the viewer's pseudonym in this survey, so they can see
	// their own anonymous response; empty once the key is destroyed.
	Pseudonym string
	At        time.Time
}

// SurveyView is what one person may see of a survey. It never names the
// creator or any respondent: before close it holds only the viewer's own
// response and a count; after close, the aggregates.
type SurveyView struct {
	ID               string             `json:"id"`
	Title            string             `json:"title"`
	TeamIDs          []string           `json:"teamIds"`
	RetroID          string             `json:"retroId,omitempty"`
	HealthQuestions  []catalog.Question `json:"healthQuestions"`
	OpenQuestions    []OpenQuestion     `json:"openQuestions"`
	OpensAt          time.Time          `json:"opensAt"`
	ClosesAt         time.Time          `json:"closesAt"`
	NamedOpenAnswers bool               `json:"namedOpenAnswers"`
	Closed           bool               `json:"closed"`
	ResponseCount    int                `json:"responseCount"`
	// CanClose tells the viewer they may close the survey now.
	CanClose bool `json:"canClose"`
	// Own is the viewer's own response, nil if they have none.
	Own *Response `json:"own,omitempty"`
	// Results is nil until the survey is closed.
	Results *Results `json:"results,omitempty"`
}

// View decides what v may see of the survey; p says how few answers the
// results withhold.
func View(s State, v Viewer, p Policy) SurveyView {
	closed := s.IsClosedAt(v.At)
	out := SurveyView{
		ID: s.ID, Title: s.Title, TeamIDs: slices.Clone(s.TeamIDs), RetroID: s.RetroID,
		HealthQuestions: slices.Clone(s.HealthQuestions), OpenQuestions: slices.Clone(s.OpenQuestions),
		OpensAt: s.OpensAt, ClosesAt: s.ClosesAt, NamedOpenAnswers: s.NamedOpenAnswers,
		Closed: closed, ResponseCount: len(s.Responses),
		CanClose: s.Exists() && !s.Closed && v.UserID != "" && (v.UserID == s.CreatedBy || closed),
	}
	own := Response{}
	if r, ok := s.Responses[v.Pseudonym]; ok && v.Pseudonym != "" {
		own.Ratings = maps.Clone(r.Ratings)
		own.OpenAnswers = maps.Clone(r.OpenAnswers)
	}
	if named, ok := s.NamedAnswers[v.UserID]; ok && v.UserID != "" {
		own.OpenAnswers = maps.Clone(named)
	}
	if own.Ratings != nil || own.OpenAnswers != nil {
		out.Own = &own
	}
	if closed {
		r := aggregate(s, p)
		out.Results = &r
	}
	return out
}
