package app

// Jira Cloud, per team: an admin stores the connection (the API token
// sealed under the team's Jira key); a member asks for an issue from a team
// action (IssueRequested), and the Jira reactor (its own checkpoint, so a
// Jira outage holds up nothing else) creates it and records the link
// (IssueLinked). Jira's webhook, verified by the secret in its URL and its
// X-Hub-Signature, records IssueResolved when the issue reaches a done
// status (IssueReopened when it leaves one), and the reactor sets the
// team's action done (open again).
//
// A creation whose answer was lost is not repeated blindly: every issue
// carries the label hindsight-<request>, and the reactor looks for it before
// it creates.

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/app/jira"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/integration"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/aggregate"
	"github.com/hindsight-retro/hindsight/projections/runner"
)

// JiraReactorName names the reactor that talks to Jira.
const JiraReactorName = "integrations-jira"

// JiraWebhookPath is where Jira's webhook for a team is sent; the last
// segment is the secret shown once when Jira is configured.
const JiraWebhookPath = "/v1/integrations/jira/"

// JiraInput is a team's Jira connection.
type JiraInput struct {
	Site, Email, APIToken, ProjectKey, IssueType string
}

// JiraView is a team's Jira connection as its admins see it: never the
// token.
type JiraView struct {
	Site       string    `json:"site"`
	Email      string    `json:"email"`
	ProjectKey string    `json:"projectKey"`
	IssueType  string    `json:"issueType"`
	By         string    `json:"by"`
	At         time.Time `json:"at"`
}

// JiraConfigured answers a configuration: the webhook's path and secret,
// shown this once, to register in Jira (Settings → System → WebHooks: the
// URL and the secret).
type JiraConfigured struct {
	Result
	Jira          JiraView `json:"jira"`
	WebhookPath   string   `json:"webhookPath,omitempty"`
	WebhookSecret string   `json:"webhookSecret,omitempty"`
}

// JiraIssueView is an action's Jira issue.
type JiraIssueView struct {
	ActionID string `json:"actionId"`
	Key      string `json:"key,omitempty"`
	URL      string `json:"url,omitempty"`
	Pending  bool   `json:"pending"`
	Failed   string `json:"failed,omitempty"`
	Resolved bool   `json:"resolved"`
}

// ConfigureJira stores the team's Jira connection (team admins); the API
// token is sealed, and a new webhook secret is made and shown once.
func (a *App) ConfigureJira(ctx context.Context, c identity.Caller, teamID string, in JiraInput) (JiraConfigured, error) {
	if err := a.TeamAdminGate(ctx, c.Principal, teamID); err != nil {
		return JiraConfigured{}, err
	}
	if err := a.keptOnlyOnceClaimedInTeam(ctx, teamID, "a Jira connection"); err != nil {
		return JiraConfigured{}, err
	}
	if in.APIToken == "" || len(in.APIToken) > 1000 {
		return JiraConfigured{}, domain.Errorf(domain.Invalid, integration.CodeJiraInvalid, "the account's API token is required")
	}
	sealed, secret, err := a.sealToken(ctx, jiraSecrets, teamID, in.APIToken)
	if err != nil {
		return JiraConfigured{}, err
	}
	by := domain.Actor{UserID: c.Principal.UserID}
	r, err := a.in.runner.Handle(ctx, teamID, aggregate.Meta{CommandID: c.CommandID, Actor: by.UserID},
		integration.ConfigureJira{Actor: by, At: a.now(), TeamID: teamID, Site: in.Site, Email: in.Email, SealedToken: sealed,
			ProjectKey: in.ProjectKey, IssueType: in.IssueType, SecretHash: jiraSecrets.secretHash(secret)})
	if err != nil {
		return JiraConfigured{}, fmt.Errorf("team %s: configure Jira: %w", teamID, err)
	}
	out := JiraConfigured{Result: Result{StreamVersion: r.Version, Position: r.Position, Duplicate: r.Duplicate}, Jira: jiraView(r.State.Jira)}
	if !r.Duplicate {
		out.WebhookPath, out.WebhookSecret = JiraWebhookPath+teamID+"/"+secret, secret
	}
	return out, nil
}

