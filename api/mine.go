package api

import (
	"context"
	"fmt"
	"github.com/hindsight-retro/hindsight/domain/survey"
	"net/http"
	"reflect"

	"github.com/hindsight-retro/hindsight/api/openapi"
	"github.com/hindsight-retro/hindsight/api/problem"
	"github.com/hindsight-retro/hindsight/app"
)

// AddMemberRequest adds a person to a team: by user ID, or by the e-mail
// address of their account (exactly one of the two).
type AddMemberRequest struct {
	UserID string `json:"userId,omitempty"`
	// Email finds the account registered with this address; an address
	// without an account is refused (404, code email-unknown), none is created.
	Email string `json:"email,omitempty"`
	// Role: member (the default) or admin.
	Role string `json:"role,omitempty"`
}

// latestParam documents the read-your-write rule of the "mine" lists.
var latestParam = openapi.Param{Name: "after", In: "query", Type: reflect.TypeFor[uint64](),
	Description: "a command's position to wait for (up to 5 s); without it the list waits for the log's end " +
		"as of the request, so it includes every write acknowledged before"}

// waitLatest waits until wait says the read model includes ?after=, or
// without it the log's last position when the request came, so a list
// always shows what its caller just created.
func waitLatest(s *server, c call, wait func(context.Context, uint64) error) error {
	pos, err := queryUint(c, "after")
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(c.r.Context(), readModelWait)
	defer cancel()
	if pos == 0 {
		if pos, err = s.deps.Store.LastPosition(ctx); err != nil {
			return fmt.Errorf("read the log's last position: %w", err)
		}
	}
	return wait(ctx, pos)
}

func mineRoutes() []route {
	return []route{
		withParams(list("/v1/me/workspaces", "listMyWorkspaces",
			"The workspaces you administer or have a team in, by name, with your role (admin or member)",
			func(s *server, c call) ([]app.WorkspaceSummary, error) {
				if err := waitLatest(s, c, s.deps.App.WaitForMembership); err != nil {
					return nil, err
				}
				return s.deps.App.MyWorkspaces(c.r.Context(), c.p)
			}), latestParam),
		withParams(list("/v1/me/teams", "listMyTeams",
			"The teams you are a member of, by workspace and name, with your role (admin or member)",
			func(s *server, c call) ([]app.TeamSummary, error) {
				if err := waitLatest(s, c, s.deps.App.WaitForMembership); err != nil {
					return nil, err
				}
				return s.deps.App.MyTeams(c.r.Context(), c.p)
			}), latestParam),
		withParams(list("/v1/me/surveys", "listMyOpenSurveys",
			"The surveys open to you now (sent to a team you are in), soonest closing first, each with your own response if you answered",
			func(s *server, c call) ([]survey.SurveyView, error) {
				if err := waitLatest(s, c, s.deps.App.WaitForMembership); err != nil {
					return nil, err
				}
				if err := waitLatest(s, c, s.deps.App.WaitForTeamSurveys); err != nil {
					return nil, err
				}
				return s.deps.App.MyOpenSurveys(c.r.Context(), c.p)
			}), latestParam),
	}
}

func addMemberRoute() route {
	return command(http.MethodPost, "/v1/teams/{teamId}/members", "addMember",
		"Add a member by userId or by the e-mail address of their account, as member or admin (team admins)",
		func(s *server, c call, in AddMemberRequest) (app.Result, error) {
			admin := false
			switch in.Role {
			case "", app.RoleMember:
			case app.RoleAdmin:
				admin = true
			default:
				return app.Result{}, problem.New(problem.Validation, "unknown role").WithField("role", "member or admin")
			}
			if (in.UserID == "") == (in.Email == "") {
				return app.Result{}, problem.New(problem.Validation, "name the person by userId or by email, not both").
					WithField("userId", "give exactly one of userId and email")
			}
			userID := in.UserID
			if in.Email != "" {
				// Only team admins may add, so only they learn whether an
				// address has an account: check before looking it up.
				if err := s.deps.App.TeamAdminGate(c.r.Context(), c.p, c.param("teamId")); err != nil {
					return app.Result{}, err
				}
				id, err := s.deps.Identity.AccountByEmail(c.r.Context(), in.Email)
				if err != nil {
					return app.Result{}, err
				}
				userID = id
			}
			return s.deps.App.AddMember(c.r.Context(), c.caller(), c.param("teamId"), app.AddMemberInput{UserID: userID, Admin: admin})
		})
}

func teamMembersRoute() route {
	return list("/v1/teams/{teamId}/members", "listTeamMembers",
		"The team's members and guests with display names and roles (members)",
		func(s *server, c call) ([]app.MemberInfo, error) {
			return s.deps.App.TeamMembers(c.r.Context(), c.p, c.param("teamId"))
		})
}

func workspaceTeamsRoute() route {
	return list("/v1/workspaces/{workspaceId}/teams", "listWorkspaceTeams",
		"The workspace's teams by name, with your role in each (its admins and the members of its teams)",
		func(s *server, c call) ([]app.TeamSummary, error) {
			return s.deps.App.WorkspaceTeams(c.r.Context(), c.p, c.param("workspaceId"))
		})
}
