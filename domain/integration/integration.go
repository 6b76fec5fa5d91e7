// Package integration is a team's connections to other tools: outgoing
// webhooks (signed CloudEvents, or Slack messages through an
// incoming-webhook URL), each with its queue of deliveries and their
// attempts, Jira Cloud (jira.go) and GitHub Issues (github.go). One stream per team
// (integrations-<team ID>) holds them all, so the reaction that queues a
// cause's deliveries for every matching webhook is one command, stored once.
//
// Secrets never appear in the clear: the application seals a webhook's
// signing secret (or a Slack URL, which is itself the credential) under the
// webhook's own key before it asks, and the events carry only the sealed
// bytes; deleting a webhook lets the application destroy that key.
//
// A delivery is identified by DeliveryID(webhook, cause): the same on every
// attempt and on every node, so a receiver that de-duplicates by ID sees each
// cause once. After MaxFailures failed attempts in a row the webhook is
// disabled (WebhookDisabled) and its queue waits until an admin enables it.
package integration

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"slices"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
)

// Category is the stream category: a team's integrations are stored under
// integrations-<team ID>.
const Category = "integrations"

// Kind is a kind of event a webhook may be sent. Its value is what the
// CloudEvents type ends with and what clients choose from.
type Kind string

// The kinds of events a webhook can subscribe to.
const (
	KindRetroClosed   Kind = "retro.closed"
	KindActionCreated Kind = "action.created"
	KindActionChanged Kind = "action.changed"
	// KindActionDue: an open action's due date passed (once per action and
	// due date; the application's clock finds it).
	KindActionDue    Kind = "action.due"
	KindSurveyClosed Kind = "survey.closed"
)

// Kinds lists every kind once.
func Kinds() []Kind {
	return []Kind{KindRetroClosed, KindActionCreated, KindActionChanged, KindActionDue, KindSurveyClosed}
}

// Format is how a webhook's bodies are written.
type Format string

// The formats.
const (
	// FormatCloudEvents: a CloudEvents 1.0 JSON body, signed as Standard
	// Webhooks does.
	FormatCloudEvents Format = "cloudevents"
	// FormatSlack: a Slack Block Kit message to an incoming-webhook URL.
	FormatSlack Format = "slack"
)

// Limits.
const (
	MaxWebhooks = 20
	// DefaultMaxFailures is how many failed attempts in a row disable a
	// webhook unless the application passes another limit.
	DefaultMaxFailures = 10
	// MaxErrorLength bounds an attempt's error text in the log.
	MaxErrorLength = 300
	// KeptDeliveries is how many settled deliveries a webhook's log keeps
	// (pending ones are always kept).
	KeptDeliveries = 100
)

// Rejection codes, stable for clients.
const (
	CodeActorRequired   = "actor-required"
	CodeIDRequired      = "id-required"
	CodeURLInvalid      = "webhook-url-invalid"
	CodeFormatInvalid   = "webhook-format-invalid"
	CodeKindsInvalid    = "webhook-kinds-invalid"
	CodeSecretRequired  = "webhook-secret-required"
	CodeTooMany         = "too-many-webhooks"
	CodeWebhookExists   = "webhook-exists"
	CodeWebhookNotFound = "webhook-not-found"
	CodeNotDisabled     = "webhook-not-disabled"
	CodeDeliveryUnknown = "delivery-not-found"
	CodeDeliverySettled = "delivery-settled"
	CodeUnknownCommand  = "unknown-command"
)

// Event is something that happened to a team's integrations.
type Event interface{ EventType() string }

// WebhookCreated: a webhook now receives the chosen kinds. SealedSecret is
// the signing secret (FormatCloudEvents) or the whole URL (FormatSlack),
// sealed by the application; URL is empty for Slack, whose URL is secret.
type WebhookCreated struct {
	WebhookID    string    `json:"webhookId"`
	TeamID       string    `json:"teamId"`
	Format       Format    `json:"format"`
	URL          string    `json:"url,omitempty"`
	Kinds        []Kind    `json:"kinds"`
	SealedSecret []byte    `json:"sealedSecret"`
	CreatedBy    string    `json:"createdBy"`
	At           time.Time `json:"at"`
}

