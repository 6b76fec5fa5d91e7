// Package api is Hindsight's HTTP edge: the chi router, its middleware and
// thin handlers (decode → call the app, identity or live feed → encode).
// One route table drives both the router and the OpenAPI document served
// at /v1/openapi.json, so the two cannot disagree.
package api

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/httprate"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/hindsight-retro/hindsight/api/live"
	"github.com/hindsight-retro/hindsight/api/openapi"
	"github.com/hindsight-retro/hindsight/api/problem"
	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/eventstore"
)

// DefaultReadyTimeout bounds how long /readyz waits for the store to answer.
const DefaultReadyTimeout = 2 * time.Second

// RateLimit is how many requests one client (a user, or an IP address
// without a token) may send per window. Requests <= 0 turns limiting off.
type RateLimit struct {
	Requests int
	Window   time.Duration
}

// DefaultRateLimit is generous for people (a busy voter sends a few requests
// a second) and stops a runaway script.
var DefaultRateLimit = RateLimit{Requests: 600, Window: time.Minute}

// Deps is everything the API needs from the outside. Callers build it once at
// start-up; the handler holds no other state.
type Deps struct {
	// Store is the open log. The router is built only after the store opened,
	// so a live process always has one.
	Store    eventstore.Store
	App      *app.App
	Identity *identity.Service
	Live     *live.Hub
	// Web is the browser app's build (web.Dist()), served at / and every
	// path outside the API; nil serves no app.
	Web fs.FS
	// APIDocs is the API reference's build (web.APIDocs()), served at
	// /v1/docs; nil serves none there.
	APIDocs fs.FS
	// Sync serves GET /v1/sync (the whiteboards' collab server); nil
	// answers 503 there.
	Sync http.Handler
	// Logger receives the access log, request failures and panics; nil
	// discards them.
	Logger *slog.Logger
	// Registry holds the metrics served at /metrics; nil uses a private one.
	Registry *prometheus.Registry
	// MetricsToken, when set, serves /metrics on the API's listener to
	// requests bearing it; empty answers /metrics there like an unknown
	// path (serve the registry elsewhere with MetricsHandler).
	MetricsToken string
	// ReadyTimeout bounds the store round trip behind /readyz; 0 means
	// DefaultReadyTimeout.
	ReadyTimeout time.Duration
	// MaxBodyBytes bounds a request body; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// RateLimit per client; the zero value means DefaultRateLimit. Set
	// Requests to -1 to turn limiting off.
	RateLimit RateLimit
	// NewID makes command IDs for requests without an Idempotency-Key; nil
	// means UUIDv7.
	NewID func() string
	// LoginThrottle slows password guessing; the zero value means
	// DefaultLoginThrottle.
	LoginThrottle LoginThrottle
	// Clock is the server's clock for the login throttle; nil means time.Now.
	Clock func() time.Time
	// PublicURL is the server's address as browsers reach it
	// (https://retro.example.com), for the single sign-on callback's URL;
	// empty takes the scheme and host of each request.
	PublicURL string
	// QuickRetrosPerHour is how many quick retros one client address may
	// start per hour; 0 means DefaultQuickRetrosPerHour, negative turns
	// quick retros off.
	QuickRetrosPerHour int
}

type server struct {
	deps    Deps
	log     *slog.Logger
	metrics *httpMetrics
	routes  []route
	doc     []byte
	logins  *loginThrottle
	quick   *httprate.RateLimiter
	// mailLinks limits requests that mail someone (mail_accounts.go).
	mailLinks mailLimiter
}

// New returns the HTTP handler of the whole API.
func New(d Deps) http.Handler { return newServer(d, routeTable()) }

// newServer builds the handler of a route table; tests add routes to it.
func newServer(d Deps, routes []route) http.Handler {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.ReadyTimeout <= 0 {
		d.ReadyTimeout = DefaultReadyTimeout
	}
	if d.MaxBodyBytes <= 0 {
		d.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if d.RateLimit == (RateLimit{}) {
		d.RateLimit = DefaultRateLimit
	}
	if d.RateLimit.Window <= 0 {
		d.RateLimit.Window = time.Minute
	}
	if d.NewID == nil {
		d.NewID = newUUIDv7
	}
	if d.LoginThrottle == (LoginThrottle{}) {
		d.LoginThrottle = DefaultLoginThrottle
	}
	if d.Clock == nil {
		d.Clock = time.Now
	}
	if d.Registry == nil {
		d.Registry = prometheus.NewRegistry()
	}
	s := &server{deps: d, log: d.Logger, routes: routes, logins: newLoginThrottle(d.LoginThrottle, d.Clock), quick: newQuickLimiter(d.QuickRetrosPerHour),
		mailLinks: newMailLimiter()}
	m, err := newHTTPMetrics(d.Registry)
	if err != nil {
		// Another collector took our names: keep serving, count privately.
		s.log.Error("HTTP metrics are not exported", "err", err)
		m, _ = newHTTPMetrics(prometheus.NewRegistry())
	}
	s.metrics = m
	if d.Live != nil {
		for _, c := range d.Live.Collectors() {
			if _, err := register(d.Registry, c); err != nil {
				s.log.Error("a live feed metric is not exported", "err", err)
			}
		}
	}
	s.registerProjectionLag()
	s.doc, err = json.Marshal(document(s.routes))
	if err != nil {
		panic("api: the OpenAPI document does not encode: " + err.Error()) // a programming error, caught by tests
	}
	return s.router()
}

func (s *server) router() http.Handler {
	r := chi.NewRouter()
	r.Use(securityHeaders, requestID, s.observe, s.recoverer, s.limitBody, textInURL)
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		if s.serveApp(w, r) {
			return
		}
		problem.Write(w, r, problem.New(problem.NotFound, "no resource at "+r.URL.Path))
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead && s.serveApp(w, r) {
			return // HEAD of the app's page, routed for GET only
		}
		problem.Write(w, r, problem.New(problem.MethodNotAllowed, r.Method+" is not supported on "+r.URL.Path))
	})
	limit := s.rateLimiter()
	for i := range s.routes {
		rt := &s.routes[i]
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { rt.handle(s, rt, w, r) })
		if rt.probe {
			// Probes and scrapes are neither authenticated nor limited: an
			// orchestrator polls them from one address.
			r.Method(rt.method, rt.pattern, h)
			continue
		}
		r.With(describe(rt), s.authenticate(rt), limit).Method(rt.method, rt.pattern, h)
	}
	return r
}

