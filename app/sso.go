package app

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/app/keys"
	"github.com/hindsight-retro/hindsight/app/sso"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/aggregate"
)

// SSOConfig is single sign-on as the operator configured it.
type SSOConfig struct {
	// Providers are the server-wide OpenID providers by name (letters,
	// digits, dashes): trusted for every verified e-mail address.
	Providers map[string]sso.Provider
	// RP talks to providers; nil makes one with a 10 s HTTP timeout and the
	// app's clock.
	RP *sso.RP
	// LoopbackHTTP lets a workspace name a plain-http issuer on loopback
	// (tests); otherwise a workspace's issuer must be https.
	LoopbackHTTP bool
}

// References to a provider in a login: a server-wide one by name, or a
// workspace's own.
const (
	refServer    = "server:"
	refWorkspace = "workspace:"
)

// ServerProviderRef and WorkspaceProviderRef name a login's provider.
func ServerProviderRef(name string) string           { return refServer + name }
func WorkspaceProviderRef(workspaceID string) string { return refWorkspace + workspaceID }

// subjectSSOLogin seals pending logins; a server secret like the others.
const subjectSSOLogin = "server:sso-login"

func (a *App) rp() *sso.RP {
	a.ssoRP.Do(func() {
		if a.d.SSO.RP == nil {
			a.d.SSO.RP = sso.NewRP(nil, a.d.Clock)
		}
	})
	return a.d.SSO.RP
}

// SSOProviders are the names of the server-wide providers, sorted.
func (a *App) SSOProviders() []string {
	return slices.Sorted(maps.Keys(a.d.SSO.Providers))
}

// BeginSSO starts a login with a provider reference (ServerProviderRef or
// WorkspaceProviderRef): the URL to send the browser to, and the pending
// login sealed for a cookie. next is where the browser goes afterwards (a
// path of this server; anything else means "/").
func (a *App) BeginSSO(ctx context.Context, ref, redirectURL, next string) (authURL, cookie string, err error) {
	p, _, err := a.provider(ctx, ref)
	if err != nil {
		return "", "", err
	}
	u, pending, err := a.rp().Begin(ctx, ref, p, redirectURL, localPath(next))
	if err != nil {
		return "", "", err
	}
	cookie, err = a.sealPending(ctx, pending)
	return u, cookie, err
}

// FinishSSO completes a login: the pending login from the cookie, the
// state and code the provider sent back. It signs in the account of the
// verified e-mail address (made just in time if there is none), if the
// provider is trusted for that address and the person's workspaces allow
// this provider; it answers a session and where to go next.
func (a *App) FinishSSO(ctx context.Context, cookie, state, code, redirectURL string) (identity.Token, string, error) {
	pending, err := a.openPending(ctx, cookie)
	if err != nil || state == "" || len(state) != len(pending.State) || subtle.ConstantTimeCompare([]byte(state), []byte(pending.State)) != 1 {
		return identity.Token{}, "", sso.ErrLoginExpired
	}
	if code == "" {
		return identity.Token{}, "", domain.Errorf(domain.Unauthenticated, sso.CodeTokenInvalid, "the provider sent no code: the sign-in was cancelled or refused there")
	}
	p, settings, err := a.provider(ctx, pending.Provider)
	if err != nil {
		return identity.Token{}, "", err
	}
	claims, err := a.rp().Finish(ctx, p, redirectURL, pending, code)
	if err != nil {
		return identity.Token{}, "", err
	}
	if settings.Set && !slices.Contains(settings.EmailDomains, sso.DomainOf(claims.Email)) {
		return identity.Token{}, "", domain.Errorf(domain.Forbidden, sso.CodeProviderUntrusted,
			"this workspace's provider is not trusted for addresses of that domain")
	}
	if a.d.Identity == nil {
		return identity.Token{}, "", domain.Errorf(domain.Unavailable, "identity-unavailable", "sign-in is not configured on this server")
	}
	// Whether this provider may sign the person in is decided before a
	// session exists; the account itself may be made here (just in time).
	tok, err := a.d.Identity.SignInVerified(ctx, identity.VerifiedPerson{Email: claims.Email, Name: claims.Name, Issuer: claims.Issuer, Subject: claims.Subject})
	if err != nil {
		return identity.Token{}, "", err
	}
	required, err := a.ssoRequiredBy(ctx, tok.Principal.UserID)
	if err != nil {
		return identity.Token{}, "", err
	}
	if len(required) > 0 && !slices.ContainsFunc(required, func(ws string) bool { return pending.Provider == WorkspaceProviderRef(ws) }) {
		return identity.Token{}, "", ssoRequired(required, "a workspace you are in requires signing in through its own provider, not this one")
	}
	if settings.Set && len(settings.GroupTeams) > 0 {
		if err := a.joinGroupTeams(ctx, settings, tok.Principal.UserID, claims.Groups); err != nil {
			return identity.Token{}, "", err
		}
	}
	return tok, pending.Next, nil
}

