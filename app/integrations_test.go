package app_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/app/webhooks"
	"github.com/hindsight-retro/hindsight/domain/integration"
	"github.com/hindsight-retro/hindsight/domain/retro"
)

// receiver is a webhook receiver as its documentation asks one to be: it
// checks the Standard Webhooks headers and signature, reads the CloudEvent
// and de-duplicates by its ID. answer decides each response's status.
type receiver struct {
	t      *testing.T
	srv    *httptest.Server
	key    []byte
	answer func(n int) int // n: the request's number, from 1

	mu       sync.Mutex
	requests int
	raw      map[string]int // ID → times received
	events   []app.WebhookEvent
	bodies   [][]byte
	at       []time.Time
	hold     chan struct{} // when set, the first request waits on it (or its cancel)
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{t: t, raw: map[string]int{}, answer: func(int) int { return http.StatusNoContent }}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		http.Error(w, "read", http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	key := r.key
	r.mu.Unlock()
	switch {
	case req.Method != http.MethodPost:
		r.t.Errorf("receiver: method %s", req.Method)
	case !strings.HasPrefix(req.Header.Get("Content-Type"), "application/cloudevents+json"):
		r.t.Errorf("receiver: content type %q", req.Header.Get("Content-Type"))
	}
	id := req.Header.Get(webhooks.HeaderID)
	if err := webhooks.Verify(key, id, req.Header.Get(webhooks.HeaderTimestamp), req.Header.Get(webhooks.HeaderSignature), body, time.Now(), 5*time.Minute); err != nil {
		r.t.Errorf("receiver: %v (id %s)", err, id)
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var ev app.WebhookEvent
	if err := json.Unmarshal(body, &ev); err != nil || ev.SpecVersion != "1.0" || ev.ID != id || ev.Source == "" || ev.Type == "" {
		r.t.Errorf("receiver: not a CloudEvent with the header's ID (%v): %s", err, body)
	}
	r.mu.Lock()
	r.requests++
	n := r.requests
	r.raw[id]++
	first := r.raw[id] == 1
	r.at = append(r.at, time.Now())
	status := r.answer(n)
	if first && status < 300 {
		r.events = append(r.events, ev)
		r.bodies = append(r.bodies, body)
	}
	hold := r.hold
	r.hold = nil
	r.mu.Unlock()
	if hold != nil {
		select {
		case <-hold:
		case <-req.Context().Done():
			return
		}
	}
	w.WriteHeader(status)
}

// unique is the events received, once each, in order of arrival.
func (r *receiver) unique() []app.WebhookEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]app.WebhookEvent(nil), r.events...)
}

func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requests
}

// waitFor polls cond until it holds, failing after a generous deadline.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	eventually(t, func() (bool, string) { return cond(), "timed out waiting for " + what })
}

// loopback lets tests' receivers on 127.0.0.1 be dialled, with short
// backoff, on the real clock (backoff waits are real).
func loopback(max int) func(*app.Deps) {
	return func(d *app.Deps) {
		d.Clock = nil
		d.Integrations = app.IntegrationsConfig{Guard: webhooks.Guard{AllowPrivate: true}, MaxFailures: max,
			Backoff: webhooks.Backoff{Base: 40 * time.Millisecond, Max: time.Second}, Timeout: 5 * time.Second}
	}
}

func startIntegrations(t *testing.T, a *app.App) {
	t.Helper()
	if err := a.StartIntegrations(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.CloseIntegrations() })
}

func (f *fixture) webhook(r *receiver, kinds ...integration.Kind) app.CreatedWebhook {
	f.t.Helper()
	c := must(f.app.CreateWebhook(f.ctx(), f.as(user(uMod)), f.team, app.WebhookInput{URL: r.srv.URL + "/hook", Kinds: kinds}))(f.t)
	key, err := webhooks.SecretKey(c.Secret)
	if err != nil {
		f.t.Fatalf("the created webhook's secret: %v", err)
	}
	r.mu.Lock()
	r.key = key
	r.mu.Unlock()
	return c
}

func TestAWebhookReceivesSignedCloudEventsOfTheKindsItChoseOnly(t *testing.T) {
	f := newTeam(t, loopback(0))
	r := newReceiver(t)
	created := f.webhook(r, integration.KindActionCreated, integration.KindRetroClosed)
	startIntegrations(t, f.app)

	rid := f.newRetro("Sprint 9", false)
	act := must(f.retro(user(uBea), rid, app.CreateAction{Title: "Pin the CI image"}))(t).ID
	// A change of the action: not a kind the webhook chose.
	must(f.retro(user(uCal), rid, app.SetActionStatus{ActionID: act, Status: retro.ActionDone}))(t)
	must(f.retro(user(uMod), rid, app.CloseRetro{}))(t)

	waitFor(t, "two deliveries", func() bool { return len(r.unique()) == 2 })
	got := r.unique()
	if got[0].Type != "hindsight.action.created" || got[0].Data.Action == nil || got[0].Data.Action.ID != act ||
		got[0].Data.Action.Title != "Pin the CI image" || got[0].Data.Action.Status != "open" || got[0].Subject != act {
		t.Errorf("first delivery: %+v, want the action as created (open)", got[0])
	}
	if got[1].Type != "hindsight.retro.closed" || got[1].Data.Retro == nil || got[1].Data.Retro.Title != "Sprint 9" ||
		!got[1].Data.Retro.Closed || got[1].Source != "/v1/teams/"+f.team {
		t.Errorf("second delivery: %+v, want the closed retro", got[1])
	}
	// The secret is shown once: not in the list, not in the log.
	list := must(f.app.Webhooks(f.ctx(), user(uMod), f.team))(t)
	raw, _ := json.Marshal(list)
	if len(list) != 1 || strings.Contains(string(raw), created.Secret) || list[0].URL != r.srv.URL+"/hook" {
		t.Errorf("the team's webhooks: %s", raw)
	}
	for _, e := range f.events() {
		if strings.Contains(string(e.Payload), strings.TrimPrefix(created.Secret, webhooks.SecretPrefix)) {
			t.Fatalf("the log holds the secret in %s", e.Type)
		}
	}
	// Members who are not admins neither list nor create webhooks.
	if _, err := f.app.Webhooks(f.ctx(), user(uBea), f.team); err == nil {
		t.Error("a member listed the team's webhooks")
	}
	if _, err := f.app.CreateWebhook(f.ctx(), f.as(user(uBea)), f.team, app.WebhookInput{URL: r.srv.URL, Kinds: []integration.Kind{integration.KindRetroClosed}}); err == nil {
		t.Error("a member created a webhook")
	}
}
