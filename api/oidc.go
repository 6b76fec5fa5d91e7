package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/hindsight-retro/hindsight/api/openapi"
	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/app/sso"
)

// Single sign-on through OpenID providers. A login starts at
// /v1/auth/oidc/{provider}/login (a server-wide provider) or
// /v1/auth/oidc/workspaces/{id}/login (a workspace's), which sends the
// browser to the provider with the pending login (state, nonce, PKCE
// verifier) sealed in a short-lived HttpOnly cookie; the provider sends it
// back to /v1/auth/oidc/callback, which ends in the same session cookies as
// a password login.
const (
	// oidcCookie holds the pending login; only the callback reads it.
	oidcCookie     = "hindsight_oidc"
	oidcCookiePath = "/v1/auth/oidc/"
	oidcCallback   = "/v1/auth/oidc/callback"
)

// SSOProviders lists the server-wide providers a login page can offer.
type SSOProviders struct {
	Providers []SSOProvider `json:"providers"`
}

// SSOProvider is one server-wide provider and where its login starts.
type SSOProvider struct {
	Name      string `json:"name"`
	LoginPath string `json:"loginPath"`
}

// WorkspaceSSORequest sets a workspace's provider: a preset (google; entra
// with tenant) or an issuer, the client's ID and secret (the secret may be
// left out to keep the one set before; it is never answered back).
type WorkspaceSSORequest struct {
	Preset       string            `json:"preset,omitempty"`
	Tenant       string            `json:"tenant,omitempty"`
	Issuer       string            `json:"issuer,omitempty"`
	ClientID     string            `json:"clientId"`
	ClientSecret string            `json:"clientSecret,omitempty"`
	RequireSSO   bool              `json:"requireSso"`
	EmailDomains []string          `json:"emailDomains"`
	GroupsClaim  string            `json:"groupsClaim,omitempty"`
	GroupTeams   map[string]string `json:"groupTeams,omitempty"`
}

var nextParam = openapi.Param{Name: "next", In: "query", Description: "a path of this server to go to once signed in (default /)"}

