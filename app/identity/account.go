package identity

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/hindsight-retro/hindsight/app/keys"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/eventstore"
)

// aad binds a sealed field to its owner and its name, so a ciphertext copied
// to another person or another field does not open.
func aad(userID, field string) []byte {
	return []byte("hindsight/identity/v1|" + userID + "|" + field)
}

// emailHash is a keyed hash of a normalised e-mail address: stable across
// nodes, useless for guessing addresses without the server secret.
func (s *Service) emailHash(ctx context.Context, normalized string) (string, error) {
	k, err := s.secret(ctx, subjectEmailHash)
	if err != nil {
		return "", err
	}
	m := hmac.New(sha256.New, k)
	m.Write([]byte(normalized))
	return hex.EncodeToString(m.Sum(nil)), nil
}

// claim is the latest owner recorded on an email- or guest- stream.
type claim struct {
	found          bool
	userID         string
	accountVersion int64
	command        string
	// streamVersion is the stream's version, for the next claim's append.
	streamVersion int64
	history       []recorded
}

func (s *Service) loadClaim(ctx context.Context, category, hash string) (claim, error) {
	evs, v, err := s.load(ctx, category, hash)
	if err != nil {
		return claim{}, err
	}
	c := claim{streamVersion: v, history: evs}
	for _, r := range evs {
		switch e := r.event.(type) {
		case *EmailClaimed:
			c = claim{found: true, userID: e.UserID, accountVersion: e.AccountVersion, command: r.command, streamVersion: v, history: evs}
		case *GuestIdentified:
			c = claim{found: true, userID: e.UserID, command: r.command, streamVersion: v, history: evs}
		}
	}
	return c, nil
}

// claimedBy returns the user a claim made by command cmdID names.
func (c claim) claimedBy(cmdID string) (string, bool) {
	for _, r := range c.history {
		if r.command != cmdID {
			continue
		}
		switch e := r.event.(type) {
		case *EmailClaimed:
			return e.UserID, true
		case *GuestIdentified:
			return e.UserID, true
		}
	}
	return "", false
}

// erased reports whether the user's key was destroyed. Only a destroyed
// key releases a claim: a key that is merely missing (a key store lost or
// misconfigured) keeps the claim, so e-mail addresses are not up for grabs.
func (s *Service) erased(ctx context.Context, userID string) (bool, error) {
	_, err := s.keys.Get(ctx, userSubject(userID))
	switch {
	case err == nil:
		return false, nil
	case errors.Is(err, keys.ErrDestroyed):
		return true, nil
	case errors.Is(err, keys.ErrNotFound):
		return false, nil
	}
	return false, fmt.Errorf("identity: key of user %s: %w", userID, err)
}

// Registration is what an account is made of.
type Registration struct {
	Email    string
	Password string
	Name     string
	// providerVerified: an identity provider vouched for the address.
	providerVerified bool
}

