package app_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/app/github"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/integration"
	"github.com/hindsight-retro/hindsight/domain/team"
)

// fakeGitHub answers the two REST calls the app makes as GitHub does:
// a bearer token, application/vnd.github+json, the API version header,
// JSON with title and body; 201 with id, number and html_url.
type fakeGitHub struct {
	t           *testing.T
	srv         *httptest.Server
	token       string
	mu          sync.Mutex
	issues      []fakeGHIssue
	loseAnswers int
}

type fakeGHIssue struct {
	Number      int
	Title, Body string
}

func newFakeGitHub(t *testing.T) *fakeGitHub {
	g := &fakeGitHub{t: t, token: "github_pat_11TEST0token"}
	g.srv = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *fakeGitHub) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if r.Header.Get("Authorization") != "Bearer "+g.token {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest","status":"401"}`))
		return
	}
	if r.Header.Get("Accept") != "application/vnd.github+json" || r.Header.Get("X-GitHub-Api-Version") != "2022-11-28" {
		g.t.Errorf("fake GitHub: Accept %q, version %q", r.Header.Get("Accept"), r.Header.Get("X-GitHub-Api-Version"))
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if r.URL.Path != "/repos/acme/ops/issues" {
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"message":"Not Found"}`))
		return
	}
	switch r.Method {
	case http.MethodPost:
		var in map[string]any
		if r.Header.Get("Content-Type") != "application/json" || json.NewDecoder(r.Body).Decode(&in) != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		title, _ := in["title"].(string)
		body, _ := in["body"].(string)
		for k := range in {
			if k != "title" && k != "body" {
				g.t.Errorf("fake GitHub: unexpected field %q", k)
			}
		}
		if title == "" {
			w.WriteHeader(http.StatusUnprocessableEntity)
			_, _ = w.Write([]byte(`{"message":"Validation Failed","errors":[{"resource":"Issue","code":"missing_field","field":"title"}]}`))
			return
		}
		n := len(g.issues) + 1
		g.issues = append(g.issues, fakeGHIssue{Number: n, Title: title, Body: body})
		if g.loseAnswers > 0 {
			g.loseAnswers--
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(g.issueJSON(n))
	case http.MethodGet:
		q := r.URL.Query()
		if q.Get("state") != "all" || q.Get("since") == "" {
			g.t.Errorf("fake GitHub: a listing that misses closed or old issues: %s", r.URL.RawQuery)
		}
		out := []map[string]any{}
		for i := len(g.issues); i >= 1; i-- {
			out = append(out, g.issueJSON(i))
		}
		_ = json.NewEncoder(w).Encode(out)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func (g *fakeGitHub) issueJSON(n int) map[string]any {
	is := g.issues[n-1]
	return map[string]any{"id": 1000 + n, "node_id": "I_x", "number": n, "state": "open", "title": is.Title, "body": is.Body,
		"html_url": fmt.Sprintf("https://github.com/acme/ops/issues/%d", n), "url": fmt.Sprintf("%s/repos/acme/ops/issues/%d", g.srv.URL, n)}
}

func (g *fakeGitHub) all() []fakeGHIssue {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]fakeGHIssue(nil), g.issues...)
}

func withGitHubAPI(url string) func(*app.Deps) {
	return func(d *app.Deps) { d.Integrations.GitHubAPI = url }
}

// ghIssues is GitHub's "issues" delivery for issue n of acme/ops.
func ghIssues(action string, n int) []byte {
	return []byte(fmt.Sprintf(`{"action":%q,"issue":{"id":%d,"number":%d,"state":"closed","state_reason":"completed","title":"x"},`+
		`"repository":{"id":1,"name":"ops","full_name":"acme/ops","private":true},"sender":{"login":"octocat"}}`, action, 1000+n, n))
}

func TestAnActionBecomesOneGitHubIssueClosedAndReopenedByGitHubsWebhook(t *testing.T) {
	g := newFakeGitHub(t)
	f := newTeam(t, loopback(0), withGitHubAPI(g.srv.URL))
	g.loseAnswers = 1 // the first creation's answer is lost: it must not make a second issue
	conf := must(f.app.ConfigureGitHub(f.ctx(), f.as(user(uMod)), f.team, app.GitHubInput{Owner: "acme", Repo: "ops", Token: g.token}))(t)
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
	made := g.all()
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
		if strings.Contains(string(e.Payload), g.token) || strings.Contains(string(e.Payload), conf.WebhookSecret) {
			t.Fatalf("the log holds a GitHub secret in %s", e.Type)
		}
	}
	if v := must(f.app.GitHub(f.ctx(), user(uMod), f.team))(t); v.Owner != "acme" || v.Repo != "ops" {
		t.Errorf("the team's GitHub: %+v", v)
	}
}

func TestAnIssueGitHubRefusesIsShownFailedOnTheAction(t *testing.T) {
	g := newFakeGitHub(t)
	f := newTeam(t, loopback(0), withGitHubAPI(g.srv.URL))
	must(f.app.ConfigureGitHub(f.ctx(), f.as(user(uMod)), f.team, app.GitHubInput{Owner: "acme", Repo: "ops", Token: "a-revoked-token"}))(t)
	startIntegrations(t, f.app)
	rid := f.newRetro("Sprint 8", false)
	act := must(f.retro(user(uBea), rid, app.CreateAction{Title: "Upgrade the database"}))(t).ID
	must(f.app.CreateGitHubIssue(f.ctx(), f.as(user(uBea)), f.team, act))(t)
	waitFor(t, "the refusal recorded", func() bool {
		is := must(f.app.GitHubIssues(f.ctx(), user(uBea), f.team))(t)
		return len(is) == 1 && strings.Contains(is[0].Failed, "401")
	})
	if len(g.all()) != 0 {
		t.Error("an issue was made with a wrong token")
	}
}
