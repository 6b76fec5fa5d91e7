package api_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/api"
	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/app/github"
	"github.com/hindsight-retro/hindsight/app/jira"
	"github.com/hindsight-retro/hindsight/app/webhooks"
	"github.com/hindsight-retro/hindsight/internal/trackerfake"
)

// trackerRig is a team connected to a tracker on loopback, with two
// actions whose issues the tracker made, and the tracker's signed
// deliveries sent to the server over HTTP.
type trackerRig struct {
	t       *testing.T
	h       *harness
	ada     user
	team    string
	name    string // "jira" or "github": the routes' segment
	acts    []string
	keys    map[string]string // action ID → issue key
	deliver func(key string, done bool, at time.Time) response
}

func newTrackerRig(t *testing.T, name string) *trackerRig {
	var apiURL string
	var g *trackerfake.GitHub
	var j *trackerfake.Jira
	if name == "github" {
		g = trackerfake.NewGitHub(t)
		apiURL = g.URL()
	} else {
		j = trackerfake.NewJira(t)
	}
	h := newHarnessOf(t, func(d *app.Deps) {
		d.Integrations = app.IntegrationsConfig{Guard: webhooks.Guard{AllowPrivate: true}, GitHubAPI: apiURL,
			Backoff: webhooks.Backoff{Base: 20 * time.Millisecond, Max: 200 * time.Millisecond}}
	})
	if err := h.app.StartIntegrations(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.app.CloseIntegrations() })
	r := &trackerRig{t: t, h: h, ada: h.user("Ada"), name: name, keys: map[string]string{}}
	_, r.team = h.team(r.ada)
	var conf response
	if g != nil {
		conf = h.must(http.StatusOK, req{method: "POST", path: "/v1/teams/" + r.team + "/github", token: r.ada.token,
			body: api.GitHubRequest{Owner: "acme", Repo: "ops", Token: g.Token}})
	} else {
		conf = h.must(http.StatusOK, req{method: "POST", path: "/v1/teams/" + r.team + "/jira", token: r.ada.token,
			body: api.JiraRequest{Site: j.URL(), Email: j.Email, APIToken: j.Token, ProjectKey: "OPS", IssueType: "Task"}})
	}
	hookPath, secret := conf.str("webhookPath"), []byte(conf.str("webhookSecret"))
	deliveries := 0
	r.deliver = func(key string, done bool, at time.Time) response {
		deliveries++
		if g != nil {
			body := gitHubIssuesDelivery(key, done, at)
			return h.do(req{method: "POST", path: hookPath, body: body, header: map[string]string{github.SignatureHeader: github.Sign(secret, body),
				github.EventHeader: "issues", github.DeliveryHeader: fmt.Sprintf("8d1c5c80-d1a2-11f0-8000-%012d", deliveries)}})
		}
		body := jiraIssueDelivery(key, done, at)
		return h.do(req{method: "POST", path: hookPath, body: body, header: map[string]string{jira.SignatureHeader: jira.Sign(secret, body)}})
	}
	for _, title := range []string{"Upgrade the database", "Pin the base image"} {
		h.must(http.StatusCreated, req{method: "POST", path: "/v1/teams/" + r.team + "/actions", token: r.ada.token, body: api.RecordActionRequest{Title: title}})
	}
	for _, a := range h.must(http.StatusOK, req{method: "GET", path: "/v1/teams/" + r.team + "/actions", token: r.ada.token}).body["items"].([]any) {
		id := a.(map[string]any)["id"].(string)
		r.acts = append(r.acts, id)
		if res := h.do(req{method: "POST", path: "/v1/teams/" + r.team + "/actions/" + id + "/" + name, token: r.ada.token}); res.status != http.StatusAccepted {
			t.Fatalf("asking for an issue: %d %s", res.status, res.raw)
		}
	}
	r.waitUntil("both issues made", func() bool {
		for _, i := range r.issues() {
			if k, _ := i["key"].(string); k != "" {
				r.keys[i["actionId"].(string)] = k
			}
		}
		return len(r.keys) == 2
	})
	return r
}

func (r *trackerRig) issues() []map[string]any {
	var out []map[string]any
	for _, i := range r.h.must(http.StatusOK, req{method: "GET", path: "/v1/teams/" + r.team + "/" + r.name + "/issues", token: r.ada.token}).body["items"].([]any) {
		out = append(out, i.(map[string]any))
	}
	return out
}