// WebhookDeleted: the webhook receives nothing more; its queue is dropped.
type WebhookDeleted struct {
	WebhookID string    `json:"webhookId"`
	By        string    `json:"by"`
	At        time.Time `json:"at"`
}

// WebhookDisabled: too many failed attempts in a row; the queue waits.
type WebhookDisabled struct {
	WebhookID string    `json:"webhookId"`
	Failures  int       `json:"failures"`
	At        time.Time `json:"at"`
}

// WebhookEnabled: an admin turned a disabled webhook back on; its queue
// resumes.
type WebhookEnabled struct {
	WebhookID string    `json:"webhookId"`
	By        string    `json:"by"`
	At        time.Time `json:"at"`
}

// Cause is the event of the log a delivery tells about: where it is, so
// the body is rendered from its aggregate as it was right after it.
type Cause struct {
	EventID  string `json:"eventId"`
	Category string `json:"category"`
	StreamID string `json:"streamId"`
	// Version is the cause's version in its stream.
	Version int64 `json:"version"`
	// Subject is what it is about: the retro, the action or the survey.
	Subject string `json:"subject"`
}

// DeliveryQueued: the webhook is to be sent Kind about Cause.
type DeliveryQueued struct {
	DeliveryID string    `json:"deliveryId"`
	WebhookID  string    `json:"webhookId"`
	Kind       Kind      `json:"kind"`
	Cause      Cause     `json:"cause"`
	At         time.Time `json:"at"`
}

// DeliveryAttempted: one try of a delivery. Status is the receiver's HTTP
// status (0 when none came); OK settles the delivery.
type DeliveryAttempted struct {
	DeliveryID string    `json:"deliveryId"`
	WebhookID  string    `json:"webhookId"`
	Status     int       `json:"status,omitempty"`
	Error      string    `json:"error,omitempty"`
	OK         bool      `json:"ok"`
	At         time.Time `json:"at"`
}

// Event type names as stored in the log, by the rule in package domain.
const (
	TypeWebhookCreated    = "integrations.WebhookCreated"
	TypeWebhookDeleted    = "integrations.WebhookDeleted"
	TypeWebhookDisabled   = "integrations.WebhookDisabled"
	TypeWebhookEnabled    = "integrations.WebhookEnabled"
	TypeDeliveryQueued    = "integrations.DeliveryQueued"
	TypeDeliveryAttempted = "integrations.DeliveryAttempted"
)

// EventType names the event in the log.
func (WebhookCreated) EventType() string { return TypeWebhookCreated }

// EventType names the event in the log.
func (WebhookDeleted) EventType() string { return TypeWebhookDeleted }

// EventType names the event in the log.
func (WebhookDisabled) EventType() string { return TypeWebhookDisabled }

// EventType names the event in the log.
func (WebhookEnabled) EventType() string { return TypeWebhookEnabled }

// EventType names the event in the log.
func (DeliveryQueued) EventType() string { return TypeDeliveryQueued }

// EventType names the event in the log.
func (DeliveryAttempted) EventType() string { return TypeDeliveryAttempted }

// Command is a request to change a team's integrations. The set is closed.
type Command interface{ isCommand() }

// CreateWebhook adds a webhook. The application checks that the actor
// administers the team and seals the secret first.
type CreateWebhook struct {
	Actor        domain.Actor
	At           time.Time
	TeamID       string
	WebhookID    string
	Format       Format
	URL          string
	Kinds        []Kind
	SealedSecret []byte
}

// DeleteWebhook removes a webhook.
type DeleteWebhook struct {
	Actor     domain.Actor
	At        time.Time
	WebhookID string
}

// EnableWebhook turns a disabled webhook back on.
type EnableWebhook struct {
	Actor     domain.Actor
	At        time.Time
	WebhookID string
}

// QueueDeliveries queues Cause for every live webhook subscribed to Kind
// that does not have it queued already.
type QueueDeliveries struct {
	At    time.Time
	Kind  Kind
	Cause Cause
}

// RecordAttempt records one try of a delivery; MaxFailures (0: the
// default) failed tries in a row disable the webhook.
type RecordAttempt struct {
	At          time.Time
	DeliveryID  string
	Status      int
	Error       string
	OK          bool
	MaxFailures int
}

