package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hindsight-retro/hindsight/api"
	"github.com/hindsight-retro/hindsight/api/live"
	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/app/keys"
	"github.com/hindsight-retro/hindsight/app/sealedlog"
	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
)

// harness is a whole API on an in-memory log, served over real HTTP on
// loopback (live feeds need a real connection).
type harness struct {
	t        testing.TB
	srv      *httptest.Server
	schemas  *schemaCheck
	cat      *catalog.Catalog
	registry *prometheus.Registry
	users    atomic.Int64
	// The parts under the API, for tests that act beside it.
	app   *app.App
	store *memstore.Store
	// sealed is the log as the server reads it: store behind the sealing layer.
	sealed *sealedlog.Store
	keys   keys.Store
	ident  *identity.Service
}

type option func(*api.Deps)

func newHarness(t testing.TB, opts ...option) *harness {
	t.Helper()
	return newHarnessOf(t, nil, opts...)
}

// newHarnessOf is newHarness with the app's dependencies changed first.
func newHarnessOf(t testing.TB, appOpt func(*app.Deps), opts ...option) *harness {
	t.Helper()
	return newHarnessWith(t, nil, appOpt, opts...)
}

// newHarnessWith is newHarnessOf with identity's dependencies changed too.
func newHarnessWith(t testing.TB, idOpt func(*identity.Deps), appOpt func(*app.Deps), opts ...option) *harness {
	t.Helper()
	store := memstore.New(nil)
	ks := keys.NewMemory()
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	idd := identity.Deps{Store: store, Keys: ks, Password: identity.PasswordParams{Time: 1, MemoryKiB: 64, Threads: 1}}
	if idOpt != nil {
		idOpt(&idd)
	}
	id, err := identity.New(idd)
	if err != nil {
		t.Fatal(err)
	}
	// The server's layers read and write the log through the sealing layer,
	// as serve wires them; h.store is the log's own bytes.
	sealed := sealedlog.New(store, ks)
	ad := app.Deps{Store: sealed, Keys: ks, Identity: id, Catalog: cat}
	if appOpt != nil {
		appOpt(&ad)
	}
	a := app.New(ad)
	ctx, cancel := context.WithCancel(context.Background())
	hub := live.NewHub(live.Deps{Store: sealed, Authorize: a.RetroViewer, Policy: a.GroupPolicy()})
	done := make(chan struct{}, 2)
	go func() { _ = a.Run(ctx); done <- struct{}{} }()
	go func() { _ = hub.Run(ctx); done <- struct{}{} }()
	reg := prometheus.NewRegistry()
	d := api.Deps{Store: sealed, App: a, Identity: id, Live: hub, Registry: reg, RateLimit: api.RateLimit{Requests: -1}}
	for _, o := range opts {
		o(&d)
	}
	handler := api.New(d)
	schemas, err := newSchemaCheck(handler)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, srv: httptest.NewServer(handler), cat: cat, registry: reg, schemas: schemas, app: a, store: store, sealed: sealed, keys: ks, ident: id}
	t.Cleanup(func() {
		_ = hub.Drain(context.Background())
		h.srv.Close()
		cancel()
		<-done
		<-done
		_ = store.Close()
	})
	return h
}

// response is an answer, its body decoded as a JSON object when it is one.
type response struct {
	status int
	header http.Header
	body   map[string]any
	raw    []byte
}

// problemType is the problem's type URI, "" when the body is no problem.
func (r response) problemType() string {
	if r.header.Get("Content-Type") != "application/problem+json" {
		return ""
	}
	s, _ := r.body["type"].(string)
	return s
}

func (r response) str(key string) string {
	s, _ := r.body[key].(string)
	return s
}

type req struct {
	method, path, token string
	body                any // marshalled unless a string or []byte
	header              map[string]string
}

func (h *harness) do(rq req) response {
	h.t.Helper()
	var body io.Reader
	switch b := rq.body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			h.t.Fatal(err)
		}
		body = bytes.NewReader(data)
	}
	r, err := http.NewRequest(rq.method, h.srv.URL+rq.path, body)
	if err != nil {
		h.t.Fatal(err)
	}
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	if rq.token != "" {
		r.Header.Set("Authorization", "Bearer "+rq.token)
	}
	for k, v := range rq.header {
		r.Header.Set(k, v)
	}
	res, err := h.srv.Client().Do(r)
	if err != nil {
		h.t.Fatalf("%s %s: %v", rq.method, rq.path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := response{status: res.StatusCode, header: res.Header, raw: raw}
	_ = json.Unmarshal(raw, &out.body)
	if h.schemas == nil {
		return out
	}
	if err := h.schemas.validate(rq.method, r.URL.Path, res.StatusCode, res.Header.Get("Content-Type"), raw); err != nil {
		h.t.Error(err)
	}
	return out
}

// must sends rq and fails the test unless the status is want.
func (h *harness) must(want int, rq req) response {
	h.t.Helper()
	res := h.do(rq)
	if res.status != want {
		h.t.Fatalf("%s %s = %d %s, want %d", rq.method, rq.path, res.status, res.raw, want)
	}
	return res
}

// user registers someone and logs them in.
type user struct {
	id, token, email string
}

func (h *harness) user(name string) user {
	h.t.Helper()
	email := fmt.Sprintf("%s-%d@example.com", strings.ToLower(name), h.users.Add(1))
	h.must(http.StatusAccepted, req{method: "POST", path: "/v1/accounts",
		body: api.RegisterRequest{Email: email, Password: "correct horse battery", Name: name}})
	login := h.must(http.StatusCreated, req{method: "POST", path: "/v1/sessions",
		body: api.LoginRequest{Email: email, Password: "correct horse battery"}})
	return user{id: login.str("userId"), token: login.str("token"), email: email}
}

// team makes a workspace with a team administered by admin.
func (h *harness) team(admin user) (workspaceID, teamID string) {
	h.t.Helper()
	ws := h.must(http.StatusCreated, req{method: "POST", path: "/v1/workspaces", token: admin.token, body: api.NameRequest{Name: "Acme"}})
	workspaceID = ws.str("id")
	tm := h.must(http.StatusCreated, req{method: "POST", path: "/v1/workspaces/" + workspaceID + "/teams", token: admin.token,
		body: api.CreateTeamRequest{Name: "Platform", TemplateID: h.cat.TeamTemplates[0].ID}})
	return workspaceID, tm.str("id")
}

const problemBase = "https://hindsight.dev/problems/"
