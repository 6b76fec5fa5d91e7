package team

import (
	"slices"
	"time"
)

// Evolve folds one event into the state.
func Evolve(s State, e Event) State {
	switch e := e.(type) {
	case TeamCreated:
		s.ID = e.TeamID
		s.WorkspaceID = e.WorkspaceID
		s.Name = e.Name
		s.TemplateID = e.TemplateID
		s.HealthPackID = e.HealthPackID
		s.RetroTemplateID = e.RetroTemplateID
		s.CreatedAt = e.At
		s.Members = map[string]bool{e.FirstAdminID: true}
		s.Admins = map[string]bool{e.FirstAdminID: true}
		s.Guests = map[string]Guest{}
		s.Actions = map[string]Action{}
	case MemberAdded:
		s.Members = withKey(s.Members, e.UserID, true)
	case MemberRemoved:
		s.Members = withoutKey(s.Members, e.UserID)
		s.Admins = withoutKey(s.Admins, e.UserID)
	case TeamAdminAppointed:
		s.Admins = withKey(s.Admins, e.UserID, true)
	case TeamAdminRemoved:
		s.Admins = withoutKey(s.Admins, e.UserID)
	case GuestAdmitted:
		g := s.Guests[e.GuestUserID]
		g.UserID = e.GuestUserID
		g.RetroIDs = append(slices.Clip(g.RetroIDs), e.RetroID)
		s.Guests = withKey(s.Guests, e.GuestUserID, g)
	case GuestPromoted:
		s.Guests = withoutKey(s.Guests, e.GuestUserID)
		s.Members = withKey(s.Members, e.GuestUserID, true)
	case ActionRecorded:
		s.Actions = withKey(s.Actions, e.ActionID, Action{
			ID: e.ActionID, Title: e.Title, Assignee: e.Assignee, Due: e.Due,
			OriginRetroID: e.OriginRetroID, Status: StatusOpen, CreatedAt: e.At, UpdatedAt: e.At,
		})
		s.ActionOrder = append(slices.Clip(s.ActionOrder), e.ActionID)
	case ActionStatusChanged:
		a := s.Actions[e.ActionID]
		a.Status = e.To
		a.UpdatedAt = e.At
		if e.RetroID != "" {
			a.ReviewedInRetro = e.RetroID
		}
		s.Actions = withKey(s.Actions, e.ActionID, a)
	case ActionReassigned:
		a := s.Actions[e.ActionID]
		a.Assignee = e.To
		a.UpdatedAt = e.At
		s.Actions = withKey(s.Actions, e.ActionID, a)
	case ActionRescheduled:
		a := s.Actions[e.ActionID]
		a.Due = time.Time{}
		if e.Due != nil {
			a.Due = *e.Due
		}
		a.UpdatedAt = e.At
		s.Actions = withKey(s.Actions, e.ActionID, a)
	case ActionCommented:
		a := s.Actions[e.ActionID]
		a.Comments = append(slices.Clip(a.Comments), Comment{ID: e.CommentID, Author: e.Author, Text: e.Text, At: e.At})
		a.UpdatedAt = e.At
		s.Actions = withKey(s.Actions, e.ActionID, a)
	}
	return s
}

func withKey[V any](m map[string]V, k string, v V) map[string]V {
	c := make(map[string]V, len(m)+1)
	for key, val := range m {
		c[key] = val
	}
	c[k] = v
	return c
}

func withoutKey[V any](m map[string]V, k string) map[string]V {
	c := make(map[string]V, len(m))
	for key, val := range m {
		if key != k {
			c[key] = val
		}
	}
	return c
}
