package api

import (
	"errors"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/hindsight-retro/hindsight/app/identity"
)

// RegisterRequest creates an account.
type RegisterRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	Name     string `json:"name"`
}

// RegistrationAccepted answers every well-formed registration alike,
// whether or not the address already had an account, so the answer does not
// tell anyone which addresses are registered. Log in to use the account;
// the owner of a taken address keeps their password.
type RegistrationAccepted struct {
	Status string `json:"status"`
	Detail string `json:"detail"`
}

// registrationAccepted is the one answer of a registration.
var registrationAccepted = RegistrationAccepted{Status: "accepted",
	Detail: "log in with this e-mail address and password; an address that already had an account keeps its own password"}

// LoginRequest opens a session.
type LoginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// JoinInviteRequest is a guest joining a retro with an invite code: an
// e-mail address and a display name, no account.
type JoinInviteRequest struct {
	Email string `json:"email"`
	Name  string `json:"name"`
}

// TokenResponse hands a bearer token to its owner; it is shown once.
type TokenResponse struct {
	// Token is absent when a browser session went into cookies
	// (X-Session-Mode: cookie).
	Token string `json:"token,omitempty"`
	// ExpiresAt is when the token stops working: a session's end, or an
	// API token's expiry (at most a year after it was issued).
	ExpiresAt *time.Time `json:"expiresAt,omitempty"`
	TokenID   string     `json:"tokenId"`
	UserID    string     `json:"userId"`
	Kind      string     `json:"kind"`
	Scopes    []string   `json:"scopes"`
	// RetroID is the one retro a guest token is for.
	RetroID string `json:"retroId,omitempty"`
}

func tokenResponse(t identity.Token) TokenResponse {
	out := TokenResponse{Token: t.Token, TokenID: t.Principal.TokenID, UserID: t.Principal.UserID,
		Kind: string(t.Principal.Kind), Scopes: scopeStrings(t.Principal.Scopes), RetroID: t.Principal.RetroID}
	if !t.ExpiresAt.IsZero() {
		at := t.ExpiresAt.UTC()
		out.ExpiresAt = &at
	}
	return out
}

func scopeStrings(ss []identity.Scope) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return out
}

// Me is the caller: who the token says they are, and their profile.
type Me struct {
	UserID  string   `json:"userId"`
	Kind    string   `json:"kind"`
	Scopes  []string `json:"scopes"`
	RetroID string   `json:"retroId,omitempty"`
	TokenID string   `json:"tokenId"`
	Name    string   `json:"name"`
	Email   string   `json:"email"`
	Guest   bool     `json:"guest"`
	// EmailVerified: you proved your address by a mailed link (or your
	// identity provider vouched for it).
	EmailVerified bool `json:"emailVerified"`
	// Language is the language of every mail to you ("en" or "de").
	Language string `json:"language"`
}

// LanguageRequest chooses the language of your mails.
type LanguageRequest struct {
	// Language is "en" or "de".
	Language string `json:"language"`
}

