package api_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/api"
)

func TestMalformedBodiesAreValidationProblems(t *testing.T) {
	h := newHarness(t)
	ada := h.user("Ada")
	for _, c := range []struct {
		name, body string
		field      string
	}{
		{"an unknown field", `{"name":"Acme","owner":"me"}`, "owner"},
		{"a wrong type", `{"name":42}`, "name"},
		{"trailing data", `{"name":"Acme"} {"name":"Evil"}`, ""},
		{"broken JSON", `{"name":`, ""},
		{"an empty body", ``, ""},
	} {
		res := h.do(req{method: "POST", path: "/v1/workspaces", token: ada.token, body: c.body})
		if res.status != http.StatusBadRequest || res.problemType() != problemBase+"validation" {
			t.Errorf("%s: %d %s, want 400 validation", c.name, res.status, res.raw)
			continue
		}
		if c.field != "" {
			errs, _ := res.body["errors"].([]any)
			if len(errs) != 1 || errs[0].(map[string]any)["field"] != c.field {
				t.Errorf("%s: errors = %v, want one naming %q", c.name, res.body["errors"], c.field)
			}
		}
	}
	form := h.do(req{method: "POST", path: "/v1/workspaces", token: ada.token, body: "name=Acme",
		header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}})
	if form.status != http.StatusUnsupportedMediaType {
		t.Errorf("a form body = %d %s, want 415", form.status, form.raw)
	}
}

func TestABodyOverTheLimitIs413(t *testing.T) {
	h := newHarness(t, func(d *api.Deps) { d.MaxBodyBytes = 1024 })
	ada := h.user("Ada")
	big := `{"name":"` + strings.Repeat("a", 2000) + `"}`
	res := h.do(req{method: "POST", path: "/v1/workspaces", token: ada.token, body: big})
	if res.status != http.StatusRequestEntityTooLarge || res.problemType() != problemBase+"too-large" {
		t.Errorf("a 2 KB body with a 1 KB limit = %d %s, want 413 too-large", res.status, res.raw)
	}
}

func TestAClientOverItsRateLimitIs429(t *testing.T) {
	h := newHarness(t, func(d *api.Deps) { d.RateLimit = api.RateLimit{Requests: 3, Window: time.Hour} })
	// Registration and login are two requests from this address.
	ada := h.user("Ada")
	var last response
	for range 4 {
		last = h.do(req{method: "GET", path: "/v1/me", token: ada.token})
	}
	if last.status != http.StatusTooManyRequests || last.problemType() != problemBase+"rate-limited" {
		t.Fatalf("the 4th request in the window = %d %s, want 429 rate-limited", last.status, last.raw)
	}
	if last.header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	// The limit is per client: another person is not slowed by Ada.
	if res := h.do(req{method: "POST", path: "/v1/accounts", body: api.RegisterRequest{Email: "bea@example.com", Password: "correct horse battery", Name: "Bea"}}); res.status != http.StatusAccepted {
		t.Errorf("another client = %d, want 201", res.status)
	}
	// Probes are never limited.
	h.must(http.StatusOK, req{method: "GET", path: "/healthz"})
}

func TestMetricsCountRequestsByRoutePattern(t *testing.T) {
	h := newHarness(t, func(d *api.Deps) { d.MetricsToken = "scrape-secret-0123456789" })
	ada := h.user("Ada")
	ws, _ := h.team(ada)
	h.must(http.StatusOK, req{method: "GET", path: "/v1/workspaces/" + ws, token: ada.token})
	m := h.must(http.StatusOK, req{method: "GET", path: "/metrics", token: "scrape-secret-0123456789"})
	text := string(m.raw)
	for _, want := range []string{
		`hindsight_http_requests_total{method="GET",route="/v1/workspaces/{workspaceId}",status="200"} 1`,
		`hindsight_http_request_duration_seconds_bucket{method="POST",route="/v1/accounts"`,
		`hindsight_live_connections`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(text, ws) {
		t.Error("/metrics has a series per workspace ID; routes must be patterns")
	}
}

// syncBuffer is a log destination the server writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestTheAccessLogIsJSONAndNamesTheVerifiedCaller(t *testing.T) {
	var logs syncBuffer
	h := newHarness(t, func(d *api.Deps) { d.Logger = slog.New(slog.NewJSONHandler(&logs, nil)) })
	ada := h.user("Ada")
	h.must(http.StatusOK, req{method: "GET", path: "/v1/me", token: ada.token})
	var found bool
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("a log line is not JSON: %s", line)
		}
		if rec["msg"] == "http request" && rec["route"] == "/v1/me" {
			found = true
			if rec["user_id"] != ada.id || rec["status"] != float64(200) || rec["request_id"] == "" {
				t.Errorf("access log line = %v, want ada's user ID, status 200 and a request ID", rec)
			}
		}
	}
	if !found {
		t.Errorf("no access log line for GET /v1/me in:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), ada.token) {
		t.Error("the log holds a bearer token")
	}
}
