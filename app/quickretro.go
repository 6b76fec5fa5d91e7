package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/workspace"
	"github.com/hindsight-retro/hindsight/eventstore"
)

// A quick retro is tried without an account: someone gives a display
// name and gets a real retro in a throwaway workspace and team of their
// own, with an invite link for the others. Whoever holds its claim token
// and has an account adopts it (becomes admin of its workspace and team
// and its moderator); one nobody claimed expires after QuickRetroTTL.
//
// Its facts are in the log: quickretro-<userID> holds QuickRetroStarted
// (the person, written first, so even a start that fails half-way is
// found and erased later), QuickRetroReady (what was made),
// QuickRetroClaimed or QuickRetroExpired; quickretros-index lists every
// start with its expiry, for the sweep that erases expired ones. The sweep
// runs at every start of the app and every minute, so a restart loses none.
const (
	CategoryQuickRetro      = "quickretro"
	CategoryQuickRetroIndex = "quickretros"
	quickIndexID            = "index"
)

// DefaultQuickRetroTTL is how long an unclaimed quick retro lives unless
// the operator chooses (Deps.QuickRetroTTL). Its invite ends sooner
// (QuickInviteTTL, or the quick retro's lifetime if that is shorter), and
// so does its creator's session by default, so at expiry nobody holds a
// way in any more.
const (
	DefaultQuickRetroTTL = 24 * time.Hour
	QuickInviteTTL       = 12 * time.Hour
)

// QuickRetroTTL is how long this app's unclaimed quick retros live.
func (a *App) QuickRetroTTL() time.Duration { return a.d.QuickRetroTTL }

// QuickRetroSweepEvery is how often the expiry sweep runs: every minute,
// or more often when quick retros live for less than four minutes, so
// one is erased within a quarter of its lifetime after it expired.
func (a *App) QuickRetroSweepEvery() time.Duration {
	return max(time.Second, min(time.Minute, a.d.QuickRetroTTL/4))
}

// Codes of the quick retro's refusals.
const (
	CodeQuickRetroUnknown = "quick-retro-unknown"
	CodeQuickRetroExpired = "quick-retro-expired"
	CodeQuickRetroClaimed = "quick-retro-claimed"
)

type quickStarted struct {
	UserID    string    `json:"userId"`
	ExpiresAt time.Time `json:"expiresAt"`
	At        time.Time `json:"at"`
}

type quickReady struct {
	WorkspaceID string `json:"workspaceId"`
	TeamID      string `json:"teamId"`
	RetroID     string `json:"retroId"`
}

type quickClaimed struct {
	By string    `json:"by"`
	At time.Time `json:"at"`
}

type quickExpired struct {
	At time.Time `json:"at"`
}

const (
	typeQuickStarted = "QuickRetroStarted"
	typeQuickReady   = "QuickRetroReady"
	typeQuickClaimed = "QuickRetroClaimed"
	typeQuickExpired = "QuickRetroExpired"
)

type quickState struct {
	started bool
	quickStarted
	quickReady
	claimedBy string
	expired   bool
	version   int64
}

func (a *App) loadQuick(ctx context.Context, userID string) (quickState, error) {
	evs, err := a.d.Store.Load(ctx, eventstore.StreamID{Category: CategoryQuickRetro, ID: userID}, 0)
	if errors.Is(err, eventstore.ErrStreamNotFound) {
		return quickState{}, nil
	}
	if err != nil {
		return quickState{}, fmt.Errorf("quick retro of %s: %w", userID, err)
	}
	var s quickState
	for _, e := range evs {
		s.version = e.StreamVersion
		var derr error
		switch e.Type {
		case typeQuickStarted:
			s.started = true
			derr = json.Unmarshal(e.Payload, &s.quickStarted)
		case typeQuickReady:
			derr = json.Unmarshal(e.Payload, &s.quickReady)
		case typeQuickClaimed:
			var c quickClaimed
			derr = json.Unmarshal(e.Payload, &c)
			s.claimedBy = c.By
		case typeQuickExpired:
			s.expired = true
		default:
			derr = fmt.Errorf("unknown event type %q", e.Type)
		}
		if derr != nil {
			return quickState{}, fmt.Errorf("quick retro of %s: %w", userID, derr)
		}
	}
	return s, nil
}