// joinGroupTeams adds the person to the workspace's teams their groups map
// to. It only adds: leaving a group at the provider does not remove anyone
// (a team admin does). The team decider lets only team admins add members,
// so the addition is made on behalf of the workspace admin who set the
// mapping when they administer the team, else of the team's first admin,
// as a guest's admission is made on behalf of a member; its command ID
// derives from team and person, so a second sign-in adds nothing.
func (a *App) joinGroupTeams(ctx context.Context, settings sso.Settings, userID string, groups []string) error {
	seen := map[string]bool{}
	for _, g := range groups {
		teamID, ok := settings.GroupTeams[g]
		if !ok || seen[teamID] {
			continue
		}
		seen[teamID] = true
		t, _, err := a.loadTeam(ctx, teamID)
		if err != nil {
			return err
		}
		if t.IsMember(userID) {
			continue
		}
		by := settings.By
		if !t.IsAdmin(by) {
			admins := slices.Sorted(maps.Keys(t.Admins))
			if len(admins) == 0 {
				continue
			}
			by = admins[0]
		}
		_, err = a.teamCommand(ctx, teamID, aggregate.Meta{CommandID: derivedID("sso-group", teamID+"\x00"+userID), Actor: by},
			team.AddMember{Actor: domain.Actor{UserID: by}, At: a.now(), UserID: userID})
		if err != nil && domain.CodeOf(err) != team.CodeAlreadyMember {
			return fmt.Errorf("sso: add %s to team %s by group: %w", userID, teamID, err)
		}
	}
	return nil
}

// CheckPasswordLogin refuses a password login of a person who is in a
// workspace that requires single sign-on; the caller has already checked
// the password, so only someone who knows it learns this.
func (a *App) CheckPasswordLogin(ctx context.Context, userID string) error {
	required, err := a.ssoRequiredBy(ctx, userID)
	if err != nil {
		return err
	}
	if len(required) > 0 {
		return ssoRequired(required, "a workspace you are in requires single sign-on: sign in through its provider")
	}
	return nil
}

func ssoRequired(workspaces []string, msg string) error {
	paths := make([]string, len(workspaces))
	for i, ws := range workspaces {
		paths[i] = "/v1/auth/oidc/workspaces/" + ws + "/login"
	}
	return domain.Errorf(domain.Forbidden, sso.CodeSSORequired, "%s (%s)", msg, strings.Join(paths, ", "))
}

