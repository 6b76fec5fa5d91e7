package team

import "github.com/hindsight-retro/hindsight/domain"

func decideCreate(s State, c CreateTeam) ([]Event, error) {
	if s.Exists() {
		return nil, domain.Errorf(domain.Conflict, CodeAlreadyExists, "team %q already exists", s.ID)
	}
	if c.Actor.UserID == "" {
		return nil, domain.Errorf(domain.Invalid, CodeActorRequired, "the acting user is missing")
	}
	if !c.ByWorkspaceAdmin {
		return nil, domain.Errorf(domain.Forbidden, CodeNotWorkspaceAdmin, "only workspace admins create teams")
	}
	if c.TeamID == "" || c.WorkspaceID == "" {
		return nil, domain.Errorf(domain.Invalid, CodeIDRequired, "a team ID and a workspace ID are required")
	}
	name, err := cleanText(c.Name, MaxNameLength, CodeNameRequired, CodeNameTooLong, "the team name")
	if err != nil {
		return nil, err
	}
	if c.Template.ID == "" {
		return nil, domain.Errorf(domain.Invalid, CodeTemplateRequired, "a team template is required")
	}
	// The template's point is to pick the team's health check; one without
	// a pack would leave the team's first retro with none.
	if c.Template.HealthPack == "" {
		return nil, domain.Errorf(domain.Invalid, CodeTemplateNoPack, "team template %q names no health-check pack", c.Template.ID)
	}
	first := c.FirstAdminID
	if first == "" {
		first = c.Actor.UserID
	}
	return []Event{TeamCreated{
		TeamID: c.TeamID, WorkspaceID: c.WorkspaceID, Name: name,
		TemplateID: c.Template.ID, HealthPackID: c.Template.HealthPack, RetroTemplateID: c.Template.RetroTemplate,
		FirstAdminID: first, CreatedBy: c.Actor.UserID, At: c.At,
	}}, nil
}
