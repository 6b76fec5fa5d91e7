package identity

import (
	"context"

	"github.com/hindsight-retro/hindsight/domain"
)

// CodeEmailUnknown: no account has the e-mail address (it may have been
// erased, or used only by a guest).
const CodeEmailUnknown = "email-unknown"

// AccountByEmail returns the user ID of the account registered with an
// e-mail address, so a team admin can add a colleague by address. Only
// accounts count: a guest's address or an erased account's is unknown (a
// domain NotFound with CodeEmailUnknown), and nothing is created.
//
// It tells the caller whether an address has an account; callers expose it
// to authenticated team admins only, and the rate limit bounds probing.
func (s *Service) AccountByEmail(ctx context.Context, email string) (string, error) {
	norm, err := normalizeEmail(email)
	if err != nil {
		return "", err
	}
	h, err := s.emailHash(ctx, norm)
	if err != nil {
		return "", err
	}
	reg, userID, err := s.registration(ctx, h, "")
	if err != nil {
		return "", err
	}
	if reg != nil {
		gone, err := s.erased(ctx, userID)
		if err != nil {
			return "", err
		}
		if !gone {
			return userID, nil
		}
	}
	return "", domain.Errorf(domain.NotFound, CodeEmailUnknown, "no account has this e-mail address; ask them to register first")
}