func (CreateWebhook) isCommand()   {}
func (DeleteWebhook) isCommand()   {}
func (EnableWebhook) isCommand()   {}
func (QueueDeliveries) isCommand() {}
func (RecordAttempt) isCommand()   {}

// Events lists one value of every event type, once.
func Events() []Event {
	return []Event{WebhookCreated{}, WebhookDeleted{}, WebhookDisabled{}, WebhookEnabled{}, DeliveryQueued{}, DeliveryAttempted{},
		JiraConfigured{}, IssueRequested{}, IssueLinked{}, IssueFailed{}, IssueResolved{}, GitHubConfigured{}, IssueReopened{}, IssueReported{}}
}

// Commands lists one value of every command type, once.
func Commands() []Command {
	return []Command{CreateWebhook{}, DeleteWebhook{}, EnableWebhook{}, QueueDeliveries{}, RecordAttempt{},
		ConfigureJira{}, RequestIssue{}, LinkIssue{}, FailIssue{}, ResolveIssue{}, ConfigureGitHub{}, ReopenIssue{}}
}

// State of a team's integrations.
type State struct {
	TeamID   string
	Webhooks map[string]*Webhook
	// Order is the webhooks' creation order, deleted ones included.
	Order []string
	// Jira is the team's Jira connection, nil if none; Issues are the
	// Jira issues of its actions, by action ID.
	Jira   *Jira
	Issues map[string]*Issue
	// GitHub is the team's GitHub repository, nil if none; GitHubIssues
	// are the GitHub issues of its actions, by action ID.
	GitHub       *GitHub
	GitHubIssues map[string]*Issue
	// DueQueued are the action.due causes queued, so an action's due date
	// is told once even after its delivery left the log's window.
	DueQueued map[string]bool
}

// Webhook is one webhook and its deliveries.
type Webhook struct {
	ID           string
	Format       Format
	URL          string
	Kinds        []Kind
	SealedSecret []byte
	CreatedBy    string
	CreatedAt    time.Time
	Deleted      bool
	Disabled     bool
	// Failures counts failed attempts since the last success.
	Failures   int
	Deliveries map[string]*Delivery
	// Log is the deliveries' order, oldest first.
	Log []string
}

// Delivery is one cause to send to one webhook.
type Delivery struct {
	ID       string
	Kind     Kind
	Cause    Cause
	QueuedAt time.Time
	Attempts []Attempt
	Done     bool
}

// Attempt is one try.
type Attempt struct {
	At     time.Time
	Status int
	Error  string
	OK     bool
}

// Initial is the state before any event.
func Initial() State { return State{} }

// Live reports whether the webhook receives deliveries now.
func (w *Webhook) Live() bool { return w != nil && !w.Deleted && !w.Disabled }

// Subscribed reports whether the webhook wants kind.
func (w *Webhook) Subscribed(k Kind) bool { return slices.Contains(w.Kinds, k) }

// Pending lists the webhook's unsettled deliveries, oldest first.
func (w *Webhook) Pending() []*Delivery {
	var out []*Delivery
	for _, id := range w.Log {
		if d := w.Deliveries[id]; d != nil && !d.Done {
			out = append(out, d)
		}
	}
	return out
}

