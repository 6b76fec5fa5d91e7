package api_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/hindsight-retro/hindsight/api"
)

const indexHTML = `<!doctype html><html><head><script type="module" src="/assets/app-3f9a.js"></script></head><body><main id="out">loading</main></body></html>`

// withApp serves a small build in place of the real one.
func withApp(files fstest.MapFS) option {
	return func(d *api.Deps) { d.Web = files }
}

func appBuild(js string) fstest.MapFS {
	return fstest.MapFS{
		"index.html":          {Data: []byte(indexHTML)},
		"assets/app-3f9a.js":  {Data: []byte(js)},
		"assets/app-3f9a.css": {Data: []byte("main { color: teal }")},
		"favicon.svg":         {Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`)},
	}
}

func wantSecurityHeaders(t *testing.T, what string, res response, tls bool) {
	t.Helper()
	h := res.header
	if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "no-referrer" || h.Get("X-Frame-Options") != "DENY" {
		t.Errorf("%s: nosniff %q, Referrer-Policy %q, X-Frame-Options %q", what, h.Get("X-Content-Type-Options"),
			h.Get("Referrer-Policy"), h.Get("X-Frame-Options"))
	}
	csp := h.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "script-src 'self' 'wasm-unsafe-eval';", "style-src 'self';",
		"img-src 'self' data: blob: https:;", "connect-src 'self';", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("%s: the CSP %q lacks %q", what, csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, " ws:") || strings.Contains(csp, "*") {
		t.Errorf("%s: the CSP %q allows inline code or any host", what, csp)
	}
	if got := h.Get("Strict-Transport-Security"); (got != "") != tls {
		t.Errorf("%s: HSTS %q over TLS=%v", what, got, tls)
	}
}

func TestEveryKindOfAnswerCarriesTheSecurityHeaders(t *testing.T) {
	h := newHarness(t, withApp(appBuild("console.log('hi')")))
	ada := h.user("Ada")
	for _, c := range []struct {
		what   string
		rq     req
		status int
		ctype  string
	}{
		{"the app page", req{method: "GET", path: "/"}, 200, "text/html; charset=utf-8"},
		{"an app route", req{method: "GET", path: "/join/abc"}, 200, "text/html; charset=utf-8"},
		{"an asset", req{method: "GET", path: "/assets/app-3f9a.js"}, 200, "text/javascript; charset=utf-8"},
		{"a stylesheet", req{method: "GET", path: "/assets/app-3f9a.css"}, 200, "text/css; charset=utf-8"},
		{"API JSON", req{method: "GET", path: "/v1/me", token: ada.token}, 200, "application/json"},
		{"a problem", req{method: "GET", path: "/v1/nope"}, 404, "application/problem+json"},
		{"a refused token", req{method: "GET", path: "/v1/me", token: "forged"}, 401, "application/problem+json"},
		{"the liveness probe", req{method: "GET", path: "/healthz"}, 200, "application/json"},
		{"the OpenAPI document", req{method: "GET", path: "/v1/openapi.json"}, 200, "application/json"},
	} {
		for _, tls := range []bool{false, true} {
			rq := c.rq
			if tls {
				rq.header = map[string]string{"X-Forwarded-Proto": "https"}
			}
			res := h.do(rq)
			if res.status != c.status || res.header.Get("Content-Type") != c.ctype {
				t.Errorf("%s: %d %q, want %d %q", c.what, res.status, res.header.Get("Content-Type"), c.status, c.ctype)
			}
			wantSecurityHeaders(t, c.what, res, tls)
		}
	}
}

func TestTheAppIsServedAtEveryPathOutsideTheServersOwn(t *testing.T) {
	h := newHarness(t, withApp(appBuild("console.log('hi')")))
	for _, p := range []string{"/", "/join/0123abcd", "/teams/t1/retros", "/index.html", "/metricsboard"} {
		res := h.must(http.StatusOK, req{method: "GET", path: p})
		if string(res.raw) != indexHTML || res.header.Get("Cache-Control") != "no-cache" {
			t.Errorf("GET %s = %q with Cache-Control %q, want index.html, no-cache", p, res.raw, res.header.Get("Cache-Control"))
		}
	}
	asset := h.must(http.StatusOK, req{method: "GET", path: "/assets/app-3f9a.js"})
	if string(asset.raw) != "console.log('hi')" || asset.header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Errorf("the asset = %q, Cache-Control %q", asset.raw, asset.header.Get("Cache-Control"))
	}
	icon := h.must(http.StatusOK, req{method: "GET", path: "/favicon.svg"})
	if icon.header.Get("Content-Type") != "image/svg+xml" || icon.header.Get("Cache-Control") != "no-cache" {
		t.Errorf("a root file: %q, %q", icon.header.Get("Content-Type"), icon.header.Get("Cache-Control"))
	}
	head := h.must(http.StatusOK, req{method: "HEAD", path: "/"})
	if len(head.raw) != 0 || head.header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Errorf("HEAD / = %q, %q", head.raw, head.header.Get("Content-Type"))
	}
	h.must(http.StatusOK, req{method: "HEAD", path: "/join/abc"})
	// The server's own paths answer problems, never the page.
	for _, p := range []string{"/v1/nope", "/v1", "/v1/", "/healthz/deep", "/readyz/x", "/metrics/x", "/assets/app-gone.js"} {
		res := h.do(req{method: "GET", path: p})
		if res.status != http.StatusNotFound || res.problemType() != problemBase+"not-found" {
			t.Errorf("GET %s = %d %q, want a 404 problem", p, res.status, res.raw)
		}
	}
	if res := h.do(req{method: "POST", path: "/join/abc", body: "{}"}); res.status < 400 || res.problemType() == "" {
		t.Errorf("POST to an app path = %d %q, want a problem", res.status, res.raw)
	}
}

func TestAServerWithoutAnAppAnswersAProblemAtTheRoot(t *testing.T) {
	h := newHarness(t)
	for _, p := range []string{"/", "/join/abc"} {
		if res := h.do(req{method: "GET", path: p}); res.status != http.StatusNotFound || res.problemType() != problemBase+"not-found" {
			t.Errorf("GET %s without an app = %d %q, want a 404 problem", p, res.status, res.raw)
		}
	}
}

// browserJS is a page's script, as the app's would be: it logs in with
// cookies, creates a workspace with the CSRF header, lists it, and
// follows a retro live over a WebSocket, all under the server's CSP.
const browserJS = `
const out = document.getElementById('out');
const params = new URLSearchParams(location.search);
const steps = [];
const push = s => { steps.push(s); out.textContent = 'STEPS ' + steps.join(' '); };
document.addEventListener('securitypolicyviolation', e => push('CSP-VIOLATION:' + e.violatedDirective));
const csrf = () => (document.cookie.split('; ').find(c => c.startsWith('hindsight_csrf=')) || '').slice('hindsight_csrf='.length);
(async () => {
  try {
    let r = await fetch('/v1/sessions', {method: 'POST', headers: {'Content-Type': 'application/json', 'X-Session-Mode': 'cookie'},
      body: JSON.stringify({email: params.get('email'), password: 'correct horse battery'})});
    const login = await r.json();
    push('login:' + r.status + ':' + ('token' in login ? 'token-in-body' : 'no-token') + ':' + (document.cookie.includes('hindsight_token') ? 'token-readable' : 'token-hidden'));
    r = await fetch('/v1/workspaces', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify({name: 'NoHeader'})});
    push('without-csrf:' + r.status);
    r = await fetch('/v1/workspaces', {method: 'POST', headers: {'Content-Type': 'application/json', 'X-CSRF-Token': csrf()}, body: JSON.stringify({name: 'Browser'})});
    push('with-csrf:' + r.status);
    r = await fetch('/v1/me/workspaces');
    push('listed:' + (await r.json()).items.map(w => w.name).join(','));
    // Headless Chromium's virtual clock runs on while only a socket is
    // open; requests that wait (a list for a position far ahead, 5 s each)
    // hold it until the first frame, then are aborted.
    const hold = new AbortController();
    (async () => { while (!hold.signal.aborted) { try { await fetch('/v1/me/teams?after=999999999', {signal: hold.signal}); } catch (e) {} } })();
    const ws = new WebSocket('ws://' + location.host + '/v1/retros/' + params.get('retro') + '/live');
    const first = await new Promise(resolve => { ws.onmessage = m => resolve(JSON.parse(m.data).type); ws.onerror = () => resolve('error'); });
    hold.abort();
    push('live:' + first);
    ws.close();
  } catch (e) { push('threw:' + e); }
  out.textContent = 'DONE ' + steps.join(' ');
})();
`

func TestARealBrowserUsesCookieSessionsUnderTheCSP(t *testing.T) {
	const chromium = "/usr/bin/chromium"
	if _, err := os.Stat(chromium); err != nil {
		t.Skip("no /usr/bin/chromium (apt-get install -y chromium): CI installs it, so there this test runs")
	}
	h := newHarness(t, withApp(appBuild(browserJS)))
	f := newRetro(t, h)
	page := h.srv.URL + "/join/anything?" + url.Values{"email": {f.bea.email}, "retro": {f.retro}}.Encode()

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--user-data-dir="+t.TempDir(), "--virtual-time-budget=20000", "--enable-logging=stderr", "--dump-dom", page)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`DONE ([^<]*)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("the page did not finish: %s\n%s", out, stderr.String())
	}
	got := string(m[1])
	want := "login:201:no-token:token-hidden without-csrf:403 with-csrf:201 listed:Acme,Browser live:snapshot"
	if got != want {
		t.Errorf("the page saw\n  %s\nwant\n  %s", got, want)
	}
}

