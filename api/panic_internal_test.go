package api

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hindsight-retro/hindsight/eventstore/memstore"
)

func TestAPanicIsA500ProblemThatLeaksNothing(t *testing.T) {
	var logs bytes.Buffer
	routes := append(routeTable(), route{method: http.MethodGet, pattern: "/boom", op: "boom", probe: true,
		handle: func(*server, *route, http.ResponseWriter, *http.Request) {
			panic("secret database password hunter2")
		}})
	h := newServer(Deps{Store: memstore.New(nil), Logger: slog.New(slog.NewJSONHandler(&logs, nil))}, routes)

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/boom", nil))
	if rec.Code != http.StatusInternalServerError || rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Fatalf("a panicking handler = %d %s, want a 500 problem", rec.Code, rec.Header().Get("Content-Type"))
	}
	if body := rec.Body.String(); strings.Contains(body, "hunter2") || !strings.Contains(body, "/problems/internal") {
		t.Errorf("500 body = %s, want the internal type and no panic text", body)
	}
	if id := rec.Header().Get(RequestIDHeader); id == "" || !strings.Contains(rec.Body.String(), id) {
		t.Errorf("500 body does not quote the request ID %q for the operator", id)
	}
	if !strings.Contains(logs.String(), "hunter2") || !strings.Contains(logs.String(), `"status":500`) {
		t.Errorf("the operator's log lacks the panic or the access line: %s", logs.String())
	}

	// The server keeps serving.
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if rec.Code != http.StatusOK {
		t.Errorf("after a panic /healthz = %d", rec.Code)
	}
}

func TestTheAccessLogNeverHoldsTheQueryString(t *testing.T) {
	var logs bytes.Buffer
	h := New(Deps{Store: memstore.New(nil), Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v1/retros/r1/live?token=hs1.secret-token", nil))
	if strings.Contains(logs.String(), "secret-token") {
		t.Errorf("the access log holds a token from the query: %s", logs.String())
	}
	if !strings.Contains(logs.String(), `"route":"/v1/retros/{retroId}/live"`) {
		t.Errorf("the access log lacks the route pattern: %s", logs.String())
	}
}
