package team

import "sort"

// Viewer is who looks at the team.
type Viewer struct {
	UserID string
}

// TeamView is what one person may see of a team. Everyone who may see the team
// at all (workspace admins, members) gets its metadata and counts; only
// members get Content.
type TeamView struct {
	ID              string `json:"id"`
	WorkspaceID     string `json:"workspaceId"`
	Name            string `json:"name"`
	TemplateID      string `json:"templateId,omitempty"`
	HealthPackID    string `json:"healthPackId,omitempty"`
	RetroTemplateID string `json:"retroTemplateId,omitempty"`
	MemberCount     int    `json:"memberCount"`
	OpenActionCount int    `json:"openActionCount"`
	IsMember        bool   `json:"isMember"`
	IsAdmin         bool   `json:"isAdmin"`
	// Content is nil for anyone who is not a member.
	Content *Content `json:"content,omitempty"`
}

// Content is the part of a team only its members see.
type Content struct {
	Members []MemberView `json:"members"`
	Guests  []Guest      `json:"guests"`
	Actions []Action     `json:"actions"`
}

// MemberView is one member and their role.
type MemberView struct {
	UserID string `json:"userId"`
	Admin  bool   `json:"admin"`
}

// View decides what v may see of the team.
func View(s State, v Viewer) TeamView {
	out := TeamView{
		ID: s.ID, WorkspaceID: s.WorkspaceID, Name: s.Name,
		TemplateID: s.TemplateID, HealthPackID: s.HealthPackID, RetroTemplateID: s.RetroTemplateID,
		MemberCount: len(s.Members), OpenActionCount: len(OpenActions(s)),
		IsMember: s.IsMember(v.UserID), IsAdmin: s.IsAdmin(v.UserID),
	}
	if !CanSeeContent(s, v.UserID) {
		return out
	}
	c := &Content{Members: []MemberView{}, Guests: []Guest{}, Actions: []Action{}}
	for id := range s.Members {
		c.Members = append(c.Members, MemberView{UserID: id, Admin: s.Admins[id]})
	}
	sort.Slice(c.Members, func(i, j int) bool { return c.Members[i].UserID < c.Members[j].UserID })
	for _, g := range s.Guests {
		g.RetroIDs = append([]string(nil), g.RetroIDs...)
		c.Guests = append(c.Guests, g)
	}
	sort.Slice(c.Guests, func(i, j int) bool { return c.Guests[i].UserID < c.Guests[j].UserID })
	for _, id := range s.ActionOrder {
		a := s.Actions[id]
		a.Comments = append([]Comment(nil), a.Comments...)
		c.Actions = append(c.Actions, a)
	}
	out.Content = c
	return out
}
