// Package webhooks sends a team's outgoing webhooks: the Standard Webhooks
// signature (HMAC-SHA256 over "id.timestamp.body" under a per-webhook
// secret), an HTTP client that refuses private receivers at dial time (so a
// DNS answer changed after the check cannot slip through), one POST per
// attempt, and the Dispatcher that works every webhook's queue on its own,
// with exponential backoff, so a failing receiver holds up only itself.
//
// What is sent and what is recorded (the queue, the attempts, disabling)
// is decided in domain/integration and wired in app; this package knows
// nothing of retros.
package webhooks

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Headers of a signed delivery, as Standard Webhooks names them.
const (
	HeaderID        = "Webhook-Id"
	HeaderTimestamp = "Webhook-Timestamp"
	HeaderSignature = "Webhook-Signature"
)

// SecretPrefix starts every secret shown to an admin (the Standard Webhooks
// form: "whsec_" and the base64 of the key bytes).
const SecretPrefix = "whsec_"

// secretBytes is the length of a new secret's key.
const secretBytes = 32

// NewSecret makes a fresh signing secret in its shown form.
func NewSecret() (string, error) {
	b := make([]byte, secretBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("webhooks: read a random secret: %w", err)
	}
	return SecretPrefix + base64.StdEncoding.EncodeToString(b), nil
}

// SecretKey is the HMAC key a shown secret stands for.
func SecretKey(secret string) ([]byte, error) {
	raw, ok := strings.CutPrefix(secret, SecretPrefix)
	if !ok {
		return nil, errors.New("webhooks: a secret starts with " + SecretPrefix)
	}
	k, err := base64.StdEncoding.DecodeString(raw)
	if err != nil || len(k) < 24 {
		return nil, errors.New("webhooks: a secret is whsec_ and the base64 of at least 24 bytes")
	}
	return k, nil
}

// Sign is the signature header's value for a message: "v1," and the
// base64 of HMAC-SHA256(key, id "." unix seconds "." body).
func Sign(key []byte, id string, at time.Time, body []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id + "." + strconv.FormatInt(at.Unix(), 10) + "."))
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// ErrSignature: a delivery's signature or timestamp does not check out.
var ErrSignature = errors.New("webhooks: signature does not verify")

// Verify is what a receiver does: the timestamp within tolerance of now,
// and one of the space-separated signatures equal (in constant time) to
// the expected one. Tests use it as the receivers' side.
func Verify(key []byte, id, timestamp, signatures string, body []byte, now time.Time, tolerance time.Duration) error {
	sec, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: timestamp %q", ErrSignature, timestamp)
	}
	if d := now.Sub(time.Unix(sec, 0)); math.Abs(float64(d)) > float64(tolerance) {
		return fmt.Errorf("%w: timestamp %s off by %s", ErrSignature, timestamp, d)
	}
	want := Sign(key, id, time.Unix(sec, 0), body)
	for _, s := range strings.Fields(signatures) {
		if hmac.Equal([]byte(s), []byte(want)) {
			return nil
		}
	}
	return ErrSignature
}