// Jira is the team's Jira connection (team admins).
func (a *App) Jira(ctx context.Context, p identity.Principal, teamID string) (JiraView, error) {
	s, err := a.adminIntegrations(ctx, p, teamID)
	if err != nil {
		return JiraView{}, err
	}
	if s.Jira == nil {
		return JiraView{}, domain.Errorf(domain.NotFound, integration.CodeJiraNotConfigured, "the team has no Jira connection")
	}
	return jiraView(s.Jira), nil
}

func jiraView(j *integration.Jira) JiraView {
	if j == nil {
		return JiraView{}
	}
	return JiraView{Site: j.Site, Email: j.Email, ProjectKey: j.ProjectKey, IssueType: j.IssueType, By: j.By, At: j.At}
}

// CreateJiraIssue asks for a Jira issue for one of the team's actions
// (members); the issue is made by the Jira reactor, and the link shows in
// JiraIssues.
func (a *App) CreateJiraIssue(ctx context.Context, c identity.Caller, teamID, actionID string) (Result, error) {
	return a.requestIssue(ctx, c, teamID, actionID, integration.TrackerJira)
}

// requestIssue asks for an issue in the tracker for one of the team's
// actions (members).
func (a *App) requestIssue(ctx context.Context, c identity.Caller, teamID, actionID string, tr integration.Tracker) (Result, error) {
	if err := canWrite(c.Principal); err != nil {
		return Result{}, err
	}
	if err := notGuest(c.Principal); err != nil {
		return Result{}, err
	}
	t, _, err := a.visibleTeam(ctx, c.Principal, teamID)
	if err != nil {
		return Result{}, err
	}
	if !t.IsMember(c.Principal.UserID) {
		return Result{}, domain.Errorf(domain.Forbidden, team.CodeNotMember, "only members of the team may do this")
	}
	act, ok := t.Actions[actionID]
	if !ok {
		return Result{}, notFound("no action %s on team %s", actionID, teamID)
	}
	kind := "jira-issue"
	if tr != integration.TrackerJira {
		kind = string(tr) + "-issue"
	}
	by := domain.Actor{UserID: c.Principal.UserID}
	r, err := a.in.runner.Handle(ctx, teamID, aggregate.Meta{CommandID: c.CommandID, Actor: by.UserID},
		integration.RequestIssue{Tracker: tr, Actor: by, At: a.now(), ActionID: actionID, Title: act.Title, RequestID: derivedID(kind, c.CommandID)})
	if err != nil {
		return Result{}, fmt.Errorf("team %s: ask for an issue: %w", teamID, err)
	}
	return Result{StreamVersion: r.Version, Position: r.Position, Duplicate: r.Duplicate}, nil
}

// JiraIssues lists the team's actions' Jira issues (members).
func (a *App) JiraIssues(ctx context.Context, p identity.Principal, teamID string) ([]JiraIssueView, error) {
	return a.trackerIssues(ctx, p, teamID, integration.TrackerJira)
}

func (a *App) trackerIssues(ctx context.Context, p identity.Principal, teamID string, tr integration.Tracker) ([]JiraIssueView, error) {
	if err := canRead(p); err != nil {
		return nil, err
	}
	t, _, err := a.visibleTeam(ctx, p, teamID)
	if err != nil {
		return nil, err
	}
	if !t.IsMember(p.UserID) {
		return nil, forbidden("not a member of team %s", teamID)
	}
	s, _, err := a.in.runner.Load(ctx, teamID)
	if err != nil {
		return nil, fmt.Errorf("load team %s's integrations: %w", teamID, err)
	}
	out := []JiraIssueView{}
	for _, id := range t.ActionOrder {
		if i := s.IssuesOf(tr)[id]; i != nil {
			out = append(out, JiraIssueView{ActionID: id, Key: i.Key, URL: i.URL, Pending: !i.Linked() && i.Failed == "", Failed: i.Failed, Resolved: i.Resolved})
		}
	}
	return out, nil
}

// ErrJiraWebhook refuses a Jira webhook that does not prove it is Jira's:
// the same answer for an unknown team, a wrong secret and a bad signature.
var ErrJiraWebhook = domain.Errorf(domain.NotFound, "jira-webhook-unknown", "no such webhook")

