package identity

// Magic links: a link in a mail proves that whoever follows it reads that
// mailbox. Three purposes: verifying an account's address, resetting a
// password, and a guest's join (the guest identity of an address goes only
// to someone who can read it).
//
// The request path never mails. It appends what was asked for
// (AccountRegistered, VerificationRequested, PasswordResetRequested,
// GuestJoinRequested); the mail reactor, following the log, calls IssueLink
// for each, which records the link (LinkIssued) and hands back its token
// for the mail. The token is HMAC(link secret, purpose, cause event ID):
// the same for every attempt of one reaction, so a reaction repeated after a
// crash records one link and mails the same one. The log holds the cause's
// ID, never the token; the link's stream is named after the token's
// SHA-256, like an invite's, so whoever holds the log but not the key store
// cannot follow a link. A link is used at most once: LinkUsed is appended at
// the version read, so of two uses at once one wins.

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/hindsight-retro/hindsight/app/keys"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/eventstore"
)

// LinkPurpose is what a magic link does when followed.
type LinkPurpose string

// The purposes of magic links.
const (
	PurposeVerify LinkPurpose = "verify"
	PurposeReset  LinkPurpose = "reset"
	PurposeGuest  LinkPurpose = "guest"
)

// How long a link works after it was asked for.
const (
	VerifyLinkTTL = 24 * time.Hour
	ResetLinkTTL  = 45 * time.Minute
	GuestLinkTTL  = 30 * time.Minute
)

// GuestJoin says who gets a guest identity when someone joins a retro by
// invite with an e-mail address.
type GuestJoin int

const (
	// GuestJoinFresh (the zero value, for servers without mail): every join
	// is a new guest, linked to no earlier join with the address, so knowing
	// someone's address gains nothing of theirs.
	GuestJoinFresh GuestJoin = iota
	// GuestJoinProof (servers with mail): the join mails a link to the
	// address; only following it gives the session, as the one guest of
	// that address (the same across retros).
	GuestJoinProof
	// GuestJoinByAddress: anyone who types an address is that address's
	// guest at once (before mail existed); an operator's explicit choice.
	GuestJoinByAddress
)

const (
	catLink    = "maillink"
	catPWReset = "pwreset"
	// subjectLink keys the HMAC that makes link tokens.
	subjectLink = "server:mail-link"
	// linkTokenBytes: 256 bits, a token as strong as its HMAC.
	linkTokenBytes = 32
	// claimWait is how long a verification waits for its account's address
	// claim: longer, the registration did not finish.
	claimWait = time.Minute
)

// Refusals of magic links.
var (
	ErrLinkInvalid = &domain.Error{Kind: domain.NotFound, Code: "link-invalid", Message: "this link is unknown; ask for a new one"}
	ErrLinkUsed    = &domain.Error{Kind: domain.Conflict, Code: "link-used", Message: "this link was used already; ask for a new one"}
	ErrLinkExpired = &domain.Error{Kind: domain.Conflict, Code: "link-expired", Message: "this link has expired; ask for a new one"}
	// ErrLinkVoid: a reset link unused when the password changed since
	// (through another reset link) works no more.
	ErrLinkVoid = &domain.Error{Kind: domain.Conflict, Code: "link-void",
		Message: "the password was changed since this link was sent, so it works no more; ask for a new one if you need to"}
	// ErrEmailUnverified: an account registered over a guest's identity
	// signs in only once its address is verified, or anyone could register
	// a guest's address and become that guest.
	ErrEmailUnverified = &domain.Error{Kind: domain.Forbidden, Code: "email-unverified",
		Message: "verify your e-mail address first: follow the link in the mail we sent"}
	// ErrGuestProofRequired: on a server with mail, a guest joins only
	// through the link mailed to their address (RequestGuestJoin).
	ErrGuestProofRequired = &domain.Error{Kind: domain.Conflict, Code: "guest-proof-required",
		Message: "a guest joins through the link mailed to their address"}
)

// VerificationRequested: the person asked for another verification mail.
type VerificationRequested struct {
	At time.Time `json:"at"`
}

// EmailVerified: the person followed a link mailed to the address with
// this hash (or their identity provider vouched for it).
type EmailVerified struct {
	EmailHash string    `json:"emailHash"`
	At        time.Time `json:"at"`
}