func oidcRoutes() []route {
	begin := func(pattern, op, summary string, ref func(c call) string, params ...openapi.Param) route {
		return route{
			method: http.MethodGet, pattern: pattern, op: op, summary: summary, status: http.StatusFound, params: params,
			handle: func(s *server, rt *route, w http.ResponseWriter, r *http.Request) {
				c, ok := s.begin(rt, w, r)
				if !ok {
					return
				}
				u, cookie, err := s.deps.App.BeginSSO(r.Context(), ref(c), s.oidcRedirectURL(r), r.URL.Query().Get("next"))
				if err != nil {
					s.fail(w, r, err)
					return
				}
				http.SetCookie(w, &http.Cookie{Name: oidcCookie, Value: cookie, Path: oidcCookiePath, MaxAge: int(sso.PendingTTL / time.Second),
					HttpOnly: true, Secure: secureRequest(r), SameSite: http.SameSiteLaxMode})
				w.Header().Set("Cache-Control", "no-store")
				http.Redirect(w, r, u, http.StatusFound)
			},
		}
	}
	callback := route{
		method: http.MethodGet, pattern: oidcCallback, op: "oidcCallback", status: http.StatusSeeOther,
		summary: "Where the provider sends the browser back: checks the answer and sets the session cookies, as a password login in cookie mode does",
		params: []openapi.Param{{Name: "code", In: "query", Description: "the provider's authorization code"},
			{Name: "state", In: "query", Description: "the state of the pending login"}},
		handle: func(s *server, rt *route, w http.ResponseWriter, r *http.Request) {
			if _, ok := s.begin(rt, w, r); !ok {
				return
			}
			// One try per pending login, whatever comes of it.
			http.SetCookie(w, &http.Cookie{Name: oidcCookie, Path: oidcCookiePath, MaxAge: -1, HttpOnly: true,
				Secure: secureRequest(r), SameSite: http.SameSiteLaxMode})
			w.Header().Set("Cache-Control", "no-store")
			var pending string
			if ck, err := r.Cookie(oidcCookie); err == nil {
				pending = ck.Value
			}
			q := r.URL.Query()
			t, next, err := s.deps.App.FinishSSO(r.Context(), pending, q.Get("state"), q.Get("code"), s.oidcRedirectURL(r))
			if err != nil {
				s.fail(w, r, err)
				return
			}
			setSessionCookies(w, r, t)
			http.Redirect(w, r, next, http.StatusSeeOther)
		},
	}
	providers := query("/v1/auth/oidc/providers", "listSSOProviders", "The server-wide single sign-on providers a login page can offer",
		func(s *server, c call) (SSOProviders, error) {
			out := SSOProviders{Providers: []SSOProvider{}}
			for _, name := range s.deps.App.SSOProviders() {
				out.Providers = append(out.Providers, SSOProvider{Name: name, LoginPath: "/v1/auth/oidc/" + name + "/login"})
			}
			return out, nil
		}).public()
	getSettings := query("/v1/workspaces/{workspaceId}/sso", "getWorkspaceSSO", "The workspace's single sign-on settings (workspace admins; never the client secret)",
		func(s *server, c call) (app.WorkspaceSSO, error) {
			return s.deps.App.GetWorkspaceSSO(c.r.Context(), c.p, c.param("workspaceId"))
		})
	setSettings := command(http.MethodPut, "/v1/workspaces/{workspaceId}/sso", "setWorkspaceSSO",
		"Set the workspace's OpenID provider and rules (workspace admins): issuer or preset, client ID and secret, e-mail domains, require SSO, groups to teams",
		func(s *server, c call, in WorkspaceSSORequest) (app.Result, error) {
			return s.deps.App.SetWorkspaceSSO(c.r.Context(), c.caller(), c.param("workspaceId"), app.WorkspaceSSOInput{
				Preset: in.Preset, Tenant: in.Tenant, Issuer: in.Issuer, ClientID: in.ClientID, ClientSecret: in.ClientSecret,
				RequireSSO: in.RequireSSO, EmailDomains: in.EmailDomains, GroupsClaim: in.GroupsClaim, GroupTeams: in.GroupTeams})
		})
	removeSettings := action(http.MethodDelete, "/v1/workspaces/{workspaceId}/sso", "removeWorkspaceSSO",
		"Remove the workspace's OpenID provider (workspace admins); its client secret's key is destroyed",
		func(s *server, c call) (app.Result, error) {
			return s.deps.App.RemoveWorkspaceSSO(c.r.Context(), c.caller(), c.param("workspaceId"))
		})
	return tagged("sso",
		providers,
		begin("/v1/auth/oidc/{provider}/login", "beginServerSSO", "Sign in through a server-wide OpenID provider: redirects to it",
			func(c call) string { return app.ServerProviderRef(c.param("provider")) }, nextParam),
		begin("/v1/auth/oidc/workspaces/{workspaceId}/login", "beginWorkspaceSSO", "Sign in through a workspace's OpenID provider: redirects to it",
			func(c call) string { return app.WorkspaceProviderRef(c.param("workspaceId")) }, nextParam),
		callback,
		getSettings, setSettings, removeSettings,
	)
}

// oidcRedirectURL is the callback's absolute URL, which the provider must
// have registered: under --public-url when set, else the scheme and host
// this request came in by.
func (s *server) oidcRedirectURL(r *http.Request) string {
	if s.deps.PublicURL != "" {
		return strings.TrimRight(s.deps.PublicURL, "/") + oidcCallback
	}
	scheme := "http"
	if secureRequest(r) {
		scheme = "https"
	}
	return scheme + "://" + r.Host + oidcCallback
}

// checkPasswordLogin is the password login's last step: a person in a
// workspace that requires single sign-on is refused after the password
// checked out (so the answer tells only someone who knows the password).
func (s *server) checkPasswordLogin(c call, t identity.Token) error {
	return s.deps.App.CheckPasswordLogin(c.r.Context(), t.Principal.UserID)
}
