package identity

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/hindsight-retro/hindsight/app/keys"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/eventstore"
)

// inviteCodeBytes: 128 bits, as hard to guess as a random UUID is meant to be.
const inviteCodeBytes = 16

// InviteInput is an invite to a retro: the retro's team, and when the
// invite expires (at most MaxInviteTTL ahead).
type InviteInput struct {
	TeamID  string
	Expires time.Time
}

// CreateInvite makes an invite code for retroID. The app checks that the
// caller moderates the retro before calling. The code is derived from a
// server secret, the inviting user and the command ID, so a retry with the
// same command ID returns the same invite; the log keeps only the code's
// SHA-256.
func (s *Service) CreateInvite(ctx context.Context, c Caller, retroID string, in InviteInput) (Invite, error) {
	p := c.Principal
	if p.Kind == KindGuest || p.UserID == "" || !p.Can(ScopeWrite) {
		return Invite{}, domain.ErrForbidden
	}
	if err := validateCommandID(c.CommandID); err != nil {
		return Invite{}, err
	}
	if err := validateRef("a retro ID", retroID); err != nil {
		return Invite{}, err
	}
	if err := validateRef("a team ID", in.TeamID); err != nil {
		return Invite{}, err
	}
	now := s.now().UTC()
	expires := in.Expires.UTC()
	if !expires.After(now) || expires.Sub(now) > MaxInviteTTL {
		return Invite{}, domain.Errorf(domain.Invalid, CodeExpiryInvalid, "an invite must expire in the future and within %s", MaxInviteTTL)
	}
	secret, err := s.secret(ctx, subjectInviteCode)
	if err != nil {
		return Invite{}, err
	}
	m := hmac.New(sha256.New, secret)
	for _, part := range []string{p.UserID, c.CommandID, retroID, in.TeamID} {
		// Length-prefixed, so no two different inputs run together alike.
		m.Write(binary.BigEndian.AppendUint32(nil, uint32(len(part))))
		m.Write([]byte(part))
	}
	code := b64url.EncodeToString(m.Sum(nil)[:inviteCodeBytes])
	ev := InviteCreated{RetroID: retroID, TeamID: in.TeamID, CreatedBy: p.UserID, ExpiresAt: expires, At: now}
	_, err = s.appendEvent(ctx, catInvite, inviteStream(code), eventstore.NoStream, c.CommandID, p.UserID, ev)
	if err != nil && !errors.Is(err, eventstore.ErrConflict) {
		return Invite{}, fmt.Errorf("identity: create invite: %w", err)
	}
	// Created now or by an earlier attempt of this command: read it back.
	inv, ok, err := s.loadInvite(ctx, code)
	if err != nil {
		return Invite{}, err
	}
	if !ok {
		return Invite{}, fmt.Errorf("identity: invite %s vanished after it was written", inviteStream(code))
	}
	return inv, nil
}

func inviteStream(code string) string {
	sum := sha256.Sum256([]byte(code))
	return hex.EncodeToString(sum[:])
}

func (s *Service) loadInvite(ctx context.Context, code string) (Invite, bool, error) {
	inv, ok, err := s.loadInviteStream(ctx, inviteStream(code))
	inv.Code = code
	return inv, ok, err
}

// loadInviteStream reads an invite by its stream ID; the code is not known.
func (s *Service) loadInviteStream(ctx context.Context, stream string) (Invite, bool, error) {
	evs, _, err := s.load(ctx, catInvite, stream)
	if err != nil {
		return Invite{}, false, err
	}
	for _, r := range evs {
		if e, ok := r.event.(*InviteCreated); ok {
			return Invite{RetroID: e.RetroID, TeamID: e.TeamID, ExpiresAt: e.ExpiresAt}, true, nil
		}
	}
	return Invite{}, false, nil
}

// GuestInput is who joins as a guest: an e-mail address and a name.
type GuestInput struct {
	Email string
	Name  string
}

// JoinAsGuest lets a person with an invite code join its retro with an
// e-mail address and a name, no account, on a server without mail; the
// caller has no principal. Each join is a fresh guest (GuestJoinFresh), or,
// where the operator chose GuestJoinByAddress, the same address always
// gives the same guest user ID (the name given on the first join is kept).
// With mail (GuestJoinProof) it refuses: the join goes through
// RequestGuestJoin and the mailed link. The session it returns is scoped to
// the invite's retro. An address that has an account gives
// ErrAccountExists: its owner logs in instead.
func (s *Service) JoinAsGuest(ctx context.Context, c Caller, code string, in GuestInput) (Token, Principal, error) {
	if s.guestJoin == GuestJoinProof {
		return Token{}, Principal{}, ErrGuestProofRequired
	}
	inv, h, norm, name, err := s.checkJoin(ctx, c, code, in)
	if err != nil {
		return Token{}, Principal{}, err
	}
	var userID string
	if s.guestJoin == GuestJoinByAddress {
		userID, err = s.guestID(ctx, c.CommandID, h, norm, name)
	} else {
		userID, err = s.freshGuest(ctx, c.CommandID, norm, name)
	}
	if err != nil {
		return Token{}, Principal{}, err
	}
	_, err = s.appendEvent(ctx, catInvite, inviteStream(code), eventstore.Any, c.CommandID, userID, InviteUsed{UserID: userID, At: s.now().UTC()})
	if err != nil {
		return Token{}, Principal{}, fmt.Errorf("identity: record invite use: %w", err)
	}
	tok, err := s.issueSession(ctx, userID, KindGuest, inv.RetroID)
	if err != nil {
		return Token{}, Principal{}, err
	}
	return tok, tok.Principal, nil
}

