package api

import (
	"errors"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"reflect"
	"strings"
	"time"

	"github.com/hindsight-retro/hindsight/api/problem"
)

// ContentSecurityPolicy is sent with every answer. The app is scripts and
// styles from its own origin only (no inline code), WebAssembly for the
// whiteboards' Automerge, images it draws itself (QR codes as data: or
// blob: URLs) and images a whiteboard shows by URL (https: only: a board's
// image item names any host, so those hosts see the viewer's address, as
// in any whiteboard tool that embeds images by URL), and connections to its own origin: 'self' matches ws: and
// wss: to the same host in current browsers (checked in Chromium), where
// listing ws: wss: would allow any host. No plugins, no <base>, no framing.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; " +
	"img-src 'self' data: blob: https:; connect-src 'self'; object-src 'none'; base-uri 'none'; " +
	"frame-ancestors 'none'; form-action 'self'"

// securityHeaders go on every answer: pages, assets, JSON, problems,
// probes. Referrer-Policy is no-referrer rather than
// strict-origin-when-cross-origin because app URLs carry secrets in their
// path (/join/<invite code>): a link or resource elsewhere must not learn
// them. HSTS only when the browser came over HTTPS (see secureRequest).
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Frame-Options", "DENY")
		if secureRequest(r) {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// Cache policies of the app's files: hashed assets never change under
// their name; everything else (index.html) is revalidated on every load,
// so a new release is picked up at once.
const (
	cacheImmutable  = "public, max-age=31536000, immutable"
	cacheRevalidate = "no-cache"
	appIndex        = "index.html"
	appAssets       = "assets/"
)

// appTypes fixes the content types of what a Vite build holds, whatever
// the host's mime.types says (nosniff makes a wrong one fatal).
var appTypes = map[string]string{
	".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8", ".json": "application/json", ".map": "application/json",
	".webmanifest": "application/manifest+json", ".wasm": "application/wasm", ".svg": "image/svg+xml",
	".png": "image/png", ".ico": "image/x-icon", ".webp": "image/webp", ".woff2": "font/woff2", ".woff": "font/woff",
	".txt": "text/plain; charset=utf-8",
}

// serverPaths are the server's own: never answered with the app.
var serverPaths = []string{"/v1", "/healthz", "/readyz", "/metrics"}

// appPath reports whether a path belongs to the browser app.
func appPath(p string) bool {
	for _, own := range serverPaths {
		if p == own || strings.HasPrefix(p, own+"/") {
			return false
		}
	}
	return true
}

// serveApp answers GET and HEAD of the app's paths: a file of the build,
// or index.html for any other path (the app routes in the browser, as in
// /join/<code>). A missing file under /assets/ is a 404, not the page: a
// stale hashed name must fail loudly, not load HTML as a script.
func (s *server) serveApp(w http.ResponseWriter, r *http.Request) bool {
	if s.deps.Web == nil || (r.Method != http.MethodGet && r.Method != http.MethodHead) || !appPath(r.URL.Path) {
		return false
	}
	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if name == "" {
		name = appIndex
	}
	f, err := s.deps.Web.Open(name)
	if err == nil {
		if st, serr := f.Stat(); serr != nil || st.IsDir() {
			f.Close()
			f, err = nil, fs.ErrNotExist
		}
	}
	if err != nil {
		if strings.HasPrefix(name, appAssets) {
			problem.Write(w, r, problem.New(problem.NotFound, "no asset at "+r.URL.Path))
			return true
		}
		name = appIndex
		if f, err = s.deps.Web.Open(name); err != nil {
			s.log.Error("the browser app has no index.html", "err", err)
			problem.Write(w, r, problem.New(problem.NotFound, "the browser app is not built into this server"))
			return true
		}
	}
	cache := cacheRevalidate
	if strings.HasPrefix(name, appAssets) {
		cache = cacheImmutable
	}
	s.serveFile(w, r, f, name, cache)
	return true
}

// serveFile answers an embedded file and closes it: its type by extension
// (appTypes first), the cache policy given.
func (s *server) serveFile(w http.ResponseWriter, r *http.Request, f fs.File, name, cache string) {
	defer f.Close()
	rs, ok := f.(io.ReadSeeker)
	if !ok {
		s.fail(w, r, errors.New("api: embedded files cannot seek"))
		return
	}
	ct, ok := appTypes[path.Ext(name)]
	if !ok {
		ct = mime.TypeByExtension(path.Ext(name))
	}
	if ct == "" {
		ct = "text/plain; charset=utf-8" // LICENSE, NOTICE: the only files without an extension
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", cache)
	// Embedded files have no modification time: ServeContent then sends no
	// Last-Modified, and handles HEAD and ranges.
	http.ServeContent(w, r, name, time.Time{}, rs)
}

// docsRoutes serve the interactive API reference: a page and its files,
// public like the OpenAPI document it reads. Its files have fixed names, so
// each load revalidates them.
func docsRoutes() []route {
	serve := func(s *server, w http.ResponseWriter, r *http.Request, name string) {
		if s.deps.APIDocs == nil {
			problem.Write(w, r, problem.New(problem.NotFound, "no API reference is built into this server"))
			return
		}
		f, err := s.deps.APIDocs.Open(name)
		if err != nil {
			problem.Write(w, r, problem.New(problem.NotFound, "no file "+name+" in the API reference"))
			return
		}
		s.serveFile(w, r, f, name, cacheRevalidate)
	}
	return []route{
		{method: http.MethodGet, pattern: "/v1/docs", op: "getAPIReference", tag: "operations", probe: true,
			summary: "The interactive API reference (Swagger UI) over /v1/openapi.json; \"Try it out\" sends requests with your session or an API token",
			resp:    reflect.TypeFor[string](), respTypes: []string{"text/html"},
			handle: func(s *server, _ *route, w http.ResponseWriter, r *http.Request) { serve(s, w, r, appIndex) }},
		{method: http.MethodGet, pattern: "/v1/docs/{file}", op: "getAPIReferenceFile", tag: "operations", probe: true,
			summary: "A file of the API reference page (script, stylesheet, licence)",
			resp:    reflect.TypeFor[string](), respTypes: []string{"text/javascript", "text/css", "text/plain"},
			handle: func(s *server, _ *route, w http.ResponseWriter, r *http.Request) { serve(s, w, r, r.PathValue("file")) }},
	}
}

// appRoute documents the app in the route table; every other app path is
// served by the router's not-found handler (serveApp).
func appRoute() route {
	return route{
		method: http.MethodGet, pattern: "/", op: "getApp", tag: "app", probe: true,
		summary: "The browser app: index.html here and at any path outside /v1/, /healthz, /readyz and /metrics " +
			"that is not one of its files; hashed files under /assets/ are cached for good",
		resp: reflect.TypeFor[string](), respTypes: []string{"text/html"},
		handle: func(s *server, _ *route, w http.ResponseWriter, r *http.Request) {
			if !s.serveApp(w, r) {
				problem.Write(w, r, problem.New(problem.NotFound, "no browser app on this server"))
			}
		},
	}
}
