package api

import (
	"errors"
	"io"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/hindsight-retro/hindsight/api/problem"
	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/app/github"
	"github.com/hindsight-retro/hindsight/app/jira"
	"github.com/hindsight-retro/hindsight/domain/integration"
)

// CreateWebhookRequest creates an outgoing webhook for the team of the path.
type CreateWebhookRequest struct {
	// URL receives the deliveries; for format slack, the Slack
	// incoming-webhook URL (kept sealed, never shown again).
	URL string `json:"url"`
	// Format: cloudevents (default; signed CloudEvents 1.0) or slack (Block
	// Kit messages).
	Format integration.Format `json:"format,omitempty"`
	// Kinds: retro.closed, action.created, action.changed, survey.closed.
	Kinds []integration.Kind `json:"kinds"`
}

// JiraRequest connects the team of the path to Jira Cloud.
type JiraRequest struct {
	// Site is the Jira Cloud URL, such as https://acme.atlassian.net.
	Site string `json:"site"`
	// Email and APIToken are the account Hindsight acts as (the token is
	// kept sealed and never shown again).
	Email      string `json:"email"`
	APIToken   string `json:"apiToken"`
	ProjectKey string `json:"projectKey"`
	IssueType  string `json:"issueType"`
}

// GitHubRequest connects the team of the path to a GitHub repository.
type GitHubRequest struct {
	Owner string `json:"owner"`
	Repo  string `json:"repo"`
	// Token is a fine-grained token with Issues read and write on the
	// repository (kept sealed and never shown again).
	Token string `json:"token"`
}

func integrationRoutes() []route {
	return tagged("integrations",
		exchange("/v1/teams/{teamId}/jira", "configureJira",
			"Connect the team to Jira Cloud (team admins); the answer holds the Jira webhook's path and secret, shown this once",
			true, func(s *server, c call, in JiraRequest) (app.JiraConfigured, error) {
				return s.deps.App.ConfigureJira(c.r.Context(), c.caller(), c.param("teamId"), app.JiraInput{Site: in.Site,
					Email: in.Email, APIToken: in.APIToken, ProjectKey: in.ProjectKey, IssueType: in.IssueType})
			}),
		query("/v1/teams/{teamId}/jira", "getJira", "The team's Jira connection, without its token (team admins)",
			func(s *server, c call) (app.JiraView, error) {
				return s.deps.App.Jira(c.r.Context(), c.p, c.param("teamId"))
			}),
		list("/v1/teams/{teamId}/jira/issues", "listJiraIssues", "The Jira issues of the team's actions (members)",
			func(s *server, c call) ([]app.JiraIssueView, error) {
				return s.deps.App.JiraIssues(c.r.Context(), c.p, c.param("teamId"))
			}),
		action(http.MethodPost, "/v1/teams/{teamId}/actions/{actionId}/jira", "createJiraIssue",
			"Make a Jira issue from a team action (members); the link shows in the team's Jira issues once Jira made it",
			func(s *server, c call) (app.Result, error) {
				return s.deps.App.CreateJiraIssue(c.r.Context(), c.caller(), c.param("teamId"), c.param("actionId"))
			}).accepted(),
		jiraWebhookRoute(),
		exchange("/v1/teams/{teamId}/github", "configureGitHub",
			"Connect the team to a GitHub repository's issues (team admins); the answer holds the GitHub webhook's path and secret, shown this once",
			true, func(s *server, c call, in GitHubRequest) (app.GitHubConfigured, error) {
				return s.deps.App.ConfigureGitHub(c.r.Context(), c.caller(), c.param("teamId"), app.GitHubInput{Owner: in.Owner, Repo: in.Repo, Token: in.Token})
			}),
		query("/v1/teams/{teamId}/github", "getGitHub", "The team's GitHub repository, without its token (team admins)",
			func(s *server, c call) (app.GitHubView, error) {
				return s.deps.App.GitHub(c.r.Context(), c.p, c.param("teamId"))
			}),
		list("/v1/teams/{teamId}/github/issues", "listGitHubIssues", "The GitHub issues of the team's actions, keys as owner/repo#number (members)",
			func(s *server, c call) ([]app.JiraIssueView, error) {
				return s.deps.App.GitHubIssues(c.r.Context(), c.p, c.param("teamId"))
			}),
		action(http.MethodPost, "/v1/teams/{teamId}/actions/{actionId}/github", "createGitHubIssue",
			"Make a GitHub issue from a team action (members); the link shows in the team's GitHub issues once GitHub made it",
			func(s *server, c call) (app.Result, error) {
				return s.deps.App.CreateGitHubIssue(c.r.Context(), c.caller(), c.param("teamId"), c.param("actionId"))
			}).accepted(),
		gitHubWebhookRoute(),
		exchange("/v1/teams/{teamId}/webhooks", "createWebhook",
			"Create an outgoing webhook (team admins); the answer holds its signing secret, shown this once",
			true, func(s *server, c call, in CreateWebhookRequest) (app.CreatedWebhook, error) {
				return s.deps.App.CreateWebhook(c.r.Context(), c.caller(), c.param("teamId"),
					app.WebhookInput{URL: in.URL, Format: in.Format, Kinds: in.Kinds})
			}).created(),
		list("/v1/teams/{teamId}/webhooks", "listWebhooks", "The team's webhooks, without their secrets (team admins)",
			func(s *server, c call) ([]app.WebhookView, error) {
				return s.deps.App.Webhooks(c.r.Context(), c.p, c.param("teamId"))
			}),
		list("/v1/teams/{teamId}/webhooks/{webhookId}/deliveries", "listWebhookDeliveries",
			"A webhook's delivery log, newest first: each delivery's attempts with status and error (team admins)",
			func(s *server, c call) ([]app.DeliveryView, error) {
				return s.deps.App.WebhookDeliveries(c.r.Context(), c.p, c.param("teamId"), c.param("webhookId"))
			}),
		action(http.MethodDelete, "/v1/teams/{teamId}/webhooks/{webhookId}", "deleteWebhook",
			"Delete a webhook (team admins); its pending deliveries are dropped and its secret's key destroyed",
			func(s *server, c call) (app.Result, error) {
				return s.deps.App.DeleteWebhook(c.r.Context(), c.caller(), c.param("teamId"), c.param("webhookId"))
			}),
		action(http.MethodPost, "/v1/teams/{teamId}/webhooks/{webhookId}/enable", "enableWebhook",
			"Turn a webhook disabled after repeated failures back on (team admins); its queue resumes",
			func(s *server, c call) (app.Result, error) {
				return s.deps.App.EnableWebhook(c.r.Context(), c.caller(), c.param("teamId"), c.param("webhookId"))
			}),
	)
}

