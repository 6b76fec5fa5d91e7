package integration

import (
	"slices"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
)

// GitHub Issues: a team's connection (a repository and a token sealed by
// the application), with the same issue events as Jira, told apart by
// their Tracker. A tracker also reports an issue reopened, which reopens
// the action. Every delivery GitHub names (X-GitHub-Delivery) changes an
// issue at most once, so a delivery replayed later cannot undo a newer one.
//
// Trackers do not deliver in order (GitHub and Jira send each delivery on
// its own, and retry them), so every report carries the tracker's own time
// of the change, and a report older than the newest taken for the issue
// changes nothing. A report that agrees with what the issue already is
// still keeps its time (IssueReported), or a closing delivered after a
// newer reopening that arrived first would close the issue again.

// Tracker names the issue tracker of an issue event.
type Tracker string

// The trackers. TrackerJira is empty: the Jira events stored before GitHub
// was added carry no tracker.
const (
	TrackerJira   Tracker = ""
	TrackerGitHub Tracker = "github"
)

// Rejection codes of the GitHub commands.
const (
	CodeGitHubInvalid       = "github-config-invalid"
	CodeGitHubNotConfigured = "github-not-configured"
	CodeDeliveryReplayed    = "github-delivery-replayed"
)

// GitHubConfigured: the team's GitHub repository, replacing any earlier one.
type GitHubConfigured struct {
	Owner       string    `json:"owner"`
	Repo        string    `json:"repo"`
	SealedToken []byte    `json:"sealedToken"`
	SecretHash  string    `json:"secretHash"`
	By          string    `json:"by"`
	At          time.Time `json:"at"`
}

// IssueReopened: the tracker reported a closed issue open again.
type IssueReopened struct {
	Tracker  Tracker   `json:"tracker,omitempty"`
	ActionID string    `json:"actionId"`
	Key      string    `json:"key"`
	Delivery string    `json:"delivery,omitempty"`
	Reported time.Time `json:"reported,omitzero"`
	At       time.Time `json:"at"`
}

// IssueReported: the tracker reported the issue as it already was (done
// or open), newer than any report before; nothing changes but the time an
// older report is measured against.
type IssueReported struct {
	Tracker  Tracker   `json:"tracker,omitempty"`
	ActionID string    `json:"actionId"`
	Key      string    `json:"key"`
	Resolved bool      `json:"resolved"`
	Delivery string    `json:"delivery,omitempty"`
	Reported time.Time `json:"reported"`
	At       time.Time `json:"at"`
}

// Event type names of the GitHub events.
const (
	TypeGitHubConfigured = "integrations.GitHubConfigured"
	TypeIssueReopened    = "integrations.IssueReopened"
	TypeIssueReported    = "integrations.IssueReported"
)

// EventType names the event in the log.
func (GitHubConfigured) EventType() string { return TypeGitHubConfigured }

// EventType names the event in the log.
func (IssueReopened) EventType() string { return TypeIssueReopened }

// EventType names the event in the log.
func (IssueReported) EventType() string { return TypeIssueReported }

// ConfigureGitHub sets the team's GitHub repository (team admins).
type ConfigureGitHub struct {
	Actor       domain.Actor
	At          time.Time
	TeamID      string
	Owner, Repo string
	SealedToken []byte
	SecretHash  string
}

// ReopenIssue records that the tracker reported an issue open again;
// Delivery and Reported as for ResolveIssue.
type ReopenIssue struct {
	Tracker  Tracker
	At       time.Time
	Key      string
	Delivery string
	Reported time.Time
}

func (ConfigureGitHub) isCommand() {}
func (ReopenIssue) isCommand()     {}

// GitHub is a team's GitHub connection.
type GitHub struct {
	Owner, Repo, SecretHash string
	SealedToken             []byte
	By                      string
	At                      time.Time
}

// IssuesOf are the tracker's issues, by action ID.
func (s State) IssuesOf(tr Tracker) map[string]*Issue {
	if tr == TrackerGitHub {
		return s.GitHubIssues
	}
	return s.Issues
}

// Connected reports whether the team is connected to the tracker.
func (s State) Connected(tr Tracker) bool {
	if tr == TrackerGitHub {
		return s.GitHub != nil
	}
	return s.Jira != nil
}

// ConnectedBy is who connected the team to the tracker, "" if nobody.
func (s State) ConnectedBy(tr Tracker) string {
	switch {
	case tr == TrackerGitHub && s.GitHub != nil:
		return s.GitHub.By
	case tr == TrackerJira && s.Jira != nil:
		return s.Jira.By
	}
	return ""
}

func notConnected(tr Tracker) error {
	if tr == TrackerGitHub {
		return domain.Errorf(domain.Conflict, CodeGitHubNotConfigured, "the team has no GitHub repository")
	}
	return domain.Errorf(domain.Conflict, CodeJiraNotConfigured, "the team has no Jira connection")
}