func (a *App) appendQuick(ctx context.Context, stream eventstore.StreamID, expected int64, cmdID, actor, typ string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", typ, err)
	}
	_, err = a.d.Store.Append(ctx, eventstore.Commit{Stream: stream, ExpectedVersion: expected, CommandID: cmdID, Actor: actor,
		Events: []eventstore.Event{{Type: typ, SchemaVersion: 1, Payload: b}}})
	if err != nil {
		return fmt.Errorf("%s: %w", typ, err)
	}
	return nil
}

// QuickRetroInput is all a quick retro needs: the starter's display name
// (and a title, "Quick retro" when empty).
type QuickRetroInput struct {
	Name  string
	Title string
}

// QuickRetro is a started quick retro, as its starter is shown it once.
type QuickRetro struct {
	WorkspaceID string
	TeamID      string
	RetroID     string
	InviteCode  string
	// ClaimToken adopts the retro into an account (ClaimQuickRetro); it
	// is shown only here.
	ClaimToken string
	ExpiresAt  time.Time
	Session    identity.Token
}

// StartQuickRetro starts a quick retro for someone with only a display
// name. cmdID must be one nobody else can send (the transport makes a
// random one): the person's session derives from it.
func (a *App) StartQuickRetro(ctx context.Context, cmdID string, in QuickRetroInput) (QuickRetro, error) {
	if a.d.Identity == nil {
		return QuickRetro{}, errors.New("app: no identity service for quick retros")
	}
	if a.sealer == nil {
		return QuickRetro{}, errors.New("app: the log cannot seal content (app/sealedlog), so a quick retro could not be erased")
	}
	tok, err := a.d.Identity.StartQuick(ctx, identity.Caller{CommandID: cmdID}, in.Name)
	if err != nil {
		return QuickRetro{}, err
	}
	p := tok.Principal
	now := a.now()
	expires := now.Add(a.d.QuickRetroTTL)
	if err := a.appendQuick(ctx, eventstore.StreamID{Category: CategoryQuickRetro, ID: p.UserID}, eventstore.NoStream, cmdID, p.UserID,
		typeQuickStarted, quickStarted{UserID: p.UserID, ExpiresAt: expires, At: now}); err != nil && !errors.Is(err, eventstore.ErrConflict) {
		return QuickRetro{}, err
	}
	if err := a.appendQuick(ctx, eventstore.StreamID{Category: CategoryQuickRetroIndex, ID: quickIndexID}, eventstore.Any, cmdID, p.UserID,
		typeQuickStarted, quickStarted{UserID: p.UserID, ExpiresAt: expires, At: now}); err != nil {
		return QuickRetro{}, err
	}
	as := func(kind string) identity.Caller {
		return identity.Caller{Principal: p, CommandID: derivedID(kind, cmdID)}
	}
	// The workspace is sealed before it is made: its ID is claimed here
	// as CreateWorkspace claims it (same kind, person and command ID), so
	// that finds the same one. Its team and retro, made in the sealed
	// workspace, are sealed by CreateTeam and createRetro.
	wsID, err := a.claimID(ctx, workspace.Category, p.UserID, as("quick-ws").CommandID)
	if err != nil {
		return QuickRetro{}, err
	}
	if err := a.noteQuickOwner(ctx, wsID, p.UserID); err != nil {
		return QuickRetro{}, err
	}
	if err := a.sealQuickScope(ctx, wsID, eventstore.StreamID{Category: workspace.Category, ID: wsID}); err != nil {
		return QuickRetro{}, err
	}
	ws, err := a.CreateWorkspace(ctx, as("quick-ws"), WorkspaceInput{Name: "Quick retro"})
	if err != nil {
		return QuickRetro{}, err
	}
	tm, err := a.CreateTeam(ctx, as("quick-team"), CreateTeamInput{WorkspaceID: ws.ID, Name: "Quick retro", TemplateID: "scrum-team"})
	if err != nil {
		return QuickRetro{}, err
	}
	title := strings.TrimSpace(in.Title)
	if title == "" {
		title = "Quick retro"
	}
	rt, err := a.CreateRetro(ctx, as("quick-retro"), CreateRetroInput{TeamID: tm.ID, Title: title})
	if err != nil {
		return QuickRetro{}, err
	}
	st, err := a.loadQuick(ctx, p.UserID)
	if err != nil {
		return QuickRetro{}, err
	}
	if st.RetroID == "" {
		if err := a.appendQuick(ctx, eventstore.StreamID{Category: CategoryQuickRetro, ID: p.UserID}, st.version, derivedID("quick-ready", cmdID), p.UserID,
			typeQuickReady, quickReady{WorkspaceID: ws.ID, TeamID: tm.ID, RetroID: rt.ID}); err != nil {
			return QuickRetro{}, err
		}
	}
	inv, err := a.CreateInvite(ctx, as("quick-invite"), rt.ID, now.Add(min(QuickInviteTTL, a.d.QuickRetroTTL)))
	if err != nil {
		return QuickRetro{}, err
	}
	claim, err := a.claimToken(ctx, p.UserID)
	if err != nil {
		return QuickRetro{}, err
	}
	return QuickRetro{WorkspaceID: ws.ID, TeamID: tm.ID, RetroID: rt.ID, InviteCode: inv.Code, ClaimToken: claim, ExpiresAt: expires, Session: tok}, nil
}

