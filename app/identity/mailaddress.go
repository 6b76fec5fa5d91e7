package identity

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hindsight-retro/hindsight/app/keys"
)

// The mail reactor records addresses that a mail server refused
// (domain/mailfailure). Those records are personal data like the account's
// own: the address is known by the same keyed hash as an account's and
// sealed under the person's key, so erasing the person leaves the record
// unreadable.

// AddressHash is the keyed hash of an e-mail address, as account and guest
// streams hash it.
func (s *Service) AddressHash(ctx context.Context, email string) (string, error) {
	return s.emailHash(ctx, strings.ToLower(strings.TrimSpace(email)))
}

// SealAddress seals the person's address under their key for a record
// kept elsewhere in the log; ErrErased if the person was erased.
func (s *Service) SealAddress(ctx context.Context, userID, email string) ([]byte, error) {
	key, err := s.userKey(ctx, userID)
	if err != nil {
		return nil, err
	}
	sealed, err := keys.Seal(key, []byte(email), aad(userID, "mail-failure-address"))
	if err != nil {
		return nil, fmt.Errorf("identity: seal the address of %s: %w", userID, err)
	}
	return sealed, nil
}

// OpenAddress opens what SealAddress sealed; ErrErased if the person was
// erased since.
func (s *Service) OpenAddress(ctx context.Context, userID string, sealed []byte) (string, error) {
	key, err := s.userKey(ctx, userID)
	if err != nil {
		return "", err
	}
	b, err := keys.Open(key, sealed, aad(userID, "mail-failure-address"))
	if err != nil {
		return "", fmt.Errorf("identity: open the address of %s: %w", userID, err)
	}
	return string(b), nil
}

func (s *Service) userKey(ctx context.Context, userID string) ([]byte, error) {
	key, err := s.keys.Get(ctx, userSubject(userID))
	if errors.Is(err, keys.ErrNotFound) {
		return nil, ErrErased
	}
	if err != nil {
		return nil, fmt.Errorf("identity: key of user %s: %w", userID, err)
	}
	return key, nil
}
