package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hindsight-retro/hindsight/api/openapi"
	"github.com/hindsight-retro/hindsight/api/problem"
	"github.com/hindsight-retro/hindsight/app/identity"
)

// Browser sessions. A page asks for them with X-Session-Mode: cookie on
// log-in or guest join: the token goes into an HttpOnly cookie scripts
// cannot read (an injected script cannot steal it), and a second cookie,
// readable by the page, carries the CSRF token the page echoes in
// X-CSRF-Token on every unsafe request. Another site can make a browser
// send the cookies but cannot read them, so it cannot send the header.
const (
	// SessionCookie holds the session token; every authenticated route
	// takes it when no Authorization header (or ?token=) is sent.
	SessionCookie = "hindsight_token"
	// CSRFCookie holds the CSRF token for the page's scripts.
	CSRFCookie = "hindsight_csrf"
	// CSRFHeader must echo CSRFCookie on unsafe requests authenticated by
	// SessionCookie.
	CSRFHeader = "X-CSRF-Token"
	// SessionModeHeader: "cookie" asks log-in and join for cookies instead
	// of a token in the body; absent or "bearer" keeps the token in the body.
	SessionModeHeader = "X-Session-Mode"
)

// Problem codes of refused cookie requests (kind forbidden).
const (
	CodeCSRF                 = "csrf"
	CodeCrossOriginWebSocket = "cross-origin-websocket"
)

var sessionModeParam = openapi.Param{Name: SessionModeHeader, In: "header",
	Description: "cookie: set the " + SessionCookie + " (HttpOnly) and " + CSRFCookie + " cookies and leave the token out of the body; " +
		"absent or bearer: the token is in the body"}

// cookieMode reads X-Session-Mode; a value it does not know is refused, so
// a typo does not silently put a token where a page's scripts read it.
func cookieMode(r *http.Request) (bool, *problem.Problem) {
	switch v := strings.TrimSpace(r.Header.Get(SessionModeHeader)); {
	case v == "" || strings.EqualFold(v, "bearer"):
		return false, nil
	case strings.EqualFold(v, "cookie"):
		return true, nil
	default:
		return false, problem.New(problem.Validation, SessionModeHeader+" must be cookie or bearer").
			WithField(SessionModeHeader, "cookie or bearer")
	}
}

// issue answers a new session: in cookie mode it sets the cookies and
// leaves the token out of the body.
func issue(c call, t identity.Token) (TokenResponse, error) {
	cookies, p := cookieMode(c.r)
	if p != nil {
		return TokenResponse{}, p
	}
	out := tokenResponse(t)
	if cookies {
		setSessionCookies(c.w, c.r, t)
		out.Token = ""
	}
	return out, nil
}

// csrfToken is the CSRF token of a session: a MAC of a fixed label keyed
// by the session token. It needs no server state, is bound to this session
// (a cookie planted by a sibling domain does not match another session's
// token), and reveals nothing of the session token.
func csrfToken(sessionToken string) string {
	m := hmac.New(sha256.New, []byte(sessionToken))
	m.Write([]byte("hindsight/csrf/v1"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// secureRequest reports whether the browser reached us over HTTPS: TLS
// here, or X-Forwarded-Proto: https from a proxy that ended TLS. The header
// is trusted for this alone because it can only make things stricter: a
// Secure cookie or an HSTS header on an answer to the client that asked for
// it, which over plain HTTP the browser drops or ignores.
func secureRequest(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	proto, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Proto"), ",")
	return strings.EqualFold(strings.TrimSpace(proto), "https")
}

func setSessionCookies(w http.ResponseWriter, r *http.Request, t identity.Token) {
	maxAge := int(time.Until(t.ExpiresAt).Seconds())
	if maxAge <= 0 {
		maxAge = -1
	}
	secure := secureRequest(r)
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: t.Token, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode})
	http.SetCookie(w, &http.Cookie{Name: CSRFCookie, Value: csrfToken(t.Token), Path: "/", MaxAge: maxAge,
		Secure: secure, SameSite: http.SameSiteStrictMode})
}

func clearSessionCookies(w http.ResponseWriter, r *http.Request) {
	secure := secureRequest(r)
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Path: "/", MaxAge: -1, HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode})
	http.SetCookie(w, &http.Cookie{Name: CSRFCookie, Path: "/", MaxAge: -1, Secure: secure, SameSite: http.SameSiteStrictMode})
}

// sessionCookie is the token in SessionCookie, "" without one. Only routes
// that need a principal (and the live and sync sockets) read it: log-in,
// registration and join ignore a stale cookie instead of refusing it.
func sessionCookie(rt *route, r *http.Request) string {
	if !rt.auth && !rt.queryToken {
		return ""
	}
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return ""
	}
	return c.Value
}

// checkCookieRequest guards a request authenticated by the session
// cookie, which a browser attaches to requests other sites start: an
// unsafe method must echo the CSRF token, and a WebSocket must come from a
// page of this origin (browsers send Origin on every WebSocket handshake).
func checkCookieRequest(r *http.Request, token string) *problem.Problem {
	if isWebSocket(r) {
		if origin := r.Header.Get("Origin"); origin != "" && !sameOrigin(origin, r.Host) {
			return problem.New(problem.Forbidden, "a WebSocket authenticated by the session cookie must come from a page of this origin").
				WithCode(CodeCrossOriginWebSocket)
		}
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	}
	want := csrfToken(token)
	header := r.Header.Get(CSRFHeader)
	cookie, err := r.Cookie(CSRFCookie)
	if err != nil || header == "" ||
		subtle.ConstantTimeCompare([]byte(header), []byte(want)) != 1 ||
		subtle.ConstantTimeCompare([]byte(cookie.Value), []byte(want)) != 1 {
		return problem.New(problem.Forbidden, "a request authenticated by the session cookie must send "+CSRFHeader+
			" with the value of the "+CSRFCookie+" cookie").WithCode(CodeCSRF)
	}
	return nil
}

// sameOrigin compares an Origin header's host with the request's Host,
// as coder/websocket does: the scheme may differ behind a TLS proxy.
func sameOrigin(origin, host string) bool {
	u, err := url.Parse(origin)
	return err == nil && u.Host != "" && strings.EqualFold(u.Host, host)
}

// logoutRoute ends a browser session: both cookies are cleared. It needs
// no valid session, so an expired one can still be cleared; no other site
// can send it (DELETE is never a simple cross-site request). The token
// itself stays valid until it expires: sessions are signed, not stored.
func logoutRoute() route {
	return route{
		method: http.MethodDelete, pattern: "/v1/sessions/current", op: "logout", status: http.StatusNoContent,
		summary: "Log out a browser session: clears the " + SessionCookie + " and " + CSRFCookie + " cookies",
		handle: func(s *server, rt *route, w http.ResponseWriter, r *http.Request) {
			clearSessionCookies(w, r)
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusNoContent)
		},
	}
}