// Register creates an account and returns its user ID; the caller has no
// principal. A guest who joined with the same e-mail address keeps their
// user ID. A retry with the same command ID returns the same user ID. An
// address whose account was erased can be registered again, as a new user.
func (s *Service) Register(ctx context.Context, c Caller, in Registration) (string, error) {
	if err := validateCommandID(c.CommandID); err != nil {
		return "", err
	}
	norm, err := normalizeEmail(in.Email)
	if err != nil {
		return "", err
	}
	if err := validatePassword(in.Password); err != nil {
		return "", err
	}
	name, err := normalizeName(in.Name, MaxNameChars)
	if err != nil {
		return "", err
	}
	h, err := s.emailHash(ctx, norm)
	if err != nil {
		return "", err
	}
	owner, err := s.loadClaim(ctx, catEmail, h)
	if err != nil {
		return "", err
	}
	if owner.found {
		if owner.command == c.CommandID {
			return owner.userID, nil
		}
		gone, err := s.erased(ctx, owner.userID)
		if err != nil {
			return "", err
		}
		if !gone {
			// Hash as a registration would, so the answer's time does not
			// tell a taken address from a free one.
			s.burnPassword(ctx, in.Password)
			return "", ErrEmailTaken
		}
	}

	userID, accountVersion, fresh, err := s.accountFor(ctx, h)
	if err != nil {
		return "", err
	}
	key, err := s.keys.GetOrCreate(ctx, userSubject(userID))
	if err != nil {
		return "", fmt.Errorf("identity: key of user %s: %w", userID, err)
	}
	phc, err := s.hashPassword(ctx, in.Password)
	if err != nil {
		return "", err
	}
	ev := AccountRegistered{UserID: userID, EmailHash: h, At: s.now().UTC(), EmailVerified: in.providerVerified}
	if ev.EmailSealed, err = keys.Seal(key, []byte(norm), aad(userID, "email")); err != nil {
		return "", err
	}
	if ev.NameSealed, err = keys.Seal(key, []byte(name), aad(userID, "name")); err != nil {
		return "", err
	}
	if ev.PasswordSealed, err = keys.Seal(key, []byte(phc), aad(userID, "password")); err != nil {
		return "", err
	}
	// The account first, then the claim: a claim never points to an account
	// that is not there, and the loser of a race leaves only an account
	// nobody can reach, whose key it destroys.
	res, err := s.appendEvent(ctx, catAccount, userID, accountVersion, c.CommandID, userID, ev)
	if errors.Is(err, eventstore.ErrConflict) {
		// Someone registered this guest's address at the same time.
		return "", ErrEmailTaken
	}
	if err != nil {
		return "", fmt.Errorf("identity: register: %w", err)
	}
	_, err = s.appendEvent(ctx, catEmail, h, owner.streamVersion, c.CommandID, userID,
		EmailClaimed{UserID: userID, AccountVersion: res.StreamVersion, At: ev.At})
	if err != nil && !errors.Is(err, eventstore.ErrConflict) {
		return "", fmt.Errorf("identity: claim e-mail address: %w", err)
	}
	// A conflict, or a duplicate of an earlier attempt: whoever the stream
	// now names under this command is the answer.
	after, lerr := s.loadClaim(ctx, catEmail, h)
	if lerr != nil {
		return "", lerr
	}
	if id, ok := after.claimedBy(c.CommandID); ok {
		return id, nil
	}
	if fresh {
		if derr := s.keys.Destroy(ctx, userSubject(userID)); derr != nil {
			s.log.Warn("identity: cannot shred the key of a registration that lost a race", "user", userID, "err", derr)
		}
	}
	return "", ErrEmailTaken
}

// accountFor picks the account stream a registration with e-mail hash h
// goes to: the guest's with that address, or a new one.
func (s *Service) accountFor(ctx context.Context, h string) (userID string, expected int64, fresh bool, err error) {
	g, err := s.loadClaim(ctx, catGuest, h)
	if err != nil {
		return "", 0, false, err
	}
	// Without mail nobody can prove the address, so a registration never
	// becomes a guest of it (unless the operator links guests by address
	// anyway); with mail it does, and signs in once verified (Login).
	if g.found && s.guestJoin != GuestJoinFresh {
		gone, err := s.erased(ctx, g.userID)
		if err != nil {
			return "", 0, false, err
		}
		if !gone {
			_, v, err := s.load(ctx, catAccount, g.userID)
			return g.userID, v, false, err
		}
	}
	id, err := s.newUserID()
	return id, eventstore.NoStream, true, err
}

// registration finds the account registration the e-mail claim of hash h
// binds to, if it names userID (or any user when userID is empty).
func (s *Service) registration(ctx context.Context, h, userID string) (*AccountRegistered, string, error) {
	owner, err := s.loadClaim(ctx, catEmail, h)
	if err != nil || !owner.found || (userID != "" && owner.userID != userID) {
		return nil, "", err
	}
	evs, _, err := s.load(ctx, catAccount, owner.userID)
	if err != nil {
		return nil, "", err
	}
	for _, r := range evs {
		if e, ok := r.event.(*AccountRegistered); ok && r.version == owner.accountVersion {
			return e, owner.userID, nil
		}
	}
	return nil, "", nil
}

// Credentials are what a person logs in with.
type Credentials struct {
	Email    string
	Password string
}

// Login checks an e-mail address and password and starts a session. An
// unknown address costs as much work as a wrong password and gives the same
// error, so neither the answer nor its timing tells who has an account.
func (s *Service) Login(ctx context.Context, in Credentials) (Token, error) {
	norm, err := normalizeEmail(in.Email)
	if err != nil || len(in.Password) > MaxPasswordBytes {
		// Refused on its form alone, the same for everyone.
		return Token{}, ErrBadCredentials
	}
	h, err := s.emailHash(ctx, norm)
	if err != nil {
		return Token{}, err
	}
	reg, userID, err := s.registration(ctx, h, "")
	if err != nil {
		return Token{}, err
	}
	if reg == nil {
		s.burnPassword(ctx, in.Password)
		return Token{}, ErrBadCredentials
	}
	key, err := s.keys.Get(ctx, userSubject(userID))
	if errors.Is(err, keys.ErrNotFound) {
		s.burnPassword(ctx, in.Password)
		return Token{}, ErrBadCredentials
	}
	if err != nil {
		return Token{}, fmt.Errorf("identity: key of user %s: %w", userID, err)
	}
	st, err := s.account(ctx, userID)
	if err != nil {
		return Token{}, err
	}
	sealed := reg.PasswordSealed
	if st.password != nil {
		sealed = st.password
	}
	phc, err := keys.Open(key, sealed, aad(userID, "password"))
	if err != nil {
		return Token{}, fmt.Errorf("identity: password hash of user %s: %w", userID, err)
	}
	ok, err := s.verifyPassword(ctx, string(phc), in.Password)
	if err != nil {
		return Token{}, fmt.Errorf("identity: password hash of user %s: %w", userID, err)
	}
	if !ok {
		s.log.Info("identity: login refused", "user", userID)
		return Token{}, ErrBadCredentials
	}
	if st.promotedGuest() && !st.verified() && s.guestJoin == GuestJoinProof {
		// Told only to whoever knows the password.
		return Token{}, ErrEmailUnverified
	}
	return s.issueSession(ctx, userID, KindUser, "")
}