// PasswordResetRequested: someone asked for a password reset for the
// address with this hash, whether or not it has an account; the mail
// reactor finds out (so the request costs the same either way).
type PasswordResetRequested struct {
	EmailHash string    `json:"emailHash"`
	At        time.Time `json:"at"`
}

// PasswordChanged: a new password, through a reset link (or replaced by an
// identity provider's sign-in). Sessions issued before it stop working.
type PasswordChanged struct {
	PasswordSealed []byte    `json:"passwordSealed"`
	At             time.Time `json:"at"`
}

// GuestJoinRequested: someone asked to join a retro as the guest of this
// account stream's address; the link goes to that address.
type GuestJoinRequested struct {
	RetroID string `json:"retroId"`
	// Invite is the invite's stream ID (the SHA-256 of its code).
	Invite string    `json:"invite"`
	At     time.Time `json:"at"`
}

// LinkIssued: a magic link, on the stream named after its token's SHA-256.
type LinkIssued struct {
	Purpose LinkPurpose `json:"purpose"`
	UserID  string      `json:"userId"`
	// Cause is the ID of the event that asked for the link.
	Cause   string `json:"cause"`
	RetroID string `json:"retroId,omitempty"`
	Invite  string `json:"invite,omitempty"`
	// Passwords is how often the account's password had changed when a
	// reset link was issued: a change since voids the link.
	Passwords int       `json:"passwords,omitempty"`
	ExpiresAt time.Time `json:"expiresAt"`
	At        time.Time `json:"at"`
}

// LinkUsed: the link was followed; it works no more.
type LinkUsed struct {
	At time.Time `json:"at"`
}

func (VerificationRequested) eventType() string  { return "VerificationRequested" }
func (EmailVerified) eventType() string          { return "EmailVerified" }
func (PasswordResetRequested) eventType() string { return "PasswordResetRequested" }
func (PasswordChanged) eventType() string        { return "PasswordChanged" }
func (GuestJoinRequested) eventType() string     { return "GuestJoinRequested" }
func (LinkIssued) eventType() string             { return "LinkIssued" }
func (LinkUsed) eventType() string               { return "LinkUsed" }

// CallsForLink reports whether a recorded event asks for a magic link by
// mail: the mail reactor's filter, so the list lives here once.
func CallsForLink(e eventstore.RecordedEvent) bool {
	switch e.Stream.Category {
	case catAccount:
		return e.Type == "AccountRegistered" || e.Type == "VerificationRequested" || e.Type == "GuestJoinRequested"
	case catPWReset:
		return e.Type == "PasswordResetRequested"
	}
	return false
}

// Link is a magic link to mail: its purpose, who it is for, and the token
// the mail carries (shown only in that mail).
type Link struct {
	Purpose   LinkPurpose
	UserID    string
	Token     string
	ExpiresAt time.Time
	RetroID   string
}

// ParseLinkToken checks a link token's form and returns the ID of its
// stream; ok is false for anything that is not a token.
func ParseLinkToken(token string) (stream string, ok bool) {
	if len(token) != b64url.EncodedLen(linkTokenBytes) {
		return "", false
	}
	raw, err := b64url.DecodeString(token)
	if err != nil || len(raw) != linkTokenBytes {
		return "", false
	}
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:]), true
}

func (s *Service) linkToken(ctx context.Context, purpose LinkPurpose, cause string) (string, error) {
	k, err := s.secret(ctx, subjectLink)
	if err != nil {
		return "", err
	}
	m := hmac.New(sha256.New, k)
	m.Write([]byte("hindsight/mail-link/v1\x00" + string(purpose) + "\x00" + cause))
	return b64url.EncodeToString(m.Sum(nil)[:linkTokenBytes]), nil
}