const subjectQuickClaim = "server:quick-retro-claim"

// claimToken is <userID>.<MAC of it>: it names the quick retro's person
// and proves that whoever holds it was shown it.
func (a *App) claimToken(ctx context.Context, userID string) (string, error) {
	key, err := a.d.Keys.GetOrCreate(ctx, subjectQuickClaim)
	if err != nil {
		return "", fmt.Errorf("quick retro claim key: %w", err)
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte("hindsight/quick-claim/v1\x00" + userID))
	return userID + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil)), nil
}

// ClaimQuickRetro adopts a quick retro into the caller's account: the
// caller becomes an admin of its workspace and team and its moderator, and
// it no longer expires. The caller signed up or logged in first; the quick
// retro's own person stays a member (their key is kept).
func (a *App) ClaimQuickRetro(ctx context.Context, c identity.Caller, token string) (QuickRetro, error) {
	if err := commandGate(c); err != nil {
		return QuickRetro{}, err
	}
	unknown := domain.Errorf(domain.NotFound, CodeQuickRetroUnknown, "no quick retro has this claim token")
	userID, _, ok := strings.Cut(token, ".")
	if !ok || !validStreamID(userID) || len(token) > 256 {
		return QuickRetro{}, unknown
	}
	want, err := a.claimToken(ctx, userID)
	if err != nil {
		return QuickRetro{}, err
	}
	if subtle.ConstantTimeCompare([]byte(want), []byte(token)) != 1 {
		return QuickRetro{}, unknown
	}
	me := c.Principal
	if me.Kind != identity.KindUser || me.UserID == userID || identity.IsQuickPerson(me.UserID) {
		return QuickRetro{}, forbidden("sign up or log in with an account to claim a quick retro")
	}
	st, err := a.loadQuick(ctx, userID)
	if err != nil {
		return QuickRetro{}, err
	}
	switch {
	case !st.started || st.RetroID == "":
		return QuickRetro{}, unknown
	case st.expired || !a.now().Before(st.ExpiresAt):
		return QuickRetro{}, domain.Errorf(domain.NotFound, CodeQuickRetroExpired, "this quick retro expired and its data was erased")
	case st.claimedBy != "" && st.claimedBy != me.UserID:
		return QuickRetro{}, domain.Errorf(domain.Conflict, CodeQuickRetroClaimed, "someone claimed this quick retro already")
	}
	quick := identity.Principal{UserID: userID, Kind: identity.KindUser, Scopes: []identity.Scope{identity.ScopeWrite}}
	as := func(p identity.Principal, kind string) identity.Caller {
		return identity.Caller{Principal: p, CommandID: derivedID(kind, c.CommandID)}
	}
	if _, err := a.AddWorkspaceAdmin(ctx, as(quick, "claim-ws"), st.WorkspaceID, Person{UserID: me.UserID}); err != nil && domain.CodeOf(err) != "already-admin" {
		return QuickRetro{}, err
	}
	if _, err := a.AddMember(ctx, as(quick, "claim-team"), st.TeamID, AddMemberInput{UserID: me.UserID, Admin: true}); err != nil && domain.CodeOf(err) != "already-member" {
		return QuickRetro{}, err
	}
	r, _, err := a.loadRetro(ctx, st.RetroID)
	if err != nil {
		return QuickRetro{}, err
	}
	if !r.Closed && r.Moderator == userID {
		if _, err := a.JoinRetro(ctx, as(me, "claim-join"), st.RetroID); err != nil {
			return QuickRetro{}, err
		}
		if _, err := a.RetroCommand(ctx, as(quick, "claim-moderate"), st.RetroID, HandOverModeration{To: me.UserID}); err != nil {
			return QuickRetro{}, err
		}
	}
	if st.claimedBy == "" {
		if err := a.appendQuick(ctx, eventstore.StreamID{Category: CategoryQuickRetro, ID: userID}, st.version, c.CommandID, me.UserID,
			typeQuickClaimed, quickClaimed{By: me.UserID, At: a.now()}); err != nil && !errors.Is(err, eventstore.ErrConflict) {
			return QuickRetro{}, err
		}
	}
	return QuickRetro{WorkspaceID: st.WorkspaceID, TeamID: st.TeamID, RetroID: st.RetroID, ExpiresAt: time.Time{}}, nil
}

