package workspace

import (
	"strings"

	"github.com/hindsight-retro/hindsight/domain"
)

func decideRegisterTeam(s State, c RegisterTeam) ([]Event, error) {
	if err := requireAdmin(s, c.Actor); err != nil {
		return nil, err
	}
	if c.TeamID == "" {
		return nil, domain.Errorf(domain.Invalid, CodeTeamIDRequired, "a team ID is required")
	}
	name, err := cleanName(c.Name)
	if err != nil {
		return nil, err
	}
	if _, ok := s.Teams[c.TeamID]; ok {
		return nil, domain.Errorf(domain.Conflict, CodeTeamExists, "team %q is already registered", c.TeamID)
	}
	// Two teams with one name would be told apart only by ID, which people
	// never see; compare names case-insensitively for the same reason.
	for _, t := range s.Teams {
		if strings.EqualFold(t.Name, name) {
			return nil, domain.Errorf(domain.Conflict, CodeTeamNameTaken, "a team called %q already exists", t.Name)
		}
	}
	return []Event{TeamRegistered{TeamID: c.TeamID, Name: name, RegisteredBy: c.Actor.UserID, At: c.At}}, nil
}
