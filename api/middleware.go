package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/go-chi/httprate"

	"github.com/hindsight-retro/hindsight/api/problem"
	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/domain"
)

// RequestIDHeader carries the request's ID back to the client (and in from a
// proxy that already assigned one), so a report and a log line can be matched.
const RequestIDHeader = "X-Request-Id"

type ctxKey int

const (
	requestIDKey ctxKey = iota
	principalKey
	logInfoKey
)

// logInfo is what inner handlers tell the access log: the principal is
// established after routing, in a request the outer middleware never sees.
type logInfo struct {
	userID, kind string
	// unattributed: the route is a command on a retro or a survey
	// response, whose line must not name who sent it (see unattributed).
	unattributed bool
}

// requestID takes a well-formed ID from a proxy or makes one.
func requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(RequestIDHeader)
		if !validRequestID(id) {
			var b [12]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set(RequestIDHeader, id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey, id)))
	})
}

// validRequestID accepts IDs that are safe to echo and to log.
func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c == '-' || c == '_' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

func requestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// principalFrom returns the caller the authentication middleware verified.
func principalFrom(ctx context.Context) (identity.Principal, bool) {
	p, ok := ctx.Value(principalKey).(identity.Principal)
	return p, ok
}

// observe writes one JSON access-log line and the request metrics once the
// handler is done. It logs the route pattern, never the path (which names
// cards and topics) or the query string (which may hold a live-feed token).
// A line of an unattributed route (commands on a retro, survey responses)
// names neither the caller nor their address, and its time is the minute
// only, so it cannot be matched to the event it wrote and from there to a
// person: in an anonymous retro that would unmask an author or a voter.
func (s *server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		info := &logInfo{}
		r = r.WithContext(context.WithValue(r.Context(), logInfoKey, info))
		s.metrics.inflight.Inc()
		defer func() {
			s.metrics.inflight.Dec()
			status := ww.Status()
			if status == 0 {
				status = http.StatusOK // the handler wrote nothing: net/http sends 200
			}
			route := routePattern(r)
			elapsed := time.Since(start)
			s.metrics.observe(r.Method, route, status, elapsed)
			level := slog.LevelInfo
			if status >= 500 {
				level = slog.LevelError
			}
			attrs := []slog.Attr{
				slog.String("method", r.Method),
				slog.String("route", route),
				slog.Int("status", status),
				slog.Int("bytes", ww.BytesWritten()),
				slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000),
				slog.String("request_id", requestIDFrom(r.Context())),
			}
			if !info.unattributed {
				attrs = append(attrs, slog.String("remote", clientIP(r)))
				if info.userID != "" {
					attrs = append(attrs, slog.String("user_id", info.userID), slog.String("principal_kind", info.kind))
				}
			}
			s.logRequest(r, level, "http request", attrs...)
		}()
		next.ServeHTTP(ww, r)
	})
}

// logRequest writes a line about a request. A line about an unattributed
// request keeps only the minute, so its exact time cannot be matched to the
// event the request wrote.
func (s *server) logRequest(r *http.Request, level slog.Level, msg string, attrs ...slog.Attr) {
	ctx := r.Context()
	if !s.log.Enabled(ctx, level) {
		return
	}
	rec := slog.NewRecord(time.Now(), level, msg, 0)
	if info, ok := ctx.Value(logInfoKey).(*logInfo); ok && info.unattributed {
		rec.Time = rec.Time.Truncate(time.Minute)
	}
	rec.AddAttrs(attrs...)
	_ = s.log.Handler().Handle(ctx, rec)
}

// describe tells the access log what it must know of the matched route
// before anything else runs, so a request refused early is logged as
// carefully as one served.
func describe(rt *route) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if info, ok := r.Context().Value(logInfoKey).(*logInfo); ok {
				info.unattributed = rt.unattributed
			}
			next.ServeHTTP(w, r)
		})
	}
}

// routePattern is the matched chi pattern ("/v1/retros/{id}"), so metrics
// have one series per route, not per retro; unmatched requests share one.
func routePattern(r *http.Request) string {
	if rc := chi.RouteContext(r.Context()); rc != nil {
		if p := rc.RoutePattern(); p != "" && !strings.HasSuffix(p, "/*") {
			return p
		}
	}
	return "unmatched"
}