// The API reference is served at /v1/docs under the same security headers
// as the app, without a token, and a missing file is a problem, not the page.
func TestTheAPIReferenceIsServedAtV1Docs(t *testing.T) {
	h := newHarness(t, func(d *api.Deps) {
		d.APIDocs = fstest.MapFS{
			"index.html":           {Data: []byte(`<!doctype html><title>Hindsight API reference</title><script src="/v1/docs/init.js"></script>`)},
			"init.js":              {Data: []byte(`SwaggerUIBundle({url: '/v1/openapi.json'})`)},
			"swagger-ui.css":       {Data: []byte(`.swagger-ui {}`)},
			"LICENSE":              {Data: []byte("Apache License")},
			"swagger-ui-bundle.js": {Data: []byte(`var SwaggerUIBundle`)},
		}
	})
	page := h.must(http.StatusOK, req{method: "GET", path: "/v1/docs"})
	if ct := page.header.Get("Content-Type"); ct != "text/html; charset=utf-8" || !strings.Contains(string(page.raw), "API reference") {
		t.Errorf("GET /v1/docs: %s %q", ct, page.raw)
	}
	wantSecurityHeaders(t, "/v1/docs", page, false)
	for file, ct := range map[string]string{"init.js": "text/javascript; charset=utf-8", "swagger-ui.css": "text/css; charset=utf-8", "LICENSE": "text/plain; charset=utf-8"} {
		res := h.must(http.StatusOK, req{method: "GET", path: "/v1/docs/" + file})
		if got := res.header.Get("Content-Type"); got != ct {
			t.Errorf("GET /v1/docs/%s: Content-Type %q, want %q", file, got, ct)
		}
	}
	if res := h.do(req{method: "GET", path: "/v1/docs/nothing.js"}); res.status != http.StatusNotFound || res.problemType() == "" {
		t.Errorf("GET /v1/docs/nothing.js: %d %s, want a 404 problem", res.status, res.raw)
	}
}
