package api_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hindsight-retro/hindsight/api"
)

// Metrics are not public by default: without a metrics token /metrics on
// the API's listener answers like an unknown path; with one, only to a
// request bearing it.
func TestMetricsAreServedOnlyToTheirTokenOrOnTheirOwnListener(t *testing.T) {
	open := newHarness(t)
	if res := open.do(req{method: "GET", path: "/metrics"}); res.status != http.StatusNotFound || res.problemType() != problemBase+"not-found" ||
		strings.Contains(string(res.raw), "hindsight_") {
		t.Errorf("/metrics without a configured token = %d %.200s, want 404 like any unknown path", res.status, res.raw)
	}
	const token = "scrape-secret-0123456789"
	h := newHarness(t, func(d *api.Deps) { d.MetricsToken = token })
	ada := h.user("Ada")
	for name, tok := range map[string]string{"no token": "", "a wrong token": "scrape-secret-0123456780", "a user's token": ada.token} {
		if res := h.do(req{method: "GET", path: "/metrics", token: tok}); res.status != http.StatusUnauthorized || strings.Contains(string(res.raw), "hindsight_") {
			t.Errorf("/metrics with %s = %d %.200s, want 401", name, res.status, res.raw)
		}
	}
	if res := h.do(req{method: "GET", path: "/metrics", token: token}); res.status != http.StatusOK || !strings.Contains(string(res.raw), "hindsight_http_requests_total") {
		t.Errorf("/metrics with its token = %d %.200s, want the metrics", res.status, res.raw)
	}

	// The handler a separate listener serves.
	reg := prometheus.NewRegistry()
	reg.MustRegister(prometheus.NewCounter(prometheus.CounterOpts{Name: "hindsight_test_total", Help: "a test counter"}))
	rec := httptest.NewRecorder()
	api.MetricsHandler(reg, "", nil).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "hindsight_test_total") {
		t.Errorf("the metrics listener's handler = %d %.200s", rec.Code, rec.Body)
	}
}
