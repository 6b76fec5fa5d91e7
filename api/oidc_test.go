package api_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/api"
	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/app/sso"
	"github.com/hindsight-retro/hindsight/eventstore"
)

// ssoBrowser is a client with a cookie jar that follows redirects between
// Hindsight's sign-in routes and the provider, and stops at the first page
// of Hindsight outside them (where the app would take over).
type ssoBrowser struct {
	t    testing.TB
	c    *http.Client
	base string
}

func newSSOBrowser(t testing.TB, base string) *ssoBrowser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	b := &ssoBrowser{t: t, base: base}
	b.c = &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) > 10 {
			return errors.New("too many redirects")
		}
		if strings.HasPrefix(req.URL.String(), base) && !strings.HasPrefix(req.URL.Path, "/v1/auth/oidc/") {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	return b
}

func (b *ssoBrowser) do(method, path string, body any) response {
	b.t.Helper()
	var rd io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		rd = strings.NewReader(string(data))
	}
	r, err := http.NewRequest(method, b.base+path, rd)
	if err != nil {
		b.t.Fatal(err)
	}
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	if method != http.MethodGet {
		r.Header.Set(api.CSRFHeader, b.cookie(api.CSRFCookie))
	}
	res, err := b.c.Do(r)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := response{status: res.StatusCode, header: res.Header, raw: raw}
	_ = json.Unmarshal(raw, &out.body)
	return out
}

func (b *ssoBrowser) cookie(name string) string {
	u, _ := url.Parse(b.base + "/")
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// ssoHarness is the API with one server-wide provider, "corp", run by op.
func ssoHarness(t testing.TB) (*harness, *testOP) {
	op := newTestOP(t, "hindsight-client", "client-secret-1")
	h := newHarnessOf(t, func(d *app.Deps) {
		d.SSO = app.SSOConfig{LoopbackHTTP: true, Providers: map[string]sso.Provider{
			"corp": {Issuer: op.issuer(), ClientID: "hindsight-client", ClientSecret: "client-secret-1"},
		}}
	})
	return h, op
}

func TestSigningInThroughAProviderGivesTheSessionCookiesOfAPasswordLogin(t *testing.T) {
	h, op := ssoHarness(t)
	op.signIn(opPerson{Subject: "ada-at-corp", Email: "ada@corp.example", Name: "Ada Lovelace", Verified: true})
	b := newSSOBrowser(t, h.srv.URL)

	res := b.do("GET", "/v1/auth/oidc/corp/login?next=/teams", nil)
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/teams" {
		t.Fatalf("the sign-in ended in %d %s (Location %q), want 303 to /teams", res.status, res.raw, res.header.Get("Location"))
	}
	if b.cookie(api.SessionCookie) == "" || b.cookie(api.CSRFCookie) == "" {
		t.Fatal("no session cookies after signing in")
	}
	me := b.do("GET", "/v1/me", nil)
	if me.status != http.StatusOK || me.str("email") != "ada@corp.example" || me.str("name") != "Ada Lovelace" || me.body["guest"] != false {
		t.Fatalf("GET /v1/me = %d %s, want Ada's new account", me.status, me.raw)
	}
	// The session works like a password login's: a command with the CSRF token.
	ws := b.do("POST", "/v1/workspaces", api.NameRequest{Name: "Corp"})
	if ws.status != http.StatusCreated {
		t.Fatalf("creating a workspace in the signed-in ssoBrowser = %d %s", ws.status, ws.raw)
	}
	// Signing in again is the same account, not a second one.
	again := newSSOBrowser(t, h.srv.URL)
	if res := again.do("GET", "/v1/auth/oidc/corp/login", nil); res.status != http.StatusSeeOther || res.header.Get("Location") != "/" {
		t.Fatalf("second sign-in = %d %s", res.status, res.raw)
	}
	if id := again.do("GET", "/v1/me", nil).str("userId"); id != me.str("userId") {
		t.Fatalf("second sign-in is user %q, want %q", id, me.str("userId"))
	}
}

