package integration

import (
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
)

// Jira Cloud: a team's connection (site, account, project, issue type),
// the issues made from its actions, and the issues Jira reported done.
// The API token is sealed by the application like a webhook's secret; the
// incoming webhook's secret is kept as its SHA-256 only.

// Rejection codes of the Jira commands.
const (
	CodeJiraInvalid       = "jira-config-invalid"
	CodeJiraNotConfigured = "jira-not-configured"
	CodeIssueRequested    = "jira-issue-requested"
	CodeIssueUnknown      = "jira-issue-not-found"
)

// JiraConfigured: the team's Jira connection, replacing any earlier one.
type JiraConfigured struct {
	Site        string    `json:"site"`
	Email       string    `json:"email"`
	SealedToken []byte    `json:"sealedToken"`
	ProjectKey  string    `json:"projectKey"`
	IssueType   string    `json:"issueType"`
	SecretHash  string    `json:"secretHash"`
	By          string    `json:"by"`
	At          time.Time `json:"at"`
}

// IssueRequested: an admin asked for an issue for the action; the
// reaction creates it in Jira.
type IssueRequested struct {
	// Tracker is TrackerJira ("", the events before GitHub) or
	// TrackerGitHub; so are the other Issue events' and commands'.
	Tracker   Tracker   `json:"tracker,omitempty"`
	ActionID  string    `json:"actionId"`
	Title     string    `json:"title"`
	RequestID string    `json:"requestId"`
	By        string    `json:"by"`
	At        time.Time `json:"at"`
}

// IssueLinked: Jira made the issue; the action links to it.
type IssueLinked struct {
	Tracker  Tracker   `json:"tracker,omitempty"`
	ActionID string    `json:"actionId"`
	IssueID  string    `json:"issueId"`
	Key      string    `json:"key"`
	URL      string    `json:"url"`
	At       time.Time `json:"at"`
}

// IssueFailed: Jira refused the issue for good (a 4xx); an admin may ask
// again.
type IssueFailed struct {
	Tracker  Tracker   `json:"tracker,omitempty"`
	ActionID string    `json:"actionId"`
	Error    string    `json:"error"`
	At       time.Time `json:"at"`
}

// IssueResolved: the tracker reported the issue done (Jira) or closed
// (GitHub). Delivery is the tracker's delivery ID, if it sends one;
// Reported the tracker's own time of the change, if it sends one.
type IssueResolved struct {
	Tracker  Tracker   `json:"tracker,omitempty"`
	ActionID string    `json:"actionId"`
	Key      string    `json:"key"`
	Delivery string    `json:"delivery,omitempty"`
	Reported time.Time `json:"reported,omitzero"`
	At       time.Time `json:"at"`
}

// Event type names of the Jira events.
const (
	TypeJiraConfigured = "integrations.JiraConfigured"
	TypeIssueRequested = "integrations.IssueRequested"
	TypeIssueLinked    = "integrations.IssueLinked"
	TypeIssueFailed    = "integrations.IssueFailed"
	TypeIssueResolved  = "integrations.IssueResolved"
)

// EventType names the event in the log.
func (JiraConfigured) EventType() string { return TypeJiraConfigured }

// EventType names the event in the log.
func (IssueRequested) EventType() string { return TypeIssueRequested }

// EventType names the event in the log.
func (IssueLinked) EventType() string { return TypeIssueLinked }

// EventType names the event in the log.
func (IssueFailed) EventType() string { return TypeIssueFailed }

// EventType names the event in the log.
func (IssueResolved) EventType() string { return TypeIssueResolved }

// ConfigureJira sets the team's Jira connection (team admins).
type ConfigureJira struct {
	Actor       domain.Actor
	At          time.Time
	TeamID      string
	Site        string
	Email       string
	SealedToken []byte
	ProjectKey  string
	IssueType   string
	SecretHash  string
}

// RequestIssue asks for an issue for a team action; the application
// passes the action's title (it checked the action is the team's).
type RequestIssue struct {
	Tracker   Tracker
	Actor     domain.Actor
	At        time.Time
	ActionID  string
	Title     string
	RequestID string
}

// LinkIssue records the issue Jira made for an action.
type LinkIssue struct {
	Tracker  Tracker
	At       time.Time
	ActionID string
	IssueID  string
	Key      string
	URL      string
}