func (r *trackerRig) resolved(act string) bool {
	for _, i := range r.issues() {
		if i["actionId"] == act {
			return i["resolved"] == true
		}
	}
	r.t.Fatalf("no issue for action %s", act)
	return false
}

func (r *trackerRig) status(act string) string {
	for _, a := range r.h.must(http.StatusOK, req{method: "GET", path: "/v1/teams/" + r.team + "/actions", token: r.ada.token}).body["items"].([]any) {
		if m := a.(map[string]any); m["id"] == act {
			return m["status"].(string)
		}
	}
	r.t.Fatalf("no action %s", act)
	return ""
}

// send delivers the tracker's word and wants it taken.
func (r *trackerRig) send(act string, done bool, at time.Time) {
	r.t.Helper()
	if res := r.deliver(r.keys[act], done, at); res.status != http.StatusNoContent {
		r.t.Fatalf("a delivery (done %t at %s): %d %s", done, at, res.status, res.raw)
	}
}

func (r *trackerRig) waitUntil(what string, cond func() bool) {
	r.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			r.t.Fatalf("%s: not within 20 s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// gitHubIssuesDelivery is GitHub's "issues" delivery of a close or a
// reopening of acme/ops#n at the time at (the issue's updated_at).
func gitHubIssuesDelivery(key string, closed bool, at time.Time) []byte {
	var n int
	if _, err := fmt.Sscanf(key, "acme/ops#%d", &n); err != nil {
		panic("not an acme/ops issue: " + key)
	}
	action, state, closedAt := "reopened", "open", "null"
	if closed {
		action, state, closedAt = "closed", "closed", fmt.Sprintf("%q", at.UTC().Format(time.RFC3339))
	}
	return fmt.Appendf(nil, `{"action":%q,"issue":{"id":%d,"number":%d,"state":%q,"title":"x","created_at":"2026-12-01T09:00:00Z",`+
		`"updated_at":%q,"closed_at":%s},"repository":{"id":1,"name":"ops","full_name":"acme/ops","private":true},"sender":{"login":"octocat"}}`,
		action, 1000+n, n, state, at.UTC().Format(time.RFC3339), closedAt)
}

// jiraIssueDelivery is Jira Cloud's jira:issue_updated of a move to Done,
// or back to In Progress, at the time at (its timestamp).
func jiraIssueDelivery(key string, done bool, at time.Time) []byte {
	from, to, category := "Done", "In Progress", "indeterminate"
	if done {
		from, to, category = "In Progress", "Done", "done"
	}
	return fmt.Appendf(nil, `{"timestamp":%d,"webhookEvent":"jira:issue_updated","issue_event_type_name":"issue_generic",`+
		`"issue":{"id":"10001","key":%q,"fields":{"summary":"x","status":{"name":%q,"statusCategory":{"key":%q,"name":%q}}}},`+
		`"changelog":{"id":"10%d","items":[{"field":"status","fieldtype":"jira","fromString":%q,"toString":%q}]}}`,
		at.UnixMilli(), key, to, category, to, at.UnixMilli()%100000, from, to)
}

func TestATrackersClosingDeliveredAfterItsNewerReopeningLeavesTheActionOpen(t *testing.T) {
	for _, name := range []string{"jira", "github"} {
		t.Run(name, func(t *testing.T) {
			r := newTrackerRig(t, name)
			a, b := r.acts[0], r.acts[1]
			t1 := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
			t2, t3 := t1.Add(time.Minute), t1.Add(2*time.Minute)

			// In order: closed, then reopened: done, then open again.
			r.send(a, true, t1)
			r.waitUntil("the action done", func() bool { return r.status(a) == "done" })
			r.send(a, false, t2)
			r.waitUntil("the action open again", func() bool { return r.status(a) == "open" })

			// Reversed: the reopening (t2) arrives before the closing (t1) it undid.
			r.send(b, false, t2)
			r.send(b, true, t1)
			if r.resolved(b) {
				t.Fatal("the stale closing closed the issue")
			}
			// A newer closing of the other action goes through the same
			// reactor after it: once that action is done, the stale
			// closing would have been carried too.
			r.send(a, true, t3)
			r.waitUntil("the newer closing carried", func() bool { return r.status(a) == "done" })
			if st := r.status(b); st != "open" {
				t.Fatalf("the action is %s after a closing older than its issue's reopening", st)
			}
			// Still, a newer closing of that issue closes it.
			r.send(b, true, t3.Add(time.Second))
			r.waitUntil("the action done by a newer closing", func() bool { return r.status(b) == "done" })
		})
	}
}