// JiraWebhook takes Jira's webhook for a team: the secret of its URL,
// compared in constant time with the one stored (as a hash), and the
// X-Hub-Signature HMAC of the body under the same secret. An issue linked
// to an action moved to a done status records IssueResolved, moved out of
// one IssueReopened, unless Jira said something newer of the issue before
// (its timestamp orders deliveries); every other event is taken and
// ignored.
func (a *App) JiraWebhook(ctx context.Context, teamID, secret, signature string, body []byte) error {
	s, _, err := a.in.runner.Load(ctx, teamID)
	if errors.Is(err, eventstore.ErrInvalidArgument) {
		return ErrJiraWebhook
	}
	if err != nil {
		return fmt.Errorf("load team %s's integrations: %w", teamID, err)
	}
	if s.Jira == nil || subtle.ConstantTimeCompare([]byte(jiraSecrets.secretHash(secret)), []byte(s.Jira.SecretHash)) != 1 {
		return ErrJiraWebhook
	}
	if err := jira.Verify([]byte(secret), body, signature); err != nil {
		return ErrJiraWebhook
	}
	ev, err := jira.ParseWebhook(body)
	if err != nil {
		return domain.Errorf(domain.Invalid, "jira-webhook-invalid", "not a Jira issue event")
	}
	// Only a move between statuses, or a word that disagrees with the
	// issue as taken, is kept: a comment or an edit is none of the
	// action's business.
	i := s.IssueByKey(integration.TrackerJira, ev.Key)
	if i == nil || !ev.StatusChanged && ev.Done == i.Resolved {
		return nil
	}
	var cmd integration.Command = integration.ResolveIssue{At: a.now(), Key: ev.Key, Reported: ev.At}
	if !ev.Done {
		cmd = integration.ReopenIssue{At: a.now(), Key: ev.Key, Reported: ev.At}
	}
	// Jira names no delivery: the same body again (a retry) is the same
	// command.
	sum := sha256.Sum256(body)
	_, err = a.in.runner.Handle(ctx, teamID, aggregate.Meta{CommandID: derivedID("jira-webhook", teamID+"\x00"+hex.EncodeToString(sum[:]))}, cmd)
	if err != nil {
		return fmt.Errorf("team %s: record %s (done %t): %w", teamID, ev.Key, ev.Done, err)
	}
	return nil
}

func (a *App) newJiraReactor() (*runner.Reactor, error) {
	return runner.NewReactor(runner.ReactorConfig{
		Name: JiraReactorName, Store: a.d.Store, Logger: a.d.Logger,
		Reacts: func(e eventstore.RecordedEvent) bool {
			return e.Stream.Category == integration.Category &&
				(e.Type == integration.TypeIssueRequested || e.Type == integration.TypeIssueResolved || e.Type == integration.TypeIssueReopened)
		},
		React: a.jiraReaction,
	})
}

func (a *App) jiraReaction(ctx context.Context, e eventstore.RecordedEvent) error {
	ev, err := integration.DecodeEvent(e.Type, e.SchemaVersion, e.Payload)
	if err != nil {
		return nil
	}
	teamID := e.Stream.ID
	switch ev := ev.(type) {
	case integration.IssueRequested:
		if ev.Tracker == integration.TrackerJira {
			return a.createJiraIssue(ctx, teamID, ev)
		}
	case integration.IssueResolved:
		if ev.Tracker == integration.TrackerJira {
			return a.jiraActionDone(ctx, teamID, ev, e.EventID)
		}
	case integration.IssueReopened:
		if ev.Tracker == integration.TrackerJira {
			return a.trackerActionStatus(ctx, teamID, integration.TrackerJira, ev.ActionID, team.StatusOpen, "Reopened in Jira ("+ev.Key+")", e.EventID)
		}
	}
	return nil
}