func accountRoutes() []route {
	erase := route{
		method: http.MethodDelete, pattern: "/v1/me", op: "eraseMe", auth: true, status: http.StatusNoContent,
		summary: "Erase your personal data (name, e-mail address) for ever; your retros keep what you wrote, unattributed",
		handle: func(s *server, rt *route, w http.ResponseWriter, r *http.Request) {
			c, ok := s.begin(rt, w, r)
			if !ok {
				return
			}
			s.answer(w, r, rt, nil, s.deps.Identity.Erase(r.Context(), c.p.UserID))
		},
	}
	setLanguage := route{
		method: http.MethodPut, pattern: "/v1/me/language", op: "setMyLanguage", auth: true, idem: true,
		status: http.StatusNoContent, req: reflect.TypeFor[LanguageRequest](), decode: decoderOf[LanguageRequest](),
		summary: "Choose the language of every mail to you: en (the default) or de",
		handle: func(s *server, rt *route, w http.ResponseWriter, r *http.Request) {
			c, in, ok := beginWithBody[LanguageRequest](s, rt, w, r)
			if !ok {
				return
			}
			s.answer(w, r, rt, nil, s.deps.Identity.SetLanguage(r.Context(), c.caller(), in.Language))
		},
	}
	return tagged("accounts",
		exchange("/v1/accounts", "register", "Register an account with e-mail address and password", true,
			func(s *server, c call, in RegisterRequest) (RegistrationAccepted, error) {
				caller := identity.Caller{CommandID: commandID("register:"+emailScope(in.Email), c.key)}
				_, err := s.deps.Identity.Register(c.r.Context(), caller, identity.Registration{Email: in.Email, Password: in.Password, Name: in.Name})
				if errors.Is(err, identity.ErrEmailTaken) {
					err = nil // answered like a new account: see RegistrationAccepted
				}
				return registrationAccepted, err
			}).public().accepted(),
		withParams(exchange("/v1/sessions", "login",
			"Log in: a session token for the Authorization header, or with X-Session-Mode: cookie the browser session cookies", false,
			func(s *server, c call, in LoginRequest) (TokenResponse, error) {
				client := clientIP(c.r)
				if p := s.logins.allow(in.Email, client); p != nil {
					return TokenResponse{}, p
				}
				t, err := s.deps.Identity.Login(c.r.Context(), identity.Credentials{Email: in.Email, Password: in.Password})
				if errors.Is(err, identity.ErrBadCredentials) {
					s.logins.failed(in.Email, client)
				}
				if err != nil {
					return TokenResponse{}, err
				}
				s.logins.succeeded(in.Email)
				if err := s.checkPasswordLogin(c, t); err != nil {
					return TokenResponse{}, err
				}
				return issue(c, t)
			}).public().created(), sessionModeParam),
		withParams(exchange("/v1/invites/{code}/join", "joinInvite",
			"Join a retro as a guest with an invite code: a guest token for that retro (or cookies, as for log-in)", true,
			func(s *server, c call, in JoinInviteRequest) (TokenResponse, error) {
				caller := identity.Caller{CommandID: commandID("guest:"+c.param("code")+"\x00"+emailScope(in.Email), c.key)}
				t, _, err := s.deps.Identity.JoinAsGuest(c.r.Context(), caller, c.param("code"), identity.GuestInput{Email: in.Email, Name: in.Name})
				if err != nil {
					return TokenResponse{}, err
				}
				return issue(c, t)
			}).public().created(), sessionModeParam),
		logoutRoute(),
		query("/v1/me", "getMe", "Who you are: principal and profile",
			func(s *server, c call) (Me, error) {
				prof, err := s.deps.Identity.Profile(c.r.Context(), c.p.UserID)
				if err != nil {
					return Me{}, err
				}
				return Me{UserID: c.p.UserID, Kind: string(c.p.Kind), Scopes: scopeStrings(c.p.Scopes), RetroID: c.p.RetroID,
					TokenID: c.p.TokenID, Name: prof.Name, Email: prof.Email, Guest: prof.Guest,
					EmailVerified: prof.EmailVerified, Language: prof.Language}, nil
			}),
		setLanguage,
		erase,
	)
}

// emailScope is who a public request speaks for: nobody is signed in, so
// an idempotency key is scoped by the address the body names. Two spellings
// of one address are two commands, which the identity service resolves as
// it resolves two registrations of one address.
func emailScope(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// IssueTokenRequest issues an API token for scripts and analysts.
type IssueTokenRequest struct {
	Name string `json:"name"`
	// Scopes: ["read"] for a read-only token, ["write"] (which includes read).
	Scopes []string `json:"scopes"`
	// ExpiresAt is when the token stops working, at most 365 days ahead;
	// absent means 365 days from now.
	ExpiresAt *time.Time `json:"expiresAt,omitempty"`
}

// TokenInfo describes an API token without its secret.
type TokenInfo struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Scopes    []string   `json:"scopes"`
	CreatedAt time.Time  `json:"createdAt"`
	ExpiresAt *time.Time `json:"expiresAt,omitempty"`
	RevokedAt *time.Time `json:"revokedAt,omitempty"`
}

func tokenRoutes() []route {
	revoke := route{
		method: http.MethodDelete, pattern: "/v1/tokens/{tokenId}", op: "revokeToken", summary: "Revoke one of your API tokens",
		auth: true, idem: true, status: http.StatusNoContent,
		handle: func(s *server, rt *route, w http.ResponseWriter, r *http.Request) {
			c, ok := s.begin(rt, w, r)
			if !ok {
				return
			}
			s.answer(w, r, rt, nil, s.deps.Identity.RevokeAPIToken(r.Context(), c.caller(), c.param("tokenId")))
		},
	}
	return tagged("tokens",
		exchange("/v1/tokens", "issueToken", "Issue an API token (its secret is shown once)", true,
			func(s *server, c call, in IssueTokenRequest) (TokenResponse, error) {
				scopes := make([]identity.Scope, len(in.Scopes))
				for i, sc := range in.Scopes {
					scopes[i] = identity.Scope(sc)
				}
				t, err := s.deps.Identity.IssueAPIToken(c.r.Context(), c.caller(), identity.APITokenInput{Name: in.Name, Scopes: scopes, Expires: in.ExpiresAt})
				return tokenResponse(t), err
			}).created(),
		list("/v1/tokens", "listTokens", "Your API tokens, without secrets",
			func(s *server, c call) ([]TokenInfo, error) {
				infos, err := s.deps.Identity.ListAPITokens(c.r.Context(), c.p)
				out := make([]TokenInfo, len(infos))
				for i, t := range infos {
					out[i] = TokenInfo{ID: t.ID, Name: t.Name, Scopes: scopeStrings(t.Scopes), CreatedAt: t.CreatedAt,
						ExpiresAt: t.ExpiresAt, RevokedAt: t.RevokedAt}
				}
				return out, err
			}),
		revoke,
	)
}
