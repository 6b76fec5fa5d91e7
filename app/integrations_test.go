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
	done     map[string]bool
	events   []app.WebhookEvent
	bodies   [][]byte
	at       []time.Time
	hold     chan struct{} // when set, the first request waits on it (or its cancel)
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{t: t, raw: map[string]int{}, done: map[string]bool{}, answer: func(int) int { return http.StatusNoContent }}
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
	r.at = append(r.at, time.Now())
	status := r.answer(n)
	// De-duplicated by ID: processed once, when first answered 2xx.
	if !r.done[id] && status < 300 {
		r.done[id] = true
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

// reopen is the app again on the same log and keys, as after a restart.
func (f *fixture) reopen(opts ...func(*app.Deps)) *app.App {
	d := app.Deps{Store: f.store, Keys: f.keys, Catalog: f.cat, Clock: f.clock, NewID: f.newID}
	for _, o := range opts {
		o(&d)
	}
	return app.New(d)
}

func TestEachCauseReachesADeDuplicatingReceiverOnceAcrossARestart(t *testing.T) {
	f := newTeam(t, loopback(0))
	r := newReceiver(t)
	f.webhook(r, integration.KindActionCreated)
	// The first request is received but never answered: the process stops
	// while it waits, so the attempt is not recorded.
	release := make(chan struct{})
	r.hold = release
	first := f.app
	if err := first.StartIntegrations(t.Context()); err != nil {
		t.Fatal(err)
	}
	rid := f.newRetro("Sprint 3", false)
	a1 := must(f.retro(user(uBea), rid, app.CreateAction{Title: "Archive old boards"}))(t).ID
	waitFor(t, "the first request", func() bool { return r.count() == 1 })
	if err := first.CloseIntegrations(); err != nil {
		t.Fatal(err)
	}
	close(release)
	// While no node sends, another action is created.
	a2 := must(f.retro(user(uBea), rid, app.CreateAction{Title: "Rotate the on-call"}))(t).ID

	second := f.reopen(loopback(0))
	startIntegrations(t, second)
	waitFor(t, "both actions", func() bool { return len(r.unique()) == 2 })

	got := r.unique()
	if got[0].Data.Action.ID != a1 || got[1].Data.Action.ID != a2 {
		t.Fatalf("received actions %s, %s; want %s then %s", got[0].Data.Action.ID, got[1].Data.Action.ID, a1, a2)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	// The unanswered first attempt was made again under the same ID, which
	// the receiver recognised; the second cause came once.
	if r.raw[got[0].ID] != 2 || r.raw[got[1].ID] != 1 || len(r.raw) != 2 {
		t.Errorf("requests by delivery ID: %v; want the first twice (same ID), the second once", r.raw)
	}
	if got[0].ID == got[1].ID {
		t.Error("two causes share a delivery ID")
	}
}

func TestAFailingReceiverIsRetriedWithBackoffWithoutHoldingUpAnother(t *testing.T) {
	f := newTeam(t, loopback(0))
	failing, healthy := newReceiver(t), newReceiver(t)
	failing.answer = func(n int) int {
		if n <= 2 {
			return http.StatusInternalServerError
		}
		return http.StatusNoContent
	}
	bad := f.webhook(failing, integration.KindActionCreated)
	f.webhook(healthy, integration.KindActionCreated)
	startIntegrations(t, f.app)

	rid := f.newRetro("Sprint 4", false)
	must(f.retro(user(uBea), rid, app.CreateAction{Title: "Fix the flaky test"}))(t)
	waitFor(t, "the failing receiver's third attempt", func() bool { return len(failing.unique()) == 1 })

	failing.mu.Lock()
	at := append([]time.Time(nil), failing.at...)
	failing.mu.Unlock()
	healthy.mu.Lock()
	healthyAt := healthy.at
	healthy.mu.Unlock()
	if len(healthyAt) != 1 || !healthyAt[0].Before(at[2]) {
		t.Errorf("the healthy receiver got %d requests, first at %v; the failing one succeeded at %v", len(healthyAt), healthyAt, at[2])
	}
	// Backoff: 40 ms after the first failure, 80 ms after the second.
	if len(at) != 3 || at[1].Sub(at[0]) < 40*time.Millisecond || at[2].Sub(at[1]) < 80*time.Millisecond {
		t.Errorf("attempts at %v: want 3, at least 40 ms then 80 ms apart", at)
	}
	var log []app.DeliveryView
	waitFor(t, "the success recorded", func() bool {
		log = must(f.app.WebhookDeliveries(f.ctx(), user(uMod), f.team, bad.ID))(t)
		return len(log) == 1 && log[0].Delivered
	})
	if a := log[0].Attempts; len(a) != 3 || a[0].Status != 500 || a[0].Error == "" || a[1].Status != 500 || a[2].Status != 204 || !a[2].OK {
		t.Errorf("delivery log: %+v", a)
	}
}

func TestAWebhookFailingTooOftenIsDisabledAndResumesWhenEnabled(t *testing.T) {
	f := newTeam(t, loopback(3))
	r := newReceiver(t)
	var mu sync.Mutex
	down := true
	r.answer = func(int) int {
		mu.Lock()
		defer mu.Unlock()
		if down {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	}
	hook := f.webhook(r, integration.KindActionCreated)
	startIntegrations(t, f.app)
	rid := f.newRetro("Sprint 5", false)
	must(f.retro(user(uBea), rid, app.CreateAction{Title: "Write the runbook"}))(t)

	waitFor(t, "the webhook disabled", func() bool {
		l := must(f.app.Webhooks(f.ctx(), user(uMod), f.team))(t)
		return l[0].Disabled
	})
	if n := r.count(); n != 3 {
		t.Errorf("a webhook disabled after 3 failures was tried %d times", n)
	}
	mu.Lock()
	down = false
	mu.Unlock()
	// While disabled, new causes are not queued for it.
	must(f.retro(user(uBea), rid, app.CreateAction{Title: "Not for a disabled webhook"}))(t)
	if err := f.app.CatchUpIntegrations(f.ctx(), must(f.store.LastPosition(f.ctx()))(t)); err != nil {
		t.Fatal(err)
	}
	must(f.app.EnableWebhook(f.ctx(), f.as(user(uMod)), f.team, hook.ID))(t)
	waitFor(t, "the waiting delivery", func() bool { return len(r.unique()) == 1 })
	if got := r.unique()[0].Data.Action.Title; got != "Write the runbook" {
		t.Errorf("after enabling, received %q", got)
	}
	log := must(f.app.WebhookDeliveries(f.ctx(), user(uMod), f.team, hook.ID))(t)
	if len(log) != 1 {
		t.Errorf("delivery log holds %d deliveries, want the one queued before the disable", len(log))
	}
}

func TestAReceiverOnALoopbackAddressIsRefusedUnlessTheOperatorAllowsIt(t *testing.T) {
	f := newTeam(t, func(d *app.Deps) {
		d.Clock = nil
		d.Integrations = app.IntegrationsConfig{MaxFailures: 1, Backoff: webhooks.Backoff{Base: time.Millisecond, Max: time.Millisecond}}
	})
	r := newReceiver(t)
	// "localhost" resolves to a loopback address: refused when dialled.
	url := strings.Replace(r.srv.URL, "127.0.0.1", "localhost", 1)
	hook := must(f.app.CreateWebhook(f.ctx(), f.as(user(uMod)), f.team, app.WebhookInput{URL: url, Kinds: []integration.Kind{integration.KindActionCreated}}))(t)
	startIntegrations(t, f.app)
	rid := f.newRetro("Sprint 6", false)
	must(f.retro(user(uBea), rid, app.CreateAction{Title: "Probe the metadata service"}))(t)
	var log []app.DeliveryView
	waitFor(t, "the refused attempt", func() bool {
		log = must(f.app.WebhookDeliveries(f.ctx(), user(uMod), f.team, hook.ID))(t)
		return len(log) == 1 && len(log[0].Attempts) == 1
	})
	if a := log[0].Attempts[0]; a.OK || !strings.Contains(a.Error, "not a public address") {
		t.Errorf("attempt on loopback: %+v, want refused as not public", a)
	}
	if n := r.count(); n != 0 {
		t.Errorf("the loopback receiver got %d requests", n)
	}
}

// slack is an incoming-webhook endpoint checking what Slack checks of a
// message: a JSON body with a fallback text and Block Kit blocks of known
// types within their size limits. It answers "ok", as Slack does.
type slack struct {
	t   *testing.T
	srv *httptest.Server
	mu  sync.Mutex
	got [][]byte
}

func newSlack(t *testing.T) *slack {
	s := &slack{t: t}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var msg struct {
			Text   string `json:"text"`
			Blocks []struct {
				Type string `json:"type"`
				Text *struct {
					Type string `json:"type"`
					Text string `json:"text"`
				} `json:"text"`
				Fields []struct {
					Type string `json:"type"`
					Text string `json:"text"`
				} `json:"fields"`
			} `json:"blocks"`
		}
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || r.URL.Path != "/services/T000/B000/XXXX" {
			http.Error(w, "invalid_payload", http.StatusBadRequest)
			return
		}
		if err := json.Unmarshal(body, &msg); err != nil || msg.Text == "" || len(msg.Blocks) == 0 || len(msg.Blocks) > 50 {
			http.Error(w, "invalid_blocks", http.StatusBadRequest)
			return
		}
		for _, b := range msg.Blocks {
			switch {
			case b.Type == "header" && b.Text != nil && b.Text.Type == "plain_text" && len([]rune(b.Text.Text)) <= 150:
			case b.Type == "section" && b.Text != nil && b.Text.Type == "mrkdwn" && len([]rune(b.Text.Text)) <= 3000:
			case b.Type == "section" && b.Text == nil && len(b.Fields) > 0 && len(b.Fields) <= 10:
			default:
				t.Errorf("slack: an invalid block %+v", b)
				http.Error(w, "invalid_blocks", http.StatusBadRequest)
				return
			}
		}
		s.mu.Lock()
		s.got = append(s.got, body)
		s.mu.Unlock()
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *slack) messages() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.got...)
}

func TestAnAnonymousRetrosWebhookAndSlackBodiesNameNobodyAndHoldNoConcealedText(t *testing.T) {
	f := newTeam(t, loopback(0))
	r, sl := newReceiver(t), newSlack(t)
	f.webhook(r, integration.KindRetroClosed, integration.KindActionCreated)
	slackURL := sl.srv.URL + "/services/T000/B000/XXXX"
	created := must(f.app.CreateWebhook(f.ctx(), f.as(user(uMod)), f.team, app.WebhookInput{
		URL: slackURL, Format: integration.FormatSlack, Kinds: []integration.Kind{integration.KindRetroClosed, integration.KindActionCreated}}))(t)
	if created.Secret != "" || created.Webhook.URL != "" {
		t.Errorf("a Slack webhook's answer shows its URL or a secret: %+v", created)
	}
	startIntegrations(t, f.app)

	rid := f.newRetro("Sprint 7", true)
	run := func(u string, in app.RetroInput) app.Result { return must(f.retro(user(u), rid, in))(t) }
	run(uBea, app.AddCard{ColumnID: "stop", Text: "revealed-card-3f9a"})
	run(uCal, app.AddCard{ColumnID: "start", Text: "concealed-card-77b1"})
	run(uMod, app.RevealColumn{ColumnID: "stop"})
	run(uBea, app.CreateAction{Title: "Shorten the stand-up"})
	run(uMod, app.CloseRetro{})

	waitFor(t, "two deliveries and two Slack messages", func() bool { return len(r.unique()) == 2 && len(sl.messages()) == 2 })
	r.mu.Lock()
	bodies := append([][]byte(nil), r.bodies...)
	r.mu.Unlock()
	all := append(bodies, sl.messages()...)
	for _, b := range all {
		for _, bad := range []string{"concealed-card-77b1", "anon:", slackURL} {
			if strings.Contains(string(b), bad) {
				t.Errorf("a body holds %q: %s", bad, b)
			}
		}
	}
	closed := r.unique()[1].Data.Retro
	if closed == nil || !closed.Anonymous {
		t.Fatalf("the closed retro's body: %+v", closed)
	}
	seen := false
	for _, c := range closed.Columns {
		for _, card := range c.Cards {
			if card.Author != "" || card.Mine {
				t.Errorf("an anonymous card is attributed in the webhook body: %+v", card)
			}
			seen = seen || card.Text == "revealed-card-3f9a"
		}
	}
	if !seen || !strings.Contains(string(bodies[1]), "revealed-card-3f9a") {
		t.Error("the revealed card is missing from the closed retro's body")
	}
	if msg := string(sl.messages()[1]); !strings.Contains(msg, "Retro closed: Sprint 7") || !strings.Contains(msg, "Shorten the stand-up") {
		t.Errorf("the Slack summary: %s", msg)
	}
	if msg := string(sl.messages()[0]); !strings.Contains(msg, "New action") || !strings.Contains(msg, "Shorten the stand-up") {
		t.Errorf("the Slack new action: %s", msg)
	}
}

func TestAnActionWhoseDueDatePassedIsToldOnce(t *testing.T) {
	f := newTeam(t, loopback(0))
	r := newReceiver(t)
	hook := f.webhook(r, integration.KindActionDue)
	late := must(f.app.RecordTeamAction(f.ctx(), f.as(user(uBea)), f.team, app.RecordTeamActionInput{
		Title: "Renew the certificate", Due: time.Now().Add(-time.Hour)}))(t).ID
	must(f.app.RecordTeamAction(f.ctx(), f.as(user(uBea)), f.team, app.RecordTeamActionInput{
		Title: "Plan the offsite", Due: time.Now().Add(24 * time.Hour)}))(t)
	startIntegrations(t, f.app)
	// The clock looked at start; whatever node or tick looks again finds
	// it told already.
	for range 2 {
		if err := f.app.QueueDueActions(f.ctx()); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "the due action", func() bool { return len(r.unique()) == 1 })
	if got := r.unique()[0]; got.Type != "hindsight.action.due" || got.Data.Action == nil || got.Data.Action.ID != late {
		t.Errorf("received %+v, want the late action due", got)
	}
	if log := must(f.app.WebhookDeliveries(f.ctx(), user(uMod), f.team, hook.ID))(t); len(log) != 1 {
		t.Errorf("the webhook's log holds %d deliveries, want the one due action", len(log))
	}
}
