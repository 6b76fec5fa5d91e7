package integration_test

import (
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/decidertest"
	"github.com/hindsight-retro/hindsight/domain/integration"
)

const gh = integration.TrackerGitHub

func configureGitHub() integration.ConfigureGitHub {
	return integration.ConfigureGitHub{Actor: admin, At: t0, TeamID: "t1", Owner: "acme", Repo: "ops.tools",
		SealedToken: []byte("sealed"), SecretHash: "hash"}
}

func gitHubConfigured() integration.Event {
	return integration.GitHubConfigured{Owner: "acme", Repo: "ops.tools", SealedToken: []byte("sealed"), SecretHash: "hash", By: "ann", At: t0}
}

func TestAnAdminConfiguresGitHubWithAValidRepository(t *testing.T) {
	d.Then(t, nil, configureGitHub(), gitHubConfigured())
	with := func(change func(c *integration.ConfigureGitHub)) integration.Command {
		c := configureGitHub()
		change(&c)
		return c
	}
	d.RefusedAll(t, map[string]decidertest.Refusal[integration.Command, integration.Event]{
		"owner with a slash":     {When: with(func(c *integration.ConfigureGitHub) { c.Owner = "acme/x" }), Kind: domain.Invalid, Code: integration.CodeGitHubInvalid},
		"owner ending in hyphen": {When: with(func(c *integration.ConfigureGitHub) { c.Owner = "acme-" }), Kind: domain.Invalid, Code: integration.CodeGitHubInvalid},
		"double hyphen":          {When: with(func(c *integration.ConfigureGitHub) { c.Owner = "ac--me" }), Kind: domain.Invalid, Code: integration.CodeGitHubInvalid},
		"repo ..":                {When: with(func(c *integration.ConfigureGitHub) { c.Repo = ".." }), Kind: domain.Invalid, Code: integration.CodeGitHubInvalid},
		"repo with a query":      {When: with(func(c *integration.ConfigureGitHub) { c.Repo = "ops?x=1" }), Kind: domain.Invalid, Code: integration.CodeGitHubInvalid},
		"token not sealed":       {When: with(func(c *integration.ConfigureGitHub) { c.SealedToken = nil }), Kind: domain.Invalid, Code: integration.CodeSecretRequired},
	})
}

func TestAGitHubIssueIsClosedAndReopenedOncePerDeliveryBesideAJiraIssue(t *testing.T) {
	ask := integration.RequestIssue{Tracker: gh, Actor: admin, At: t0, ActionID: "a1", Title: "Pin the image", RequestID: "rq1"}
	d.Refused(t, []integration.Event{configured()}, ask, domain.Conflict, integration.CodeGitHubNotConfigured)
	jiraReq := integration.IssueRequested{ActionID: "a1", Title: "Pin the image", RequestID: "rq0", By: "ann", At: t0}
	req := integration.IssueRequested{Tracker: gh, ActionID: "a1", Title: "Pin the image", RequestID: "rq1", By: "ann", At: t0}
	// The action's Jira issue does not stand in the way of its GitHub issue.
	given := []integration.Event{configured(), jiraReq, gitHubConfigured()}
	d.Then(t, given, ask, req)
	given = append(given, req)
	linked := integration.IssueLinked{Tracker: gh, ActionID: "a1", IssueID: "1347", Key: "acme/ops.tools#7", URL: "https://github.com/acme/ops.tools/issues/7", At: t0}
	d.Then(t, given, integration.LinkIssue{Tracker: gh, At: t0, ActionID: "a1", IssueID: "1347", Key: "acme/ops.tools#7", URL: linked.URL}, linked)
	given = append(given, linked)
	// A Jira key is not a GitHub key.
	d.Refused(t, given, integration.ResolveIssue{At: t0, Key: "acme/ops.tools#7"}, domain.NotFound, integration.CodeIssueUnknown)

	closed := integration.IssueResolved{Tracker: gh, ActionID: "a1", Key: "acme/ops.tools#7", Delivery: "d1", At: t0}
	s := d.Then(t, given, integration.ResolveIssue{Tracker: gh, At: t0, Key: "ACME/ops.tools#7", Delivery: "d1"}, closed)
	if !s.GitHubIssues["a1"].Resolved || s.Issues["a1"].Resolved {
		t.Fatal("the GitHub issue is not closed, or the Jira issue is")
	}
	given = append(given, closed)
	reopened := integration.IssueReopened{Tracker: gh, ActionID: "a1", Key: "acme/ops.tools#7", Delivery: "d2", At: t0}
	d.Then(t, given, integration.ReopenIssue{Tracker: gh, At: t0, Key: "acme/ops.tools#7", Delivery: "d2"}, reopened)
	given = append(given, reopened)
	// The first delivery replayed after the reopening: refused, the issue stays open.
	d.Refused(t, given, integration.ResolveIssue{Tracker: gh, At: t0, Key: "acme/ops.tools#7", Delivery: "d1"}, domain.Conflict, integration.CodeDeliveryReplayed)
	d.Refused(t, given, integration.ReopenIssue{Tracker: gh, At: t0, Key: "acme/ops.tools#7", Delivery: "d2"}, domain.Conflict, integration.CodeDeliveryReplayed)
	// Reopening an open issue does nothing.
	d.Then(t, given, integration.ReopenIssue{Tracker: gh, At: t0, Key: "acme/ops.tools#7", Delivery: "d3"})
}

