package api_test

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/hindsight-retro/hindsight/api"
)

// setCookies are the cookies an answer sets, by name.
func setCookies(res response) map[string]*http.Cookie {
	out := map[string]*http.Cookie{}
	for _, c := range (&http.Response{Header: res.header}).Cookies() {
		out[c.Name] = c
	}
	return out
}

// browser is a cookie session as a page holds it.
type browser struct {
	token, csrf string
}

// cookie is the Cookie header the browser sends.
func (b browser) cookie() string {
	return api.SessionCookie + "=" + b.token + "; " + api.CSRFCookie + "=" + b.csrf
}

func (h *harness) cookieLogin(u user) browser {
	h.t.Helper()
	res := h.must(http.StatusCreated, req{method: "POST", path: "/v1/sessions", header: map[string]string{api.SessionModeHeader: "cookie"},
		body: api.LoginRequest{Email: u.email, Password: "correct horse battery"}})
	c := setCookies(res)
	if c[api.SessionCookie] == nil || c[api.CSRFCookie] == nil {
		h.t.Fatalf("a cookie log-in set %v", res.header["Set-Cookie"])
	}
	return browser{token: c[api.SessionCookie].Value, csrf: c[api.CSRFCookie].Value}
}

func TestACookieLogInSetsBothCookiesAndKeepsTheTokenOutOfTheBody(t *testing.T) {
	h := newHarness(t)
	ada := h.user("Ada")
	res := h.must(http.StatusCreated, req{method: "POST", path: "/v1/sessions", header: map[string]string{api.SessionModeHeader: "cookie"},
		body: api.LoginRequest{Email: ada.email, Password: "correct horse battery"}})
	if _, ok := res.body["token"]; ok {
		t.Errorf("the body of a cookie log-in holds the token: %s", res.raw)
	}
	if res.str("userId") != ada.id || res.str("kind") != "user" || res.str("expiresAt") == "" {
		t.Errorf("body = %s, want userId, kind and expiresAt as for a bearer log-in", res.raw)
	}
	c := setCookies(res)
	tok, csrf := c[api.SessionCookie], c[api.CSRFCookie]
	if tok == nil || tok.Value == "" || !tok.HttpOnly || tok.SameSite != http.SameSiteLaxMode || tok.Path != "/" || tok.Secure || tok.MaxAge <= 0 {
		t.Errorf("session cookie = %+v, want HttpOnly, SameSite=Lax, Path=/, not Secure over plain HTTP, with a lifetime", tok)
	}
	if csrf == nil || csrf.Value == "" || csrf.HttpOnly || csrf.SameSite != http.SameSiteStrictMode || csrf.Path != "/" {
		t.Errorf("CSRF cookie = %+v, want readable by the page, SameSite=Strict, Path=/", csrf)
	}
	// The cookie alone authenticates a read.
	me := h.must(http.StatusOK, req{method: "GET", path: "/v1/me", header: map[string]string{"Cookie": api.SessionCookie + "=" + tok.Value}})
	if me.str("userId") != ada.id || me.str("name") != "Ada" {
		t.Errorf("GET /v1/me with the cookie = %s", me.raw)
	}
	// A bearer log-in is unchanged: the token is in the body, no cookie.
	bearer := h.must(http.StatusCreated, req{method: "POST", path: "/v1/sessions", body: api.LoginRequest{Email: ada.email, Password: "correct horse battery"}})
	if bearer.str("token") == "" || len(setCookies(bearer)) != 0 {
		t.Errorf("a bearer log-in = %s with cookies %v", bearer.raw, bearer.header["Set-Cookie"])
	}
	if res := h.do(req{method: "POST", path: "/v1/sessions", header: map[string]string{api.SessionModeHeader: "cookies"},
		body: api.LoginRequest{Email: ada.email, Password: "correct horse battery"}}); res.status != http.StatusBadRequest || len(setCookies(res)) != 0 {
		t.Errorf("an unknown session mode = %d %s, want 400 and no cookie", res.status, res.raw)
	}
}