func TestAProviderSignsInThePasswordAccountOfTheSameVerifiedAddress(t *testing.T) {
	h, op := ssoHarness(t)
	ada := h.user("Ada")
	op.signIn(opPerson{Subject: "ada-at-corp", Email: strings.ToUpper(ada.email), Name: "Ada L.", Verified: true})
	b := newSSOBrowser(t, h.srv.URL)
	if res := b.do("GET", "/v1/auth/oidc/corp/login", nil); res.status != http.StatusSeeOther {
		t.Fatalf("sign-in = %d %s", res.status, res.raw)
	}
	me := b.do("GET", "/v1/me", nil)
	if me.str("userId") != ada.id || me.str("name") != "Ada" {
		t.Fatalf("signed in as %s, want Ada's password account %s", me.raw, ada.id)
	}
}

func TestAProviderSignInIsRefusedWhenItsAnswerDoesNotHold(t *testing.T) {
	cases := []struct {
		name   string
		person opPerson
		spoil  func(map[string]any)
		status int
		code   string
	}{
		{"the ID token is for another client", opPerson{Verified: true}, func(c map[string]any) { c["aud"] = "another-client" },
			http.StatusUnauthorized, sso.CodeTokenInvalid},
		{"the ID token has expired", opPerson{Verified: true}, func(c map[string]any) {
			c["iat"] = time.Now().Add(-2 * time.Hour).Unix()
			c["exp"] = time.Now().Add(-time.Hour).Unix()
		}, http.StatusUnauthorized, sso.CodeTokenInvalid},
		{"the ID token carries another login's nonce", opPerson{Verified: true}, func(c map[string]any) { c["nonce"] = "not-this-login" },
			http.StatusUnauthorized, sso.CodeNonceMismatch},
		{"the ID token is another issuer's", opPerson{Verified: true}, func(c map[string]any) { c["iss"] = "https://evil.example" },
			http.StatusUnauthorized, sso.CodeTokenInvalid},
		{"the provider does not vouch for the address", opPerson{Verified: false}, nil,
			http.StatusForbidden, sso.CodeEmailUnverified},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, op := ssoHarness(t)
			tc.person.Subject, tc.person.Email, tc.person.Name = "mallory", "mallory@corp.example", "Mallory"
			op.signIn(tc.person)
			op.spoil(tc.spoil)
			b := newSSOBrowser(t, h.srv.URL)
			res := b.do("GET", "/v1/auth/oidc/corp/login", nil)
			if res.status != tc.status || res.str("code") != tc.code || res.header.Get("Content-Type") != "application/problem+json" {
				t.Fatalf("sign-in = %d %s, want %d problem %s", res.status, res.raw, tc.status, tc.code)
			}
			if op.signed() != 1 {
				t.Fatalf("the provider signed %d ID tokens, want 1: the refusal must come from checking it", op.signed())
			}
			if b.cookie(api.SessionCookie) != "" {
				t.Fatal("a refused sign-in set a session cookie")
			}
			if me := b.do("GET", "/v1/me", nil); me.status != http.StatusUnauthorized {
				t.Fatalf("after a refused sign-in GET /v1/me = %d, want 401", me.status)
			}
			// Nobody was registered: the address can still register with a password.
			h.must(http.StatusAccepted, req{method: "POST", path: "/v1/accounts",
				body: api.RegisterRequest{Email: "mallory@corp.example", Password: "correct horse battery", Name: "M"}})
			h.must(http.StatusCreated, req{method: "POST", path: "/v1/sessions",
				body: api.LoginRequest{Email: "mallory@corp.example", Password: "correct horse battery"}})
		})
	}
}

