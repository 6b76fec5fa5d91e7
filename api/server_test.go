package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
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
	if body["type"] != problemBase+"unavailable" || body["code"] != "store-unavailable" || body["status"] != float64(503) {
		t.Errorf("problem = %v, want type unavailable, code store-unavailable and status 503", body)
	}
}

func TestUnknownPathsAndMethodsAreProblems(t *testing.T) {
	h := api.New(api.Deps{Store: memstore.New(nil)})

	res, body := get(t, h, "/nope")
	if res.StatusCode != http.StatusNotFound || body["type"] != problemBase+"not-found" || body["instance"] != "/nope" {
		t.Errorf("GET /nope = %d %v, want 404 not-found with instance /nope", res.StatusCode, body)
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

var serverRequestID = regexp.MustCompile(`^[0-9a-f]{24}$`)

func TestEveryAnswerCarriesARequestID(t *testing.T) {
	h := api.New(api.Deps{Store: memstore.New(nil)})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/nope", nil))
	if rec.Header().Get(api.RequestIDHeader) == "" {
		t.Error("no X-Request-Id on a 404")
	}
	r := httptest.NewRequest(http.MethodGet, "/healthz", nil)
	r.Header.Set(api.RequestIDHeader, "proxy-abc-123")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if got := rec.Header().Get(api.RequestIDHeader); got != "proxy-abc-123" {
		t.Errorf("request ID from the proxy = %q, want it echoed", got)
	}
	r = httptest.NewRequest(http.MethodGet, "/healthz", nil)
	r.Header.Set(api.RequestIDHeader, "bad id\x01"+strings.Repeat("x", 100))
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	// In its place the server's own: 12 random bytes in hex (which may
	// well spell "bad", so the test does not look for that).
	if got := rec.Header().Get(api.RequestIDHeader); !serverRequestID.MatchString(got) {
		t.Errorf("a malformed request ID answered with %q, want a fresh one of the server's", got)
	}
}

func TestAPIRoutesWithoutTheAppAnswerUnavailable(t *testing.T) {
	h := api.New(api.Deps{Store: memstore.New(nil)})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/v1/accounts", strings.NewReader(`{}`)))
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Errorf("POST /v1/accounts on a server without an app = %d %s, want a 503 problem", rec.Code, rec.Body)
	}
}

type recorded struct {
	status int
	header http.Header
	raw    []byte
}

func httpGet(h http.Handler, path string) recorded {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return recorded{status: rec.Code, header: rec.Header(), raw: rec.Body.Bytes()}
}

// failingStore answers reads with an error that names its internals.
type failingStore struct{ *memstore.Store }

func (failingStore) LastPosition(context.Context) (uint64, error) {
	return 0, errors.New("dial nats://admin:s3cret@nats-2.internal:4222: connection refused")
}

// /readyz takes no token: the store's error text (addresses, credentials)
// stays in the server's log.
func TestReadyzDoesNotRepeatTheStoresError(t *testing.T) {
	h := api.New(api.Deps{Store: failingStore{memstore.New(nil)}})
	res, body := get(t, h, "/readyz")
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("GET /readyz with a failing store = %d, want 503", res.StatusCode)
	}
	if raw, _ := json.Marshal(body); strings.Contains(string(raw), "nats-2.internal") || strings.Contains(string(raw), "s3cret") {
		t.Errorf("/readyz repeats the store's error: %s", raw)
	}
}
