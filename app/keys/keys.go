// Package keys keeps secrets outside the log: per-retro anonymity keys,
// per-subject keys for personal data, and the server's own secrets. The log
// is append-only and may be copied anywhere; what must be forgettable lives
// here, so destroying a key (crypto-shredding) makes everything sealed with it
// unreadable for ever without rewriting a single event.
package keys

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
)

// KeySize is the length of every key: 32 bytes, an AES-256 or HMAC-SHA256 key.
const KeySize = 32

// MaxSubjectLength bounds a subject so its encoded form fits a file name and
// a NATS KV key.
const MaxSubjectLength = 160

var (
	// ErrNotFound: no key was ever created for the subject. ErrDestroyed
	// matches it too, so callers that only care whether a key is usable
	// test for ErrNotFound.
	ErrNotFound = errors.New("keys: no key for subject")
	// ErrDestroyed: the subject's key was destroyed; it is never recreated.
	ErrDestroyed = fmt.Errorf("%w: key destroyed", ErrNotFound)
	// ErrInvalidSubject: the subject is empty, too long or not printable ASCII.
	ErrInvalidSubject = errors.New("keys: invalid subject")
)

// Store holds one key per subject. Subjects are names such as "retro:<id>",
// "user:<id>", "server:token-signing". Implementations are safe for
// concurrent use, and the shared ones (File on one disk, NATS across
// nodes) make concurrent GetOrCreate calls agree on a single key.
type Store interface {
	// Get returns the subject's key: ErrNotFound if it was never created,
	// ErrDestroyed if it was destroyed.
	Get(ctx context.Context, subject string) ([]byte, error)
	// GetOrCreate returns the subject's key, creating KeySize random bytes
	// if there is none. Concurrent callers get the same key. A destroyed
	// key gives ErrDestroyed: it is never recreated.
	GetOrCreate(ctx context.Context, subject string) ([]byte, error)
	// Destroy forgets the subject's key and remembers that it did, so that
	// it is never recreated. Destroying an unknown or destroyed subject is
	// not an error: afterwards the subject is destroyed either way.
	Destroy(ctx context.Context, subject string) error
}

// ValidateSubject checks a subject: 1 to MaxSubjectLength printable ASCII
// bytes.
func ValidateSubject(subject string) error {
	if subject == "" || len(subject) > MaxSubjectLength {
		return fmt.Errorf("%w: must be 1 to %d bytes, got %d", ErrInvalidSubject, MaxSubjectLength, len(subject))
	}
	for i := 0; i < len(subject); i++ {
		if c := subject[i]; c < 0x21 || c > 0x7e {
			return fmt.Errorf("%w: %q holds a space, control or non-ASCII byte", ErrInvalidSubject, subject)
		}
	}
	return nil
}

// encodeSubject maps a subject to a name safe as a file name and a NATS KV
// key: base64url without padding uses only [A-Za-z0-9_-] and is one-to-one.
func encodeSubject(subject string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(subject))
}

func newKey() ([]byte, error) {
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("keys: read random key: %w", err)
	}
	return k, nil
}

// Rotator is a Store that keeps its keys wrapped under a key-encryption key
// (KEK) and destroys keys by rotating it: the NATS store. Rotate moves to a
// new KEK, re-wraps every live key and deletes every older KEK; operators
// run it (hindsight keys rotate) when a KEK may have been exposed.
type Rotator interface {
	Store
	Rotate(ctx context.Context) error
	// Epoch is the number of the current KEK, counting from 1.
	Epoch(ctx context.Context) (uint64, error)
}

var _ Rotator = (*NATS)(nil)
