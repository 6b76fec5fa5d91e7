// Package trackerfake holds Jira Cloud and GitHub on loopback for tests:
// each answers the REST calls Hindsight makes as the tracker does (its
// authentication, headers and fields checked; a wrong request is the
// tracker's error and the test's failure), keeps the issues made, and
// records every request as sent (its target and body), so a test can look
// for what must never leave the server.
package trackerfake

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// Issue is an issue a fake tracker made.
type Issue struct {
	Key, Title, Body string
	Labels           []string
}

type tracker struct {
	t           testing.TB
	srv         *httptest.Server
	mu          sync.Mutex
	issues      []Issue
	sent        []Request
	loseAnswers int
}

// URL is where the tracker listens.
func (k *tracker) URL() string { return k.srv.URL }

// Issues are the issues made, in order.
func (k *tracker) Issues() []Issue {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]Issue(nil), k.issues...)
}

// Request is a request a fake tracker took.
type Request struct {
	Method string
	// Target is the path and query, as sent.
	Target string
	Body   []byte
}

// Sent is every request taken, in order.
func (k *tracker) Sent() []Request {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]Request(nil), k.sent...)
}

// LoseAnswers makes the next n creations fail after the issue was made,
// as when the tracker's answer is lost on the way.
func (k *tracker) LoseAnswers(n int) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.loseAnswers = n
}

// read takes a request's body and records the request.
func (k *tracker) read(r *http.Request) []byte {
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		k.t.Errorf("fake tracker: reading a request: %v", err)
	}
	k.mu.Lock()
	k.sent = append(k.sent, Request{Method: r.Method, Target: r.URL.RequestURI(), Body: b})
	k.mu.Unlock()
	return b
}

// loseAnswer reports whether this creation's answer is lost (mu held).
func (k *tracker) loseAnswer() bool {
	if k.loseAnswers > 0 {
		k.loseAnswers--
		return true
	}
	return false
}

// Jira is Jira Cloud's REST API v3 for one account (basic auth with its
// e-mail and API token), project OPS and issue type Task.
type Jira struct {
	tracker
	Email, Token string
}

// NewJira starts a Jira site on loopback, closed when the test ends.
func NewJira(t testing.TB) *Jira {
	j := &Jira{tracker: tracker{t: t}, Email: "ann@acme.test", Token: "ATATT3x-test-token-9f31"}
	j.srv = httptest.NewServer(http.HandlerFunc(j.serve))
	t.Cleanup(j.srv.Close)
	return j
}

func (j *Jira) serve(w http.ResponseWriter, r *http.Request) {
	body := j.read(r)
	w.Header().Set("Content-Type", "application/json")
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(j.Email+":"+j.Token))
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
		if r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(body, &in) != nil ||
			f.Project.Key != "OPS" || f.IssueType.Name != "Task" || f.Summary == "" || f.Description.Type != "doc" ||
			f.Description.Version != 1 || len(f.Description.Content) == 0 || f.Description.Content[0].Type != "paragraph" ||
			len(f.Description.Content[0].Content) == 0 || f.Description.Content[0].Content[0].Type != "text" ||
			len(f.Labels) != 1 || strings.ContainsAny(f.Labels[0], " \t") {
			j.t.Errorf("fake Jira: an invalid issue: %s", body)
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"errorMessages":[],"errors":{"summary":"invalid"}}`))
			return
		}
		key := fmt.Sprintf("OPS-%d", len(j.issues)+1)
		j.issues = append(j.issues, Issue{Key: key, Title: f.Summary, Body: f.Description.Content[0].Content[0].Text, Labels: f.Labels})
		if j.loseAnswer() {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusCreated)
		_, _ = fmt.Fprintf(w, `{"id":"%d","key":%q,"self":"%s/rest/api/3/issue/%d"}`, 10000+len(j.issues), key, j.srv.URL, 10000+len(j.issues))
	case r.Method == http.MethodGet && r.URL.Path == "/rest/api/3/search/jql":
		var label string
		if _, err := fmt.Sscanf(r.URL.Query().Get("jql"), "labels = %q", &label); err != nil {
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

// GitHub is GitHub's REST API for the issues of acme/ops, with one
// fine-grained token.
type GitHub struct {
	tracker
	Token string
}

// NewGitHub starts GitHub's API on loopback, closed when the test ends.
func NewGitHub(t testing.TB) *GitHub {
	g := &GitHub{tracker: tracker{t: t}, Token: "github_pat_11TEST0token"}
	g.srv = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *GitHub) serve(w http.ResponseWriter, r *http.Request) {
	body := g.read(r)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if r.Header.Get("Authorization") != "Bearer "+g.Token {
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
		if r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(body, &in) != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		title, _ := in["title"].(string)
		text, _ := in["body"].(string)
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
		g.issues = append(g.issues, Issue{Key: fmt.Sprintf("acme/ops#%d", n), Title: title, Body: text})
		if g.loseAnswer() {
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

func (g *GitHub) issueJSON(n int) map[string]any {
	is := g.issues[n-1]
	return map[string]any{"id": 1000 + n, "node_id": "I_x", "number": n, "state": "open", "title": is.Title, "body": is.Body,
		"html_url": fmt.Sprintf("https://github.com/acme/ops/issues/%d", n), "url": fmt.Sprintf("%s/repos/acme/ops/issues/%d", g.srv.URL, n)}
}
