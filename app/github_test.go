package app_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/app/github"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/integration"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/internal/trackerfake"
)

func withGitHubAPI(url string) func(*app.Deps) {
	return func(d *app.Deps) { d.Integrations.GitHubAPI = url }
}

// ghIssues is GitHub's "issues" delivery for issue n of acme/ops.
func ghIssues(action string, n int) []byte {
	return []byte(fmt.Sprintf(`{"action":%q,"issue":{"id":%d,"number":%d,"state":"closed","state_reason":"completed","title":"x"},`+
		`"repository":{"id":1,"name":"ops","full_name":"acme/ops","private":true},"sender":{"login":"octocat"}}`, action, 1000+n, n))
}

func TestAnActionBecomesOneGitHubIssueClosedAndReopenedByGitHubsWebhook(t *testing.T) {
	g := trackerfake.NewGitHub(t)
	f := newTeam(t, loopback(0), withGitHubAPI(g.URL()))
	g.LoseAnswers(1) // the first creation's answer is lost: it must not make a second issue
	conf := must(f.app.ConfigureGitHub(f.ctx(), f.as(user(uMod)), f.team, app.GitHubInput{Owner: "acme", Repo: "ops", Token: g.Token}))(t)
	if conf.WebhookSecret == "" || conf.WebhookPath != app.GitHubWebhookPath+f.team+"/"+conf.WebhookSecret {
		t.Fatalf("configuration answer: %+v", conf)
	}
	startIntegrations(t, f.app)
	rid := f.newRetro("Sprint 8", false)
	act := must(f.retro(user(uBea), rid, app.CreateAction{Title: "Upgrade the database"}))(t).ID
	must(f.app.CreateGitHubIssue(f.ctx(), f.as(user(uBea)), f.team, act))(t)

	var issues []app.JiraIssueView
	waitFor(t, "the issue linked", func() bool {
		issues = must(f.app.GitHubIssues(f.ctx(), user(uCal), f.team))(t)
		return len(issues) == 1 && issues[0].Key != ""
	})
	made := g.Issues()
	if len(made) != 1 || issues[0].Key != "acme/ops#1" || issues[0].URL != "https://github.com/acme/ops/issues/1" {
		t.Fatalf("GitHub holds %d issues; the action links %+v", len(made), issues[0])
	}
	if made[0].Title != "Upgrade the database" || !strings.Contains(made[0].Body, act) {
		t.Errorf("the issue: %+v", made[0])
	}
	if jira := must(f.app.JiraIssues(f.ctx(), user(uCal), f.team))(t); len(jira) != 0 {
		t.Errorf("a GitHub issue listed as Jira's: %+v", jira)
	}

	status := func() team.ActionStatus {
		for _, a := range must(f.app.TeamActions(f.ctx(), user(uBea), f.team))(t) {
			if a.ID == act {
				return a.Status
			}
		}
		return ""
	}
	secret := []byte(conf.WebhookSecret)
	deliver := func(secret, event, id, sig string, body []byte) error {
		return f.app.GitHubWebhook(f.ctx(), f.team, secret, app.GitHubDelivery{Event: event, ID: id, Signature: sig, Body: body})
	}
	closed := ghIssues("closed", 1)
	for name, err := range map[string]error{
		"wrong secret":    deliver("guess", "issues", "d-1", github.Sign([]byte("guess"), closed), closed),
		"wrong signature": deliver(conf.WebhookSecret, "issues", "d-1", github.Sign([]byte("guess"), closed), closed),
		"other body":      deliver(conf.WebhookSecret, "issues", "d-1", github.Sign(secret, ghIssues("reopened", 1)), closed),
		"unsigned":        deliver(conf.WebhookSecret, "issues", "d-1", "", closed),
		"no delivery ID":  deliver(conf.WebhookSecret, "issues", "", github.Sign(secret, closed), closed),
	} {
		if !errors.Is(err, app.ErrGitHubWebhook) {
			t.Errorf("%s: %v, want refused", name, err)
		}
	}
	ping := []byte(`{"zen":"Speak like a human.","hook_id":1}`)
	if err := deliver(conf.WebhookSecret, "ping", "d-0", github.Sign(secret, ping), ping); err != nil {
		t.Fatalf("GitHub's ping: %v", err)
	}
	if status() != team.StatusOpen {
		t.Fatal("a refused delivery changed the action")
	}
	if err := deliver(conf.WebhookSecret, "issues", "d-1", github.Sign(secret, closed), closed); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the action done", func() bool { return status() == team.StatusDone })
	reopened := ghIssues("reopened", 1)
	if err := deliver(conf.WebhookSecret, "issues", "d-2", github.Sign(secret, reopened), reopened); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the action open again", func() bool { return status() == team.StatusOpen })
	// The closing delivery replayed (a captured request sent again): refused.
	err := deliver(conf.WebhookSecret, "issues", "d-1", github.Sign(secret, closed), closed)
	if domain.CodeOf(err) != integration.CodeDeliveryReplayed {
		t.Fatalf("a replayed delivery: %v", err)
	}
	if is := must(f.app.GitHubIssues(f.ctx(), user(uCal), f.team))(t); is[0].Resolved {
		t.Error("the replay closed the issue again")
	}
	if status() != team.StatusOpen {
		t.Error("the replay set the action done again")
	}
	// Neither the token nor the webhook secret is in the log.
	for _, e := range f.events() {
		if strings.Contains(string(e.Payload), g.Token) || strings.Contains(string(e.Payload), conf.WebhookSecret) {
			t.Fatalf("the log holds a GitHub secret in %s", e.Type)
		}
	}
	if v := must(f.app.GitHub(f.ctx(), user(uMod), f.team))(t); v.Owner != "acme" || v.Repo != "ops" {
		t.Errorf("the team's GitHub: %+v", v)
	}
}

func TestAnIssueGitHubRefusesIsShownFailedOnTheAction(t *testing.T) {
	g := trackerfake.NewGitHub(t)
	f := newTeam(t, loopback(0), withGitHubAPI(g.URL()))
	must(f.app.ConfigureGitHub(f.ctx(), f.as(user(uMod)), f.team, app.GitHubInput{Owner: "acme", Repo: "ops", Token: "a-revoked-token"}))(t)
	startIntegrations(t, f.app)
	rid := f.newRetro("Sprint 8", false)
	act := must(f.retro(user(uBea), rid, app.CreateAction{Title: "Upgrade the database"}))(t).ID
	must(f.app.CreateGitHubIssue(f.ctx(), f.as(user(uBea)), f.team, act))(t)
	waitFor(t, "the refusal recorded", func() bool {
		is := must(f.app.GitHubIssues(f.ctx(), user(uBea), f.team))(t)
		return len(is) == 1 && strings.Contains(is[0].Failed, "401")
	})
	if len(g.Issues()) != 0 {
		t.Error("an issue was made with a wrong token")
	}
}
