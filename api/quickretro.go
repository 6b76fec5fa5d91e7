package api

import (
	"time"

	"github.com/go-chi/httprate"

	"github.com/hindsight-retro/hindsight/api/problem"
	"github.com/hindsight-retro/hindsight/app"
)

// DefaultQuickRetrosPerHour is how many quick retros one client address may
// start per hour.
const DefaultQuickRetrosPerHour = 10

// QuickRetroRequest starts a quick retro with nothing but a display name.
type QuickRetroRequest struct {
	Name string `json:"name"`
	// Title of the retro; "Quick retro" when empty.
	Title string `json:"title,omitempty"`
}

// QuickRetroResponse is a started quick retro, shown once: the invite for
// the others, the claim token that adopts it into an account, and the
// starter's session (in cookies with X-Session-Mode: cookie).
type QuickRetroResponse struct {
	WorkspaceID string `json:"workspaceId"`
	TeamID      string `json:"teamId"`
	RetroID     string `json:"retroId"`
	InviteCode  string `json:"inviteCode"`
	// JoinPath is the invite link's path: /join/<inviteCode>.
	JoinPath   string        `json:"joinPath"`
	ClaimToken string        `json:"claimToken"`
	ExpiresAt  time.Time     `json:"expiresAt"`
	Session    TokenResponse `json:"session"`
}

// ClaimQuickRetroRequest adopts a quick retro into the caller's account.
type ClaimQuickRetroRequest struct {
	ClaimToken string `json:"claimToken"`
}

// ClaimedQuickRetro names what the claim adopted.
type ClaimedQuickRetro struct {
	WorkspaceID string `json:"workspaceId"`
	TeamID      string `json:"teamId"`
	RetroID     string `json:"retroId"`
}

func quickRetroRoutes() []route {
	start := withParams(exchange("/v1/quick-retros", "startQuickRetro",
		"Start a quick retro with only a display name: a real retro in a throwaway workspace, an invite link and a claim token; "+
			"unclaimed ones are erased after 24 hours; limited per client address per hour", false,
		func(s *server, c call, in QuickRetroRequest) (QuickRetroResponse, error) {
			if s.quick == nil {
				return QuickRetroResponse{}, problem.New(problem.NotFound, "quick retros are turned off on this server")
			}
			if s.quick.OnLimit(c.w, c.r, clientIP(c.r)) {
				return QuickRetroResponse{}, problem.New(problem.RateLimited,
					"too many quick retros from this address this hour; wait for Retry-After seconds, or sign up").WithCode("quick-retro-limit")
			}
			q, err := s.deps.App.StartQuickRetro(c.r.Context(), "quick-"+s.deps.NewID(), app.QuickRetroInput{Name: in.Name, Title: in.Title})
			if err != nil {
				return QuickRetroResponse{}, err
			}
			session, err := issue(c, q.Session)
			if err != nil {
				return QuickRetroResponse{}, err
			}
			return QuickRetroResponse{WorkspaceID: q.WorkspaceID, TeamID: q.TeamID, RetroID: q.RetroID, InviteCode: q.InviteCode,
				JoinPath: "/join/" + q.InviteCode, ClaimToken: q.ClaimToken, ExpiresAt: q.ExpiresAt.UTC(), Session: session}, nil
		}).public().created(), sessionModeParam)
	claim := exchange("/v1/quick-retros/claim", "claimQuickRetro",
		"Adopt a quick retro into your account with its claim token: you become admin of its workspace and team and its moderator, and it no longer expires", true,
		func(s *server, c call, in ClaimQuickRetroRequest) (ClaimedQuickRetro, error) {
			q, err := s.deps.App.ClaimQuickRetro(c.r.Context(), c.caller(), in.ClaimToken)
			return ClaimedQuickRetro{WorkspaceID: q.WorkspaceID, TeamID: q.TeamID, RetroID: q.RetroID}, err
		})
	return tagged("quick-retros", start, claim)
}

// newQuickLimiter counts quick retros per client address per hour; nil
// turns quick retros off.
func newQuickLimiter(perHour int) *httprate.RateLimiter {
	if perHour < 0 {
		return nil
	}
	if perHour == 0 {
		perHour = DefaultQuickRetrosPerHour
	}
	return httprate.NewRateLimiter(perHour, time.Hour)
}