// IssueLink records the magic link the event e asks for and returns it to
// be mailed; ok is false when there is nothing to mail (an address with no
// account asked for a reset, an address verified already, an erased
// person, or a link that expired before it could be sent). The mail
// reactor calls it once per event (and again, alike, after a crash).
func (s *Service) IssueLink(ctx context.Context, e eventstore.RecordedEvent) (Link, bool, error) {
	if !CallsForLink(e) {
		return Link{}, false, nil
	}
	ev, err := decodeEvent(e.Type, e.SchemaVersion, e.Payload)
	if err != nil {
		return Link{}, false, err
	}
	var l LinkIssued
	// claimPending: the address a new account claims, whose claim is
	// written after the account (Register), so this reaction may come
	// between the two.
	claimPending := ""
	switch ev := ev.(type) {
	case *AccountRegistered:
		if ev.EmailVerified || s.guestJoin != GuestJoinProof {
			return Link{}, false, nil
		}
		if s.now().Sub(ev.At) < claimWait {
			claimPending = ev.EmailHash
		}
		l = LinkIssued{Purpose: PurposeVerify, UserID: e.Stream.ID, ExpiresAt: ev.At.Add(VerifyLinkTTL)}
	case *VerificationRequested:
		l = LinkIssued{Purpose: PurposeVerify, UserID: e.Stream.ID, ExpiresAt: ev.At.Add(VerifyLinkTTL)}
	case *GuestJoinRequested:
		l = LinkIssued{Purpose: PurposeGuest, UserID: e.Stream.ID, RetroID: ev.RetroID, Invite: ev.Invite,
			ExpiresAt: ev.At.Add(GuestLinkTTL)}
	case *PasswordResetRequested:
		reg, userID, err := s.registration(ctx, ev.EmailHash, "")
		if err != nil {
			return Link{}, false, err
		}
		if reg == nil {
			return Link{}, false, nil
		}
		st, err := s.foldAccount(ctx, userID)
		if err != nil {
			return Link{}, false, err
		}
		l = LinkIssued{Purpose: PurposeReset, UserID: userID, ExpiresAt: ev.At.Add(ResetLinkTTL), Passwords: st.passwords}
	default:
		return Link{}, false, nil
	}
	now := s.now().UTC()
	if !now.Before(l.ExpiresAt) {
		return Link{}, false, nil
	}
	if gone, err := s.erased(ctx, l.UserID); err != nil || gone {
		return Link{}, false, err
	}
	if l.Purpose == PurposeVerify {
		st, err := s.account(ctx, l.UserID)
		if err != nil {
			return Link{}, false, err
		}
		if st.current() == nil && claimPending != "" {
			reg, _, err := s.registration(ctx, claimPending, "")
			if err != nil {
				return Link{}, false, err
			}
			if reg == nil {
				// Not claimed yet: an error, so the reactor tries again.
				return Link{}, false, fmt.Errorf("identity: the address of account %s is not claimed yet", l.UserID)
			}
		}
		if st.verified() || st.current() == nil {
			return Link{}, false, nil // verified meanwhile, or a registration that lost a race (or never finished)
		}
	}
	l.Cause, l.At = e.EventID, now
	tok, err := s.linkToken(ctx, l.Purpose, e.EventID)
	if err != nil {
		return Link{}, false, err
	}
	stream, _ := ParseLinkToken(tok)
	_, err = s.appendEvent(ctx, catLink, stream, eventstore.NoStream, "link-"+e.EventID, l.UserID, l)
	if err != nil && !errors.Is(err, eventstore.ErrConflict) {
		return Link{}, false, fmt.Errorf("identity: record a %s link: %w", l.Purpose, err)
	}
	// Recorded now or by an earlier attempt of this reaction: mail the link
	// as the log has it.
	issued, _, err := s.loadLink(ctx, stream)
	if err != nil {
		return Link{}, false, err
	}
	if issued == nil {
		return Link{}, false, fmt.Errorf("identity: link %s vanished after it was written", stream)
	}
	return Link{Purpose: issued.Purpose, UserID: issued.UserID, Token: tok, ExpiresAt: issued.ExpiresAt, RetroID: issued.RetroID}, true, nil
}

func (s *Service) loadLink(ctx context.Context, stream string) (*LinkIssued, int64, error) {
	evs, v, err := s.load(ctx, catLink, stream)
	if err != nil {
		return nil, 0, err
	}
	for _, r := range evs {
		if l, ok := r.event.(*LinkIssued); ok {
			return l, v, nil
		}
	}
	return nil, v, nil
}