func (a *App) createJiraIssue(ctx context.Context, teamID string, req integration.IssueRequested) error {
	s, _, err := a.in.runner.Load(ctx, teamID)
	if err != nil {
		return fmt.Errorf("load team %s's integrations: %w", teamID, err)
	}
	i := s.Issues[req.ActionID]
	if i == nil || i.RequestID != req.RequestID || i.Linked() || i.Failed != "" || s.Jira == nil {
		return nil // done, failed, or asked for again since
	}
	c, err := a.jiraClient(ctx, teamID, s.Jira)
	if err != nil {
		return err
	}
	label := "hindsight-" + req.RequestID[len(req.RequestID)-16:]
	issue, found, err := c.FindByLabel(ctx, label)
	if err == nil && !found {
		issue, err = c.Create(ctx, jira.IssueInput{ProjectKey: s.Jira.ProjectKey, IssueType: s.Jira.IssueType, Summary: req.Title,
			Description: "Action item from Hindsight (team " + teamID + ", action " + req.ActionID + ").", Labels: []string{label}})
	}
	var se *jira.StatusError
	if errors.As(err, &se) && se.Permanent() {
		a.d.Logger.Warn("Jira refused an issue", "team", teamID, "action", req.ActionID, "status", se.Status)
		_, err = a.in.runner.Handle(ctx, teamID, aggregate.Meta{CommandID: derivedID("jira-failed", req.RequestID)},
			integration.FailIssue{At: a.now(), ActionID: req.ActionID, Error: se.Error()})
		return err
	}
	if err != nil {
		return err
	}
	_, err = a.in.runner.Handle(ctx, teamID, aggregate.Meta{CommandID: derivedID("jira-linked", req.RequestID)},
		integration.LinkIssue{At: a.now(), ActionID: req.ActionID, IssueID: issue.ID, Key: issue.Key, URL: c.BrowseURL(issue.Key)})
	if k := domain.KindOf(err); k != 0 && k != domain.Unavailable {
		// Refused for good (asked for again meanwhile): retrying would
		// hold up every later Jira reaction.
		a.d.Logger.Warn("an issue's link was refused", "team", teamID, "action", req.ActionID, "err", err)
		return nil
	}
	return err
}

func (a *App) jiraClient(ctx context.Context, teamID string, j *integration.Jira) (*jira.Client, error) {
	token, err := a.openToken(ctx, jiraSecrets, teamID, j.SealedToken)
	if err != nil {
		return nil, err
	}
	return &jira.Client{Site: j.Site, Email: j.Email, Token: token, HTTP: a.in.client}, nil
}

// jiraActionDone sets the team's action done in the name of the admin who
// connected Jira (a team command needs a member).
func (a *App) jiraActionDone(ctx context.Context, teamID string, ev integration.IssueResolved, eventID string) error {
	return a.trackerActionStatus(ctx, teamID, integration.TrackerJira, ev.ActionID, team.StatusDone, "Done in Jira ("+ev.Key+")", eventID)
}

// trackerActionStatus carries a tracker's word to the team's action: done
// (unless done or discarded already), or open again (only from done), in
// the name of the admin who connected the tracker.
func (a *App) trackerActionStatus(ctx context.Context, teamID string, tr integration.Tracker, actionID string, to team.ActionStatus, comment, eventID string) error {
	s, _, err := a.in.runner.Load(ctx, teamID)
	if err != nil {
		return fmt.Errorf("load team %s's integrations: %w", teamID, err)
	}
	t, _, err := a.loadTeam(ctx, teamID)
	if err != nil {
		return err
	}
	act, ok := t.Actions[actionID]
	connector := s.ConnectedBy(tr)
	switch {
	case !ok || connector == "":
		return nil
	case to == team.StatusDone && (act.Status == team.StatusDone || act.Status == team.StatusDiscarded):
		return nil
	case to == team.StatusOpen && act.Status != team.StatusDone:
		return nil
	}
	if !t.IsMember(connector) {
		a.d.Logger.Warn("a tracker changed an issue, but who connected it left the team; the action stays as it is",
			"team", teamID, "action", actionID, "tracker", tr)
		return nil
	}
	by := domain.Actor{UserID: connector}
	_, err = a.teamCommand(ctx, teamID, aggregate.Meta{CommandID: reactionID(eventID), CausationID: eventID, Actor: by.UserID},
		team.UpdateActionStatus{Actor: by, At: a.now(), ActionID: actionID, Status: to,
			Comment: comment, CommentID: derivedID("jira-comment", eventID)})
	if k := domain.KindOf(err); k != 0 && k != domain.Unavailable {
		a.d.Logger.Warn("the team refused a tracker's status", "team", teamID, "action", actionID, "err", err)
		return nil
	}
	return err
}
