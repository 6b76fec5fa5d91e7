package api

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"reflect"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/hindsight-retro/hindsight/api/openapi"
	"github.com/hindsight-retro/hindsight/api/problem"
	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/app/identity"
)

// route is one entry of the table that drives the router and the OpenAPI
// document.
type route struct {
	method, pattern string
	op, summary     string
	tag             string
	req, resp       reflect.Type
	respTypes       []string
	status          int
	auth            bool // needs a principal
	queryToken      bool // takes ?token= (the live feed only)
	idem            bool // takes Idempotency-Key
	probe           bool // outside authentication and rate limits
	unattributed    bool // its access-log line names nobody (see unattributed)
	params          []openapi.Param
	handle          func(s *server, rt *route, w http.ResponseWriter, r *http.Request)
	// decode is the route's body decoder (decodeJSON of its request type),
	// kept so the fuzz tests drive every request type through it.
	decode func(body io.Reader, limit int64) (any, *problem.Problem)
}

func decoderOf[In any]() func(io.Reader, int64) (any, *problem.Problem) {
	return func(body io.Reader, limit int64) (any, *problem.Problem) {
		v, p := decodeJSON[In](body, limit)
		if p != nil {
			return nil, p
		}
		return v, nil
	}
}

func (rt route) openapi() openapi.Route {
	params := rt.params
	if rt.idem {
		params = append(params, openapi.Param{Name: IdempotencyHeader, In: "header",
			Description: "the command ID: a UUID or up to 128 printable ASCII characters; a retry with the same key acts once"})
	}
	if rt.queryToken {
		params = append(params, openapi.Param{Name: "token", In: "query",
			Description: "bearer token, for clients that cannot set headers (browsers' WebSocket and EventSource)"})
	}
	return openapi.Route{
		Method: rt.method, Pattern: rt.pattern, OperationID: rt.op, Summary: rt.summary, Tag: rt.tag,
		Request: rt.req, Response: rt.resp, ResponseTypes: rt.respTypes, Status: rt.status, Auth: rt.auth,
		Params: params,
	}
}

// public marks a route any client may call without a token.
func (rt route) public() route { rt.auth = false; return rt }

// created answers 201 instead of 200.
func (rt route) created() route { rt.status = http.StatusCreated; return rt }

// accepted answers 202: the request was taken, what became of it is not told.
func (rt route) accepted() route { rt.status = http.StatusAccepted; return rt }

// call is one request as a handler sees it: who calls, with which command ID.
type call struct {
	p identity.Principal
	// cmdID is the command ID the log stores: the idempotency key scoped
	// to the caller (see commandID).
	cmdID string
	// key is the idempotency key as the client sent it (or made for it),
	// for public routes that scope it by what the body names.
	key string
	r   *http.Request
	// w is for headers a handler sets beside its answer (session cookies);
	// the body is written by answer.
	w http.ResponseWriter
}

// commandID makes the command ID the log keeps from a client's idempotency
// key and the caller it belongs to. Keys are the caller's own: the same key
// from two callers is two commands, and a retry by one caller still acts
// once. The caller is hashed in, never stored readable, because in an
// anonymous retro the command ID sits in the log beside a pseudonym; and a
// key of the server's making (a UUIDv7) leaves no time in the log either.
func commandID(caller, key string) string {
	sum := sha256.Sum256([]byte("hindsight/command-id/v1\x00" + caller + "\x00" + key))
	return "k1-" + hex.EncodeToString(sum[:16])
}

// caller is who calls under which command ID, as the app's commands take it.
func (c call) caller() identity.Caller { return identity.Caller{Principal: c.p, CommandID: c.cmdID} }

// param is a path parameter.
func (c call) param(name string) string { return chi.URLParam(c.r, name) }