func TestTheSessionCookieIsSecureBehindAnHTTPSProxy(t *testing.T) {
	h := newHarness(t)
	ada := h.user("Ada")
	res := h.must(http.StatusCreated, req{method: "POST", path: "/v1/sessions",
		header: map[string]string{api.SessionModeHeader: "cookie", "X-Forwarded-Proto": "https"},
		body:   api.LoginRequest{Email: ada.email, Password: "correct horse battery"}})
	for name, c := range setCookies(res) {
		if !c.Secure {
			t.Errorf("%s is not Secure behind an HTTPS proxy", name)
		}
	}
}

func TestAnUnsafeCookieRequestNeedsTheMatchingCSRFHeader(t *testing.T) {
	h := newHarness(t)
	ada, bea := h.user("Ada"), h.user("Bea")
	b := h.cookieLogin(ada)
	other := h.cookieLogin(bea)
	create := func(header map[string]string) response {
		return h.do(req{method: "POST", path: "/v1/workspaces", header: header, body: api.NameRequest{Name: "Acme"}})
	}
	for name, header := range map[string]map[string]string{
		"no header":             {"Cookie": b.cookie()},
		"a wrong header":        {"Cookie": b.cookie(), api.CSRFHeader: "guessed"},
		"another session's":     {"Cookie": b.cookie(), api.CSRFHeader: other.csrf},
		"a planted CSRF cookie": {"Cookie": api.SessionCookie + "=" + b.token + "; " + api.CSRFCookie + "=planted", api.CSRFHeader: "planted"},
		"no CSRF cookie":        {"Cookie": api.SessionCookie + "=" + b.token, api.CSRFHeader: b.csrf},
	} {
		res := create(header)
		if res.status != http.StatusForbidden || res.problemType() != problemBase+"forbidden" || res.str("code") != "csrf" {
			t.Errorf("%s: %d %s, want 403 forbidden/csrf", name, res.status, res.raw)
		}
	}
	if got := items(t, h.must(http.StatusOK, req{method: "GET", path: "/v1/me/workspaces", header: map[string]string{"Cookie": b.cookie()}})); len(got) != 0 {
		t.Fatalf("a refused request created %v", got)
	}
	ok := create(map[string]string{"Cookie": b.cookie(), api.CSRFHeader: b.csrf})
	if ok.status != http.StatusCreated {
		t.Fatalf("with the CSRF header: %d %s, want 201", ok.status, ok.raw)
	}
	got := items(t, h.must(http.StatusOK, req{method: "GET", path: "/v1/me/workspaces", header: map[string]string{"Cookie": b.cookie()}}))
	if len(got) != 1 || got[0]["id"] != ok.str("id") {
		t.Errorf("Ada's workspaces = %v, want the one she created", got)
	}
}

func TestABearerTokenNeedsNoCSRFHeaderEvenBesideACookie(t *testing.T) {
	h := newHarness(t)
	ada := h.user("Ada")
	stale := h.cookieLogin(ada)
	h.must(http.StatusCreated, req{method: "POST", path: "/v1/workspaces", token: ada.token,
		header: map[string]string{"Cookie": stale.cookie()}, body: api.NameRequest{Name: "Acme"}})
	h.must(http.StatusCreated, req{method: "POST", path: "/v1/workspaces", token: ada.token, body: api.NameRequest{Name: "Beta"}})
}

func TestLogOutClearsBothCookiesAndAStaleCookieDoesNotBlockLogIn(t *testing.T) {
	h := newHarness(t)
	ada := h.user("Ada")
	b := h.cookieLogin(ada)
	res := h.must(http.StatusNoContent, req{method: "DELETE", path: "/v1/sessions/current", header: map[string]string{"Cookie": b.cookie()}})
	c := setCookies(res)
	for _, name := range []string{api.SessionCookie, api.CSRFCookie} {
		if c[name] == nil || c[name].Value != "" || c[name].MaxAge >= 0 {
			t.Errorf("after log-out %s = %+v, want cleared (Max-Age=0)", name, c[name])
		}
	}
	// A cookie that no longer works is ignored by log-in, not refused.
	junk := map[string]string{"Cookie": api.SessionCookie + "=hs1.junk.junk", api.SessionModeHeader: "cookie"}
	h.must(http.StatusCreated, req{method: "POST", path: "/v1/sessions", header: junk, body: api.LoginRequest{Email: ada.email, Password: "correct horse battery"}})
	if res := h.do(req{method: "GET", path: "/v1/me", header: junk}); res.status != http.StatusUnauthorized {
		t.Errorf("GET /v1/me with a forged cookie = %d, want 401", res.status)
	}
}

