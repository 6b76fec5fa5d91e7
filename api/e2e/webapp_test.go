package e2e_test

import (
	"bytes"
	"io"
	"io/fs"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/web"
)

// The binary serves the embedded browser app with the security headers,
// and a browser-like client (a cookie jar, no Authorization header) logs
// in with cookies and must echo the CSRF token to change anything.
func TestTheBinaryServesTheAppAndCookieSessions(t *testing.T) {
	n := startNode(t, "node")
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Timeout: 30 * time.Second, Jar: jar}
	send := func(method, path, body string, header map[string]string) (*http.Response, []byte) {
		t.Helper()
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		r, err := http.NewRequest(method, n.base+path, rd)
		if err != nil {
			t.Fatal(err)
		}
		if body != "" {
			r.Header.Set("Content-Type", "application/json")
		}
		for k, v := range header {
			r.Header.Set(k, v)
		}
		res, err := client.Do(r)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		return res, raw
	}
	secured := func(what string, res *http.Response) {
		t.Helper()
		h := res.Header
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "no-referrer" ||
			h.Get("X-Frame-Options") != "DENY" || !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
			t.Errorf("%s lacks a security header: %v", what, h)
		}
	}

	index, err := fs.ReadFile(web.Dist(), "index.html")
	if err != nil {
		t.Fatalf("the embedded build has no index.html: %v", err)
	}
	for _, p := range []string{"/", "/join/some-code"} {
		res, raw := send("GET", p, "", nil)
		if res.StatusCode != http.StatusOK || !bytes.Equal(raw, index) || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			t.Errorf("GET %s = %d %q, want the embedded index.html", p, res.StatusCode, res.Header.Get("Content-Type"))
		}
		secured("GET "+p, res)
	}
	assets, _ := fs.Glob(web.Dist(), "assets/*")
	if len(assets) > 0 {
		res, _ := send("GET", "/"+assets[0], "", nil)
		if res.StatusCode != http.StatusOK || res.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Errorf("GET /%s = %d, Cache-Control %q", assets[0], res.StatusCode, res.Header.Get("Cache-Control"))
		}
	}
	res, raw := send("GET", "/v1/nope", "", nil)
	if res.StatusCode != http.StatusNotFound || res.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("GET /v1/nope = %d %s, want a 404 problem", res.StatusCode, raw)
	}
	secured("a problem", res)

	if res, raw := send("POST", "/v1/accounts", `{"email":"ada@example.test","password":"correct horse battery staple","name":"Ada"}`, nil); res.StatusCode != http.StatusAccepted {
		t.Fatalf("register: %d %s", res.StatusCode, raw)
	}
	res, raw = send("POST", "/v1/sessions", `{"email":"ada@example.test","password":"correct horse battery staple"}`,
		map[string]string{"X-Session-Mode": "cookie"})
	if res.StatusCode != http.StatusCreated || bytes.Contains(raw, []byte(`"token"`)) {
		t.Fatalf("cookie log-in: %d %s", res.StatusCode, raw)
	}
	csrf := ""
	u, _ := url.Parse(n.base)
	for _, c := range jar.Cookies(u) {
		if c.Name == "hindsight_csrf" {
			csrf = c.Value
		}
	}
	if csrf == "" {
		t.Fatalf("no CSRF cookie after log-in: %v", jar.Cookies(u))
	}
	if res, raw := send("GET", "/v1/me", "", nil); res.StatusCode != http.StatusOK || !bytes.Contains(raw, []byte(`"name":"Ada"`)) {
		t.Errorf("GET /v1/me with the cookie = %d %s", res.StatusCode, raw)
	}
	if res, raw := send("POST", "/v1/workspaces", `{"name":"Acme"}`, nil); res.StatusCode != http.StatusForbidden || !bytes.Contains(raw, []byte(`"code":"csrf"`)) {
		t.Errorf("a cookie POST without the CSRF header = %d %s, want 403 csrf", res.StatusCode, raw)
	}
	if res, raw := send("POST", "/v1/workspaces", `{"name":"Acme"}`, map[string]string{"X-CSRF-Token": csrf}); res.StatusCode != http.StatusCreated {
		t.Errorf("a cookie POST with the CSRF header = %d %s, want 201", res.StatusCode, raw)
	}
	if res, raw := send("GET", "/v1/me/workspaces", "", nil); res.StatusCode != http.StatusOK || !bytes.Contains(raw, []byte(`"name":"Acme"`)) {
		t.Errorf("my workspaces = %d %s, want Acme", res.StatusCode, raw)
	}
	if res, _ := send("DELETE", "/v1/sessions/current", "", nil); res.StatusCode != http.StatusNoContent {
		t.Errorf("log-out = %d", res.StatusCode)
	}
	if res, _ := send("GET", "/v1/me", "", nil); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /v1/me after log-out = %d, want 401: the jar dropped the cookies", res.StatusCode)
	}
}
