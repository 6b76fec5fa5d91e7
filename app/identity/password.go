package identity

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

const (
	saltBytes = 16
	hashBytes = 32
	// Bounds on parameters read from a stored hash, so a corrupted or
	// planted hash cannot make one verification take minutes or gigabytes.
	maxTime      = 10
	maxMemoryKiB = 256 * 1024
	maxThreads   = 16
)

func (p PasswordParams) check() error {
	if p.Time < 1 || p.Time > maxTime || p.Threads < 1 || p.Threads > maxThreads ||
		p.MemoryKiB < 8*uint32(p.Threads) || p.MemoryKiB > maxMemoryKiB {
		return fmt.Errorf("identity: argon2id parameters t=%d m=%d p=%d out of range", p.Time, p.MemoryKiB, p.Threads)
	}
	return nil
}

var b64 = base64.RawStdEncoding

// hashPassword returns a PHC string:
// $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>.
func (s *Service) hashPassword(ctx context.Context, password string) (string, error) {
	salt := make([]byte, saltBytes)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("identity: read salt: %w", err)
	}
	if err := s.acquireHash(ctx); err != nil {
		return "", err
	}
	defer s.releaseHash()
	p := s.params
	h := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, hashBytes)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(h)), nil
}

var errBadPHC = errors.New("identity: malformed argon2id hash")

// verifyPassword reports whether password matches the PHC string, comparing
// in constant time with the parameters the hash was made with.
func (s *Service) verifyPassword(ctx context.Context, phc, password string) (bool, error) {
	p, salt, want, err := parsePHC(phc)
	if err != nil {
		return false, err
	}
	if err := s.acquireHash(ctx); err != nil {
		return false, err
	}
	defer s.releaseHash()
	s.verifications.Add(1)
	got := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

func parsePHC(phc string) (PasswordParams, []byte, []byte, error) {
	var p PasswordParams
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return p, nil, nil, errBadPHC
	}
	var threads uint32
	if n, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &threads); err != nil || n != 3 || threads > maxThreads {
		return p, nil, nil, errBadPHC
	}
	p.Threads = uint8(threads)
	if fmt.Sprintf("m=%d,t=%d,p=%d", p.MemoryKiB, p.Time, p.Threads) != parts[3] {
		return p, nil, nil, errBadPHC
	}
	if err := p.check(); err != nil {
		return p, nil, nil, fmt.Errorf("%w: %w", errBadPHC, err)
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < 8 || len(salt) > 64 {
		return p, nil, nil, errBadPHC
	}
	h, err := b64.DecodeString(parts[5])
	if err != nil || len(h) < 16 || len(h) > 64 {
		return p, nil, nil, errBadPHC
	}
	return p, salt, h, nil
}

// burnPassword does the work of a verification against a hash nobody's
// password matches, so that an unknown e-mail address takes as long to
// refuse as a wrong password and does not reveal who has an account.
func (s *Service) burnPassword(ctx context.Context, password string) {
	s.dummyOnce.Do(func() {
		secret := make([]byte, 32)
		if _, err := rand.Read(secret); err != nil {
			s.dummyErr = err
			return
		}
		s.dummy, s.dummyErr = s.hashPassword(context.WithoutCancel(ctx), b64.EncodeToString(secret))
	})
	if s.dummyErr != nil {
		s.log.Error("identity: cannot make the dummy password hash", "err", s.dummyErr)
		return
	}
	_, _ = s.verifyPassword(ctx, s.dummy, password)
}

func (s *Service) acquireHash(ctx context.Context) error {
	select {
	case s.hashSem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("identity: waiting to hash a password: %w", ctx.Err())
	}
}

func (s *Service) releaseHash() { <-s.hashSem }
