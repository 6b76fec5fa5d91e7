package integration_test

import (
	"testing"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/decidertest"
	"github.com/hindsight-retro/hindsight/domain/integration"
)

func configure() integration.ConfigureJira {
	return integration.ConfigureJira{Actor: admin, At: t0, TeamID: "t1", Site: "https://acme.atlassian.net/", Email: "ann@acme.test",
		SealedToken: []byte("sealed"), ProjectKey: "OPS", IssueType: "Task", SecretHash: "hash"}
}

func configured() integration.Event {
	return integration.JiraConfigured{Site: "https://acme.atlassian.net", Email: "ann@acme.test", SealedToken: []byte("sealed"),
		ProjectKey: "OPS", IssueType: "Task", SecretHash: "hash", By: "ann", At: t0}
}

func TestAnAdminConfiguresJiraWithAValidSiteAndProject(t *testing.T) {
	d.Then(t, nil, configure(), configured())
	with := func(change func(c *integration.ConfigureJira)) integration.Command {
		c := configure()
		change(&c)
		return c
	}
	d.RefusedAll(t, map[string]decidertest.Refusal[integration.Command, integration.Event]{
		"site with a path":   {When: with(func(c *integration.ConfigureJira) { c.Site = "https://acme.atlassian.net/jira" }), Kind: domain.Invalid, Code: integration.CodeJiraInvalid},
		"site not a URL":     {When: with(func(c *integration.ConfigureJira) { c.Site = "acme" }), Kind: domain.Invalid, Code: integration.CodeJiraInvalid},
		"lower-case project": {When: with(func(c *integration.ConfigureJira) { c.ProjectKey = "ops" }), Kind: domain.Invalid, Code: integration.CodeJiraInvalid},
		"no e-mail":          {When: with(func(c *integration.ConfigureJira) { c.Email = "ann" }), Kind: domain.Invalid, Code: integration.CodeJiraInvalid},
		"no issue type":      {When: with(func(c *integration.ConfigureJira) { c.IssueType = "" }), Kind: domain.Invalid, Code: integration.CodeJiraInvalid},
		"token not sealed":   {When: with(func(c *integration.ConfigureJira) { c.SealedToken = nil }), Kind: domain.Invalid, Code: integration.CodeSecretRequired},
	})
}

func TestAnActionGetsOneIssueWhichJiraCanReportDoneOnce(t *testing.T) {
	req := integration.IssueRequested{ActionID: "a1", Title: "Pin the image", RequestID: "rq1", By: "ann", At: t0}
	d.Refused(t, nil, integration.RequestIssue{Actor: admin, At: t0, ActionID: "a1", Title: "Pin the image", RequestID: "rq1"},
		domain.Conflict, integration.CodeJiraNotConfigured)
	d.Then(t, []integration.Event{configured()}, integration.RequestIssue{Actor: admin, At: t0, ActionID: "a1", Title: "Pin the image", RequestID: "rq1"}, req)
	given := []integration.Event{configured(), req}
	d.Refused(t, given, integration.RequestIssue{Actor: admin, At: t0, ActionID: "a1", RequestID: "rq2"}, domain.Conflict, integration.CodeIssueRequested)
	linked := integration.IssueLinked{ActionID: "a1", IssueID: "10001", Key: "OPS-1", URL: "https://acme.atlassian.net/browse/OPS-1", At: t0}
	d.Then(t, given, integration.LinkIssue{At: t0, ActionID: "a1", IssueID: "10001", Key: "OPS-1", URL: "https://acme.atlassian.net/browse/OPS-1"}, linked)
	given = append(given, linked)
	// Linked twice (a retried reaction): nothing more.
	d.Then(t, given, integration.LinkIssue{At: t0, ActionID: "a1", IssueID: "10001", Key: "OPS-1"})
	resolved := integration.IssueResolved{ActionID: "a1", Key: "OPS-1", At: t0}
	s := d.Then(t, given, integration.ResolveIssue{At: t0, Key: "ops-1"}, resolved)
	if !s.Issues["a1"].Resolved {
		t.Error("a resolved issue is not resolved")
	}
	d.Then(t, append(given, resolved), integration.ResolveIssue{At: t0, Key: "OPS-1"})
	d.Refused(t, given, integration.ResolveIssue{At: t0, Key: "OPS-99"}, domain.NotFound, integration.CodeIssueUnknown)
}

func TestAnIssueJiraRefusedMayBeAskedForAgain(t *testing.T) {
	req := integration.IssueRequested{ActionID: "a1", Title: "Pin the image", RequestID: "rq1", By: "ann", At: t0}
	failed := integration.IssueFailed{ActionID: "a1", Error: "400 Bad Request", At: t0}
	given := []integration.Event{configured(), req}
	d.Then(t, given, integration.FailIssue{At: t0, ActionID: "a1", Error: "400 Bad Request"}, failed)
	again := integration.IssueRequested{ActionID: "a1", Title: "Pin the image", RequestID: "rq2", By: "ann", At: t0}
	d.Then(t, append(given, failed), integration.RequestIssue{Actor: admin, At: t0, ActionID: "a1", Title: "Pin the image", RequestID: "rq2"}, again)
}
