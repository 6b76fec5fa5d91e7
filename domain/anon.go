package domain

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
)

// Pseudonym is how a person appears in the events of an anonymous retro or
// survey: HMAC-SHA256(key, user ID), where the key lives outside the log and is
// destroyed when the anonymity window closes. The same person gets the same
// pseudonym within one retro (so they can edit their own cards) and unlinkable
// ones across retros. The "anon:" prefix keeps it from ever being mistaken for
// a user ID.
func Pseudonym(key []byte, userID string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(userID))
	return "anon:" + base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}
