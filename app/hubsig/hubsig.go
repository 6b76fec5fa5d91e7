// Package hubsig is the webhook signature Jira Cloud and GitHub share:
// "sha256=" and the hex HMAC-SHA256 of the body under the webhook's secret
// (Jira's X-Hub-Signature, GitHub's X-Hub-Signature-256).
package hubsig

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
)

// ErrSignature: a signature is missing or wrong.
var ErrSignature = errors.New("webhook signature does not verify")

// Sign is the signature header's value for a body.
func Sign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify checks a signature against the secret, in constant time.
func Verify(secret, body []byte, header string) error {
	if !hmac.Equal([]byte(strings.TrimSpace(header)), []byte(Sign(secret, body))) {
		return ErrSignature
	}
	return nil
}