// ssoRequiredBy lists the workspaces the person administers or has a team
// in that require single sign-on, sorted.
func (a *App) ssoRequiredBy(ctx context.Context, userID string) ([]string, error) {
	// The membership index follows the log: wait until it has what the log
	// held at this moment, so a member added just now is not let through.
	if pos, err := a.d.Store.LastPosition(ctx); err == nil {
		wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err = a.rm.membership.Current().WaitFor(wctx, pos)
		cancel()
		if err != nil {
			return nil, fmt.Errorf("sso: membership index: %w", err)
		}
	} else {
		return nil, fmt.Errorf("sso: %w", err)
	}
	adminOf, teamIDs := a.rm.membership.Current().Of(userID)
	candidates := map[string]bool{}
	for _, id := range adminOf {
		candidates[id] = true
	}
	for _, id := range teamIDs {
		t, _, err := a.loadTeam(ctx, id)
		if err != nil {
			return nil, err
		}
		if t.IsMember(userID) {
			candidates[t.WorkspaceID] = true
		}
	}
	var out []string
	for id := range candidates {
		s, err := a.ssoSettings(ctx, id)
		if err != nil {
			return nil, err
		}
		if s.Set && s.RequireSSO {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out, nil
}

// provider resolves a login's provider reference, with the workspace's
// settings when it is a workspace's.
func (a *App) provider(ctx context.Context, ref string) (sso.Provider, sso.Settings, error) {
	unknown := domain.Errorf(domain.NotFound, sso.CodeProviderUnknown, "no such single sign-on provider")
	switch {
	case strings.HasPrefix(ref, refServer):
		p, ok := a.d.SSO.Providers[strings.TrimPrefix(ref, refServer)]
		if !ok {
			return sso.Provider{}, sso.Settings{}, unknown
		}
		return p, sso.Settings{}, nil
	case strings.HasPrefix(ref, refWorkspace):
		id := strings.TrimPrefix(ref, refWorkspace)
		if !validStreamID(id) {
			return sso.Provider{}, sso.Settings{}, unknown
		}
		s, err := a.ssoSettings(ctx, id)
		if err != nil {
			return sso.Provider{}, sso.Settings{}, err
		}
		if !s.Set {
			return sso.Provider{}, sso.Settings{}, unknown
		}
		secret, err := a.openSecret(ctx, id, s)
		if err != nil {
			return sso.Provider{}, sso.Settings{}, err
		}
		return sso.Provider{Issuer: s.Issuer, ClientID: s.ClientID, ClientSecret: secret, Preset: s.Preset, GroupsClaim: s.GroupsClaim}, s, nil
	}
	return sso.Provider{}, sso.Settings{}, unknown
}

func validStreamID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func (a *App) ssoSettings(ctx context.Context, workspaceID string) (sso.Settings, error) {
	evs, err := a.d.Store.Load(ctx, eventstore.StreamID{Category: sso.Category, ID: workspaceID}, 0)
	if errors.Is(err, eventstore.ErrStreamNotFound) {
		return sso.Settings{}, nil
	}
	if err != nil {
		return sso.Settings{}, fmt.Errorf("sso settings of workspace %s: %w", workspaceID, err)
	}
	return sso.Fold(evs)
}

func secretAAD(workspaceID string) []byte {
	return []byte("hindsight/sso/v1|" + workspaceID + "|client-secret")
}

func (a *App) openSecret(ctx context.Context, workspaceID string, s sso.Settings) (string, error) {
	key, err := a.d.Keys.Get(ctx, s.SecretKey)
	if err != nil {
		return "", fmt.Errorf("sso: key of workspace %s's client secret: %w", workspaceID, err)
	}
	b, err := keys.Open(key, s.SecretSealed, secretAAD(workspaceID))
	if err != nil {
		return "", fmt.Errorf("sso: workspace %s's client secret: %w", workspaceID, err)
	}
	return string(b), nil
}

// WorkspaceSSOInput is a workspace's provider and rules, as its admin sets
// them. Preset (google, entra with Tenant) or Issuer names the provider.
// ClientSecret may be left empty to keep the one set before.
type WorkspaceSSOInput struct {
	Preset       string
	Tenant       string
	Issuer       string
	ClientID     string
	ClientSecret string
	RequireSSO   bool
	EmailDomains []string
	GroupsClaim  string
	GroupTeams   map[string]string
}

// WorkspaceSSO is a workspace's single sign-on as its admins see it: never
// the client secret, only whether one is set.
type WorkspaceSSO struct {
	Configured      bool              `json:"configured"`
	Preset          string            `json:"preset,omitempty"`
	Issuer          string            `json:"issuer,omitempty"`
	ClientID        string            `json:"clientId,omitempty"`
	ClientSecretSet bool              `json:"clientSecretSet"`
	RequireSSO      bool              `json:"requireSso"`
	EmailDomains    []string          `json:"emailDomains"`
	GroupsClaim     string            `json:"groupsClaim,omitempty"`
	GroupTeams      map[string]string `json:"groupTeams,omitempty"`
	// LoginPath starts a sign-in through this provider.
	LoginPath string `json:"loginPath,omitempty"`
}

// GetWorkspaceSSO answers a workspace's settings to its admins.
func (a *App) GetWorkspaceSSO(ctx context.Context, p identity.Principal, workspaceID string) (WorkspaceSSO, error) {
	if err := a.workspaceAdmin(ctx, p, workspaceID); err != nil {
		return WorkspaceSSO{}, err
	}
	s, err := a.ssoSettings(ctx, workspaceID)
	if err != nil {
		return WorkspaceSSO{}, err
	}
	if !s.Set {
		return WorkspaceSSO{EmailDomains: []string{}}, nil
	}
	return WorkspaceSSO{Configured: true, Preset: s.Preset, Issuer: s.Issuer, ClientID: s.ClientID, ClientSecretSet: len(s.SecretSealed) > 0,
		RequireSSO: s.RequireSSO, EmailDomains: s.EmailDomains, GroupsClaim: s.GroupsClaim, GroupTeams: s.GroupTeams,
		LoginPath: "/v1/auth/oidc/workspaces/" + workspaceID + "/login"}, nil
}

// SetWorkspaceSSO sets a workspace's provider and rules (workspace admins
// only). The client secret is sealed with a key of its own in the key
// store; replacing or removing the settings destroys the old key.
func (a *App) SetWorkspaceSSO(ctx context.Context, c identity.Caller, workspaceID string, in WorkspaceSSOInput) (Result, error) {
	if err := commandGate(c); err != nil {
		return Result{}, err
	}
	if err := a.workspaceAdmin(ctx, c.Principal, workspaceID); err != nil {
		return Result{}, err
	}
	if err := a.keptOnlyOnceClaimed(ctx, workspaceID, "single sign-on"); err != nil {
		return Result{}, err
	}
	old, err := a.ssoSettings(ctx, workspaceID)
	if err != nil {
		return Result{}, err
	}
	issuer := strings.TrimRight(strings.TrimSpace(in.Issuer), "/")
	if in.Preset != "" {
		if issuer, err = sso.PresetIssuer(in.Preset, strings.TrimSpace(in.Tenant)); err != nil {
			return Result{}, err
		}
	}
	secret := in.ClientSecret
	if secret == "" && old.Set {
		if secret, err = a.openSecret(ctx, workspaceID, old); err != nil {
			return Result{}, err
		}
	}
	p := sso.Provider{Issuer: issuer, ClientID: strings.TrimSpace(in.ClientID), ClientSecret: secret, Preset: in.Preset, GroupsClaim: in.GroupsClaim}
	if err := p.Check(a.d.SSO.LoopbackHTTP); err != nil {
		return Result{}, err
	}
	domains, err := sso.NormalizeDomains(in.EmailDomains)
	if err != nil {
		return Result{}, err
	}
	if err := a.checkGroupTeams(ctx, workspaceID, in.GroupTeams); err != nil {
		return Result{}, err
	}
	// A key per version of the settings, so that replacing the secret can
	// shred the old one without touching the new.
	subject := fmt.Sprintf("sso:%s:%d", workspaceID, old.Version+1)
	key, err := a.d.Keys.GetOrCreate(ctx, subject)
	if err != nil {
		return Result{}, fmt.Errorf("sso: key for workspace %s: %w", workspaceID, err)
	}
	sealed, err := keys.Seal(key, []byte(secret), secretAAD(workspaceID))
	if err != nil {
		return Result{}, err
	}
	ev := sso.SettingsChanged{Preset: in.Preset, Issuer: issuer, ClientID: p.ClientID, SecretKey: subject, SecretSealed: sealed,
		RequireSSO: in.RequireSSO, EmailDomains: domains, GroupsClaim: in.GroupsClaim, GroupTeams: in.GroupTeams,
		By: c.Principal.UserID, At: a.now()}
	return a.appendSSO(ctx, c, workspaceID, old, ev)
}

// RemoveWorkspaceSSO removes a workspace's provider (workspace admins
// only): its secret's key is destroyed, and members sign in as before.
func (a *App) RemoveWorkspaceSSO(ctx context.Context, c identity.Caller, workspaceID string) (Result, error) {
	if err := commandGate(c); err != nil {
		return Result{}, err
	}
	if err := a.workspaceAdmin(ctx, c.Principal, workspaceID); err != nil {
		return Result{}, err
	}
	old, err := a.ssoSettings(ctx, workspaceID)
	if err != nil {
		return Result{}, err
	}
	if !old.Set {
		return Result{StreamVersion: old.Version}, nil
	}
	return a.appendSSO(ctx, c, workspaceID, old, sso.SettingsRemoved{By: c.Principal.UserID, At: a.now()})
}

func (a *App) appendSSO(ctx context.Context, c identity.Caller, workspaceID string, old sso.Settings, e any) (Result, error) {
	ev, err := sso.Encode(e)
	if err != nil {
		return Result{}, err
	}
	res, err := a.d.Store.Append(ctx, eventstore.Commit{
		Stream:          eventstore.StreamID{Category: sso.Category, ID: workspaceID},
		ExpectedVersion: old.Version, CommandID: c.CommandID, Actor: c.Principal.UserID, Events: []eventstore.Event{ev},
	})
	if errors.Is(err, eventstore.ErrConflict) {
		return Result{}, domain.Errorf(domain.Conflict, "sso-settings-changed", "the settings changed meanwhile; read them and try again")
	}
	if err != nil {
		return Result{}, fmt.Errorf("sso settings of workspace %s: %w", workspaceID, err)
	}
	if old.Set && old.SecretKey != "" && !res.Duplicate {
		if err := a.d.Keys.Destroy(ctx, old.SecretKey); err != nil {
			a.d.Logger.Warn("sso: the replaced client secret's key is not destroyed yet", "workspace", workspaceID, "err", err)
		}
	}
	return Result{StreamVersion: res.StreamVersion, Position: res.Position, Duplicate: res.Duplicate}, nil
}

// checkGroupTeams: every team a group maps to is a team of the workspace.
func (a *App) checkGroupTeams(ctx context.Context, workspaceID string, m map[string]string) error {
	if len(m) > sso.MaxGroupTeams {
		return domain.Errorf(domain.Invalid, sso.CodeProviderInvalid, "at most %d group mappings", sso.MaxGroupTeams)
	}
	ws, _, err := a.loadWorkspace(ctx, workspaceID)
	if err != nil {
		return err
	}
	for g, teamID := range m {
		if _, ok := ws.Teams[teamID]; g == "" || len(g) > 256 || !ok {
			return domain.Errorf(domain.Invalid, sso.CodeProviderInvalid, "group %q must map to a team of this workspace", g)
		}
	}
	return nil
}

func (a *App) sealPending(ctx context.Context, p sso.Pending) (string, error) {
	key, err := a.d.Keys.GetOrCreate(ctx, subjectSSOLogin)
	if err != nil {
		return "", fmt.Errorf("sso: login key: %w", err)
	}
	b, err := json.Marshal(p)
	if err != nil {
		return "", fmt.Errorf("sso: encode pending login: %w", err)
	}
	sealed, err := keys.Seal(key, b, []byte("hindsight/sso/pending/v1"))
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(sealed), nil
}

func (a *App) openPending(ctx context.Context, cookie string) (sso.Pending, error) {
	if cookie == "" || len(cookie) > 4096 {
		return sso.Pending{}, sso.ErrLoginExpired
	}
	sealed, err := base64.RawURLEncoding.DecodeString(cookie)
	if err != nil {
		return sso.Pending{}, sso.ErrLoginExpired
	}
	key, err := a.d.Keys.GetOrCreate(ctx, subjectSSOLogin)
	if err != nil {
		return sso.Pending{}, fmt.Errorf("sso: login key: %w", err)
	}
	b, err := keys.Open(key, sealed, []byte("hindsight/sso/pending/v1"))
	if err != nil {
		return sso.Pending{}, sso.ErrLoginExpired
	}
	var p sso.Pending
	if err := json.Unmarshal(b, &p); err != nil {
		return sso.Pending{}, sso.ErrLoginExpired
	}
	return p, nil
}

// localPath keeps a next-page path only if it stays on this server: one
// leading slash, no scheme, no backslash tricks.
func localPath(next string) string {
	if next == "" || len(next) > 512 || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.ContainsAny(next, "\\\r\n\t") {
		return "/"
	}
	return next
}