// FailIssue records that Jira refused an action's issue.
type FailIssue struct {
	Tracker  Tracker
	At       time.Time
	ActionID string
	Error    string
}

// ResolveIssue records that the tracker reported an issue done; Delivery,
// if the tracker names its deliveries, is refused a second time. Reported
// is the tracker's own time of the change (Jira's timestamp, GitHub's
// updated_at), zero if it sends none: a report older than one taken
// before changes nothing.
type ResolveIssue struct {
	Tracker  Tracker
	At       time.Time
	Key      string
	Delivery string
	Reported time.Time
}

func (ConfigureJira) isCommand() {}
func (RequestIssue) isCommand()  {}
func (LinkIssue) isCommand()     {}
func (FailIssue) isCommand()     {}
func (ResolveIssue) isCommand()  {}

// Jira is a team's Jira connection.
type Jira struct {
	Site, Email, ProjectKey, IssueType, SecretHash string
	SealedToken                                    []byte
	By                                             string
	At                                             time.Time
}

// Issue is an action's issue in a tracker, requested or made.
type Issue struct {
	ActionID  string
	Title     string
	RequestID string
	IssueID   string
	Key       string
	URL       string
	Failed    string
	Resolved  bool
	At        time.Time
	// Deliveries are the tracker's deliveries that changed the issue.
	Deliveries []string
	// Reported is the tracker's time of the newest report taken.
	Reported time.Time
}

// Linked reports whether Jira made the issue.
func (i *Issue) Linked() bool { return i != nil && i.Key != "" }

// IssueByKey finds the issue the tracker knows by key.
func (s State) IssueByKey(tr Tracker, key string) *Issue {
	for _, i := range s.IssuesOf(tr) {
		if i.Key != "" && strings.EqualFold(i.Key, key) {
			return i
		}
	}
	return nil
}

func decideJira(s State, c Command) ([]Event, error) {
	switch c := c.(type) {
	case ConfigureJira:
		u, err := url.Parse(c.Site)
		switch {
		case c.Actor.UserID == "":
			return nil, domain.Errorf(domain.Invalid, CodeActorRequired, "Jira is configured by someone")
		case c.TeamID == "" || (s.TeamID != "" && s.TeamID != c.TeamID):
			return nil, domain.Errorf(domain.Invalid, CodeIDRequired, "Jira is configured for a team")
		case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || strings.Trim(u.Path, "/") != "" || u.RawQuery != "":
			return nil, domain.Errorf(domain.Invalid, CodeJiraInvalid, "the site is the Jira Cloud URL, such as https://acme.atlassian.net")
		case !strings.Contains(c.Email, "@") || len(c.Email) > 254:
			return nil, domain.Errorf(domain.Invalid, CodeJiraInvalid, "the e-mail address of the account the API token belongs to is required")
		case len(c.SealedToken) == 0 || c.SecretHash == "":
			return nil, domain.Errorf(domain.Invalid, CodeSecretRequired, "the API token and the webhook secret are sealed by the application")
		case !validProjectKey(c.ProjectKey):
			return nil, domain.Errorf(domain.Invalid, CodeJiraInvalid, "a project key is an upper-case letter and up to 9 upper-case letters, digits or underscores")
		case c.IssueType == "" || len(c.IssueType) > 60:
			return nil, domain.Errorf(domain.Invalid, CodeJiraInvalid, "an issue type (such as Task) is required")
		}
		return []Event{JiraConfigured{Site: strings.TrimRight(c.Site, "/"), Email: c.Email, SealedToken: slices.Clone(c.SealedToken),
			ProjectKey: c.ProjectKey, IssueType: c.IssueType, SecretHash: c.SecretHash, By: c.Actor.UserID, At: c.At.UTC()}}, nil
	case RequestIssue:
		switch {
		case !s.Connected(c.Tracker):
			return nil, notConnected(c.Tracker)
		case c.Actor.UserID == "":
			return nil, domain.Errorf(domain.Invalid, CodeActorRequired, "an issue is asked for by someone")
		case c.ActionID == "" || c.RequestID == "":
			return nil, domain.Errorf(domain.Invalid, CodeIDRequired, "an issue needs its action")
		}
		if i := s.IssuesOf(c.Tracker)[c.ActionID]; i != nil && i.Failed == "" {
			return nil, domain.Errorf(domain.Conflict, CodeIssueRequested, "action %s has its issue %s", c.ActionID, i.Key)
		}
		return []Event{IssueRequested{Tracker: c.Tracker, ActionID: c.ActionID, Title: c.Title, RequestID: c.RequestID, By: c.Actor.UserID, At: c.At.UTC()}}, nil
	case LinkIssue:
		i := s.IssuesOf(c.Tracker)[c.ActionID]
		switch {
		case i == nil:
			return nil, domain.Errorf(domain.NotFound, CodeIssueUnknown, "no issue asked for action %s", c.ActionID)
		case i.Linked():
			return nil, nil
		case c.Key == "":
			return nil, domain.Errorf(domain.Invalid, CodeIDRequired, "an issue has its key")
		}
		return []Event{IssueLinked{Tracker: c.Tracker, ActionID: c.ActionID, IssueID: c.IssueID, Key: c.Key, URL: c.URL, At: c.At.UTC()}}, nil
	case FailIssue:
		i := s.IssuesOf(c.Tracker)[c.ActionID]
		if i == nil || i.Linked() {
			return nil, domain.Errorf(domain.Conflict, CodeIssueUnknown, "no issue waits for action %s", c.ActionID)
		}
		return []Event{IssueFailed{Tracker: c.Tracker, ActionID: c.ActionID, Error: clipText(c.Error), At: c.At.UTC()}}, nil
	case ResolveIssue:
		i := s.IssueByKey(c.Tracker, c.Key)
		if i == nil {
			return nil, domain.Errorf(domain.NotFound, CodeIssueUnknown, "no action links to %s", c.Key)
		}
		return i.report(c.Tracker, true, c.Delivery, c.Reported, c.At)
	}
	return nil, domain.Errorf(domain.Invalid, CodeUnknownCommand, "unknown command %T", c)
}

