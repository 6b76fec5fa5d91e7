package app_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/app/jira"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/internal/trackerfake"
)

// jiraDone is the webhook Jira Cloud sends when an issue moves to a status
// of the done category.
func jiraDone(key string) []byte {
	return []byte(`{"timestamp":1764849600000,"webhookEvent":"jira:issue_updated","issue_event_type_name":"issue_generic",` +
		`"issue":{"id":"10001","key":"` + key + `","fields":{"summary":"x","status":{"name":"Done","id":"10002",` +
		`"statusCategory":{"id":3,"key":"done","name":"Done"}}}},"changelog":{"items":[{"field":"status","fromString":"In Progress","toString":"Done"}]}}`)
}

func TestAnActionBecomesOneJiraIssueAndIsDoneWhenJiraSaysSo(t *testing.T) {
	f := newTeam(t, loopback(0))
	j := trackerfake.NewJira(t)
	j.LoseAnswers(1) // the first creation's answer is lost: it must not make a second issue
	conf := must(f.app.ConfigureJira(f.ctx(), f.as(user(uMod)), f.team, app.JiraInput{Site: j.URL(), Email: j.Email,
		APIToken: j.Token, ProjectKey: "OPS", IssueType: "Task"}))(t)
	if conf.WebhookSecret == "" || !strings.HasSuffix(conf.WebhookPath, "/"+conf.WebhookSecret) {
		t.Fatalf("configuration answer: %+v", conf)
	}
	startIntegrations(t, f.app)
	rid := f.newRetro("Sprint 8", false)
	act := must(f.retro(user(uBea), rid, app.CreateAction{Title: "Upgrade the database"}))(t).ID
	must(f.app.CreateJiraIssue(f.ctx(), f.as(user(uBea)), f.team, act))(t)

	var issues []app.JiraIssueView
	waitFor(t, "the issue linked", func() bool {
		issues = must(f.app.JiraIssues(f.ctx(), user(uCal), f.team))(t)
		return len(issues) == 1 && issues[0].Key != ""
	})
	if n := len(j.Issues()); n != 1 || issues[0].Key != "OPS-1" || issues[0].URL != j.URL()+"/browse/OPS-1" {
		t.Fatalf("Jira holds %d issues; the action links %+v", n, issues[0])
	}
	summary := j.Issues()[0].Title
	if summary != "Upgrade the database" {
		t.Errorf("the issue's summary: %q", summary)
	}

	// Jira's webhook: refused without the secret of its URL or its signature.
	body := jiraDone("OPS-1")
	for name, err := range map[string]error{
		"wrong secret":    f.app.JiraWebhook(f.ctx(), f.team, "guess", jira.Sign([]byte("guess"), body), body),
		"wrong signature": f.app.JiraWebhook(f.ctx(), f.team, conf.WebhookSecret, jira.Sign([]byte("guess"), body), body),
		"unsigned":        f.app.JiraWebhook(f.ctx(), f.team, conf.WebhookSecret, "", body),
	} {
		if !errors.Is(err, app.ErrJiraWebhook) {
			t.Errorf("%s: %v, want refused", name, err)
		}
	}
	if err := f.app.JiraWebhook(f.ctx(), f.team, conf.WebhookSecret, jira.Sign([]byte(conf.WebhookSecret), body), body); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the action done", func() bool {
		for _, a := range must(f.app.TeamActions(f.ctx(), user(uBea), f.team))(t) {
			if a.ID == act {
				return a.Status == team.StatusDone
			}
		}
		return false
	})
	// Neither the token nor the webhook secret is in the log.
	for _, e := range f.events() {
		if strings.Contains(string(e.Payload), j.Token) || strings.Contains(string(e.Payload), conf.WebhookSecret) {
			t.Fatalf("the log holds a Jira secret in %s", e.Type)
		}
	}
	if v := must(f.app.Jira(f.ctx(), user(uMod), f.team))(t); v.ProjectKey != "OPS" || v.Site != j.URL() {
		t.Errorf("the team's Jira: %+v", v)
	}
}

func TestAnIssueJiraRefusesIsShownFailedOnTheAction(t *testing.T) {
	f := newTeam(t, loopback(0))
	j := trackerfake.NewJira(t)
	must(f.app.ConfigureJira(f.ctx(), f.as(user(uMod)), f.team, app.JiraInput{Site: j.URL(), Email: j.Email,
		APIToken: "a-revoked-token", ProjectKey: "OPS", IssueType: "Task"}))(t)
	startIntegrations(t, f.app)
	rid := f.newRetro("Sprint 8", false)
	act := must(f.retro(user(uBea), rid, app.CreateAction{Title: "Upgrade the database"}))(t).ID
	must(f.app.CreateJiraIssue(f.ctx(), f.as(user(uBea)), f.team, act))(t)
	waitFor(t, "the refusal recorded", func() bool {
		is := must(f.app.JiraIssues(f.ctx(), user(uBea), f.team))(t)
		return len(is) == 1 && strings.Contains(is[0].Failed, "401")
	})
	if len(j.Issues()) != 0 {
		t.Error("an issue was made with a wrong token")
	}
}