func TestACallbackWithoutItsPendingLoginIsRefused(t *testing.T) {
	h, op := ssoHarness(t)
	op.signIn(opPerson{Subject: "ada", Email: "ada@corp.example", Verified: true})
	b := newSSOBrowser(t, h.srv.URL)
	// Another ssoBrowser's callback (no pending-login cookie here), or a forged state.
	res := b.do("GET", "/v1/auth/oidc/callback?code=x&state=y", nil)
	if res.status != http.StatusUnauthorized || res.str("code") != sso.CodeLoginExpired {
		t.Fatalf("callback without a pending login = %d %s, want 401 %s", res.status, res.raw, sso.CodeLoginExpired)
	}
	if res := b.do("GET", "/v1/auth/oidc/nobody/login", nil); res.status != http.StatusNotFound || res.str("code") != sso.CodeProviderUnknown {
		t.Fatalf("an unknown provider = %d %s, want 404 %s", res.status, res.raw, sso.CodeProviderUnknown)
	}
}

// workspaceSSO sets the workspace's own provider, run by op, trusted for
// domains.
func workspaceSSO(h *harness, admin user, ws string, op *testOP, require bool, domains ...string) response {
	h.t.Helper()
	return h.must(http.StatusOK, req{method: "PUT", path: "/v1/workspaces/" + ws + "/sso", token: admin.token,
		body: api.WorkspaceSSORequest{Issuer: op.issuer(), ClientID: op.clientID, ClientSecret: op.secret, RequireSSO: require, EmailDomains: domains}})
}

func TestAWorkspaceProviderSignsInOnlyAddressesOfTheDomainsItIsTrustedFor(t *testing.T) {
	h, _ := ssoHarness(t)
	wsOP := newTestOP(t, "acme-client", "acme-secret-which-stays-sealed")
	ada := h.user("Ada")
	ws, _ := h.team(ada)
	workspaceSSO(h, ada, ws, wsOP, false, "Acme.example")

	got := h.must(http.StatusOK, req{method: "GET", path: "/v1/workspaces/" + ws + "/sso", token: ada.token})
	if got.body["clientSecretSet"] != true || strings.Contains(string(got.raw), wsOP.secret) || got.str("issuer") != wsOP.issuer() {
		t.Fatalf("GET sso = %s: want the issuer and clientSecretSet, never the secret", got.raw)
	}
	if got.body["emailDomains"].([]any)[0] != "acme.example" {
		t.Fatalf("domains = %v, want lower-cased acme.example", got.body["emailDomains"])
	}
	ben := h.user("Ben")
	h.must(http.StatusNotFound, req{method: "GET", path: "/v1/workspaces/" + ws + "/sso", token: ben.token})

	wsOP.signIn(opPerson{Subject: "bob", Email: "bob@acme.example", Name: "Bob", Verified: true})
	b := newSSOBrowser(t, h.srv.URL)
	if res := b.do("GET", "/v1/auth/oidc/workspaces/"+ws+"/login", nil); res.status != http.StatusSeeOther {
		t.Fatalf("sign-in through the workspace's provider = %d %s", res.status, res.raw)
	}
	if me := b.do("GET", "/v1/me", nil); me.str("email") != "bob@acme.example" {
		t.Fatalf("signed in as %s, want bob@acme.example", me.raw)
	}

	// The workspace's provider vouches for an address outside its domains,
	// which could be anyone's account: refused.
	wsOP.signIn(opPerson{Subject: "eve", Email: ben.email, Name: "Eve", Verified: true})
	eve := newSSOBrowser(t, h.srv.URL)
	res := eve.do("GET", "/v1/auth/oidc/workspaces/"+ws+"/login", nil)
	if res.status != http.StatusForbidden || res.str("code") != sso.CodeProviderUntrusted || eve.cookie(api.SessionCookie) != "" {
		t.Fatalf("a workspace provider signing in %s = %d %s, want 403 %s", ben.email, res.status, res.raw, sso.CodeProviderUntrusted)
	}
}