func validProjectKey(k string) bool {
	if len(k) < 1 || len(k) > 10 || k[0] < 'A' || k[0] > 'Z' {
		return false
	}
	for _, r := range k {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') && r != '_' {
			return false
		}
	}
	return true
}

func clipText(s string) string {
	if r := []rune(s); len(r) > MaxErrorLength {
		return string(r[:MaxErrorLength])
	}
	return s
}

func evolveJira(s State, e Event) State {
	switch e := e.(type) {
	case JiraConfigured:
		s = s.withIssues(TrackerJira)
		s.Jira = &Jira{Site: e.Site, Email: e.Email, ProjectKey: e.ProjectKey, IssueType: e.IssueType, SecretHash: e.SecretHash,
			SealedToken: e.SealedToken, By: e.By, At: e.At}
	case IssueRequested:
		s = s.withIssues(e.Tracker)
		s.IssuesOf(e.Tracker)[e.ActionID] = &Issue{ActionID: e.ActionID, Title: e.Title, RequestID: e.RequestID, At: e.At}
	case IssueLinked:
		s = s.withIssue(e.Tracker, e.ActionID, func(i *Issue) { i.IssueID, i.Key, i.URL, i.Failed = e.IssueID, e.Key, e.URL, "" })
	case IssueFailed:
		s = s.withIssue(e.Tracker, e.ActionID, func(i *Issue) { i.Failed = e.Error })
	case IssueResolved:
		s = s.withIssue(e.Tracker, e.ActionID, func(i *Issue) { i.Resolved = true; i.seen(e.Delivery, e.Reported) })
	}
	return s
}

// withIssues copies the tracker's issues, so a state shared with the
// cache is never changed.
func (s State) withIssues(tr Tracker) State {
	old := s.IssuesOf(tr)
	is := make(map[string]*Issue, len(old)+1)
	for k, v := range old {
		is[k] = v
	}
	if tr == TrackerGitHub {
		s.GitHubIssues = is
	} else {
		s.Issues = is
	}
	return s
}

func (s State) withIssue(tr Tracker, actionID string, change func(*Issue)) State {
	old := s.IssuesOf(tr)[actionID]
	if old == nil {
		return s
	}
	s = s.withIssues(tr)
	i := *old
	i.Deliveries = slices.Clone(old.Deliveries)
	change(&i)
	s.IssuesOf(tr)[actionID] = &i
	return s
}
