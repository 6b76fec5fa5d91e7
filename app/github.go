package app

// GitHub Issues, per team, the way Jira works (jira.go): an admin stores
// the repository and a token (sealed under the team's GitHub key); a member
// asks for an issue from a team action (IssueRequested, tracker github),
// and the GitHub reactor (its own checkpoint) creates it and records the
// link. GitHub's "issues" webhook, verified by the secret in its URL and
// its X-Hub-Signature-256, records IssueResolved when the issue is closed
// and IssueReopened when it is reopened; the reactor sets the team's
// action done or open again. A delivery (X-GitHub-Delivery) is taken once.
//
// The API's base URL is the operator's (IntegrationsConfig.GitHubAPI), never
// a team's, and is dialled through the same address guard as webhooks.
//
// A creation whose answer was lost is not repeated blindly: every issue's
// body ends in a marker naming the request, and the reactor looks for it
// among the repository's recent issues before it creates.

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/hindsight-retro/hindsight/app/github"
	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/integration"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/aggregate"
	"github.com/hindsight-retro/hindsight/projections/runner"
)

// GitHubReactorName names the reactor that talks to GitHub.
const GitHubReactorName = "integrations-github"

// GitHubWebhookPath is where GitHub's webhook for a team is sent; the last
// segment is the secret shown once when GitHub is configured.
const GitHubWebhookPath = "/v1/integrations/github/"

// GitHubInput is a team's GitHub repository and the token Hindsight acts
// with (a fine-grained token with Issues: read and write).
type GitHubInput struct {
	Owner, Repo, Token string
}

// GitHubView is a team's GitHub connection as its admins see it: never the
// token.
type GitHubView struct {
	Owner string    `json:"owner"`
	Repo  string    `json:"repo"`
	By    string    `json:"by"`
	At    time.Time `json:"at"`
}

// GitHubConfigured answers a configuration: the webhook's path and secret,
// shown this once, to register in the repository's webhook settings.
type GitHubConfigured struct {
	Result
	GitHub        GitHubView `json:"github"`
	WebhookPath   string     `json:"webhookPath,omitempty"`
	WebhookSecret string     `json:"webhookSecret,omitempty"`
}

// ConfigureGitHub stores the team's GitHub repository (team admins); the
// token is sealed, and a new webhook secret is made and shown once.
func (a *App) ConfigureGitHub(ctx context.Context, c identity.Caller, teamID string, in GitHubInput) (GitHubConfigured, error) {
	if err := a.TeamAdminGate(ctx, c.Principal, teamID); err != nil {
		return GitHubConfigured{}, err
	}
	if err := a.keptOnlyOnceClaimedInTeam(ctx, teamID, "a GitHub connection"); err != nil {
		return GitHubConfigured{}, err
	}
	if in.Token == "" || len(in.Token) > 1000 {
		return GitHubConfigured{}, domain.Errorf(domain.Invalid, integration.CodeGitHubInvalid, "a token with access to the repository's issues is required")
	}
	sealed, secret, err := a.sealToken(ctx, gitHubSecrets, teamID, in.Token)
	if err != nil {
		return GitHubConfigured{}, err
	}
	by := domain.Actor{UserID: c.Principal.UserID}
	r, err := a.in.runner.Handle(ctx, teamID, aggregate.Meta{CommandID: c.CommandID, Actor: by.UserID},
		integration.ConfigureGitHub{Actor: by, At: a.now(), TeamID: teamID, Owner: in.Owner, Repo: in.Repo, SealedToken: sealed,
			SecretHash: gitHubSecrets.secretHash(secret)})
	if err != nil {
		return GitHubConfigured{}, fmt.Errorf("team %s: configure GitHub: %w", teamID, err)
	}
	out := GitHubConfigured{Result: Result{StreamVersion: r.Version, Position: r.Position, Duplicate: r.Duplicate}, GitHub: gitHubView(r.State.GitHub)}
	if !r.Duplicate {
		out.WebhookPath, out.WebhookSecret = GitHubWebhookPath+teamID+"/"+secret, secret
	}
	return out, nil
}

// GitHub is the team's GitHub connection (team admins).
func (a *App) GitHub(ctx context.Context, p identity.Principal, teamID string) (GitHubView, error) {
	s, err := a.adminIntegrations(ctx, p, teamID)
	if err != nil {
		return GitHubView{}, err
	}
	if s.GitHub == nil {
		return GitHubView{}, domain.Errorf(domain.NotFound, integration.CodeGitHubNotConfigured, "the team has no GitHub repository")
	}
	return gitHubView(s.GitHub), nil
}