// checkJoin checks a guest's join: the command ID, the address and name,
// a working invite, and an address no account holds (its owner logs in).
func (s *Service) checkJoin(ctx context.Context, c Caller, code string, in GuestInput) (inv Invite, h, norm, name string, err error) {
	if err := validateCommandID(c.CommandID); err != nil {
		return Invite{}, "", "", "", err
	}
	if norm, err = normalizeEmail(in.Email); err != nil {
		return Invite{}, "", "", "", err
	}
	if name, err = normalizeName(in.Name, MaxNameChars); err != nil {
		return Invite{}, "", "", "", err
	}
	if len(code) != b64url.EncodedLen(inviteCodeBytes) {
		return Invite{}, "", "", "", ErrInviteInvalid
	}
	inv, ok, err := s.loadInvite(ctx, code)
	if err != nil {
		return Invite{}, "", "", "", err
	}
	if !ok || !s.now().Before(inv.ExpiresAt) {
		return Invite{}, "", "", "", ErrInviteInvalid
	}
	if h, err = s.emailHash(ctx, norm); err != nil {
		return Invite{}, "", "", "", err
	}
	if owner, err := s.loadClaim(ctx, catEmail, h); err != nil {
		return Invite{}, "", "", "", err
	} else if owner.found {
		gone, err := s.erased(ctx, owner.userID)
		if err != nil {
			return Invite{}, "", "", "", err
		}
		if !gone {
			return Invite{}, "", "", "", ErrAccountExists
		}
	}
	return inv, h, norm, name, nil
}

// freshGuest registers a guest linked to no other join with the address
// (no guest claim, and no address hash that a registration or a later
// join would find), so typing someone's address gains nothing of theirs.
// The user ID derives from the command ID: a retry is the same guest.
func (s *Service) freshGuest(ctx context.Context, cmdID, email, name string) (string, error) {
	sum := sha256.Sum256([]byte("hindsight/fresh-guest/v1\x00" + cmdID))
	userID := "g-" + hex.EncodeToString(sum[:16])
	key, err := s.keys.GetOrCreate(ctx, userSubject(userID))
	if err != nil {
		return "", fmt.Errorf("identity: key of user %s: %w", userID, err)
	}
	ev := GuestRegistered{UserID: userID, At: s.now().UTC()}
	if ev.EmailSealed, err = keys.Seal(key, []byte(email), aad(userID, "email")); err != nil {
		return "", err
	}
	if ev.NameSealed, err = keys.Seal(key, []byte(name), aad(userID, "name")); err != nil {
		return "", err
	}
	if _, err := s.appendEvent(ctx, catAccount, userID, eventstore.NoStream, cmdID, userID, ev); err != nil && !errors.Is(err, eventstore.ErrConflict) {
		return "", fmt.Errorf("identity: register a guest: %w", err)
	}
	return userID, nil
}

// guestID returns the guest user ID of e-mail hash h, registering a new
// guest if there is none (or the last one was erased). Concurrent first
// joins converge on one ID: the guest stream is claimed at the version read.
func (s *Service) guestID(ctx context.Context, cmdID, h, email, name string) (string, error) {
	g, err := s.loadClaim(ctx, catGuest, h)
	if err != nil {
		return "", err
	}
	if g.found {
		gone, err := s.erased(ctx, g.userID)
		if err != nil {
			return "", err
		}
		if !gone {
			return g.userID, nil
		}
	}
	userID, err := s.newUserID()
	if err != nil {
		return "", err
	}
	key, err := s.keys.GetOrCreate(ctx, userSubject(userID))
	if err != nil {
		return "", fmt.Errorf("identity: key of user %s: %w", userID, err)
	}
	ev := GuestRegistered{UserID: userID, EmailHash: h, At: s.now().UTC()}
	if ev.EmailSealed, err = keys.Seal(key, []byte(email), aad(userID, "email")); err != nil {
		return "", err
	}
	if ev.NameSealed, err = keys.Seal(key, []byte(name), aad(userID, "name")); err != nil {
		return "", err
	}
	if _, err := s.appendEvent(ctx, catAccount, userID, eventstore.NoStream, cmdID, userID, ev); err != nil {
		return "", fmt.Errorf("identity: register guest: %w", err)
	}
	_, err = s.appendEvent(ctx, catGuest, h, g.streamVersion, cmdID, userID, GuestIdentified{UserID: userID, At: ev.At})
	if err != nil && !errors.Is(err, eventstore.ErrConflict) {
		return "", fmt.Errorf("identity: claim guest identity: %w", err)
	}
	after, err := s.loadClaim(ctx, catGuest, h)
	if err != nil {
		return "", err
	}
	if id, ok := after.claimedBy(cmdID); ok && id == userID {
		return userID, nil
	}
	// Another join won (or an earlier attempt of this command did): ours is
	// an orphan nobody can reach; shred it.
	if derr := s.keys.Destroy(ctx, userSubject(userID)); derr != nil {
		s.log.Warn("identity: cannot shred an orphaned guest", "user", userID, "err", derr)
	}
	if !after.found {
		return "", fmt.Errorf("identity: guest stream %s is empty after a claim", h)
	}
	return after.userID, nil
}
