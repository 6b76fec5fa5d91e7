package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/hindsight-retro/hindsight/api"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
)

func get(t *testing.T, h http.Handler, path string) (*http.Response, map[string]any) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	res := rec.Result()
	var body map[string]any
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		t.Fatalf("GET %s: body is not JSON: %v", path, err)
	}
	return res, body
}

func TestHealthzAnswersOKWithAnOpenStore(t *testing.T) {
	h := api.New(api.Deps{Store: memstore.New(nil)})
	res, body := get(t, h, "/healthz")
	if res.StatusCode != http.StatusOK || body["status"] != "ok" {
		t.Fatalf("GET /healthz = %d %v, want 200 status ok", res.StatusCode, body)
	}
}

func TestReadyzFollowsTheStore(t *testing.T) {
	store := memstore.New(nil)
	h := api.New(api.Deps{Store: store})

	res, body := get(t, h, "/readyz")
	if res.StatusCode != http.StatusOK || body["status"] != "ready" {
		t.Fatalf("GET /readyz with an open store = %d %v, want 200 ready", res.StatusCode, body)
	}

	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	res, body = get(t, h, "/readyz")
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("GET /readyz with a closed store = %d, want 503", res.StatusCode)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type = %q, want application/problem+json", ct)
	}
	if body["type"] != "/problems/store-unavailable" || body["status"] != float64(503) {
		t.Errorf("problem = %v, want type /problems/store-unavailable and status 503", body)
	}
}

func TestUnknownPathsAndMethodsAreProblems(t *testing.T) {
	h := api.New(api.Deps{Store: memstore.New(nil)})

	res, body := get(t, h, "/nope")
	if res.StatusCode != http.StatusNotFound || body["type"] != "/problems/not-found" {
		t.Errorf("GET /nope = %d %v, want 404 /problems/not-found", res.StatusCode, body)
	}

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/healthz", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST /healthz = %d, want 405", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("POST /healthz Content-Type = %q, want application/problem+json", ct)
	}
}