// begin establishes the call: principal (required unless the route is
// public) and, for commands, the command ID.
func (s *server) begin(rt *route, w http.ResponseWriter, r *http.Request) (call, bool) {
	c := call{r: r, w: w}
	c.p, _ = principalFrom(r.Context())
	if rt.auth && c.p.UserID == "" {
		problem.Write(w, r, problem.New(problem.Unauthenticated, "send Authorization: Bearer <token>"))
		return c, false
	}
	if s.deps.App == nil || s.deps.Identity == nil {
		problem.Write(w, r, problem.New(problem.Unavailable, "the API is not configured on this server"))
		return c, false
	}
	if rt.idem {
		id, p := parseIdempotencyKey(r.Header.Get(IdempotencyHeader), s.deps.NewID)
		if p != nil {
			problem.Write(w, r, p)
			return c, false
		}
		c.key = id
		// Public routes (no principal) scope the key by what their body
		// names: see the registration and invite routes.
		c.cmdID = commandID("user:"+c.p.UserID, id)
	}
	return c, true
}

// answer encodes a handler's result, or its error as a problem.
func (s *server) answer(w http.ResponseWriter, r *http.Request, rt *route, v any, err error) {
	if err != nil {
		s.fail(w, r, err)
		return
	}
	status := rt.status
	if status == 0 {
		status = http.StatusOK
	}
	if rt.resp == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, status, v)
}

var resultType = reflect.TypeFor[app.Result]()

// command is a route that decodes a JSON body of type In and answers where
// the command landed.
func command[In any](method, pattern, op, summary string, fn func(s *server, c call, in In) (app.Result, error)) route {
	return route{
		method: method, pattern: pattern, op: op, summary: summary,
		req: reflect.TypeFor[In](), resp: resultType, auth: true, idem: true, decode: decoderOf[In](),
		handle: func(s *server, rt *route, w http.ResponseWriter, r *http.Request) {
			c, in, ok := beginWithBody[In](s, rt, w, r)
			if !ok {
				return
			}
			res, err := fn(s, c, in)
			s.answer(w, r, rt, res, err)
		},
	}
}

// beginWithBody is begin plus the request's JSON body; when it answers not
// ok, a problem has been written.
func beginWithBody[In any](s *server, rt *route, w http.ResponseWriter, r *http.Request) (call, In, bool) {
	var in In
	c, ok := s.begin(rt, w, r)
	if !ok {
		return c, in, false
	}
	if p := checkContentType(r); p != nil {
		problem.Write(w, r, p)
		return c, in, false
	}
	in, p := decodeJSON[In](r.Body, s.deps.MaxBodyBytes)
	if p != nil {
		problem.Write(w, r, p)
		return c, in, false
	}
	return c, in, true
}

// action is a command without a body: the path says everything. It answers
// an app.Result, or what embeds one and says more.
func action[Out any](method, pattern, op, summary string, fn func(s *server, c call) (Out, error)) route {
	return route{
		method: method, pattern: pattern, op: op, summary: summary,
		resp: reflect.TypeFor[Out](), auth: true, idem: true,
		handle: func(s *server, rt *route, w http.ResponseWriter, r *http.Request) {
			c, ok := s.begin(rt, w, r)
			if !ok {
				return
			}
			res, err := fn(s, c)
			s.answer(w, r, rt, res, err)
		},
	}
}

// exchange is a POST with its own request and response shapes (log in,
// join, issue a token): not a domain command answering a Result.
func exchange[In, Out any](pattern, op, summary string, idem bool, fn func(s *server, c call, in In) (Out, error)) route {
	return route{
		method: http.MethodPost, pattern: pattern, op: op, summary: summary,
		req: reflect.TypeFor[In](), resp: reflect.TypeFor[Out](), auth: true, idem: idem, decode: decoderOf[In](),
		handle: func(s *server, rt *route, w http.ResponseWriter, r *http.Request) {
			c, in, ok := beginWithBody[In](s, rt, w, r)
			if !ok {
				return
			}
			out, err := fn(s, c, in)
			s.answer(w, r, rt, out, err)
		},
	}
}

// query is a GET answering Out.
func query[Out any](pattern, op, summary string, fn func(s *server, c call) (Out, error)) route {
	return route{
		method: http.MethodGet, pattern: pattern, op: op, summary: summary,
		resp: reflect.TypeFor[Out](), auth: true,
		handle: func(s *server, rt *route, w http.ResponseWriter, r *http.Request) {
			c, ok := s.begin(rt, w, r)
			if !ok {
				return
			}
			out, err := fn(s, c)
			s.answer(w, r, rt, out, err)
		},
	}
}