// useLink spends a link of the purpose: unknown, used and expired links are
// refused, and of two uses at once only one succeeds.
func (s *Service) useLink(ctx context.Context, token string, purpose LinkPurpose) (*LinkIssued, error) {
	stream, ok := ParseLinkToken(token)
	if !ok {
		return nil, ErrLinkInvalid
	}
	l, v, err := s.loadLink(ctx, stream)
	if err != nil {
		return nil, err
	}
	switch {
	case l == nil || l.Purpose != purpose:
		return nil, ErrLinkInvalid
	case v > 1:
		return nil, ErrLinkUsed
	case !s.now().Before(l.ExpiresAt):
		return nil, ErrLinkExpired
	}
	if purpose == PurposeReset {
		// A password set since this link was sent makes it void: a reset
		// ends every other reset link.
		st, err := s.foldAccount(ctx, l.UserID)
		if err != nil {
			return nil, err
		}
		if st.passwords > l.Passwords {
			return nil, ErrLinkVoid
		}
	}
	id, err := s.newUserID()
	if err != nil {
		return nil, err
	}
	// A fresh command ID: a second use must meet the version check, never
	// pass as a retry of the first.
	_, err = s.appendEvent(ctx, catLink, stream, v, "use-"+id, l.UserID, LinkUsed{At: s.now().UTC()})
	if errors.Is(err, eventstore.ErrConflict) {
		return nil, ErrLinkUsed
	}
	if err != nil {
		return nil, fmt.Errorf("identity: use a %s link: %w", purpose, err)
	}
	return l, nil
}

// VerifyEmail follows a verification link: the account's address is
// verified from now on.
func (s *Service) VerifyEmail(ctx context.Context, token string) error {
	l, err := s.useLink(ctx, token, PurposeVerify)
	if err != nil {
		return err
	}
	return s.markVerified(ctx, l.UserID, "verify-"+l.Cause)
}

// markVerified records that the person's current address was proved.
func (s *Service) markVerified(ctx context.Context, userID, cmdID string) error {
	st, err := s.account(ctx, userID)
	if err != nil {
		return err
	}
	h := st.emailHash()
	if h == "" {
		return domain.ErrNotFound
	}
	_, err = s.appendEvent(ctx, catAccount, userID, eventstore.Any, cmdID, userID, EmailVerified{EmailHash: h, At: s.now().UTC()})
	if err != nil {
		return fmt.Errorf("identity: record a verified address: %w", err)
	}
	s.forgetSessions(userID)
	return nil
}

// RequestVerification asks for another verification mail for the caller's
// account (the first goes at registration); one already verified gets none.
func (s *Service) RequestVerification(ctx context.Context, c Caller) error {
	p := c.Principal
	if p.UserID == "" || p.Kind != KindUser || !p.Can(ScopeWrite) {
		return domain.ErrForbidden
	}
	if err := validateCommandID(c.CommandID); err != nil {
		return err
	}
	st, err := s.account(ctx, p.UserID)
	if err != nil {
		return err
	}
	if st.current() == nil || st.verified() {
		return nil
	}
	_, err = s.appendEvent(ctx, catAccount, p.UserID, eventstore.Any, c.CommandID, p.UserID, VerificationRequested{At: s.now().UTC()})
	if err != nil {
		return fmt.Errorf("identity: ask for a verification mail: %w", err)
	}
	return nil
}

// RequestPasswordReset records that someone asked to reset the password of
// an address. It does the same work whether or not the address has an
// account (a keyed hash and one append), so neither its answer nor its time
// tells; the mail reactor mails a link only to an account's address.
func (s *Service) RequestPasswordReset(ctx context.Context, email string) error {
	norm, err := normalizeEmail(email)
	if err != nil {
		return err
	}
	h, err := s.emailHash(ctx, norm)
	if err != nil {
		return err
	}
	id, err := s.newUserID()
	if err != nil {
		return err
	}
	_, err = s.appendEvent(ctx, catPWReset, h, eventstore.Any, "reset-"+id, "", PasswordResetRequested{EmailHash: h, At: s.now().UTC()})
	if err != nil {
		return fmt.Errorf("identity: ask for a password reset: %w", err)
	}
	return nil
}