func TestATrackersOlderReportChangesNothingAfterANewerOne(t *testing.T) {
	t1, t2, t3 := t0.Add(time.Minute), t0.Add(2*time.Minute), t0.Add(3*time.Minute)
	for _, tr := range []integration.Tracker{integration.TrackerJira, gh} {
		req := integration.IssueRequested{Tracker: tr, ActionID: "a1", Title: "Pin the image", RequestID: "rq1", By: "ann", At: t0}
		linked := integration.IssueLinked{Tracker: tr, ActionID: "a1", IssueID: "7", Key: "OPS-7", URL: "https://x/7", At: t0}
		given := []integration.Event{configured(), gitHubConfigured(), req, linked}
		closed := integration.ResolveIssue{Tracker: tr, At: t0, Key: "OPS-7", Delivery: "d1", Reported: t1}
		reopened := integration.ReopenIssue{Tracker: tr, At: t0, Key: "OPS-7", Delivery: "d2", Reported: t2}

		// Reopened at t2 arrives first, while the issue is open: its time is kept.
		seen := integration.IssueReported{Tracker: tr, ActionID: "a1", Key: "OPS-7", Delivery: "d2", Reported: t2, At: t0}
		d.Then(t, given, reopened, seen)
		// Then the closing of t1: older, nothing.
		d.Then(t, append(given, seen), closed)

		// In order: closed at t1, reopened at t2; the closing again, late (another delivery of it): nothing.
		resolved := integration.IssueResolved{Tracker: tr, ActionID: "a1", Key: "OPS-7", Delivery: "d1", Reported: t1, At: t0}
		d.Then(t, given, closed, resolved)
		back := integration.IssueReopened{Tracker: tr, ActionID: "a1", Key: "OPS-7", Delivery: "d2", Reported: t2, At: t0}
		d.Then(t, append(given, resolved), reopened, back)
		late := closed
		late.Delivery = "d1-retried"
		s := d.Then(t, append(given, resolved, back), late)
		if s.IssuesOf(tr)["a1"].Resolved {
			t.Errorf("%q: an older closing closed the reopened issue", tr)
		}
		// A newer closing (t3) closes it; one at the same time as the newest is taken in the order it came.
		newer := closed
		newer.Delivery, newer.Reported = "d3", t3
		d.Then(t, append(given, resolved, back), newer,
			integration.IssueResolved{Tracker: tr, ActionID: "a1", Key: "OPS-7", Delivery: "d3", Reported: t3, At: t0})
		same := closed
		same.Delivery, same.Reported = "d4", t2
		d.Then(t, append(given, resolved, back), same,
			integration.IssueResolved{Tracker: tr, ActionID: "a1", Key: "OPS-7", Delivery: "d4", Reported: t2, At: t0})
		// A tracker that gives no time: taken in the order it came, as before.
		untimed := closed
		untimed.Delivery, untimed.Reported = "d5", time.Time{}
		d.Then(t, append(given, resolved, back), untimed,
			integration.IssueResolved{Tracker: tr, ActionID: "a1", Key: "OPS-7", Delivery: "d5", At: t0})
	}
}