// document returns the OpenAPI document of routes.
func document(routes []route) *openapi.Document {
	ops := make([]openapi.Route, 0, len(routes))
	for _, rt := range routes {
		ops = append(ops, rt.openapi())
	}
	return openapi.Build(openapi.Info{
		Title:   "Hindsight API",
		Version: "1",
		Description: "Event-sourced agile retrospectives. Commands take an Idempotency-Key header (the command ID) " +
			"and answer where they landed (streamVersion, position); errors are RFC 9457 problem+json.",
	}, ops, reflect.TypeFor[problem.Problem]())
}

// healthz is the liveness probe: the process serves HTTP and its store was
// opened (the listener starts only after that). It does not touch the store,
// so a slow cluster does not get a healthy process restarted.
func (s *server) healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, Status{Status: "ok"})
}

// Status is the body of the probes.
type Status struct {
	Status string `json:"status"`
}

// readyz is the readiness probe: the store answers a read within the
// timeout and can take writes, so requests routed here can be served.
func (s *server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), s.deps.ReadyTimeout)
	defer cancel()
	if err := eventstore.CheckWritable(ctx, s.deps.Store); errors.Is(err, eventstore.ErrStorageFull) {
		s.log.Warn("readiness check failed: the event store cannot write", "err", err)
		problem.Write(w, r, problem.New(problem.Unavailable, "the event store's storage is full: writes fail until space is freed").WithCode("storage-full"))
		return
	}
	if _, err := s.deps.Store.LastPosition(ctx); err != nil {
		s.log.Warn("readiness check failed", "err", err)
		// /readyz takes no token, so the store's own error text (addresses,
		// cluster names) stays in the log; the prober learns only the kind.
		detail := "the event store did not answer in time; see the server's log"
		if errors.Is(err, eventstore.ErrClosed) {
			detail = "the event store is closed"
		}
		problem.Write(w, r, problem.New(problem.Unavailable, detail).WithCode("store-unavailable"))
		return
	}
	writeJSON(w, http.StatusOK, Status{Status: "ready"})
}

// serveMetrics serves /metrics on the API's listener only when the operator set
// a metrics token, and then only to a request bearing it: route names,
// request counts and in-flight live feeds are not for the public. Without a
// token the path answers like any unknown one; scrape a separate listener
// instead (MetricsHandler, --metrics-addr).
func (s *server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	if s.deps.MetricsToken == "" {
		problem.Write(w, r, problem.New(problem.NotFound, "no resource at "+r.URL.Path))
		return
	}
	MetricsHandler(s.deps.Registry, s.deps.MetricsToken, s.log).ServeHTTP(w, r)
}

// MetricsHandler serves the registry's metrics in the Prometheus format,
// to requests bearing "Authorization: Bearer <token>" when token is set.
// The server serves it on its own listener (--metrics-addr), which the
// operator keeps off the public network.
func MetricsHandler(reg *prometheus.Registry, token string, logger *slog.Logger) http.Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return RequireMetricsToken(token, promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}))
}

// RequireMetricsToken lets through only requests bearing the metrics
// token; an empty token lets everything through (the metrics listener is
// then protected by where it listens).
func RequireMetricsToken(token string, h http.Handler) http.Handler {
	if token == "" {
		return h
	}
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, got, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		sum := sha256.Sum256([]byte(strings.TrimSpace(got)))
		if !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="hindsight-metrics"`)
			problem.Write(w, r, problem.New(problem.Unauthenticated, "send Authorization: Bearer <the metrics token>"))
			return
		}
		h.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	// An encoding error here means the client went away; nothing to tell it.
	_ = json.NewEncoder(w).Encode(v)
}

// registerProjectionLag exports the read models' and the reactor's lag and
// checkpoints, the events read models skipped and the reactions that failed.
func (s *server) registerProjectionLag() {
	if s.deps.App == nil {
		return
	}
	for _, c := range []prometheus.Collector{s.deps.App.ReadModelsCollector(), s.deps.App.ReactionsCollector()} {
		if c == nil {
			continue
		}
		if _, err := register(s.deps.Registry, c); err != nil {
			s.log.Error("projection lag is not exported", "err", err)
		}
	}
}
