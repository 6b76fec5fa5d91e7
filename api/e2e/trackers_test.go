//go:build unix

package e2e_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/internal/trackerfake"
)

// trackerSink is Jira Cloud and GitHub on loopback, connected to the
// spy's team: every team action gets an issue in both as soon as the spy
// sees it, and every request either tracker receives is inspected as what
// reaches a team member who wrote nothing.
type trackerSink struct {
	jira   *trackerfake.Jira
	github *trackerfake.GitHub
	read   map[string]int    // requests inspected so far, by tracker
	asked  map[string]string // action ID → title, issues asked for
	told   map[string]bool   // tracker + "\x00" + title: a request body the spy inspected held it
}

func newTrackerSink(t *testing.T) *trackerSink {
	return &trackerSink{jira: trackerfake.NewJira(t), github: trackerfake.NewGitHub(t), read: map[string]int{}, asked: map[string]string{},
		told: map[string]bool{}}
}

// flags point a node's GitHub API at the fake (Jira's site is the team's).
func (k *trackerSink) flags() []string { return []string{"--github-api-url", k.github.URL()} }

// connect has the team's admin connect the team to both trackers.
func (k *trackerSink) connect(g *game) {
	g.mod.must(g.t, http.StatusOK, request{method: http.MethodPost, path: "/v1/teams/" + g.team + "/jira",
		body: map[string]string{"site": k.jira.URL(), "email": k.jira.Email, "apiToken": k.jira.Token, "projectKey": "OPS", "issueType": "Task"}})
	g.mod.must(g.t, http.StatusOK, request{method: http.MethodPost, path: "/v1/teams/" + g.team + "/github",
		body: map[string]string{"owner": "acme", "repo": "ops", "token": k.github.Token}})
}

// askForIssues asks, as the team's admin, for an issue in both trackers
// for every team action that has none yet.
func (k *trackerSink) askForIssues(g *game) {
	var acts struct {
		Items []struct{ ID, Title string }
	}
	g.mod.get(g.t, "/v1/teams/"+g.team+"/actions", &acts)
	for _, a := range acts.Items {
		if _, ok := k.asked[a.ID]; ok {
			continue
		}
		k.asked[a.ID] = a.Title
		for _, tr := range []string{"jira", "github"} {
			g.mod.must(g.t, http.StatusAccepted, request{method: http.MethodPost, path: "/v1/teams/" + g.team + "/actions/" + a.ID + "/" + tr})
		}
	}
}

// take is what the trackers received since the last take: each
// request's target (its query may carry text too) and its body.
func (k *trackerSink) take() []received {
	var out []received
	for name, sent := range map[string][]trackerfake.Request{"jira": k.jira.Sent(), "github": k.github.Sent()} {
		for _, r := range sent[k.read[name]:] {
			from := name + " request " + r.Method + " " + r.Target
			out = append(out, received{from: from + " target", raw: []byte(r.Target)})
			if len(r.Body) > 0 {
				out = append(out, received{from: from, raw: r.Body})
			}
			for _, title := range k.asked {
				if strings.Contains(string(r.Body), title) {
					k.told[name+"\x00"+title] = true
				}
			}
		}
		k.read[name] = len(sent)
	}
	return out
}

// waitMade waits until both trackers made an issue for every action
// asked for, so the spy has seen every creation's body.
func (k *trackerSink) waitMade(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for len(k.jira.Issues()) < len(k.asked) || len(k.github.Issues()) < len(k.asked) {
		if time.Now().After(deadline) {
			t.Fatalf("of %d issues asked for, Jira made %d and GitHub %d", len(k.asked), len(k.jira.Issues()), len(k.github.Issues()))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkTold fails the test unless the spy inspected, in each tracker, a
// request holding each action's title: without it, a spy that received
// nothing from the trackers would pass.
func (k *trackerSink) checkTold(t *testing.T) {
	t.Helper()
	if len(k.asked) == 0 {
		t.Error("no issue was asked for: the trackers were never sent anything")
	}
	for _, title := range k.asked {
		for _, tr := range []string{"jira", "github"} {
			if !k.told[tr+"\x00"+title] {
				t.Errorf("the spy saw no request to %s with the action %q", tr, title)
			}
		}
	}
}

// isTrackerRequest reports whether a received document is a request to Jira or GitHub.
func isTrackerRequest(from string) bool {
	return strings.HasPrefix(from, "jira request ") || strings.HasPrefix(from, "github request ")
}
