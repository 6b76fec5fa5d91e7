// Package teamsurveys is the read model of which surveys were sent to each
// team, so a team's page can list them. It holds survey IDs only: the
// caller reads each survey's own view, which decides what the person may
// see of it (their own response, results once closed).
package teamsurveys

import (
	"slices"

	"github.com/hindsight-retro/hindsight/domain/survey"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/projections"
)

// Name of the read model.
const Name = "teamsurveys"

// Index is the read model.
type Index struct {
	*projections.Fold[state]
}

type state struct {
	// ByTeam maps a team ID to the IDs of its surveys, oldest first.
	ByTeam map[string][]string `json:"byTeam"`
}

// New returns an empty index.
func New() *Index {
	return &Index{projections.NewFold(Name, func() *state { return &state{ByTeam: map[string][]string{}} }, fold,
		projections.Types(survey.SurveyCreated{}))}
}

func fold(s *state, e eventstore.RecordedEvent, ev any) {
	created, ok := ev.(survey.SurveyCreated)
	if !ok || e.Stream.Category != survey.Category {
		return
	}
	for _, teamID := range created.TeamIDs {
		if !slices.Contains(s.ByTeam[teamID], e.Stream.ID) {
			s.ByTeam[teamID] = append(s.ByTeam[teamID], e.Stream.ID)
		}
	}
}

// Of lists the IDs of the surveys sent to the team, oldest first.
func (x *Index) Of(teamID string) []string {
	var out []string
	x.Read(func(s *state) { out = slices.Clone(s.ByTeam[teamID]) })
	return out
}