// ResetPassword follows a reset link with a new password: it replaces the
// old one, ends every session of the account (on this node at once, on
// others within the revocation cache time), voids the account's other reset
// links, and verifies the address (the link came through it).
func (s *Service) ResetPassword(ctx context.Context, token, password string) error {
	// A password refused on its form leaves the link usable.
	if _, ok := ParseLinkToken(token); !ok {
		return ErrLinkInvalid
	}
	if err := validatePassword(password); err != nil {
		return err
	}
	l, err := s.useLink(ctx, token, PurposeReset)
	if err != nil {
		return err
	}
	if err := s.setPassword(ctx, l.UserID, password, "reset-"+l.Cause); err != nil {
		return err
	}
	s.log.Info("identity: password reset through a mailed link", "user", l.UserID)
	return s.markVerified(ctx, l.UserID, "reset-verify-"+l.Cause)
}

func (s *Service) setPassword(ctx context.Context, userID, password, cmdID string) error {
	key, err := s.keys.Get(ctx, userSubject(userID))
	if err != nil {
		return fmt.Errorf("identity: key of user %s: %w", userID, err)
	}
	phc, err := s.hashPassword(ctx, password)
	if err != nil {
		return err
	}
	ev := PasswordChanged{At: s.now().UTC()}
	if ev.PasswordSealed, err = keys.Seal(key, []byte(phc), aad(userID, "password")); err != nil {
		return err
	}
	if _, err := s.appendEvent(ctx, catAccount, userID, eventstore.Any, cmdID, userID, ev); err != nil {
		return fmt.Errorf("identity: record a new password: %w", err)
	}
	s.forgetSessions(userID)
	return nil
}

// GuestJoinPending answers a guest's join on a server with mail: the link
// went (or goes) to the address.
type GuestJoinPending struct {
	ExpiresAt time.Time
}

// RequestGuestJoin is a guest's join on a server with mail: the guest
// identity of the address is found (or made), and a link that gives its
// session is mailed to the address; nobody gets a session here. The answer
// is the same for an address seen before and a new one.
func (s *Service) RequestGuestJoin(ctx context.Context, c Caller, code string, in GuestInput) (GuestJoinPending, error) {
	if s.guestJoin != GuestJoinProof {
		return GuestJoinPending{}, fmt.Errorf("identity: a guest join by mail on a server without mail")
	}
	inv, h, norm, name, err := s.checkJoin(ctx, c, code, in)
	if err != nil {
		return GuestJoinPending{}, err
	}
	userID, err := s.guestID(ctx, c.CommandID, h, norm, name)
	if err != nil {
		return GuestJoinPending{}, err
	}
	at := s.now().UTC()
	// Its own command ID: a first join wrote the guest's registration to
	// this stream under the caller's.
	_, err = s.appendEvent(ctx, catAccount, userID, eventstore.Any, c.CommandID+":mail", userID,
		GuestJoinRequested{RetroID: inv.RetroID, Invite: inviteStream(code), At: at})
	if err != nil {
		return GuestJoinPending{}, fmt.Errorf("identity: ask for a guest link: %w", err)
	}
	return GuestJoinPending{ExpiresAt: at.Add(GuestLinkTTL)}, nil
}

// ConfirmGuestJoin follows a guest's link: the session of the address's
// guest in the invite's retro, if the invite still works. The address is
// verified for that guest from now on.
func (s *Service) ConfirmGuestJoin(ctx context.Context, token string) (Token, Principal, error) {
	l, err := s.useLink(ctx, token, PurposeGuest)
	if err != nil {
		return Token{}, Principal{}, err
	}
	inv, ok, err := s.loadInviteStream(ctx, l.Invite)
	if err != nil {
		return Token{}, Principal{}, err
	}
	if !ok || !s.now().Before(inv.ExpiresAt) {
		return Token{}, Principal{}, ErrInviteInvalid
	}
	if gone, err := s.erased(ctx, l.UserID); err != nil {
		return Token{}, Principal{}, err
	} else if gone {
		return Token{}, Principal{}, ErrErased
	}
	_, err = s.appendEvent(ctx, catInvite, l.Invite, eventstore.Any, "guest-"+l.Cause, l.UserID, InviteUsed{UserID: l.UserID, At: s.now().UTC()})
	if err != nil {
		return Token{}, Principal{}, fmt.Errorf("identity: record invite use: %w", err)
	}
	if err := s.markVerified(ctx, l.UserID, "guest-verify-"+l.Cause); err != nil {
		return Token{}, Principal{}, err
	}
	tok, err := s.issueSession(ctx, l.UserID, KindGuest, inv.RetroID)
	if err != nil {
		return Token{}, Principal{}, err
	}
	return tok, tok.Principal, nil
}
