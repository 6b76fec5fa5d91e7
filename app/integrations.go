package app

// A team's integrations: outgoing webhooks (signed CloudEvents, or Slack
// messages). The path of a delivery:
//
//  1. A cause lands in the log (a retro closed, a team action recorded or
//     changed, a survey closed).
//  2. The integrations reactor (runner.Reactor IntegrationsReactorName,
//     with its own checkpoint) queues it on the team's integrations stream:
//     one QueueDeliveries command per cause, its command ID derived from the
//     cause, which the decider turns into a DeliveryQueued per live webhook
//     that wants the kind. The reactor never waits for a receiver.
//  3. The dispatcher (app/webhooks) works each webhook's queue in its own
//     goroutine: it renders the body from the cause's aggregate as it was
//     right after the cause, as a team member who wrote nothing sees it
//     (retro.View, survey.View, the team's action without its comments),
//     signs and posts it, and records the attempt (DeliveryAttempted; the
//     decider disables the webhook after too many failures in a row).
//
// A delivery's ID is a hash of webhook and cause, the same on every attempt
// and node, so a receiver that de-duplicates by Webhook-Id sees each cause
// once, also when an attempt is repeated after a crash before it was
// recorded.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/hindsight-retro/hindsight/app/github"
	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/app/keys"
	"github.com/hindsight-retro/hindsight/app/webhooks"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/integration"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/domain/survey"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/aggregate"
	"github.com/hindsight-retro/hindsight/projections/runner"
)

// IntegrationsReactorName names the reactor that queues deliveries: its
// checkpoint stream in the log.
const IntegrationsReactorName = "integrations"

// Index of teams that have (had) webhooks, read by the dispatcher at start
// to find queues left pending. One event per team, written before its
// first webhook; a team listed without webhooks costs one load.
const (
	categoryIntegrationIndex = "integrationindex"
	integrationIndexID       = "teams"
	typeTeamIndexed          = "app.IntegrationTeamIndexed"
)

// IntegrationsConfig says how webhooks are sent.
type IntegrationsConfig struct {
	// Guard says which receiver addresses may be dialled; the zero value
	// allows public addresses only.
	Guard webhooks.Guard
	// MaxFailures failed attempts in a row disable a webhook; 0 means
	// integration.DefaultMaxFailures.
	MaxFailures int
	// Backoff between attempts of one delivery; zero means 1 s doubling to
	// at most 1 h.
	Backoff webhooks.Backoff
	// Timeout of one attempt; 0 means 10 s.
	Timeout time.Duration
	// GitHubAPI is GitHub's REST API base URL, the operator's choice (for
	// GitHub Enterprise Server), never a team's; "" means github.com's.
	GitHubAPI string
	// DueEvery is how often open actions are checked for a due date that
	// passed (action.due); 0 means a minute.
	DueEvery time.Duration
}

type integrations struct {
	runner     *aggregate.Runner[integration.State, integration.Command, integration.Event]
	reactor    *runner.Reactor
	reactorErr error
	// jira creates issues and carries Jira's "done" to actions, on its
	// own checkpoint, so a Jira outage holds up no webhook.
	jira    *runner.Reactor
	jiraErr error
	// github does the same for GitHub Issues, on its own checkpoint.
	github     *runner.Reactor
	githubErr  error
	dispatcher *webhooks.Dispatcher
	cfg        IntegrationsConfig
	// stopDue ends the due-date clock; dueDone is closed when it ended.
	stopDue context.CancelFunc
	dueDone chan struct{}
	client  *http.Client
}