func gitHubView(g *integration.GitHub) GitHubView {
	if g == nil {
		return GitHubView{}
	}
	return GitHubView{Owner: g.Owner, Repo: g.Repo, By: g.By, At: g.At}
}

// CreateGitHubIssue asks for a GitHub issue for one of the team's actions
// (members); the issue is made by the GitHub reactor, and the link shows
// in GitHubIssues.
func (a *App) CreateGitHubIssue(ctx context.Context, c identity.Caller, teamID, actionID string) (Result, error) {
	return a.requestIssue(ctx, c, teamID, actionID, integration.TrackerGitHub)
}

// GitHubIssues lists the team's actions' GitHub issues (members); an
// issue's key is owner/repo#number.
func (a *App) GitHubIssues(ctx context.Context, p identity.Principal, teamID string) ([]JiraIssueView, error) {
	return a.trackerIssues(ctx, p, teamID, integration.TrackerGitHub)
}

// ErrGitHubWebhook refuses a GitHub delivery that does not prove it is
// GitHub's: the same answer for an unknown team, a wrong secret, a missing
// or wrong signature and a missing delivery ID.
var ErrGitHubWebhook = domain.Errorf(domain.NotFound, "github-webhook-unknown", "no such webhook")

// GitHubDelivery is one webhook delivery as GitHub sends it.
type GitHubDelivery struct {
	// Event, ID and Signature are the X-GitHub-Event, X-GitHub-Delivery
	// and X-Hub-Signature-256 headers.
	Event, ID, Signature string
	Body                 []byte
}

// GitHubWebhook takes GitHub's webhook for a team: the secret of its URL,
// compared in constant time with the one stored (as a hash), and the
// X-Hub-Signature-256 HMAC of the body under the same secret. An issue
// linked to an action that was closed records IssueResolved, one reopened
// IssueReopened, unless GitHub said something newer of the issue before
// (the issue's updated_at orders deliveries; a stale one is taken and
// changes nothing); a delivery that changed an issue before is refused
// (integration.CodeDeliveryReplayed); every other event is taken and
// ignored.
func (a *App) GitHubWebhook(ctx context.Context, teamID, secret string, d GitHubDelivery) error {
	s, _, err := a.in.runner.Load(ctx, teamID)
	if errors.Is(err, eventstore.ErrInvalidArgument) {
		return ErrGitHubWebhook
	}
	if err != nil {
		return fmt.Errorf("load team %s's integrations: %w", teamID, err)
	}
	if s.GitHub == nil || subtle.ConstantTimeCompare([]byte(gitHubSecrets.secretHash(secret)), []byte(s.GitHub.SecretHash)) != 1 {
		return ErrGitHubWebhook
	}
	if err := github.Verify([]byte(secret), d.Body, d.Signature); err != nil || d.ID == "" || len(d.ID) > 100 {
		return ErrGitHubWebhook
	}
	if d.Event != "issues" {
		return nil // ping, and events the webhook was not set up for
	}
	ev, err := github.ParseWebhook(d.Body)
	if err != nil {
		return domain.Errorf(domain.Invalid, "github-webhook-invalid", "not a GitHub issues event")
	}
	if ev.Action != "closed" && ev.Action != "reopened" || s.IssueByKey(integration.TrackerGitHub, ev.Key) == nil {
		return nil
	}
	var cmd integration.Command = integration.ResolveIssue{Tracker: integration.TrackerGitHub, At: a.now(), Key: ev.Key, Delivery: d.ID, Reported: ev.At}
	if ev.Action == "reopened" {
		cmd = integration.ReopenIssue{Tracker: integration.TrackerGitHub, At: a.now(), Key: ev.Key, Delivery: d.ID, Reported: ev.At}
	}
	r, err := a.in.runner.Handle(ctx, teamID, aggregate.Meta{CommandID: derivedID("github-delivery", teamID+"\x00"+d.ID)}, cmd)
	if err != nil {
		return fmt.Errorf("team %s: record %s %s: %w", teamID, ev.Key, ev.Action, err)
	}
	if r.Duplicate {
		return domain.Errorf(domain.Conflict, integration.CodeDeliveryReplayed, "delivery %s was taken before", d.ID)
	}
	return nil
}