// recoverer turns a handler panic into a 500 problem and a log line, so one
// bad request cannot take the process down. The client learns nothing of the
// panic beyond the request ID to report.
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
			s.logRequest(r, slog.LevelError, "handler panicked", slog.String("method", r.Method),
				slog.String("route", routePattern(r)), slog.String("request_id", requestIDFrom(r.Context())), slog.Any("panic", rec))
			if ww, ok := w.(middleware.WrapResponseWriter); ok && ww.Status() != 0 {
				return // the response started; the client sees it cut short
			}
			problem.Write(w, r, problem.New(problem.Internal,
				"the server failed to handle this request; quote request ID "+requestIDFrom(r.Context())))
		}()
		next.ServeHTTP(w, r)
	})
}

// limitBody caps every request body; decodeJSON turns the overflow into 413.
func (s *server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > s.deps.MaxBodyBytes {
			problem.Write(w, r, problem.BodyTooLarge(s.deps.MaxBodyBytes))
			return
		}
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, s.deps.MaxBodyBytes)
		}
		next.ServeHTTP(w, r)
	})
}

// authenticate establishes the principal from "Authorization: Bearer". Only
// the live feed also takes ?token=, because browsers cannot set headers on a
// WebSocket or EventSource. Without either, the browser session cookie
// counts (session.go), under its CSRF and same-origin rules. A route that needs no principal still rejects a
// bad token: a client sending one expects it to count.
func (s *server) authenticate(rt *route) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			token, p := bearerToken(r, rt.queryToken)
			if p != nil {
				problem.Write(w, r, p)
				return
			}
			if token == "" {
				// A browser session: guarded against other sites' requests.
				if token = sessionCookie(rt, r); token != "" {
					if p := checkCookieRequest(r, token); p != nil {
						problem.Write(w, r, p)
						return
					}
				}
			}
			if token == "" {
				if rt.auth {
					pb := problem.New(problem.Unauthenticated, "send Authorization: Bearer <token>")
					w.Header().Set("WWW-Authenticate", `Bearer realm="hindsight"`)
					problem.Write(w, r, pb)
					return
				}
				next.ServeHTTP(w, r)
				return
			}
			if s.deps.Identity == nil {
				problem.Write(w, r, problem.New(problem.Unavailable, "authentication is not configured on this server"))
				return
			}
			principal, err := s.deps.Identity.Authenticate(r.Context(), token)
			if err != nil {
				if errors.Is(err, domain.ErrUnauthenticated) {
					w.Header().Set("WWW-Authenticate", `Bearer realm="hindsight", error="invalid_token"`)
				}
				s.fail(w, r, err)
				return
			}
			// Read-only tokens may look, never change: every method but GET
			// and HEAD is a command.
			if r.Method != http.MethodGet && r.Method != http.MethodHead && !principal.Can(identity.ScopeWrite) {
				problem.Write(w, r, problem.New(problem.Forbidden, "this token is read-only").WithCode("read-only-token"))
				return
			}
			if info, ok := r.Context().Value(logInfoKey).(*logInfo); ok {
				info.userID, info.kind = principal.UserID, string(principal.Kind)
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey, principal)))
		})
	}
}

// bearerToken reads the token from the Authorization header, or from the
// query when the route allows it.
func bearerToken(r *http.Request, allowQuery bool) (string, *problem.Problem) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, token, ok := strings.Cut(h, " ")
		token = strings.TrimSpace(token)
		if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
			return "", problem.New(problem.Unauthenticated, "the Authorization header must be: Bearer <token>")
		}
		return token, nil
	}
	if allowQuery {
		return r.URL.Query().Get("token"), nil
	}
	return "", nil
}

// rateLimiter limits requests per client: the verified user, or the IP
// address for requests without a principal. One limiter serves every route,
// so a client's budget is shared across them.
func (s *server) rateLimiter() func(http.Handler) http.Handler {
	if s.deps.RateLimit.Requests <= 0 {
		return func(next http.Handler) http.Handler { return next }
	}
	return httprate.Limit(s.deps.RateLimit.Requests, s.deps.RateLimit.Window,
		httprate.WithKeyFuncs(func(r *http.Request) (string, error) {
			if p, ok := principalFrom(r.Context()); ok {
				return "user:" + p.UserID, nil
			}
			return "ip:" + clientIP(r), nil
		}),
		httprate.WithLimitHandler(func(w http.ResponseWriter, r *http.Request) {
			// httprate set Retry-After already.
			problem.Write(w, r, problem.New(problem.RateLimited,
				"too many requests from this client; wait for Retry-After seconds"))
		}),
	)
}

// clientIP is the peer's address. Forwarded headers are not trusted: a
// client could pick its own rate-limit key with them.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return httprate.CanonicalizeIP(host)
}