func TestAGuestJoinsWithCookiesAndFollowsTheRetroLive(t *testing.T) {
	h := newHarness(t)
	f := newRetro(t, h)
	code := h.must(http.StatusCreated, req{method: "POST", path: f.path("/invites"), token: f.mod.token, body: api.InviteRequest{}}).str("code")
	res := h.must(http.StatusCreated, req{method: "POST", path: "/v1/invites/" + code + "/join", header: map[string]string{api.SessionModeHeader: "cookie"},
		body: api.JoinInviteRequest{Email: "gus@example.org", Name: "Gus"}})
	if _, ok := res.body["token"]; ok || res.str("kind") != "guest" || res.str("retroId") != f.retro {
		t.Errorf("guest join in cookie mode = %s", res.raw)
	}
	c := setCookies(res)
	g := browser{token: c[api.SessionCookie].Value, csrf: c[api.CSRFCookie].Value}
	h.must(http.StatusOK, req{method: "POST", path: f.path("/join"), header: map[string]string{"Cookie": g.cookie(), api.CSRFHeader: g.csrf}})

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	url := "ws" + strings.TrimPrefix(h.srv.URL, "http") + f.path("/live")
	ws, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: http.Header{
		"Cookie": {g.cookie()}, "Origin": {h.srv.URL}}})
	if err != nil {
		t.Fatalf("a same-origin WebSocket with the cookie: %v", err)
	}
	defer ws.CloseNow()
	if _, data, err := ws.Read(ctx); err != nil || !strings.Contains(string(data), `"type":"snapshot"`) {
		t.Errorf("first frame = %s, %v; want the snapshot", data, err)
	}
}

func TestACookieWebSocketFromAnotherOriginIsRefused(t *testing.T) {
	h := newHarness(t)
	f := newRetro(t, h)
	b := h.cookieLogin(f.bea)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	base := "ws" + strings.TrimPrefix(h.srv.URL, "http")
	for _, path := range []string{f.path("/live"), "/v1/sync"} {
		_, resp, err := websocket.Dial(ctx, base+path, &websocket.DialOptions{HTTPHeader: http.Header{
			"Cookie": {b.cookie()}, "Origin": {"https://evil.example"}}})
		if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s from another origin with the cookie: %v %v, want 403", path, err, resp)
		}
	}
	// The same cookie from a page of this origin connects.
	ws, _, err := websocket.Dial(ctx, base+f.path("/live"), &websocket.DialOptions{HTTPHeader: http.Header{
		"Cookie": {b.cookie()}, "Origin": {h.srv.URL}}})
	if err != nil {
		t.Fatalf("the same cookie from this origin: %v", err)
	}
	ws.CloseNow()
}

func TestTheLiveFeedOverSSEAcceptsTheSessionCookie(t *testing.T) {
	h := newHarness(t)
	f := newRetro(t, h)
	b := h.cookieLogin(f.bea)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r, err := http.NewRequestWithContext(ctx, "GET", h.srv.URL+f.path("/live"), nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Accept", "text/event-stream")
	r.Header.Set("Cookie", b.cookie())
	res, err := h.srv.Client().Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("SSE with the cookie = %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
			if !strings.Contains(data, `"type":"snapshot"`) || !strings.Contains(data, f.retro) {
				t.Errorf("first message = %s, want Bea's snapshot of the retro", data)
			}
			return
		}
	}
	t.Fatalf("the feed ended before its snapshot: %v", sc.Err())
}