func TestAWorkspaceThatRequiresSSORefusesPasswordsAndProvidersItDoesNotTrust(t *testing.T) {
	h, serverOP := ssoHarness(t)
	wsOP := newTestOP(t, "acme-client", "acme-secret")
	ada := h.user("Ada")
	ben := h.user("Ben")
	carol := h.user("Carol")
	ws, team := h.team(ada)
	h.must(http.StatusOK, req{method: "POST", path: "/v1/teams/" + team + "/members", token: ada.token, body: map[string]string{"userId": ben.id}})
	workspaceSSO(h, ada, ws, wsOP, true, "example.com")

	for _, u := range []user{ada, ben} {
		res := h.do(req{method: "POST", path: "/v1/sessions", body: api.LoginRequest{Email: u.email, Password: "correct horse battery"}})
		if res.status != http.StatusForbidden || res.str("code") != sso.CodeSSORequired || res.problemType() == "" ||
			!strings.Contains(res.str("detail"), "/v1/auth/oidc/workspaces/"+ws+"/login") {
			t.Fatalf("password login of %s in an SSO-only workspace = %d %s, want 403 %s naming the login path", u.email, res.status, res.raw, sso.CodeSSORequired)
		}
	}
	// A wrong password is still just a wrong password: nothing about SSO.
	if res := h.do(req{method: "POST", path: "/v1/sessions", body: api.LoginRequest{Email: ben.email, Password: "wrong horse battery"}}); res.str("code") != "bad-credentials" {
		t.Fatalf("a wrong password = %d %s, want bad-credentials", res.status, res.raw)
	}
	// Someone outside the workspace logs in with a password as before.
	h.must(http.StatusCreated, req{method: "POST", path: "/v1/sessions", body: api.LoginRequest{Email: carol.email, Password: "correct horse battery"}})

	// Ben through the server-wide provider, which his workspace does not trust.
	serverOP.signIn(opPerson{Subject: "ben", Email: ben.email, Name: "Ben", Verified: true})
	b := newSSOBrowser(t, h.srv.URL)
	res := b.do("GET", "/v1/auth/oidc/corp/login", nil)
	if res.status != http.StatusForbidden || res.str("code") != sso.CodeSSORequired || b.cookie(api.SessionCookie) != "" {
		t.Fatalf("Ben through the server-wide provider = %d %s, want 403 %s", res.status, res.raw, sso.CodeSSORequired)
	}
	// Through the workspace's own provider he is in, as his own account.
	wsOP.signIn(opPerson{Subject: "ben", Email: ben.email, Name: "Ben", Verified: true})
	if res := b.do("GET", "/v1/auth/oidc/workspaces/"+ws+"/login", nil); res.status != http.StatusSeeOther {
		t.Fatalf("Ben through the workspace's provider = %d %s", res.status, res.raw)
	}
	if me := b.do("GET", "/v1/me", nil); me.str("userId") != ben.id {
		t.Fatalf("signed in as %s, want Ben %s", me.raw, ben.id)
	}

	// Removing the workspace's provider lets passwords in again. Ben's
	// address was unverified when his provider proved it, so his account
	// became the provider's person's: the password set before is gone (it
	// may have been set by someone who registered his address first).
	h.must(http.StatusOK, req{method: "DELETE", path: "/v1/workspaces/" + ws + "/sso", token: ada.token})
	h.must(http.StatusCreated, req{method: "POST", path: "/v1/sessions", body: api.LoginRequest{Email: ada.email, Password: "correct horse battery"}})
	if res := h.do(req{method: "POST", path: "/v1/sessions", body: api.LoginRequest{Email: ben.email, Password: "correct horse battery"}}); res.status != http.StatusUnauthorized {
		t.Errorf("the password set before Ben's provider proved his unverified address still works: %d %s", res.status, res.raw)
	}
}