func (a *App) newIntegrations() *integrations {
	cfg := a.d.Integrations
	if cfg.Backoff.Base <= 0 {
		cfg.Backoff = webhooks.Backoff{Base: time.Second, Max: time.Hour}
	}
	if cfg.Backoff.Max < cfg.Backoff.Base {
		cfg.Backoff.Max = cfg.Backoff.Base
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.DueEvery <= 0 {
		cfg.DueEvery = time.Minute
	}
	in := &integrations{cfg: cfg,
		runner: &aggregate.Runner[integration.State, integration.Command, integration.Event]{
			Store: a.d.Store, Category: integration.Category, Initial: integration.Initial, Decide: integration.Decide, Evolve: integration.Evolve,
			Codec: aggregate.CodecFuncs(integration.EncodeEvent, integration.DecodeEvent), Cache: aggregate.NewCache[integration.State](a.d.CacheSize),
		}}
	in.client = cfg.Guard.Client(cfg.Timeout)
	in.dispatcher = webhooks.NewDispatcher(webhookQueue{a}, cfg.Backoff, a.d.Clock, a.d.Logger)
	in.reactor, in.reactorErr = runner.NewReactor(runner.ReactorConfig{
		Name: IntegrationsReactorName, Store: a.d.Store, Logger: a.d.Logger,
		Reacts: func(e eventstore.RecordedEvent) bool { return len(integrationCauses(e)) > 0 },
		React:  a.queueDeliveries,
	})
	in.jira, in.jiraErr = a.newJiraReactor()
	in.github, in.githubErr = a.newGitHubReactor()
	if in.cfg.GitHubAPI == "" {
		in.cfg.GitHubAPI = github.DefaultAPI
	}
	return in
}

// ---- the use cases ----

// WebhookInput is a webhook to create: where to, in which form, for which
// kinds of events. For Slack, URL is the incoming-webhook URL, a secret.
type WebhookInput struct {
	URL    string
	Format integration.Format
	Kinds  []integration.Kind
}

// WebhookView is a webhook as its team's admins see it: never its secret,
// and a Slack webhook's URL only as its host.
type WebhookView struct {
	ID        string             `json:"id"`
	TeamID    string             `json:"teamId"`
	Format    integration.Format `json:"format"`
	URL       string             `json:"url,omitempty"`
	Host      string             `json:"host,omitempty"`
	Kinds     []integration.Kind `json:"kinds"`
	Disabled  bool               `json:"disabled"`
	Failures  int                `json:"consecutiveFailures"`
	Pending   int                `json:"pending"`
	CreatedBy string             `json:"createdBy"`
	CreatedAt time.Time          `json:"createdAt"`
}

// CreatedWebhook answers a creation: the webhook and, this once, its
// signing secret (empty for Slack).
type CreatedWebhook struct {
	Result
	Webhook WebhookView `json:"webhook"`
	Secret  string      `json:"secret,omitempty"`
}

// DeliveryView is one delivery in a webhook's log.
type DeliveryView struct {
	ID        string                `json:"id"`
	Kind      integration.Kind      `json:"kind"`
	Subject   string                `json:"subject"`
	QueuedAt  time.Time             `json:"queuedAt"`
	Delivered bool                  `json:"delivered"`
	Attempts  []integration.Attempt `json:"attempts"`
}

func webhookKey(id string) string { return "webhook:" + id }

func webhookAAD(id string) []byte { return []byte("webhook:" + id + ":secret") }

// CreateWebhook adds a webhook to the team (team admins). The secret is
// made here, sealed under the webhook's own key, and shown in the answer
// only; a retry with the same Idempotency-Key answers the webhook without
// it.
func (a *App) CreateWebhook(ctx context.Context, c identity.Caller, teamID string, in WebhookInput) (CreatedWebhook, error) {
	if err := a.TeamAdminGate(ctx, c.Principal, teamID); err != nil {
		return CreatedWebhook{}, err
	}
	if err := a.keptOnlyOnceClaimedInTeam(ctx, teamID, "webhooks and Slack"); err != nil {
		return CreatedWebhook{}, err
	}
	id, err := a.claimID(ctx, "webhook", c.Principal.UserID, c.CommandID)
	if err != nil {
		return CreatedWebhook{}, err
	}
	if in.Format == "" {
		in.Format = integration.FormatCloudEvents
	}
	var secret, plainURL string
	var sealedPlain []byte
	switch in.Format {
	case integration.FormatSlack:
		u, err := url.Parse(in.URL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
			return CreatedWebhook{}, domain.Errorf(domain.Invalid, integration.CodeURLInvalid, "a Slack incoming-webhook URL is an absolute URL such as https://hooks.slack.com/services/…")
		}
		sealedPlain = []byte(in.URL)
	default:
		if secret, err = webhooks.NewSecret(); err != nil {
			return CreatedWebhook{}, err
		}
		sealedPlain, plainURL = []byte(secret), in.URL
	}
	key, err := a.d.Keys.GetOrCreate(ctx, webhookKey(id))
	if err != nil {
		return CreatedWebhook{}, fmt.Errorf("webhook key: %w", err)
	}
	sealed, err := keys.Seal(key, sealedPlain, webhookAAD(id))
	if err != nil {
		return CreatedWebhook{}, fmt.Errorf("seal the webhook's secret: %w", err)
	}
	if err := a.indexIntegrationTeam(ctx, teamID); err != nil {
		return CreatedWebhook{}, err
	}
	by := domain.Actor{UserID: c.Principal.UserID}
	r, err := a.in.runner.Handle(ctx, teamID, aggregate.Meta{CommandID: c.CommandID, Actor: by.UserID},
		integration.CreateWebhook{Actor: by, At: a.now(), TeamID: teamID, WebhookID: id, Format: in.Format,
			URL: plainURL, Kinds: in.Kinds, SealedSecret: sealed})
	if err != nil {
		return CreatedWebhook{}, fmt.Errorf("team %s: create webhook: %w", teamID, err)
	}
	w := r.State.Webhooks[id]
	if w == nil {
		return CreatedWebhook{}, fmt.Errorf("team %s: webhook %s missing after its creation", teamID, id)
	}
	out := CreatedWebhook{Result: Result{ID: id, StreamVersion: r.Version, Position: r.Position, Duplicate: r.Duplicate}, Webhook: webhookView(teamID, w)}
	if !r.Duplicate {
		// Shown once: a retry cannot tell whether the first answer
		// reached the admin, and the sealed copy is never opened for them.
		out.Secret = secret
	}
	return out, nil
}

// Webhooks lists the team's webhooks (team admins).
func (a *App) Webhooks(ctx context.Context, p identity.Principal, teamID string) ([]WebhookView, error) {
	s, err := a.adminIntegrations(ctx, p, teamID)
	if err != nil {
		return nil, err
	}
	out := []WebhookView{}
	for _, id := range s.Order {
		if w := s.Webhooks[id]; !w.Deleted {
			out = append(out, webhookView(teamID, w))
		}
	}
	return out, nil
}

// WebhookDeliveries is a webhook's delivery log, newest first (team admins).
func (a *App) WebhookDeliveries(ctx context.Context, p identity.Principal, teamID, webhookID string) ([]DeliveryView, error) {
	s, err := a.adminIntegrations(ctx, p, teamID)
	if err != nil {
		return nil, err
	}
	w := s.Webhooks[webhookID]
	if w == nil || w.Deleted {
		return nil, domain.Errorf(domain.NotFound, integration.CodeWebhookNotFound, "no webhook %s", webhookID)
	}
	out := []DeliveryView{}
	for _, id := range slices.Backward(w.Log) {
		d := w.Deliveries[id]
		out = append(out, DeliveryView{ID: d.ID, Kind: d.Kind, Subject: d.Cause.Subject, QueuedAt: d.QueuedAt, Delivered: d.Done,
			Attempts: append([]integration.Attempt{}, d.Attempts...)})
	}
	return out, nil
}

// DeleteWebhook removes a webhook (team admins) and destroys its key, so
// its sealed secret can never be opened again.
func (a *App) DeleteWebhook(ctx context.Context, c identity.Caller, teamID, webhookID string) (Result, error) {
	if err := a.TeamAdminGate(ctx, c.Principal, teamID); err != nil {
		return Result{}, err
	}
	by := domain.Actor{UserID: c.Principal.UserID}
	r, err := a.in.runner.Handle(ctx, teamID, aggregate.Meta{CommandID: c.CommandID, Actor: by.UserID},
		integration.DeleteWebhook{Actor: by, At: a.now(), WebhookID: webhookID})
	if err != nil {
		return Result{}, fmt.Errorf("team %s: delete webhook: %w", teamID, err)
	}
	if err := a.d.Keys.Destroy(ctx, webhookKey(webhookID)); err != nil {
		return Result{}, fmt.Errorf("destroy webhook %s's key: %w", webhookID, err)
	}
	return Result{StreamVersion: r.Version, Position: r.Position, Duplicate: r.Duplicate}, nil
}

// EnableWebhook turns a webhook disabled after repeated failures back on
// (team admins); its queue resumes.
func (a *App) EnableWebhook(ctx context.Context, c identity.Caller, teamID, webhookID string) (Result, error) {
	if err := a.TeamAdminGate(ctx, c.Principal, teamID); err != nil {
		return Result{}, err
	}
	by := domain.Actor{UserID: c.Principal.UserID}
	r, err := a.in.runner.Handle(ctx, teamID, aggregate.Meta{CommandID: c.CommandID, Actor: by.UserID},
		integration.EnableWebhook{Actor: by, At: a.now(), WebhookID: webhookID})
	if err != nil {
		return Result{}, fmt.Errorf("team %s: enable webhook: %w", teamID, err)
	}
	a.in.dispatcher.Nudge(teamID)
	return Result{StreamVersion: r.Version, Position: r.Position, Duplicate: r.Duplicate}, nil
}

func (a *App) adminIntegrations(ctx context.Context, p identity.Principal, teamID string) (integration.State, error) {
	if err := a.TeamAdminGate(ctx, p, teamID); err != nil {
		return integration.State{}, err
	}
	s, _, err := a.in.runner.Load(ctx, teamID)
	if err != nil {
		return s, fmt.Errorf("load team %s's integrations: %w", teamID, err)
	}
	return s, nil
}

func webhookView(teamID string, w *integration.Webhook) WebhookView {
	v := WebhookView{ID: w.ID, TeamID: teamID, Format: w.Format, URL: w.URL, Kinds: slices.Clone(w.Kinds), Disabled: w.Disabled,
		Failures: w.Failures, Pending: len(w.Pending()), CreatedBy: w.CreatedBy, CreatedAt: w.CreatedAt}
	if u, err := url.Parse(w.URL); err == nil {
		v.Host = u.Host
	}
	if w.Format == integration.FormatSlack {
		v.Host = "hooks.slack.com"
	}
	return v
}

func (a *App) indexIntegrationTeam(ctx context.Context, teamID string) error {
	payload, err := json.Marshal(map[string]string{"teamId": teamID})
	if err != nil {
		return fmt.Errorf("index team %s: %w", teamID, err)
	}
	_, err = a.d.Store.Append(ctx, eventstore.Commit{
		Stream:          eventstore.StreamID{Category: categoryIntegrationIndex, ID: integrationIndexID},
		ExpectedVersion: eventstore.Any, CommandID: derivedID("integration-index", teamID),
		Events: []eventstore.Event{{Type: typeTeamIndexed, SchemaVersion: 1, Payload: payload}},
	})
	if err != nil {
		return fmt.Errorf("index team %s for its webhooks: %w", teamID, err)
	}
	return nil
}

// ---- queueing: the reactor ----

// integrationCause is what a log event means for webhooks: its kind, the
// teams it concerns and its subject.
type integrationCause struct {
	kind    integration.Kind
	team    string
	subject string
}

// integrationCauses lists the webhook causes in e: the one list of events
// that webhooks are told about.
func integrationCauses(e eventstore.RecordedEvent) []integrationCause {
	switch e.Stream.Category {
	case retro.Category:
		if e.Type != retro.TypeRetroClosed {
			return nil
		}
		// The team is in the retro's state; the reaction reads it.
		return []integrationCause{{kind: integration.KindRetroClosed, subject: e.Stream.ID}}
	case team.Category:
		var kind integration.Kind
		switch e.Type {
		case team.TypeActionRecorded:
			kind = integration.KindActionCreated
		case team.TypeActionStatusChanged, team.TypeActionReassigned, team.TypeActionRescheduled:
			kind = integration.KindActionChanged
		default:
			return nil
		}
		var p struct {
			ActionID string `json:"actionId"`
		}
		if json.Unmarshal(e.Payload, &p) != nil || p.ActionID == "" {
			return nil
		}
		return []integrationCause{{kind: kind, team: e.Stream.ID, subject: p.ActionID}}
	case survey.Category:
		if e.Type != survey.TypeSurveyClosed {
			return nil
		}
		return []integrationCause{{kind: integration.KindSurveyClosed, subject: e.Stream.ID}}
	}
	return nil
}

// queueDeliveries queues a cause on its teams' integration streams.
func (a *App) queueDeliveries(ctx context.Context, e eventstore.RecordedEvent) error {
	for _, c := range integrationCauses(e) {
		teams := []string{c.team}
		switch c.kind {
		case integration.KindRetroClosed:
			st, _, err := a.retros.Load(ctx, e.Stream.ID)
			if err != nil {
				return fmt.Errorf("load retro %s: %w", e.Stream.ID, err)
			}
			teams = []string{st.TeamID}
		case integration.KindSurveyClosed:
			st, _, err := a.surveys.Load(ctx, e.Stream.ID)
			if err != nil {
				return fmt.Errorf("load survey %s: %w", e.Stream.ID, err)
			}
			teams = st.TeamIDs
		}
		for _, t := range teams {
			if t == "" {
				continue
			}
			s, version, err := a.in.runner.Load(ctx, t)
			if err != nil {
				return fmt.Errorf("load team %s's integrations: %w", t, err)
			}
			if version == 0 || !slices.ContainsFunc(s.Order, func(id string) bool { return s.Webhooks[id].Live() }) {
				continue
			}
			_, err = a.in.runner.Handle(ctx, t, aggregate.Meta{CommandID: derivedID("queue", e.EventID), CausationID: e.EventID},
				integration.QueueDeliveries{At: a.now(), Kind: c.kind, Cause: integration.Cause{
					EventID: e.EventID, Category: e.Stream.Category, StreamID: e.Stream.ID, Version: e.StreamVersion, Subject: c.subject}})
			if err != nil {
				return fmt.Errorf("queue %s on team %s: %w", c.kind, t, err)
			}
			a.in.dispatcher.Nudge(t)
		}
	}
	return nil
}

// CatchUpIntegrations queues the deliveries of every cause up to position
// that are not queued yet, in the caller's goroutine.
func (a *App) CatchUpIntegrations(ctx context.Context, position uint64) error {
	if a.in.reactorErr != nil {
		return fmt.Errorf("app: integrations: %w", a.in.reactorErr)
	}
	return a.in.reactor.CatchUp(ctx, position)
}

// StartIntegrations sets the reactor queueing deliveries from its
// checkpoint and the dispatcher working every pending queue, until ctx
// ends or CloseIntegrations.
func (a *App) StartIntegrations(ctx context.Context) error {
	if a.in.reactorErr != nil {
		return fmt.Errorf("app: integrations: %w", a.in.reactorErr)
	}
	if err := a.in.dispatcher.Start(ctx); err != nil {
		return fmt.Errorf("app: start the webhook dispatcher: %w", err)
	}
	if err := a.in.reactor.Start(ctx); err != nil {
		return fmt.Errorf("app: start the integrations reactor: %w", err)
	}
	if a.in.jiraErr != nil {
		return fmt.Errorf("app: Jira: %w", a.in.jiraErr)
	}
	if err := a.in.jira.Start(ctx); err != nil {
		return fmt.Errorf("app: start the Jira reactor: %w", err)
	}
	if a.in.githubErr != nil {
		return fmt.Errorf("app: GitHub: %w", a.in.githubErr)
	}
	if err := a.in.github.Start(ctx); err != nil {
		return fmt.Errorf("app: start the GitHub reactor: %w", err)
	}
	dueCtx, stop := context.WithCancel(ctx)
	a.in.stopDue, a.in.dueDone = stop, make(chan struct{})
	go a.dueClock(dueCtx, a.in.dueDone)
	return nil
}

// CloseIntegrations stops queueing and sending; the reactor's checkpoint
// is saved, and unsent deliveries wait in the log for the next start.
func (a *App) CloseIntegrations() error {
	if a.in.stopDue != nil {
		a.in.stopDue()
		<-a.in.dueDone
	}
	a.in.dispatcher.Close()
	var errs []error
	for _, r := range []*runner.Reactor{a.in.reactor, a.in.jira, a.in.github} {
		if r == nil {
			continue
		}
		if err := r.Close(); err != nil {
			errs = append(errs, fmt.Errorf("app: close the integrations reactors: %w", err))
		}
	}
	return errors.Join(errs...)
}

// dueClock queues action.due now and then until ctx ends.
func (a *App) dueClock(ctx context.Context, done chan struct{}) {
	defer close(done)
	t := time.NewTicker(a.in.cfg.DueEvery)
	defer t.Stop()
	for {
		if err := a.QueueDueActions(ctx); err != nil && ctx.Err() == nil {
			a.d.Logger.Warn("due actions not queued; tried again at the next tick", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// QueueDueActions queues action.due, for the webhooks that want it, for
// every open team action whose due date has passed: once per action and
// due date (a new due date is told again), whichever node or tick finds
// it first.
func (a *App) QueueDueActions(ctx context.Context) error {
	teams, err := webhookQueue{a}.Teams(ctx)
	if err != nil {
		return err
	}
	now := a.now()
	var errs []error
	for _, teamID := range teams {
		s, _, err := a.in.runner.Load(ctx, teamID)
		if err != nil {
			errs = append(errs, fmt.Errorf("load team %s's integrations: %w", teamID, err))
			continue
		}
		if !slices.ContainsFunc(s.Order, func(id string) bool {
			return s.Webhooks[id].Live() && s.Webhooks[id].Subscribed(integration.KindActionDue)
		}) {
			continue
		}
		t, version, err := a.loadTeam(ctx, teamID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		queued := false
		for _, id := range t.ActionOrder {
			act := t.Actions[id]
			if !act.Status.IsOpen() || act.Due.IsZero() || act.Due.After(now) {
				continue
			}
			causeID := derivedID("action-due", teamID+"\x00"+id+"\x00"+act.Due.UTC().Format(time.RFC3339))
			if s.DueQueued[causeID] {
				continue
			}
			_, err := a.in.runner.Handle(ctx, teamID, aggregate.Meta{CommandID: derivedID("queue", causeID)},
				integration.QueueDeliveries{At: now, Kind: integration.KindActionDue, Cause: integration.Cause{
					EventID: causeID, Category: team.Category, StreamID: teamID, Version: version, Subject: id}})
			if err != nil {
				errs = append(errs, fmt.Errorf("queue action %s due on team %s: %w", id, teamID, err))
				continue
			}
			queued = true
		}
		if queued {
			a.in.dispatcher.Nudge(teamID)
		}
	}
	return errors.Join(errs...)
}

// ---- delivering: the dispatcher's queue ----

type webhookQueue struct{ a *App }

func (q webhookQueue) Teams(ctx context.Context) ([]string, error) {
	evs, err := q.a.d.Store.Load(ctx, eventstore.StreamID{Category: categoryIntegrationIndex, ID: integrationIndexID}, 0)
	if errors.Is(err, eventstore.ErrStreamNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range evs {
		var p struct {
			TeamID string `json:"teamId"`
		}
		if e.Type == typeTeamIndexed && json.Unmarshal(e.Payload, &p) == nil && p.TeamID != "" && !slices.Contains(out, p.TeamID) {
			out = append(out, p.TeamID)
		}
	}
	return out, nil
}

func (q webhookQueue) Busy(ctx context.Context, teamID string) ([]string, error) {
	s, _, err := q.a.in.runner.Load(ctx, teamID)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, id := range s.Order {
		if w := s.Webhooks[id]; w.Live() && len(w.Pending()) > 0 {
			out = append(out, id)
		}
	}
	return out, nil
}

func (q webhookQueue) Next(ctx context.Context, teamID, webhookID string) (webhooks.Job, bool, error) {
	s, _, err := q.a.in.runner.Load(ctx, teamID)
	if err != nil {
		return webhooks.Job{}, false, err
	}
	w := s.Webhooks[webhookID]
	if !w.Live() {
		return webhooks.Job{}, false, nil
	}
	p := w.Pending()
	if len(p) == 0 {
		return webhooks.Job{}, false, nil
	}
	j := webhooks.Job{Team: teamID, Webhook: webhookID, Delivery: p[0].ID, Attempts: len(p[0].Attempts)}
	if j.Attempts > 0 {
		j.LastAttempt = p[0].Attempts[j.Attempts-1].At
	}
	return j, true, nil
}

func (q webhookQueue) Attempt(ctx context.Context, j webhooks.Job) error {
	a := q.a
	s, _, err := a.in.runner.Load(ctx, j.Team)
	if err != nil {
		return err
	}
	w := s.Webhooks[j.Webhook]
	if !w.Live() || w.Deliveries[j.Delivery] == nil {
		return nil
	}
	d := w.Deliveries[j.Delivery]
	out := a.sendDelivery(ctx, j.Team, w, d)
	if ctx.Err() != nil {
		// Cut off by a shutdown: not an attempt of the receiver's.
		return ctx.Err()
	}
	errText := ""
	if out.Err != nil {
		errText = out.Err.Error()
		a.d.Logger.Warn("webhook delivery failed; it is retried", "team", j.Team, "webhook", w.ID, "delivery", d.ID,
			"status", out.Status, "attempt", len(d.Attempts)+1, "err", errText)
	}
	_, err = a.in.runner.Handle(ctx, j.Team, aggregate.Meta{CommandID: derivedID("attempt", fmt.Sprintf("%s\x00%d", d.ID, len(d.Attempts)+1))},
		integration.RecordAttempt{At: a.now(), DeliveryID: d.ID, Status: out.Status, Error: errText, OK: out.OK(), MaxFailures: a.in.cfg.MaxFailures})
	switch domain.CodeOf(err) {
	case integration.CodeDeliverySettled, integration.CodeDeliveryUnknown:
		return nil
	}
	return err
}

// sendDelivery renders, signs and posts one delivery.
func (a *App) sendDelivery(ctx context.Context, teamID string, w *integration.Webhook, d *integration.Delivery) webhooks.Outcome {
	key, err := a.d.Keys.Get(ctx, webhookKey(w.ID))
	if err != nil {
		return webhooks.Outcome{Err: fmt.Errorf("the webhook's key: %w", err)}
	}
	secret, err := keys.Open(key, w.SealedSecret, webhookAAD(w.ID))
	if err != nil {
		return webhooks.Outcome{Err: fmt.Errorf("open the webhook's secret: %w", err)}
	}
	ev, err := a.integrationEvent(ctx, teamID, d)
	if err != nil {
		return webhooks.Outcome{Err: fmt.Errorf("render the delivery: %w", err)}
	}
	switch w.Format {
	case integration.FormatSlack:
		body, err := slackMessage(ev)
		if err != nil {
			return webhooks.Outcome{Err: fmt.Errorf("render the Slack message: %w", err)}
		}
		return webhooks.Post(ctx, a.in.client, string(secret), http.Header{"Content-Type": {"application/json"}}, body)
	default:
		body, err := json.Marshal(ev)
		if err != nil {
			return webhooks.Outcome{Err: fmt.Errorf("encode the delivery: %w", err)}
		}
		k, err := webhooks.SecretKey(string(secret))
		if err != nil {
			return webhooks.Outcome{Err: err}
		}
		now := a.now()
		return webhooks.Post(ctx, a.in.client, w.URL, http.Header{
			"Content-Type":           {"application/cloudevents+json; charset=utf-8"},
			webhooks.HeaderID:        {d.ID},
			webhooks.HeaderTimestamp: {fmt.Sprint(now.Unix())},
			webhooks.HeaderSignature: {webhooks.Sign(k, d.ID, now, body)},
		}, body)
	}
}
