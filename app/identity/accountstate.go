package identity

import (
	"bytes"
	"context"
)

// accountState is what an account stream says about its person, folded:
// the registrations, the address proofs, the latest password.
type accountState struct {
	guest *GuestRegistered
	regs  []*AccountRegistered
	// reg is the registration the address's claim names (see current).
	reg *AccountRegistered
	// proved holds, per address hash, the stream version of the latest
	// proof by a mailed link; regAt the version of each registration.
	proved map[string]int64
	regAt  map[*AccountRegistered]int64
	// password is the latest PasswordChanged's, nil for the registration's.
	password []byte
	// passwords counts the changes: the session generation.
	passwords int
	language  string
}

// account folds a person's account stream.
func (s *Service) account(ctx context.Context, userID string) (accountState, error) {
	st, err := s.foldAccount(ctx, userID)
	if err != nil {
		return st, err
	}
	// Of several registrations (a race to register a guest's address) the
	// one the e-mail claim names is the account.
	for _, r := range st.regs {
		reg, _, err := s.registration(ctx, r.EmailHash, userID)
		if err != nil {
			return st, err
		}
		if reg != nil && bytes.Equal(reg.PasswordSealed, r.PasswordSealed) {
			st.reg = r // the fold's own, whose version regAt knows
			break
		}
	}
	return st, nil
}

// foldAccount reads the account stream alone, without asking the address
// claims which registration counts (st.reg stays nil).
func (s *Service) foldAccount(ctx context.Context, userID string) (accountState, error) {
	st := accountState{proved: map[string]int64{}, regAt: map[*AccountRegistered]int64{}, language: DefaultLanguage}
	if !validID(userID, 64) {
		return st, nil
	}
	evs, _, err := s.load(ctx, catAccount, userID)
	if err != nil {
		return st, err
	}
	for _, r := range evs {
		switch e := r.event.(type) {
		case *GuestRegistered:
			st.guest = e
		case *AccountRegistered:
			st.regs = append(st.regs, e)
			st.regAt[e] = r.version
		case *EmailVerified:
			st.proved[e.EmailHash] = r.version
		case *PasswordChanged:
			st.password = e.PasswordSealed
			st.passwords++
		case *LanguageChosen:
			st.language = e.Language
		}
	}
	return st, nil
}

// current is the account's registration, nil for a guest.
func (st accountState) current() *AccountRegistered { return st.reg }

// emailHash is the hash of the person's address, empty for none.
func (st accountState) emailHash() string {
	switch {
	case st.reg != nil:
		return st.reg.EmailHash
	case st.guest != nil:
		return st.guest.EmailHash
	}
	return ""
}

// verified reports whether the person's current address was proved: by a
// mailed link, or by the identity provider that registered the account.
// A guest's proof made before someone registered the address over the
// guest's identity does not count for the registration: whoever registered
// must prove it again.
func (st accountState) verified() bool {
	if st.reg != nil {
		at, ok := st.proved[st.reg.EmailHash]
		return st.reg.EmailVerified || ok && at > st.regAt[st.reg]
	}
	h := st.emailHash()
	_, ok := st.proved[h]
	return h != "" && ok
}

// promotedGuest reports whether the account was registered over a guest's
// identity (the stream began as a guest's).
func (st accountState) promotedGuest() bool { return st.guest != nil && st.reg != nil }
