// Package sso is the relying party of OpenID Connect single sign-on: the
// providers a server or a workspace trusts (presets for Google and
// Microsoft Entra ID, or any issuer with discovery), the authorization code
// flow with PKCE, state and nonce, and the checks an ID token must pass
// before anyone is signed in by it (signature, issuer, audience, expiry,
// nonce, a verified e-mail address).
//
// It knows nothing of accounts or workspaces: the app asks it to begin a
// login and to finish one, and gets back a verified person (Claims) or a
// refusal (*domain.Error with a code of its own). The OpenID protocol is
// github.com/coreos/go-oidc with golang.org/x/oauth2, not hand-written.
package sso

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/hindsight-retro/hindsight/domain"
)

// Presets name the issuers of well-known providers; a provider with no
// preset names its issuer itself (any OpenID provider with discovery).
const (
	PresetGoogle = "google"
	PresetEntra  = "entra"
)

// Presets lists the preset names, once.
var Presets = []string{PresetGoogle, PresetEntra}

// PresetIssuer returns the issuer URL of a preset. Entra ID's issuer is
// per directory: tenant is the directory (tenant) ID.
func PresetIssuer(preset, tenant string) (string, error) {
	switch preset {
	case PresetGoogle:
		return "https://accounts.google.com", nil
	case PresetEntra:
		if !validTenant(tenant) {
			return "", domain.Errorf(domain.Invalid, CodeProviderInvalid, "the entra preset needs the directory (tenant) ID, a UUID")
		}
		return "https://login.microsoftonline.com/" + tenant + "/v2.0", nil
	}
	return "", domain.Errorf(domain.Invalid, CodeProviderInvalid, "unknown preset %q: use one of %s, or give an issuer", preset, strings.Join(Presets, ", "))
}

// validTenant: Entra's issuer holds the tenant's ID (a UUID); common and
// organizations are refused, since their tokens come from any directory.
func validTenant(t string) bool {
	if len(t) != 36 {
		return false
	}
	for i, c := range t {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
		default:
			return false
		}
	}
	return true
}

// Provider is one OpenID provider as a relying party knows it.
type Provider struct {
	// Issuer is the provider's issuer URL; its discovery document is at
	// Issuer + "/.well-known/openid-configuration".
	Issuer       string
	ClientID     string
	ClientSecret string
	// Preset is the preset the issuer came from, "" for a generic issuer;
	// it decides which claim proves an address verified (see emailVerified).
	Preset string
	// GroupsClaim names the ID token claim listing the person's groups
	// ("groups" when empty).
	GroupsClaim string
}

// Check refuses a provider missing what a login needs. The issuer must
// be https; plain http is taken only for a loopback issuer and only when
// loopbackHTTP is set (tests, and an operator's own provider on the same
// machine).
func (p Provider) Check(loopbackHTTP bool) error {
	u, err := url.Parse(p.Issuer)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "https" && !(loopbackHTTP && u.Scheme == "http" && loopback(u.Hostname()))):
		return domain.Errorf(domain.Invalid, CodeProviderInvalid, "the issuer must be an https URL")
	case u.RawQuery != "" || u.Fragment != "":
		return domain.Errorf(domain.Invalid, CodeProviderInvalid, "the issuer must have no query or fragment")
	case strings.TrimSpace(p.ClientID) == "" || len(p.ClientID) > 512:
		return domain.Errorf(domain.Invalid, CodeProviderInvalid, "a client ID of 1 to 512 characters is required")
	case p.ClientSecret == "" || len(p.ClientSecret) > 1024:
		return domain.Errorf(domain.Invalid, CodeProviderInvalid, "a client secret of 1 to 1024 characters is required")
	case len(p.GroupsClaim) > 128:
		return domain.Errorf(domain.Invalid, CodeProviderInvalid, "the groups claim name is at most 128 characters")
	}
	if p.Preset != "" && !slices.Contains(Presets, p.Preset) {
		return domain.Errorf(domain.Invalid, CodeProviderInvalid, "unknown preset %q", p.Preset)
	}
	return nil
}

func loopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// Refusals of a login, each with the code a client is shown. Their
// messages say what was wrong with the provider's answer, never what the
// token held.
const (
	CodeProviderInvalid   = "sso-provider-invalid"
	CodeProviderUnknown   = "sso-provider-unknown"
	CodeProviderFailed    = "sso-provider-failed"
	CodeLoginExpired      = "sso-login-expired"
	CodeTokenInvalid      = "sso-token-invalid"
	CodeNonceMismatch     = "sso-nonce-mismatch"
	CodeEmailUnverified   = "sso-email-unverified"
	CodeProviderUntrusted = "sso-provider-untrusted"
	CodeSSORequired       = "sso-required"
)

var (
	// ErrLoginExpired: no pending login matches (no cookie, another
	// browser's, a wrong state, or older than PendingTTL).
	ErrLoginExpired = &domain.Error{Kind: domain.Unauthenticated, Code: CodeLoginExpired, Message: "this sign-in is unknown or expired; start it again"}
	// ErrNonceMismatch: the ID token was not issued for this login.
	ErrNonceMismatch = &domain.Error{Kind: domain.Unauthenticated, Code: CodeNonceMismatch, Message: "the provider's ID token was not issued for this sign-in (nonce)"}
	// ErrEmailUnverified: the provider does not vouch for the address.
	ErrEmailUnverified = &domain.Error{Kind: domain.Forbidden, Code: CodeEmailUnverified, Message: "the provider does not say that your e-mail address is verified, so it cannot sign you in here"}
)

// PendingTTL is how long a started login may take to come back.
const PendingTTL = 10 * time.Minute

// Pending is a login between its start and the provider's answer. It
// travels in a sealed, HttpOnly cookie (the app seals it), so no node has
// to remember it.
type Pending struct {
	// Provider names the provider the login started with (the app's
	// reference: a server-wide name or a workspace).
	Provider string    `json:"p"`
	State    string    `json:"s"`
	Nonce    string    `json:"n"`
	Verifier string    `json:"v"`
	Next     string    `json:"x,omitempty"`
	Expires  time.Time `json:"e"`
}

// Claims is the person a provider vouched for.
type Claims struct {
	Issuer  string
	Subject string
	// Email is verified: a login without a verified address is refused.
	Email  string
	Name   string
	Groups []string
}

// RP is the relying party: it discovers providers (and caches what they
// said) and runs the code flow.
type RP struct {
	client *http.Client
	now    func() time.Time

	mu        sync.Mutex
	providers map[string]*oidc.Provider
}

// NewRP returns a relying party that talks to providers with client (nil:
// a client with a 10 s timeout) and checks token times against now (nil:
// time.Now).
func NewRP(client *http.Client, now func() time.Time) *RP {
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	if now == nil {
		now = time.Now
	}
	return &RP{client: client, now: now, providers: map[string]*oidc.Provider{}}
}

func (rp *RP) discover(ctx context.Context, issuer string) (*oidc.Provider, error) {
	rp.mu.Lock()
	p, ok := rp.providers[issuer]
	rp.mu.Unlock()
	if ok {
		return p, nil
	}
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, rp.client), issuer)
	if err != nil {
		return nil, fmt.Errorf("%w: discovery of %s: %w", providerFailed(), issuer, err)
	}
	rp.mu.Lock()
	rp.providers[issuer] = p
	rp.mu.Unlock()
	return p, nil
}

func providerFailed() *domain.Error {
	return &domain.Error{Kind: domain.Unavailable, Code: CodeProviderFailed, Message: "the identity provider did not answer as expected; try again later"}
}

func (rp *RP) config(p Provider, op *oidc.Provider, redirectURL string) *oauth2.Config {
	return &oauth2.Config{
		ClientID: p.ClientID, ClientSecret: p.ClientSecret, RedirectURL: redirectURL,
		Endpoint: op.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "email", "profile"},
	}
}

