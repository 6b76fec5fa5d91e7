//go:build unix

package e2e_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/app/webhooks"
)

// hookSink receives the team's outgoing webhook (signed CloudEvents) and
// its Slack messages, on loopback: the server runs with
// --webhook-allow-private. The spy inspects every body as what reaches a
// team member who wrote nothing.
type hookSink struct {
	t               *testing.T
	events, slack   *httptest.Server
	key             []byte
	mu              sync.Mutex
	in              inbox
	closed, slacked map[string]bool // retro IDs whose retro.closed arrived, by format
}

func newHookSink(t *testing.T) *hookSink {
	k := &hookSink{t: t, closed: map[string]bool{}, slacked: map[string]bool{}}
	k.events = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		k.mu.Lock()
		key := k.key
		k.mu.Unlock()
		if err := webhooks.Verify(key, r.Header.Get(webhooks.HeaderID), r.Header.Get(webhooks.HeaderTimestamp),
			r.Header.Get(webhooks.HeaderSignature), body, time.Now(), 5*time.Minute); err != nil {
			t.Errorf("webhook receiver: %v", err)
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var ev struct {
			Type    string `json:"type"`
			Subject string `json:"subject"`
		}
		_ = json.Unmarshal(body, &ev)
		k.in.add("webhook "+ev.Type, body)
		if ev.Type == "hindsight.retro.closed" {
			k.mu.Lock()
			k.closed[ev.Subject] = true
			k.mu.Unlock()
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	k.slack = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		k.in.add("slack message", body)
		var msg struct {
			Text string `json:"text"`
		}
		_ = json.Unmarshal(body, &msg)
		if strings.HasPrefix(msg.Text, "Retro closed: ") {
			k.mu.Lock()
			k.slacked[strings.TrimPrefix(msg.Text, "Retro closed: ")] = true
			k.mu.Unlock()
		}
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(k.events.Close)
	t.Cleanup(k.slack.Close)
	return k
}

// subscribe has the team's admin create both webhooks for every kind.
func (k *hookSink) subscribe(g *game) {
	kinds := []string{"retro.closed", "action.created", "action.changed", "action.due", "survey.closed"}
	a := g.mod.must(g.t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/teams/" + g.team + "/webhooks",
		body: map[string]any{"url": k.events.URL + "/hindsight", "kinds": kinds}})
	key, err := webhooks.SecretKey(a.str("secret"))
	if err != nil {
		g.t.Fatalf("the webhook's secret: %v (%s)", err, a.raw)
	}
	k.mu.Lock()
	k.key = key
	k.mu.Unlock()
	g.mod.must(g.t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/teams/" + g.team + "/webhooks",
		body: map[string]any{"url": k.slack.URL + "/services/T1/B1/secret", "format": "slack", "kinds": kinds}})
}

// waitClosed waits until both formats told of the retro's close.
func (k *hookSink) waitClosed(t *testing.T, retroID, title string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		k.mu.Lock()
		done := k.closed[retroID] && k.slacked[title]
		k.mu.Unlock()
		if done {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the webhook and Slack were not told that retro %s closed", retroID)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