// ExpireQuickRetros erases every unclaimed quick retro past its expiry:
// the starter's key is destroyed (their name is unreadable for ever, and
// nobody can act as them), so are the retro's anonymity key and the keys
// its content is sealed under (quickcontent.go), and the quick retro is
// recorded as expired. It answers how many it erased. Run
// by RunQuickRetroExpiry; safe to run on several nodes at once.
func (a *App) ExpireQuickRetros(ctx context.Context) (int, error) {
	if a.d.Identity == nil {
		return 0, errors.New("app: no identity service to erase quick retros' people")
	}
	evs, err := a.d.Store.Load(ctx, eventstore.StreamID{Category: CategoryQuickRetroIndex, ID: quickIndexID}, 0)
	if errors.Is(err, eventstore.ErrStreamNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("quick retro index: %w", err)
	}
	now := a.now()
	n := 0
	var forget []quickState
	defer func() { a.forgetErased(ctx, forget) }()
	for _, e := range evs {
		var s quickStarted
		if err := json.Unmarshal(e.Payload, &s); err != nil {
			return n, fmt.Errorf("quick retro index: %w", err)
		}
		if now.Before(s.ExpiresAt) {
			continue
		}
		st, err := a.loadQuick(ctx, s.UserID)
		if err != nil {
			return n, err
		}
		if st.claimedBy != "" {
			continue
		}
		if st.expired {
			if a.erasedSeen.see(s.UserID) {
				forget = append(forget, st)
			}
			continue
		}
		a.invalidateTextModels()
		if err := a.d.Identity.Erase(ctx, s.UserID); err != nil && !errors.Is(err, domain.ErrNotFound) {
			return n, fmt.Errorf("quick retro of %s: erase its person: %w", s.UserID, err)
		}
		if st.RetroID != "" {
			if err := a.d.Keys.Destroy(ctx, retroKey(st.RetroID)); err != nil {
				return n, fmt.Errorf("quick retro %s: destroy its key: %w", st.RetroID, err)
			}
		}
		if st.WorkspaceID != "" {
			if _, err := a.eraseQuickGuests(ctx, st.WorkspaceID); err != nil {
				return n, fmt.Errorf("quick retro %s: erase its guests: %w", st.RetroID, err)
			}
			if err := a.eraseQuickContent(ctx, st.WorkspaceID); err != nil {
				return n, fmt.Errorf("quick retro %s: erase its content: %w", st.RetroID, err)
			}
		}
		err = a.appendQuick(ctx, eventstore.StreamID{Category: CategoryQuickRetro, ID: s.UserID}, st.version, derivedID("quick-expired", s.UserID), "system",
			typeQuickExpired, quickExpired{At: now})
		if err != nil && !errors.Is(err, eventstore.ErrConflict) {
			return n, err
		}
		n++
		a.erasedSeen.see(s.UserID)
		forget = append(forget, st)
		a.d.Logger.Info("quick retro expired and erased", "retro", st.RetroID)
	}
	return n, nil
}

// RunQuickRetroExpiry sweeps at once and then every interval until ctx
// ends; a failed sweep is logged and tried again at the next tick.
func (a *App) RunQuickRetroExpiry(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := a.ExpireQuickRetros(ctx); err != nil && ctx.Err() == nil {
			a.d.Logger.Warn("quick retro expiry failed; trying again", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
