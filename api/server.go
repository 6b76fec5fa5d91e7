// Package api is Hindsight's HTTP edge: the chi router, its middleware and
// handlers. It starts with the probes an operator needs (liveness and
// readiness) and grows into the REST API under /v1.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/hindsight-retro/hindsight/eventstore"
)

// DefaultReadyTimeout bounds how long /readyz waits for the store to answer.
const DefaultReadyTimeout = 2 * time.Second

// Deps is everything the API needs from the outside. Callers build it once at
// start-up; the handler holds no other state.
type Deps struct {
	// Store is the open log. The router is built only after the store opened,
	// so a live process always has one.
	Store eventstore.Store
	// Logger receives request failures and panics; nil discards them.
	Logger *slog.Logger
	// ReadyTimeout bounds the store round trip behind /readyz; 0 means
	// DefaultReadyTimeout.
	ReadyTimeout time.Duration
}

// New returns the HTTP handler of the whole API.
func New(d Deps) http.Handler {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.ReadyTimeout <= 0 {
		d.ReadyTimeout = DefaultReadyTimeout
	}
	s := &server{deps: d}

	r := chi.NewRouter()
	r.Use(s.recoverer)
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, http.StatusNotFound, "not-found", "Not Found", "no resource at "+r.URL.Path)
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, http.StatusMethodNotAllowed, "method-not-allowed", "Method Not Allowed",
			r.Method+" is not supported on "+r.URL.Path)
	})
	r.Get("/healthz", s.healthz)
	r.Get("/readyz", s.readyz)
	return r
}

type server struct {
	deps Deps
}

// healthz is the liveness probe: the process serves HTTP and its store was
// opened (the listener starts only after that). It does not touch the store,
// so a slow cluster does not get a healthy process restarted.
func (s *server) healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz is the readiness probe: the store answers a read within the
// timeout, so requests routed here can be served.
func (s *server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), s.deps.ReadyTimeout)
	defer cancel()
	if _, err := s.deps.Store.LastPosition(ctx); err != nil {
		s.deps.Logger.Warn("readiness check failed", "err", err)
		detail := "the event store did not answer: " + err.Error()
		if errors.Is(err, eventstore.ErrClosed) {
			detail = "the event store is closed"
		}
		writeProblem(w, http.StatusServiceUnavailable, "store-unavailable", "Event Store Unavailable", detail)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// recoverer turns a handler panic into a 500 and a log line, so one bad
// request cannot take the process down.
func (s *server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			rec := recover()
			if rec == nil {
				return
			}
			if rec == http.ErrAbortHandler {
				panic(rec) // net/http's own signal to drop the connection silently
			}
			s.deps.Logger.Error("handler panicked", "method", r.Method, "path", r.URL.Path, "panic", rec)
			writeProblem(w, http.StatusInternalServerError, "internal", "Internal Server Error", "")
		}()
		next.ServeHTTP(w, r)
	})
}

// problemTypeBase prefixes the stable type of each kind of error (RFC 9457).
// It is a relative URI reference, so it stays valid wherever Hindsight is hosted.
const problemTypeBase = "/problems/"

type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
}

func writeProblem(w http.ResponseWriter, status int, kind, title, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(problem{Type: problemTypeBase + kind, Title: title, Status: status, Detail: detail})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	// An encoding error here means the client went away; nothing to tell it.
	_ = json.NewEncoder(w).Encode(v)
}
