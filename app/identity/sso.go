package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// VerifiedPerson is someone an OpenID provider vouched for: an e-mail
// address it says is verified, the name it gave, and who it is at that
// provider (issuer and subject).
type VerifiedPerson struct {
	Email   string
	Name    string
	Issuer  string
	Subject string
}

// SignInVerified signs in the account registered with the person's e-mail
// address, registering one on the spot (just in time) if there is none: a
// guest with that address becomes the account, as when a guest registers.
// The caller has checked that the provider verified the address and that
// the provider is trusted for it; the account is linked by that address
// alone. An account made here has a random password nobody knows, so it
// signs in through its provider (or sets a password once resets exist).
func (s *Service) SignInVerified(ctx context.Context, in VerifiedPerson) (Token, error) {
	norm, err := normalizeEmail(in.Email)
	if err != nil {
		return Token{}, err
	}
	h, err := s.emailHash(ctx, norm)
	if err != nil {
		return Token{}, err
	}
	for attempt := 0; attempt < 2; attempt++ {
		reg, userID, err := s.registration(ctx, h, "")
		if err != nil {
			return Token{}, err
		}
		if reg != nil {
			gone, err := s.erased(ctx, userID)
			if err != nil {
				return Token{}, err
			}
			if !gone {
				if err := s.takeOverUnverified(ctx, userID, in); err != nil {
					return Token{}, err
				}
				s.log.Info("identity: signed in by a provider", "user", userID)
				return s.issueSession(ctx, userID, KindUser, "")
			}
		}
		// Just in time. The command ID is derived from who the provider
		// says this is, so two first sign-ins at once register one account
		// (the second finds the claim of the first).
		sum := sha256.Sum256([]byte("hindsight/sso-register/v1\x00" + in.Issuer + "\x00" + in.Subject + "\x00" + h))
		userID, err = s.Register(ctx, Caller{CommandID: "sso-" + hex.EncodeToString(sum[:16])},
			Registration{Email: norm, Password: unguessablePassword(), Name: displayName(in.Name, norm), providerVerified: true})
		if errors.Is(err, ErrEmailTaken) {
			continue // registered by someone else meanwhile: sign that account in
		}
		if err != nil {
			return Token{}, fmt.Errorf("identity: register a provider's person: %w", err)
		}
		s.log.Info("identity: account made at first sign-in through a provider", "user", userID)
		return s.issueSession(ctx, userID, KindUser, "")
	}
	return Token{}, fmt.Errorf("identity: e-mail claim kept changing during a sign-in")
}

// takeOverUnverified: an account whose address nobody proved may have been
// registered by someone who does not own it, waiting for the owner to sign
// in through their provider (pre-hijacking). The provider has now proved
// the address, so the account becomes the owner's: verified, its password
// replaced by one nobody knows, its sessions ended. A verified account is
// left as it is.
func (s *Service) takeOverUnverified(ctx context.Context, userID string, in VerifiedPerson) error {
	st, err := s.account(ctx, userID)
	if err != nil {
		return err
	}
	if st.verified() {
		return nil
	}
	sum := sha256.Sum256([]byte("hindsight/sso-takeover/v1\x00" + in.Issuer + "\x00" + in.Subject + "\x00" + userID))
	cmd := "sso-takeover-" + hex.EncodeToString(sum[:16])
	if err := s.setPassword(ctx, userID, unguessablePassword(), cmd); err != nil {
		return err
	}
	s.log.Info("identity: an unverified account's address was proved by a provider; its password and sessions were ended", "user", userID)
	return s.markVerified(ctx, userID, cmd+"-verified")
}

// displayName is the provider's name for the person, or the part of the
// address before the @ when it gave none (or one too long to keep).
func displayName(name, email string) string {
	if n, err := normalizeName(name, MaxNameChars); err == nil {
		return n
	}
	local, _, _ := strings.Cut(email, "@")
	if n, err := normalizeName(local, MaxNameChars); err == nil {
		return n
	}
	return "?"
}

func unguessablePassword() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}