// Profile returns a person's decrypted name and e-mail address; ErrErased
// once their key is destroyed, domain.ErrNotFound for an unknown user.
func (s *Service) Profile(ctx context.Context, userID string) (Profile, error) {
	if !validID(userID, 64) {
		return Profile{}, domain.ErrNotFound
	}
	st, err := s.account(ctx, userID)
	if err != nil {
		return Profile{}, err
	}
	if st.guest == nil && len(st.regs) == 0 {
		return Profile{}, domain.ErrNotFound
	}
	key, err := s.keys.Get(ctx, userSubject(userID))
	if errors.Is(err, keys.ErrNotFound) {
		return Profile{}, ErrErased
	}
	if err != nil {
		return Profile{}, fmt.Errorf("identity: key of user %s: %w", userID, err)
	}
	reg, guest := st.current(), st.guest
	if reg == nil && guest == nil {
		return Profile{}, domain.ErrNotFound
	}
	emailSealed, nameSealed := guest.sealed()
	if reg != nil {
		emailSealed, nameSealed = reg.EmailSealed, reg.NameSealed
	}
	email, err := keys.Open(key, emailSealed, aad(userID, "email"))
	if err != nil {
		return Profile{}, fmt.Errorf("identity: e-mail of user %s: %w", userID, err)
	}
	name, err := keys.Open(key, nameSealed, aad(userID, "name"))
	if err != nil {
		return Profile{}, fmt.Errorf("identity: name of user %s: %w", userID, err)
	}
	return Profile{UserID: userID, Name: string(name), Email: string(email), Guest: reg == nil,
		EmailVerified: st.verified(), Language: st.language}, nil
}

func (g *GuestRegistered) sealed() ([]byte, []byte) {
	if g == nil {
		return nil, nil
	}
	return g.EmailSealed, g.NameSealed
}

// EraseSingleJoinGuest erases a guest made by one invite join alone (a
// fresh guest: GuestJoinFresh gives every join its own identity, tied to
// no address claim), and answers whether it did. A guest keyed by its
// address (GuestJoinByAddress, or proved by a mailed link) may be in other
// retros, and an identity someone registered an account over is theirs:
// both are kept. A quick retro's expiry uses it, so the names typed into a
// throwaway retro go with it.
func (s *Service) EraseSingleJoinGuest(ctx context.Context, userID string) (bool, error) {
	st, err := s.foldAccount(ctx, userID)
	if err != nil {
		return false, fmt.Errorf("identity: is %s a single join's guest: %w", userID, err)
	}
	if st.guest == nil || st.guest.EmailHash != "" || len(st.regs) > 0 {
		return false, nil
	}
	if err := s.Erase(ctx, userID); err != nil {
		return false, err
	}
	return true, nil
}

// Erase destroys the person's key: their name, e-mail address and password
// hash become unreadable for ever, they can no longer log in, and their API
// tokens stop working (within the revocation cache time on other nodes).
// The log is not touched. Sessions already issued run until they expire.
func (s *Service) Erase(ctx context.Context, userID string) error {
	if !validID(userID, 64) {
		return domain.ErrNotFound
	}
	evs, _, err := s.load(ctx, catAccount, userID)
	if err != nil {
		return err
	}
	if len(evs) == 0 {
		return domain.ErrNotFound
	}
	if err := s.keys.Destroy(ctx, userSubject(userID)); err != nil {
		return fmt.Errorf("identity: erase user %s: %w", userID, err)
	}
	s.tokensMu.Lock()
	clear(s.tokens)
	s.tokensMu.Unlock()
	s.log.Info("identity: user erased", "user", userID)
	return nil
}
