package keys

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
)

// sealVersion is the first byte of every sealed value, so that the format
// can change later and old values are still recognised.
const sealVersion = 1

// ErrOpen is returned when sealed data cannot be opened: wrong key, wrong
// associated data, or bytes that were altered.
var ErrOpen = errors.New("keys: cannot open sealed data")

// Seal encrypts plaintext with AES-256-GCM under key. aad is authenticated
// but not stored: callers bind the ciphertext to where it belongs (the
// subject and the field), so a value copied elsewhere does not open. The
// result is version byte, 12-byte random nonce, ciphertext and tag.
func Seal(key, plaintext, aad []byte) ([]byte, error) {
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 1+gcm.NonceSize(), 1+gcm.NonceSize()+len(plaintext)+gcm.Overhead())
	out[0] = sealVersion
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, fmt.Errorf("keys: read random nonce: %w", err)
	}
	return gcm.Seal(out, out[1:1+gcm.NonceSize()], plaintext, aad), nil
}

// Open decrypts what Seal produced with the same key and aad. Any mismatch
// gives an error matching ErrOpen.
func Open(key, sealed, aad []byte) ([]byte, error) {
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	n := gcm.NonceSize()
	if len(sealed) < 1+n+gcm.Overhead() {
		return nil, fmt.Errorf("%w: %d bytes is too short", ErrOpen, len(sealed))
	}
	if sealed[0] != sealVersion {
		return nil, fmt.Errorf("%w: unknown format version %d", ErrOpen, sealed[0])
	}
	pt, err := gcm.Open(nil, sealed[1:1+n], sealed[1+n:], aad)
	if err != nil {
		return nil, fmt.Errorf("%w: authentication failed", ErrOpen)
	}
	return pt, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("keys: AES-256 needs a %d-byte key, got %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	return gcm, nil
}