var pageParams = []openapi.Param{
	{Name: "cursor", In: "query", Description: "nextCursor of the previous page; absent for the first"},
	{Name: "limit", In: "query", Description: "items per page, 1 to 200 (default 50)", Type: reflect.TypeFor[int]()},
}

// list is a GET answering one page of the items fn returns.
func list[T any](pattern, op, summary string, fn func(s *server, c call) ([]T, error)) route {
	return route{
		method: http.MethodGet, pattern: pattern, op: op, summary: summary,
		resp: reflect.TypeFor[Page[T]](), auth: true, params: pageParams,
		handle: func(s *server, rt *route, w http.ResponseWriter, r *http.Request) {
			c, ok := s.begin(rt, w, r)
			if !ok {
				return
			}
			// Check the paging parameters before doing the work.
			if _, p := paginate(r.URL.Query(), []T(nil)); p != nil {
				problem.Write(w, r, p)
				return
			}
			items, err := fn(s, c)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			page, _ := paginate(r.URL.Query(), items)
			s.answer(w, r, rt, page, nil)
		},
	}
}

// tagged sets the OpenAPI tag of a group of routes.
func tagged(tag string, rs ...route) []route {
	for i := range rs {
		rs[i].tag = tag
	}
	return rs
}

// routeTable is every route of the API.
func routeTable() []route {
	var rs []route
	rs = append(rs, operationRoutes()...)
	rs = append(rs, appRoute())
	rs = append(rs, docsRoutes()...)
	for _, group := range [][]route{
		accountRoutes(), tagged("accounts", mineRoutes()...), tokenRoutes(), workspaceRoutes(), teamRoutes(), retroRoutes(),
		surveyRoutes(), catalogRoutes(), templateRoutes(), liveRoutes(), historyRoutes(), whiteboardRoutes(), documentRoutes(), integrationRoutes(),
		oidcRoutes(), scheduleRoutes(),
		calendarRoutes(), quickRetroRoutes(),
		mailFailureRoutes(), mailRoutes(), mailAccountRoutes(),
	} {
		rs = append(rs, group...)
	}
	for i := range rs {
		rs[i].unattributed = unattributed(rs[i])
	}
	return rs
}

// unattributed says whose requests the access log must not name: commands
// on a retro and survey responses. In an anonymous retro or survey the
// sender of a card, a vote, an answer — or of a grouping or an action next
// to them, which hints at their author — is what must stay unknown, and the
// edge does not know a retro's setting before the command runs, so the
// rule covers every retro.
func unattributed(rt route) bool {
	return rt.method != http.MethodGet &&
		(strings.HasPrefix(rt.pattern, "/v1/retros/{retroId}") || rt.pattern == "/v1/surveys/{surveyId}/responses")
}

// operationRoutes are the probes, metrics and the API's own description.
func operationRoutes() []route {
	probe := func(pattern, op, summary string, resp reflect.Type, h func(s *server, w http.ResponseWriter, r *http.Request)) route {
		return route{method: http.MethodGet, pattern: pattern, op: op, summary: summary, resp: resp, probe: true, tag: "operations",
			handle: func(s *server, _ *route, w http.ResponseWriter, r *http.Request) { h(s, w, r) }}
	}
	metrics := probe("/metrics", "getMetrics",
		"Prometheus metrics: here only with a metrics token (--metrics-token, as a bearer token), else 404; or on --metrics-addr",
		reflect.TypeFor[string](), (*server).serveMetrics)
	metrics.respTypes = []string{"text/plain"}
	return []route{
		probe("/healthz", "getHealthz", "Liveness: the process serves and its store was opened", reflect.TypeFor[Status](),
			(*server).healthz),
		probe("/readyz", "getReadyz", "Readiness: the event store answers", reflect.TypeFor[Status](), (*server).readyz),
		metrics,
		probe("/v1/openapi.json", "getOpenAPI", "This API's OpenAPI 3.1 document", reflect.TypeFor[map[string]any](),
			func(s *server, w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write(s.doc)
			}),
	}
}
