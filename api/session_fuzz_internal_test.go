package api

import (
	"net/http"
	"net/url"
	"testing"
)

// FuzzTheCookieGuard feeds arbitrary Origin, Host, CSRF header and method
// values to the guard of cookie-authenticated requests: it never panics,
// lets an unsafe method through only with the session's own CSRF token in
// both the header and the cookie, and refuses only with 403.
func FuzzTheCookieGuard(f *testing.F) {
	for _, s := range [][5]string{
		{"POST", "", "app.example", "hs1.a.b", ""},
		{"POST", "", "app.example", "hs1.a.b", csrfToken("hs1.a.b")},
		{"DELETE", "https://app.example", "app.example", "tok", "tok"},
		{"GET", "https://evil.example", "app.example", "tok", ""},
		{"GET", "http://app.example:8080", "APP.example:8080", "tok", ""},
		{"GET", "null", "app.example", "tok", ""},
		{"PATCH", "://", "", "", "; ="},
	} {
		f.Add(s[0], s[1], s[2], s[3], s[4])
	}
	f.Fuzz(func(t *testing.T, method, origin, host, token, header string) {
		for _, ws := range []bool{false, true} {
			r := &http.Request{Method: method, Host: host, URL: &url.URL{Path: "/v1/retros/r/live"}, Header: http.Header{}}
			r.Header.Set("Origin", origin)
			r.Header.Set(CSRFHeader, header)
			r.Header.Set("Cookie", CSRFCookie+"="+header)
			if ws {
				r.Header.Set("Upgrade", "websocket")
			}
			p := checkCookieRequest(r, token)
			if p == nil {
				safe := method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
				if !safe && header != csrfToken(token) {
					t.Fatalf("%s with CSRF header %q passed for token %q", method, header, token)
				}
			} else if p.Status != http.StatusForbidden {
				t.Fatalf("refused with status %d", p.Status)
			}
		}
	})
}