// fresh refuses a delivery that changed the issue before.
func (i *Issue) fresh(delivery string) error {
	if delivery != "" && slices.Contains(i.Deliveries, delivery) {
		return domain.Errorf(domain.Conflict, CodeDeliveryReplayed, "delivery %s was taken before", delivery)
	}
	return nil
}

func (i *Issue) seen(delivery string, reported time.Time) {
	if delivery != "" {
		i.Deliveries = append(i.Deliveries, delivery)
	}
	if reported.After(i.Reported) {
		i.Reported = reported
	}
}

// report decides the tracker's word that the issue is done (resolved) or
// open, at its time reported (zero: the tracker gave none, the word is
// taken in the order it came).
func (i *Issue) report(tr Tracker, resolved bool, delivery string, reported, at time.Time) ([]Event, error) {
	if err := i.fresh(delivery); err != nil {
		return nil, err
	}
	reported, at = reported.UTC(), at.UTC()
	switch {
	case !reported.IsZero() && reported.Before(i.Reported):
		return nil, nil // the tracker said something newer before
	case resolved && !i.Resolved:
		return []Event{IssueResolved{Tracker: tr, ActionID: i.ActionID, Key: i.Key, Delivery: delivery, Reported: reported, At: at}}, nil
	case !resolved && i.Resolved:
		return []Event{IssueReopened{Tracker: tr, ActionID: i.ActionID, Key: i.Key, Delivery: delivery, Reported: reported, At: at}}, nil
	case reported.After(i.Reported):
		return []Event{IssueReported{Tracker: tr, ActionID: i.ActionID, Key: i.Key, Resolved: resolved, Delivery: delivery, Reported: reported, At: at}}, nil
	}
	return nil, nil
}

func decideGitHub(s State, c Command) ([]Event, error) {
	switch c := c.(type) {
	case ConfigureGitHub:
		switch {
		case c.Actor.UserID == "":
			return nil, domain.Errorf(domain.Invalid, CodeActorRequired, "GitHub is configured by someone")
		case c.TeamID == "" || (s.TeamID != "" && s.TeamID != c.TeamID):
			return nil, domain.Errorf(domain.Invalid, CodeIDRequired, "GitHub is configured for a team")
		case !validGitHubOwner(c.Owner) || !validGitHubRepo(c.Repo):
			return nil, domain.Errorf(domain.Invalid, CodeGitHubInvalid,
				"owner is a GitHub user or organisation (letters, digits, hyphens) and repo a repository name (letters, digits, '-', '_', '.')")
		case len(c.SealedToken) == 0 || c.SecretHash == "":
			return nil, domain.Errorf(domain.Invalid, CodeSecretRequired, "the token and the webhook secret are sealed by the application")
		}
		return []Event{GitHubConfigured{Owner: c.Owner, Repo: c.Repo, SealedToken: slices.Clone(c.SealedToken),
			SecretHash: c.SecretHash, By: c.Actor.UserID, At: c.At.UTC()}}, nil
	case ReopenIssue:
		i := s.IssueByKey(c.Tracker, c.Key)
		if i == nil {
			return nil, domain.Errorf(domain.NotFound, CodeIssueUnknown, "no action links to %s", c.Key)
		}
		return i.report(c.Tracker, false, c.Delivery, c.Reported, c.At)
	}
	return nil, domain.Errorf(domain.Invalid, CodeUnknownCommand, "unknown command %T", c)
}

// validGitHubOwner: GitHub's user and organisation names, 1 to 39
// letters, digits and single hyphens, not at either end.
func validGitHubOwner(o string) bool {
	if len(o) < 1 || len(o) > 39 || o[0] == '-' || o[len(o)-1] == '-' {
		return false
	}
	for i, r := range o {
		if !isAlnum(r) && (r != '-' || o[i-1] == '-') {
			return false
		}
	}
	return true
}

// validGitHubRepo: a repository name, 1 to 100 letters, digits, '-', '_'
// and '.', not "." or "..".
func validGitHubRepo(r string) bool {
	if len(r) < 1 || len(r) > 100 || r == "." || r == ".." {
		return false
	}
	for _, c := range r {
		if !isAlnum(c) && c != '-' && c != '_' && c != '.' {
			return false
		}
	}
	return true
}

func isAlnum(r rune) bool {
	return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
}

func evolveGitHub(s State, e Event) State {
	switch e := e.(type) {
	case GitHubConfigured:
		s = s.withIssues(TrackerGitHub)
		s.GitHub = &GitHub{Owner: e.Owner, Repo: e.Repo, SecretHash: e.SecretHash, SealedToken: e.SealedToken, By: e.By, At: e.At}
	case IssueReopened:
		s = s.withIssue(e.Tracker, e.ActionID, func(i *Issue) { i.Resolved = false; i.seen(e.Delivery, e.Reported) })
	case IssueReported:
		s = s.withIssue(e.Tracker, e.ActionID, func(i *Issue) { i.seen(e.Delivery, e.Reported) })
	}
	return s
}
