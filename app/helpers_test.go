package app_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/app/keys"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
)

// People in the tests. User IDs are distinctive so a substring search of the
// log for one cannot match anything else.
const (
	uAda = "user-ada-0001" // workspace admin, not in the team
	uMod = "user-mod-0002" // team admin, moderates
	uBea = "user-bea-0003" // member
	uCal = "user-cal-0004" // member
	uOut = "user-out-0005" // in no team
	uGst = "user-gst-0006" // guest
)

var t0 = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

func user(id string) identity.Principal {
	return identity.Principal{UserID: id, Kind: identity.KindUser, Scopes: []identity.Scope{identity.ScopeRead, identity.ScopeWrite}}
}

func readOnly(id string) identity.Principal {
	return identity.Principal{UserID: id, Kind: identity.KindAPIToken, Scopes: []identity.Scope{identity.ScopeRead}, TokenID: "tok-1"}
}

func guest(id, retroID string) identity.Principal {
	return identity.Principal{UserID: id, Kind: identity.KindGuest, Scopes: []identity.Scope{identity.ScopeRead, identity.ScopeWrite}, RetroID: retroID}
}

// env is an app on an in-memory log and key store, with a clock that moves
// one second per reading and sequential IDs, so runs are reproducible.
type env struct {
	t     testing.TB
	store *flakyStore
	keys  *keys.Memory
	app   *app.App
	cat   *catalog.Catalog

	mu  sync.Mutex
	now time.Time
	ids int
	cmd int
}

// newEnv builds the env; opts change the app's Deps before it is built.
func newEnv(t testing.TB, opts ...func(*app.Deps)) *env {
	t.Helper()
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, keys: keys.NewMemory(), cat: cat, now: t0}
	e.store = &flakyStore{Store: memstore.New(e.clock)}
	d := app.Deps{Store: e.store, Keys: e.keys, Catalog: cat, Clock: e.clock, NewID: e.newID}
	for _, o := range opts {
		o(&d)
	}
	e.app = app.New(d)
	return e
}

func (e *env) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.now = e.now.Add(time.Second)
	return e.now
}

func (e *env) newID() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.ids++
	return fmt.Sprintf("id-%04d", e.ids)
}

// cmdID is a fresh idempotency key.
func (e *env) cmdID() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.cmd++
	return fmt.Sprintf("cmd-%04d", e.cmd)
}

func (e *env) ctx() context.Context { return e.t.Context() }

// must(call())(t) fails the test on the call's error and returns its result.
func must[T any](v T, err error) func(testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// rejected checks err is a domain rejection with the code.
func rejected(t *testing.T, what string, err error, kind domain.Kind, code string) {
	t.Helper()
	var de *domain.Error
	if !errors.As(err, &de) || de.Kind != kind || de.Code != code {
		t.Errorf("%s: %v, want a %s rejection %q", what, err, kind, code)
	}
}

func refused(t *testing.T, what string, err error, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s: %v, want %v", what, err, want)
	}
}

// retro runs one retro command for p under a fresh command ID.
func (e *env) retro(p identity.Principal, retroID string, in app.RetroInput) (app.Result, error) {
	return e.retroKeyed(p, retroID, e.cmdID(), in)
}

func (e *env) retroKeyed(p identity.Principal, retroID, cmdID string, in app.RetroInput) (app.Result, error) {
	return e.app.RetroCommand(e.ctx(), identity.Caller{Principal: p, CommandID: cmdID}, retroID, in)
}

// as is p calling under a fresh command ID.
func (e *env) as(p identity.Principal) identity.Caller {
	return identity.Caller{Principal: p, CommandID: e.cmdID()}
}

// events is the whole log.
func (e *env) events() []eventstore.RecordedEvent {
	e.t.Helper()
	var out []eventstore.RecordedEvent
	if err := e.store.ReadAll(e.ctx(), 0, func(_ context.Context, re eventstore.RecordedEvent) error {
		out = append(out, re)
		return nil
	}); err != nil {
		e.t.Fatal(err)
	}
	return out
}

func (e *env) count() int { return len(e.events()) }

func (e *env) countType(typ string) int {
	n := 0
	for _, re := range e.events() {
		if re.Type == typ {
			n++
		}
	}
	return n
}

// team is a workspace with a team: ada runs the workspace and created the
// team for mod, who added bea and cal.
type fixture struct {
	*env
	ws, team string
}

func newTeam(t testing.TB, opts ...func(*app.Deps)) *fixture {
	e := newEnv(t, opts...)
	ws := must(e.app.CreateWorkspace(e.ctx(), e.as(user(uAda)), app.WorkspaceInput{Name: "Acme"}))(t)
	tm := must(e.app.CreateTeam(e.ctx(), e.as(user(uAda)), app.CreateTeamInput{
		WorkspaceID: ws.ID, Name: "Platform", TemplateID: "scrum-team", FirstAdminID: uMod,
	}))(t)
	for _, u := range []string{uBea, uCal} {
		must(e.app.AddMember(e.ctx(), e.as(user(uMod)), tm.ID, app.AddMemberInput{UserID: u}))(t)
	}
	return &fixture{env: e, ws: ws.ID, team: tm.ID}
}

// newRetro creates a retro that mod moderates and bea and cal joined.
func (f *fixture) newRetro(title string, anonymous bool) string {
	f.t.Helper()
	r := must(f.app.CreateRetro(f.ctx(), f.as(user(uMod)), app.CreateRetroInput{TeamID: f.team, Title: title, Anonymous: anonymous}))(f.t)
	for _, u := range []string{uBea, uCal} {
		must(f.app.JoinRetro(f.ctx(), f.as(user(u)), r.ID))(f.t)
	}
	return r.ID
}

func (f *fixture) view(p identity.Principal, retroID string) retro.RetroView {
	f.t.Helper()
	return must(f.app.Retro(f.ctx(), p, retroID))(f.t)
}

func cardIn(v retro.RetroView, id string) (retro.CardView, bool) {
	for _, c := range v.Columns {
		for _, cv := range c.Cards {
			if cv.ID == id {
				return cv, true
			}
		}
	}
	return retro.CardView{}, false
}

// flakyStore fails appends to one stream category while armed, to play a
// node that stores a retro command and dies before its reactions.
type flakyStore struct {
	eventstore.Store
	mu       sync.Mutex
	failCat  string
	failures int
}

var errInjected = errors.New("injected: the store is unreachable")

func (s *flakyStore) failNext(category string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failCat, s.failures = category, n
}

func (s *flakyStore) Append(ctx context.Context, c eventstore.Commit) (eventstore.AppendResult, error) {
	s.mu.Lock()
	if s.failures > 0 && c.Stream.Category == s.failCat {
		s.failures--
		s.mu.Unlock()
		return eventstore.AppendResult{}, errInjected
	}
	s.mu.Unlock()
	return s.Store.Append(ctx, c)
}

func contains(haystack string, needles ...string) (string, bool) {
	for _, n := range needles {
		if strings.Contains(haystack, n) {
			return n, true
		}
	}
	return "", false
}

// withIdentity gives the env's app a real identity service on the same log
// and key store, for invites.
func (e *env) withIdentity() *identity.Service {
	e.t.Helper()
	svc, err := identity.New(identity.Deps{Store: e.store, Keys: e.keys, Clock: e.clock, NewID: e.newID})
	if err != nil {
		e.t.Fatal(err)
	}
	e.app = app.New(app.Deps{Store: e.store, Keys: e.keys, Identity: svc, Catalog: e.cat, Clock: e.clock, NewID: e.newID})
	return svc
}