func (a *App) newGitHubReactor() (*runner.Reactor, error) {
	return runner.NewReactor(runner.ReactorConfig{
		Name: GitHubReactorName, Store: a.d.Store, Logger: a.d.Logger,
		Reacts: func(e eventstore.RecordedEvent) bool {
			return e.Stream.Category == integration.Category &&
				(e.Type == integration.TypeIssueRequested || e.Type == integration.TypeIssueResolved || e.Type == integration.TypeIssueReopened)
		},
		React: a.gitHubReaction,
	})
}

func (a *App) gitHubReaction(ctx context.Context, e eventstore.RecordedEvent) error {
	ev, err := integration.DecodeEvent(e.Type, e.SchemaVersion, e.Payload)
	if err != nil {
		return nil
	}
	teamID := e.Stream.ID
	switch ev := ev.(type) {
	case integration.IssueRequested:
		if ev.Tracker == integration.TrackerGitHub {
			return a.createGitHubIssue(ctx, teamID, ev)
		}
	case integration.IssueResolved:
		if ev.Tracker == integration.TrackerGitHub {
			return a.trackerActionStatus(ctx, teamID, integration.TrackerGitHub, ev.ActionID, team.StatusDone, "Closed on GitHub ("+ev.Key+")", e.EventID)
		}
	case integration.IssueReopened:
		if ev.Tracker == integration.TrackerGitHub {
			return a.trackerActionStatus(ctx, teamID, integration.TrackerGitHub, ev.ActionID, team.StatusOpen, "Reopened on GitHub ("+ev.Key+")", e.EventID)
		}
	}
	return nil
}

// gitHubIssueBody is all an issue says beyond the action's title: where it
// came from, and the marker of its request. Nothing of the retro (cards,
// authors, votes) goes to GitHub.
func gitHubIssueBody(teamID string, req integration.IssueRequested) (body, marker string) {
	marker = "<!-- hindsight-request: " + req.RequestID + " -->"
	return "Action item from Hindsight (team " + teamID + ", action " + req.ActionID + ").\n\n" + marker, marker
}

func (a *App) createGitHubIssue(ctx context.Context, teamID string, req integration.IssueRequested) error {
	s, _, err := a.in.runner.Load(ctx, teamID)
	if err != nil {
		return fmt.Errorf("load team %s's integrations: %w", teamID, err)
	}
	i := s.GitHubIssues[req.ActionID]
	if i == nil || i.RequestID != req.RequestID || i.Linked() || i.Failed != "" || s.GitHub == nil {
		return nil // done, failed, or asked for again since
	}
	c, err := a.gitHubClient(ctx, teamID, s.GitHub)
	if err != nil {
		return err
	}
	g := s.GitHub
	body, marker := gitHubIssueBody(teamID, req)
	issue, found, err := c.FindByMarker(ctx, g.Owner, g.Repo, marker, req.At.Add(-time.Minute))
	if err == nil && !found {
		issue, err = c.Create(ctx, github.IssueInput{Owner: g.Owner, Repo: g.Repo, Title: req.Title, Body: body})
	}
	var se *github.StatusError
	if errors.As(err, &se) && se.Permanent() {
		a.d.Logger.Warn("GitHub refused an issue", "team", teamID, "action", req.ActionID, "status", se.Status)
		_, err = a.in.runner.Handle(ctx, teamID, aggregate.Meta{CommandID: derivedID("github-failed", req.RequestID)},
			integration.FailIssue{Tracker: integration.TrackerGitHub, At: a.now(), ActionID: req.ActionID, Error: se.Error()})
		return err
	}
	if err != nil {
		return err
	}
	_, err = a.in.runner.Handle(ctx, teamID, aggregate.Meta{CommandID: derivedID("github-linked", req.RequestID)},
		integration.LinkIssue{Tracker: integration.TrackerGitHub, At: a.now(), ActionID: req.ActionID, IssueID: strconv.FormatInt(issue.ID, 10),
			Key: github.Key(g.Owner, g.Repo, issue.Number), URL: issue.HTMLURL})
	if k := domain.KindOf(err); k != 0 && k != domain.Unavailable {
		a.d.Logger.Warn("an issue's link was refused", "team", teamID, "action", req.ActionID, "err", err)
		return nil
	}
	return err
}

func (a *App) gitHubClient(ctx context.Context, teamID string, g *integration.GitHub) (*github.Client, error) {
	token, err := a.openToken(ctx, gitHubSecrets, teamID, g.SealedToken)
	if err != nil {
		return nil, err
	}
	return &github.Client{API: a.in.cfg.GitHubAPI, Token: token, HTTP: a.in.client}, nil
}