// DeliveryID is the stable ID of the delivery of a cause to a webhook: a
// UUID-shaped hash of both, the same on every node and every attempt.
func DeliveryID(webhookID, causeEventID string) string {
	sum := sha256.Sum256([]byte("delivery\x00" + webhookID + "\x00" + causeEventID))
	h := hex.EncodeToString(sum[:16])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// Decide turns a command into events, or rejects it with a *domain.Error.
func Decide(s State, c Command) ([]Event, error) {
	switch c := c.(type) {
	case CreateWebhook:
		return decideCreate(s, c)
	case DeleteWebhook:
		w, err := s.live(c.WebhookID, c.Actor)
		if err != nil {
			return nil, err
		}
		return []Event{WebhookDeleted{WebhookID: w.ID, By: c.Actor.UserID, At: c.At.UTC()}}, nil
	case EnableWebhook:
		w, err := s.live(c.WebhookID, c.Actor)
		if err != nil {
			return nil, err
		}
		if !w.Disabled {
			return nil, domain.Errorf(domain.Conflict, CodeNotDisabled, "webhook %s is enabled", w.ID)
		}
		return []Event{WebhookEnabled{WebhookID: w.ID, By: c.Actor.UserID, At: c.At.UTC()}}, nil
	case QueueDeliveries:
		return decideQueue(s, c)
	case RecordAttempt:
		return decideAttempt(s, c)
	case ConfigureJira, RequestIssue, LinkIssue, FailIssue, ResolveIssue:
		return decideJira(s, c)
	case ConfigureGitHub, ReopenIssue:
		return decideGitHub(s, c)
	}
	return nil, domain.Errorf(domain.Invalid, CodeUnknownCommand, "unknown command %T", c)
}

func (s State) live(id string, actor domain.Actor) (*Webhook, error) {
	if actor.UserID == "" {
		return nil, domain.Errorf(domain.Invalid, CodeActorRequired, "a webhook is changed by someone")
	}
	w := s.Webhooks[id]
	if w == nil || w.Deleted {
		return nil, domain.Errorf(domain.NotFound, CodeWebhookNotFound, "no webhook %s", id)
	}
	return w, nil
}

func decideCreate(s State, c CreateWebhook) ([]Event, error) {
	live := 0
	for _, w := range s.Webhooks {
		if !w.Deleted {
			live++
		}
	}
	switch {
	case c.Actor.UserID == "":
		return nil, domain.Errorf(domain.Invalid, CodeActorRequired, "a webhook is created by someone")
	case c.TeamID == "" || c.WebhookID == "" || (s.TeamID != "" && s.TeamID != c.TeamID):
		return nil, domain.Errorf(domain.Invalid, CodeIDRequired, "a webhook needs its ID and its team's")
	case c.Format != FormatCloudEvents && c.Format != FormatSlack:
		return nil, domain.Errorf(domain.Invalid, CodeFormatInvalid, "format must be %q or %q", FormatCloudEvents, FormatSlack)
	case c.Format == FormatCloudEvents && !validURL(c.URL):
		return nil, domain.Errorf(domain.Invalid, CodeURLInvalid, "a webhook's URL must be an absolute http or https URL without credentials")
	case c.Format == FormatSlack && c.URL != "":
		return nil, domain.Errorf(domain.Invalid, CodeURLInvalid, "a Slack URL is a secret and travels sealed only")
	case !validKinds(c.Kinds):
		return nil, domain.Errorf(domain.Invalid, CodeKindsInvalid, "choose one or more of %v, each once", Kinds())
	case len(c.SealedSecret) == 0:
		return nil, domain.Errorf(domain.Invalid, CodeSecretRequired, "a webhook's secret is sealed by the application")
	case s.Webhooks[c.WebhookID] != nil:
		return nil, domain.Errorf(domain.Conflict, CodeWebhookExists, "webhook %s exists", c.WebhookID)
	case live >= MaxWebhooks:
		return nil, domain.Errorf(domain.Conflict, CodeTooMany, "a team has at most %d webhooks", MaxWebhooks)
	}
	return []Event{WebhookCreated{WebhookID: c.WebhookID, TeamID: c.TeamID, Format: c.Format, URL: c.URL,
		Kinds: slices.Clone(c.Kinds), SealedSecret: slices.Clone(c.SealedSecret), CreatedBy: c.Actor.UserID, At: c.At.UTC()}}, nil
}

func validURL(raw string) bool {
	if len(raw) > 2000 {
		return false
	}
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.User == nil && u.Fragment == ""
}

func validKinds(ks []Kind) bool {
	if len(ks) == 0 {
		return false
	}
	seen := map[Kind]bool{}
	for _, k := range ks {
		if seen[k] || !slices.Contains(Kinds(), k) {
			return false
		}
		seen[k] = true
	}
	return true
}

func decideQueue(s State, c QueueDeliveries) ([]Event, error) {
	if c.Cause.EventID == "" || c.Cause.StreamID == "" || c.Cause.Category == "" {
		return nil, domain.Errorf(domain.Invalid, CodeIDRequired, "a delivery needs its cause")
	}
	if !slices.Contains(Kinds(), c.Kind) {
		return nil, domain.Errorf(domain.Invalid, CodeKindsInvalid, "unknown kind %q", c.Kind)
	}
	if c.Kind == KindActionDue && s.DueQueued[c.Cause.EventID] {
		return nil, nil
	}
	var out []Event
	for _, id := range s.Order {
		w := s.Webhooks[id]
		if !w.Live() || !w.Subscribed(c.Kind) || w.Deliveries[DeliveryID(w.ID, c.Cause.EventID)] != nil {
			// A cause offered again (the reactor delivers at least once)
			// is queued already.
			continue
		}
		out = append(out, DeliveryQueued{DeliveryID: DeliveryID(w.ID, c.Cause.EventID), WebhookID: w.ID, Kind: c.Kind, Cause: c.Cause, At: c.At.UTC()})
	}
	return out, nil
}

func decideAttempt(s State, c RecordAttempt) ([]Event, error) {
	var w *Webhook
	var d *Delivery
	for _, id := range s.Order {
		if x := s.Webhooks[id].Deliveries[c.DeliveryID]; x != nil {
			w, d = s.Webhooks[id], x
		}
	}
	switch {
	case d == nil:
		return nil, domain.Errorf(domain.NotFound, CodeDeliveryUnknown, "no delivery %s", c.DeliveryID)
	case d.Done || w.Deleted:
		return nil, domain.Errorf(domain.Conflict, CodeDeliverySettled, "delivery %s is settled", c.DeliveryID)
	}
	errText := c.Error
	if r := []rune(errText); len(r) > MaxErrorLength {
		errText = string(r[:MaxErrorLength])
	}
	out := []Event{DeliveryAttempted{DeliveryID: d.ID, WebhookID: w.ID, Status: c.Status, Error: errText, OK: c.OK, At: c.At.UTC()}}
	limit := c.MaxFailures
	if limit <= 0 {
		limit = DefaultMaxFailures
	}
	if !c.OK && !w.Disabled && w.Failures+1 >= limit {
		out = append(out, WebhookDisabled{WebhookID: w.ID, Failures: w.Failures + 1, At: c.At.UTC()})
	}
	return out, nil
}

// Evolve folds one event into the state.
func Evolve(s State, e Event) State {
	switch e := e.(type) {
	case WebhookCreated:
		s = s.clone()
		s.TeamID = e.TeamID
		s.Webhooks[e.WebhookID] = &Webhook{ID: e.WebhookID, Format: e.Format, URL: e.URL, Kinds: slices.Clone(e.Kinds),
			SealedSecret: e.SealedSecret, CreatedBy: e.CreatedBy, CreatedAt: e.At, Deliveries: map[string]*Delivery{}}
		s.Order = append(slices.Clip(s.Order), e.WebhookID)
	case WebhookDeleted:
		s = s.with(e.WebhookID, func(w *Webhook) {
			w.Deleted = true
			w.Deliveries, w.Log = map[string]*Delivery{}, nil
		})
	case WebhookDisabled:
		s = s.with(e.WebhookID, func(w *Webhook) { w.Disabled = true })
	case WebhookEnabled:
		s = s.with(e.WebhookID, func(w *Webhook) { w.Disabled, w.Failures = false, 0 })
	case DeliveryQueued:
		s = s.with(e.WebhookID, func(w *Webhook) {
			w.Deliveries[e.DeliveryID] = &Delivery{ID: e.DeliveryID, Kind: e.Kind, Cause: e.Cause, QueuedAt: e.At}
			w.Log = append(w.Log, e.DeliveryID)
		})
		if e.Kind == KindActionDue && !s.DueQueued[e.Cause.EventID] {
			due := make(map[string]bool, len(s.DueQueued)+1)
			for k, v := range s.DueQueued {
				due[k] = v
			}
			due[e.Cause.EventID] = true
			s.DueQueued = due
		}
	case DeliveryAttempted:
		s = s.with(e.WebhookID, func(w *Webhook) {
			d := w.Deliveries[e.DeliveryID]
			if d == nil {
				return
			}
			nd := *d
			nd.Attempts = append(slices.Clip(d.Attempts), Attempt{At: e.At, Status: e.Status, Error: e.Error, OK: e.OK})
			nd.Done = e.OK
			w.Deliveries[e.DeliveryID] = &nd
			if e.OK {
				w.Failures = 0
			} else {
				w.Failures++
			}
			w.trim()
		})
	case JiraConfigured, IssueRequested, IssueLinked, IssueFailed, IssueResolved:
		s = evolveJira(s, e)
	case GitHubConfigured, IssueReopened, IssueReported:
		s = evolveGitHub(s, e)
	}
	return s
}

// trim forgets the oldest settled deliveries beyond KeptDeliveries.
func (w *Webhook) trim() {
	settled := 0
	for _, id := range w.Log {
		if w.Deliveries[id].Done {
			settled++
		}
	}
	if settled <= KeptDeliveries {
		return
	}
	drop := settled - KeptDeliveries
	log := make([]string, 0, len(w.Log))
	for _, id := range w.Log {
		if drop > 0 && w.Deliveries[id].Done {
			delete(w.Deliveries, id)
			drop--
			continue
		}
		log = append(log, id)
	}
	w.Log = log
}

// clone copies the maps Evolve changes, so a state handed out (the
// runner's cache) is never changed under its holder.
func (s State) clone() State {
	ws := make(map[string]*Webhook, len(s.Webhooks)+1)
	for k, v := range s.Webhooks {
		ws[k] = v
	}
	s.Webhooks = ws
	return s
}

// with changes a copy of one webhook.
func (s State) with(id string, change func(w *Webhook)) State {
	old := s.Webhooks[id]
	if old == nil {
		return s
	}
	s = s.clone()
	w := *old
	w.Deliveries = make(map[string]*Delivery, len(old.Deliveries)+1)
	for k, v := range old.Deliveries {
		w.Deliveries[k] = v
	}
	w.Log = slices.Clone(old.Log)
	change(&w)
	s.Webhooks[id] = &w
	return s
}

// Decider is the rules as one value, for tests and the runner.
func Decider() domain.Decider[State, Command, Event] {
	return domain.Decider[State, Command, Event]{Initial: Initial, Decide: Decide, Evolve: Evolve}
}

func codecFor(typ string) (domain.Schema[Event], bool) {
	switch typ {
	case TypeWebhookCreated:
		return domain.Current[Event, WebhookCreated](1), true
	case TypeWebhookDeleted:
		return domain.Current[Event, WebhookDeleted](1), true
	case TypeWebhookDisabled:
		return domain.Current[Event, WebhookDisabled](1), true
	case TypeWebhookEnabled:
		return domain.Current[Event, WebhookEnabled](1), true
	case TypeDeliveryQueued:
		return domain.Current[Event, DeliveryQueued](1), true
	case TypeDeliveryAttempted:
		return domain.Current[Event, DeliveryAttempted](1), true
	case TypeJiraConfigured:
		return domain.Current[Event, JiraConfigured](1), true
	case TypeIssueRequested:
		return domain.Current[Event, IssueRequested](1), true
	case TypeIssueLinked:
		return domain.Current[Event, IssueLinked](1), true
	case TypeIssueFailed:
		return domain.Current[Event, IssueFailed](1), true
	case TypeIssueResolved:
		return domain.Current[Event, IssueResolved](1), true
	case TypeGitHubConfigured:
		return domain.Current[Event, GitHubConfigured](1), true
	case TypeIssueReopened:
		return domain.Current[Event, IssueReopened](1), true
	case TypeIssueReported:
		return domain.Current[Event, IssueReported](1), true
	}
	return domain.Schema[Event]{}, false
}

func codec() domain.Codec[Event] {
	return domain.Codec[Event]{Aggregate: "integrations", Lookup: codecFor}
}

// EncodeEvent turns an event into its stored form.
func EncodeEvent(e Event) (typ string, schemaVersion int, payload []byte, err error) {
	return codec().Encode(e)
}

// DecodeEvent reads a stored event.
func DecodeEvent(typ string, schemaVersion int, payload []byte) (Event, error) {
	return codec().Decode(typ, schemaVersion, payload)
}
