package app_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/app/jira"
	"github.com/hindsight-retro/hindsight/domain/team"
)

// fakeJira answers the two Jira Cloud REST v3 calls the app makes, checking
// them as Jira does: basic auth with the account's e-mail and API token,
// JSON both ways, the issue's fields (project, issue type, summary, an ADF
// description, labels).
type fakeJira struct {
	t            *testing.T
	srv          *httptest.Server
	email, token string
	mu           sync.Mutex
	issues       []fakeIssue
	loseAnswers  int // creations whose answer is a 500 although the issue was made
}

type fakeIssue struct {
	Key, Summary string
	Labels       []string
}

func newFakeJira(t *testing.T) *fakeJira {
	j := &fakeJira{t: t, email: "ann@acme.test", token: "ATATT3x-test-token-9f31"}
	j.srv = httptest.NewServer(http.HandlerFunc(j.serve))
	t.Cleanup(j.srv.Close)
	return j
}

func (j *fakeJira) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(j.email+":"+j.token))
	if r.Header.Get("Authorization") != want {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"errorMessages":["You are not authenticated."],"errors":{}}`))
		return
	}
	if !strings.Contains(r.Header.Get("Accept"), "application/json") {
		http.Error(w, `{"errorMessages":["Accept"]}`, http.StatusNotAcceptable)
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/rest/api/3/issue":
		var in struct {
			Fields struct {
				Project     struct{ Key string }  `json:"project"`
				IssueType   struct{ Name string } `json:"issuetype"`
				Summary     string                `json:"summary"`
				Description struct {
					Type    string `json:"type"`
					Version int    `json:"version"`
					Content []struct {
						Type    string `json:"type"`
						Content []struct {
							Type string `json:"type"`
							Text string `json:"text"`
						} `json:"content"`
					} `json:"content"`
				} `json:"description"`
				Labels []string `json:"labels"`
			} `json:"fields"`
		}
		f := &in.Fields
		if r.Header.Get("Content-Type") != "application/json" || json.NewDecoder(r.Body).Decode(&in) != nil ||
			f.Project.Key != "OPS" || f.IssueType.Name != "Task" || f.Summary == "" || f.Description.Type != "doc" ||
			f.Description.Version != 1 || len(f.Description.Content) == 0 || f.Description.Content[0].Type != "paragraph" ||
			f.Description.Content[0].Content[0].Type != "text" || len(f.Labels) != 1 || strings.ContainsAny(f.Labels[0], " \t") {
			j.t.Errorf("fake Jira: an invalid issue: %+v", in)
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"errorMessages":[],"errors":{"summary":"invalid"}}`))
			return
		}
		key := fmt.Sprintf("OPS-%d", len(j.issues)+1)
		j.issues = append(j.issues, fakeIssue{Key: key, Summary: f.Summary, Labels: f.Labels})
		if j.loseAnswers > 0 {
			j.loseAnswers--
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusCreated)
		_, _ = fmt.Fprintf(w, `{"id":"%d","key":%q,"self":"%s/rest/api/3/issue/%d"}`, 10000+len(j.issues), key, j.srv.URL, 10000+len(j.issues))
	case r.Method == http.MethodGet && r.URL.Path == "/rest/api/3/search/jql":
		jql := r.URL.Query().Get("jql")
		var label string
		if _, err := fmt.Sscanf(jql, "labels = %q", &label); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"errorMessages":["Error in the JQL Query"]}`))
			return
		}
		found := []map[string]string{}
		for i, is := range j.issues {
			for _, l := range is.Labels {
				if l == label {
					found = append(found, map[string]string{"id": fmt.Sprint(10001 + i), "key": is.Key})
				}
			}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"issues": found, "isLast": true})
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func (j *fakeJira) count() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.issues)
}

// jiraDone is the webhook Jira Cloud sends when an issue moves to a status
// of the done category.
func jiraDone(key string) []byte {
	return []byte(`{"timestamp":1764849600000,"webhookEvent":"jira:issue_updated","issue_event_type_name":"issue_generic",` +
		`"issue":{"id":"10001","key":"` + key + `","fields":{"summary":"x","status":{"name":"Done","id":"10002",` +
		`"statusCategory":{"id":3,"key":"done","name":"Done"}}}},"changelog":{"items":[{"field":"status","fromString":"In Progress","toString":"Done"}]}}`)
}

func TestAnActionBecomesOneJiraIssueAndIsDoneWhenJiraSaysSo(t *testing.T) {
	f := newTeam(t, loopback(0))
	j := newFakeJira(t)
	j.loseAnswers = 1 // the first creation's answer is lost: it must not make a second issue
	conf := must(f.app.ConfigureJira(f.ctx(), f.as(user(uMod)), f.team, app.JiraInput{Site: j.srv.URL, Email: j.email,
		APIToken: j.token, ProjectKey: "OPS", IssueType: "Task"}))(t)
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
	if n := j.count(); n != 1 || issues[0].Key != "OPS-1" || issues[0].URL != j.srv.URL+"/browse/OPS-1" {
		t.Fatalf("Jira holds %d issues; the action links %+v", n, issues[0])
	}
	j.mu.Lock()
	summary := j.issues[0].Summary
	j.mu.Unlock()
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
		if strings.Contains(string(e.Payload), j.token) || strings.Contains(string(e.Payload), conf.WebhookSecret) {
			t.Fatalf("the log holds a Jira secret in %s", e.Type)
		}
	}
	if v := must(f.app.Jira(f.ctx(), user(uMod), f.team))(t); v.ProjectKey != "OPS" || v.Site != j.srv.URL {
		t.Errorf("the team's Jira: %+v", v)
	}
}

func TestAnIssueJiraRefusesIsShownFailedOnTheAction(t *testing.T) {
	f := newTeam(t, loopback(0))
	j := newFakeJira(t)
	must(f.app.ConfigureJira(f.ctx(), f.as(user(uMod)), f.team, app.JiraInput{Site: j.srv.URL, Email: j.email,
		APIToken: "a-revoked-token", ProjectKey: "OPS", IssueType: "Task"}))(t)
	startIntegrations(t, f.app)
	rid := f.newRetro("Sprint 8", false)
	act := must(f.retro(user(uBea), rid, app.CreateAction{Title: "Upgrade the database"}))(t).ID
	must(f.app.CreateJiraIssue(f.ctx(), f.as(user(uBea)), f.team, act))(t)
	waitFor(t, "the refusal recorded", func() bool {
		is := must(f.app.JiraIssues(f.ctx(), user(uBea), f.team))(t)
		return len(is) == 1 && strings.Contains(is[0].Failed, "401")
	})
	if j.count() != 0 {
		t.Error("an issue was made with a wrong token")
	}
}
