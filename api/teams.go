package api

import (
	"net/http"
	"time"

	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/projections/teamhistory"
)

// RecordActionRequest records a team action outside a retro.
type RecordActionRequest struct {
	Title    string     `json:"title"`
	Assignee string     `json:"assignee,omitempty"`
	Due      *time.Time `json:"due,omitempty"`
}

// ActionStatusRequest moves a team action on.
type ActionStatusRequest struct {
	// Status: open, kept, done or discarded.
	Status  string `json:"status"`
	Comment string `json:"comment,omitempty"`
}

// TextRequest carries one piece of free text (a comment, an answer).
type TextRequest struct {
	Text string `json:"text"`
}

// CreateRetroRequest creates a retro for the team of the path; you moderate it.
type CreateRetroRequest struct {
	Title string `json:"title"`
	// TemplateID names a retro template of the catalogue or of the workspace
	// (GET /v1/workspaces/{id}/templates); absent means the team's default.
	TemplateID string `json:"templateId,omitempty"`
	Anonymous  bool   `json:"anonymous,omitempty"`
	// Agenda absent means the template's steps, else the default agenda.
	Agenda []retro.Step `json:"agenda,omitempty"`
	// Voting is the budget and cap the retro's voting rounds start with: a
	// round opened with no budget takes both (absent: each round names its own).
	Voting *retro.VotingDefaults `json:"voting,omitempty"`
}

func teamRoutes() []route {
	history := withParams(list("/v1/teams/{teamId}/retros", "listTeamRetros",
		"The team's retro history, oldest first: date, duration, participants, cards, votes, actions, ROTI (members)",
		func(s *server, c call) ([]teamhistory.Entry, error) {
			if err := waitAfter(c, s.deps.App.WaitForHistory); err != nil {
				return nil, err
			}
			return s.deps.App.TeamRetros(c.r.Context(), c.p, c.param("teamId"))
		}), afterParam)

	return tagged("teams",
		query("/v1/teams/{teamId}", "getTeam", "A team as you may see it",
			func(s *server, c call) (team.TeamView, error) {
				return s.deps.App.Team(c.r.Context(), c.p, c.param("teamId"))
			}),
		addMemberRoute(),
		teamMembersRoute(),
		action(http.MethodDelete, "/v1/teams/{teamId}/members/{userId}", "removeMember", "Remove a member (team admins), or leave",
			func(s *server, c call) (app.Result, error) {
				return s.deps.App.RemoveMember(c.r.Context(), c.caller(), c.param("teamId"), app.Person{UserID: c.param("userId")})
			}),
		command(http.MethodPost, "/v1/teams/{teamId}/admins", "appointTeamAdmin", "Make a member a team admin (team admins)",
			func(s *server, c call, in UserRequest) (app.Result, error) {
				return s.deps.App.AppointTeamAdmin(c.r.Context(), c.caller(), c.param("teamId"), app.Person{UserID: in.UserID})
			}),
		action(http.MethodDelete, "/v1/teams/{teamId}/admins/{userId}", "removeTeamAdmin", "Take the team admin role away; the last one stays",
			func(s *server, c call) (app.Result, error) {
				return s.deps.App.RemoveTeamAdmin(c.r.Context(), c.caller(), c.param("teamId"), app.Person{UserID: c.param("userId")})
			}),
		action(http.MethodPost, "/v1/teams/{teamId}/guests/{userId}/promote", "promoteGuest", "Make a guest of the team's retros a member",
			func(s *server, c call) (app.Result, error) {
				return s.deps.App.PromoteGuest(c.r.Context(), c.caller(), c.param("teamId"), app.Person{UserID: c.param("userId")})
			}),
		list("/v1/teams/{teamId}/actions", "listTeamActions", "The team's action items, oldest first",
			func(s *server, c call) ([]team.Action, error) {
				return s.deps.App.TeamActions(c.r.Context(), c.p, c.param("teamId"))
			}),
		command(http.MethodPost, "/v1/teams/{teamId}/actions", "recordTeamAction", "Record an action item outside a retro",
			func(s *server, c call, in RecordActionRequest) (app.Result, error) {
				var due time.Time
				if in.Due != nil {
					due = *in.Due
				}
				return s.deps.App.RecordTeamAction(c.r.Context(), c.caller(), c.param("teamId"),
					app.RecordTeamActionInput{Title: in.Title, Assignee: in.Assignee, Due: due})
			}).created(),
		command(http.MethodPost, "/v1/teams/{teamId}/actions/{actionId}/status", "updateTeamActionStatus",
			"Mark a team action open, kept, done or discarded",
			func(s *server, c call, in ActionStatusRequest) (app.Result, error) {
				return s.deps.App.UpdateActionStatus(c.r.Context(), c.caller(), c.param("teamId"),
					app.UpdateActionStatusInput{ActionID: c.param("actionId"), Status: team.ActionStatus(in.Status), Comment: in.Comment})
			}),
		command(http.MethodPost, "/v1/teams/{teamId}/actions/{actionId}/comments", "commentOnTeamAction", "Comment on a team action",
			func(s *server, c call, in TextRequest) (app.Result, error) {
				return s.deps.App.CommentOnTeamAction(c.r.Context(), c.caller(), c.param("teamId"),
					app.CommentOnTeamActionInput{ActionID: c.param("actionId"), Text: in.Text})
			}).created(),
		history,
		command(http.MethodPost, "/v1/teams/{teamId}/retros", "createRetro",
			"Create a retro; you moderate it and the team's open actions are carried into its review",
			func(s *server, c call, in CreateRetroRequest) (app.Result, error) {
				return s.deps.App.CreateRetro(c.r.Context(), c.caller(), app.CreateRetroInput{
					TeamID: c.param("teamId"), Title: in.Title, TemplateID: in.TemplateID, Anonymous: in.Anonymous, Agenda: in.Agenda, Voting: in.Voting})
			}).created(),
	)
}