// jiraWebhookRoute takes Jira Cloud's webhook: no token, the secret is the
// last path segment and the body is signed with it (X-Hub-Signature). Its
// body is Jira's, read as it is (many fields this API does not know).
func jiraWebhookRoute() route {
	return route{method: http.MethodPost, pattern: app.JiraWebhookPath + "{teamId}/{secret}", op: "jiraWebhook",
		summary: "Jira Cloud's webhook for a team: an issue moved to a done status sets its action done; " +
			"the secret of the path and the X-Hub-Signature (HMAC-SHA256 of the body under it) are both checked",
		handle: func(s *server, rt *route, w http.ResponseWriter, r *http.Request) {
			if s.deps.App == nil {
				problem.Write(w, r, problem.New(problem.Unavailable, "the API is not configured on this server"))
				return
			}
			body, err := io.ReadAll(io.LimitReader(r.Body, jira.MaxWebhookBody+1))
			if err != nil {
				problem.Write(w, r, problem.New(problem.Validation, "the body could not be read"))
				return
			}
			if len(body) > jira.MaxWebhookBody {
				problem.Write(w, r, problem.BodyTooLarge(jira.MaxWebhookBody))
				return
			}
			err = s.deps.App.JiraWebhook(r.Context(), chi.URLParam(r, "teamId"), chi.URLParam(r, "secret"), r.Header.Get(jira.SignatureHeader), body)
			if err != nil && !errors.Is(err, app.ErrJiraWebhook) {
				s.fail(w, r, err)
				return
			}
			s.answer(w, r, rt, nil, err)
		}}
}

// gitHubWebhookRoute takes GitHub's webhook: no token, the secret is the
// last path segment and the body is signed with it (X-Hub-Signature-256).
func gitHubWebhookRoute() route {
	return route{method: http.MethodPost, pattern: app.GitHubWebhookPath + "{teamId}/{secret}", op: "gitHubWebhook",
		summary: "GitHub's webhook for a team (issues events): an issue closed sets its action done, reopened sets it open; " +
			"the secret of the path and the X-Hub-Signature-256 (HMAC-SHA256 of the body under it) are both checked, " +
			"and a delivery (X-GitHub-Delivery) that changed an issue is refused a second time (409)",
		handle: func(s *server, rt *route, w http.ResponseWriter, r *http.Request) {
			if s.deps.App == nil {
				problem.Write(w, r, problem.New(problem.Unavailable, "the API is not configured on this server"))
				return
			}
			body, err := io.ReadAll(io.LimitReader(r.Body, github.MaxWebhookBody+1))
			if err != nil {
				problem.Write(w, r, problem.New(problem.Validation, "the body could not be read"))
				return
			}
			if len(body) > github.MaxWebhookBody {
				problem.Write(w, r, problem.BodyTooLarge(github.MaxWebhookBody))
				return
			}
			err = s.deps.App.GitHubWebhook(r.Context(), chi.URLParam(r, "teamId"), chi.URLParam(r, "secret"), app.GitHubDelivery{
				Event: r.Header.Get(github.EventHeader), ID: r.Header.Get(github.DeliveryHeader), Signature: r.Header.Get(github.SignatureHeader), Body: body})
			if err != nil && !errors.Is(err, app.ErrGitHubWebhook) {
				s.fail(w, r, err)
				return
			}
			s.answer(w, r, rt, nil, err)
		}}
}