// Begin starts a login: the URL to send the browser to, and what to keep
// until it comes back (state, nonce and the PKCE verifier).
func (rp *RP) Begin(ctx context.Context, ref string, p Provider, redirectURL, next string) (string, Pending, error) {
	op, err := rp.discover(ctx, p.Issuer)
	if err != nil {
		return "", Pending{}, err
	}
	pending := Pending{Provider: ref, State: random(), Nonce: random(), Verifier: oauth2.GenerateVerifier(),
		Next: next, Expires: rp.now().Add(PendingTTL).UTC()}
	u := rp.config(p, op, redirectURL).AuthCodeURL(pending.State, oidc.Nonce(pending.Nonce), oauth2.S256ChallengeOption(pending.Verifier))
	return u, pending, nil
}

// Finish takes the provider's answer (code) to a pending login whose state
// the caller has matched, exchanges the code (with the PKCE verifier) and
// checks the ID token: signature by the provider's keys, issuer, audience
// (our client ID), expiry, the nonce of this login, a verified address.
func (rp *RP) Finish(ctx context.Context, p Provider, redirectURL string, pending Pending, code string) (Claims, error) {
	if !rp.now().Before(pending.Expires) {
		return Claims{}, ErrLoginExpired
	}
	op, err := rp.discover(ctx, p.Issuer)
	if err != nil {
		return Claims{}, err
	}
	ctx = oidc.ClientContext(ctx, rp.client)
	tok, err := rp.config(p, op, redirectURL).Exchange(ctx, code, oauth2.VerifierOption(pending.Verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode < 500 {
			return Claims{}, fmt.Errorf("%w: token endpoint: %w",
				domain.Errorf(domain.Unauthenticated, CodeTokenInvalid, "the provider refused to complete this sign-in"), err)
		}
		return Claims{}, fmt.Errorf("%w: token endpoint: %w", providerFailed(), err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return Claims{}, domain.Errorf(domain.Unauthenticated, CodeTokenInvalid, "the provider sent no ID token")
	}
	idt, err := op.Verifier(&oidc.Config{ClientID: p.ClientID, Now: rp.now}).Verify(ctx, raw)
	if err != nil {
		return Claims{}, fmt.Errorf("%w: %w", domain.Errorf(domain.Unauthenticated, CodeTokenInvalid, "the provider's ID token is not valid here: %s", tokenProblem(err)), err)
	}
	if idt.Nonce == "" || subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(pending.Nonce)) != 1 {
		return Claims{}, ErrNonceMismatch
	}
	var c struct {
		Email         string `json:"email"`
		EmailVerified any    `json:"email_verified"`
		EntraVerified any    `json:"xms_edov"`
		Name          string `json:"name"`
	}
	if err := idt.Claims(&c); err != nil {
		return Claims{}, domain.Errorf(domain.Unauthenticated, CodeTokenInvalid, "the provider's ID token claims do not decode")
	}
	if c.Email == "" || !emailVerified(p.Preset, c.EmailVerified, c.EntraVerified) {
		return Claims{}, ErrEmailUnverified
	}
	var all map[string]any
	_ = idt.Claims(&all)
	claim := p.GroupsClaim
	if claim == "" {
		claim = "groups"
	}
	return Claims{Issuer: idt.Issuer, Subject: idt.Subject, Email: c.Email, Name: c.Name, Groups: stringList(all[claim])}, nil
}

// tokenProblem names what was wrong with a token in words a client may
// see (audience, expiry, issuer or signature), without its contents.
func tokenProblem(err error) string {
	var exp *oidc.TokenExpiredError
	msg := err.Error()
	switch {
	case errors.As(err, &exp):
		return "it has expired"
	case strings.Contains(msg, "audience"):
		return "it was issued for another client (audience)"
	case strings.Contains(msg, "issuer"):
		return "it was issued by another issuer"
	case strings.Contains(msg, "signature"):
		return "its signature does not verify"
	}
	return "it is malformed"
}

// emailVerified: email_verified true (a boolean, or the string "true" some
// providers send); Entra ID sends no email_verified and proves the
// address's domain with the optional claim xms_edov instead.
func emailVerified(preset string, verified, entra any) bool {
	if truthy(verified) {
		return true
	}
	return preset == PresetEntra && truthy(entra)
}

func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return x == "true"
	}
	return false
}

func stringList(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		if s, ok := x.(string); ok && s != "" {
			out = append(out, s)
		}
	}
	return out
}

func random() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}