func TestAProvidersGroupsAddThePersonToTheTeamsTheyAreMappedTo(t *testing.T) {
	h, _ := ssoHarness(t)
	wsOP := newTestOP(t, "acme-client", "acme-secret")
	ada := h.user("Ada")
	ws, platform := h.team(ada)
	other := h.must(http.StatusCreated, req{method: "POST", path: "/v1/workspaces/" + ws + "/teams", token: ada.token,
		body: api.CreateTeamRequest{Name: "Design", TemplateID: h.cat.TeamTemplates[0].ID}}).str("id")
	h.must(http.StatusOK, req{method: "PUT", path: "/v1/workspaces/" + ws + "/sso", token: ada.token,
		body: api.WorkspaceSSORequest{Issuer: wsOP.issuer(), ClientID: wsOP.clientID, ClientSecret: wsOP.secret,
			EmailDomains: []string{"acme.example"}, GroupTeams: map[string]string{"platform-devs": platform, "designers": other}}})
	// A team of another workspace cannot be mapped.
	_, foreign := h.team(h.user("Zed"))
	if res := h.do(req{method: "PUT", path: "/v1/workspaces/" + ws + "/sso", token: ada.token,
		body: api.WorkspaceSSORequest{Issuer: wsOP.issuer(), ClientID: wsOP.clientID, EmailDomains: []string{"acme.example"},
			GroupTeams: map[string]string{"x": foreign}}}); res.status != http.StatusBadRequest || res.str("code") != sso.CodeProviderInvalid {
		t.Fatalf("mapping a group to another workspace's team = %d %s, want 400 %s", res.status, res.raw, sso.CodeProviderInvalid)
	}

	wsOP.signIn(opPerson{Subject: "bob", Email: "bob@acme.example", Name: "Bob", Verified: true, Groups: []string{"platform-devs", "unmapped"}})
	b := newSSOBrowser(t, h.srv.URL)
	for range 2 { // a second sign-in adds nothing twice
		if res := b.do("GET", "/v1/auth/oidc/workspaces/"+ws+"/login", nil); res.status != http.StatusSeeOther {
			t.Fatalf("sign-in = %d %s", res.status, res.raw)
		}
	}
	teams := b.do("GET", "/v1/me/teams", nil)
	if !strings.Contains(string(teams.raw), platform) || strings.Contains(string(teams.raw), other) {
		t.Fatalf("Bob's teams = %s, want the platform team only (his group's)", teams.raw)
	}
}

func TestAWorkspaceClientSecretIsSealedInTheLogAndNeverLoggedOrAnswered(t *testing.T) {
	var logs strings.Builder
	var mu sync.Mutex
	logger := slog.New(slog.NewJSONHandler(lockedWriter{&mu, &logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	op := newTestOP(t, "acme-client", "Sup3r-secret-value-9f2c")
	h := newHarnessOf(t, func(d *app.Deps) { d.SSO.LoopbackHTTP = true; d.Logger = logger }, func(d *api.Deps) { d.Logger = logger })
	ada := h.user("Ada")
	ws, _ := h.team(ada)
	workspaceSSO(h, ada, ws, op, false, "acme.example")
	// Changing the rules keeps the secret without sending it again.
	h.must(http.StatusOK, req{method: "PUT", path: "/v1/workspaces/" + ws + "/sso", token: ada.token,
		body: api.WorkspaceSSORequest{Issuer: op.issuer(), ClientID: op.clientID, RequireSSO: true, EmailDomains: []string{"acme.example"}}})
	op.signIn(opPerson{Subject: "bob", Email: "bob@acme.example", Name: "Bob", Verified: true})
	b := newSSOBrowser(t, h.srv.URL)
	if res := b.do("GET", "/v1/auth/oidc/workspaces/"+ws+"/login", nil); res.status != http.StatusSeeOther {
		t.Fatalf("sign-in with the kept secret = %d %s (the provider checks it)", res.status, res.raw)
	}
	got := h.must(http.StatusOK, req{method: "GET", path: "/v1/workspaces/" + ws + "/sso", token: ada.token})
	if strings.Contains(string(got.raw), op.secret) {
		t.Fatalf("the settings answer holds the secret: %s", got.raw)
	}
	err := h.store.ReadAll(context.Background(), 0, func(_ context.Context, e eventstore.RecordedEvent) error {
		if strings.Contains(string(e.Payload), op.secret) || strings.Contains(string(e.Payload), base64.StdEncoding.EncodeToString([]byte(op.secret))) {
			t.Errorf("event %s of %s holds the client secret in the clear", e.Type, e.Stream)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if logs.Len() == 0 || strings.Contains(logs.String(), op.secret) {
		t.Fatalf("the logs (%d bytes) hold the client secret, or nothing was logged", logs.Len())
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
