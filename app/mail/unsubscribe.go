package mail

import (
	"encoding/base64"
	"errors"
	"strings"
	"unicode/utf8"
)

// An unsubscribe token names a person and a kind of mail and carries the
// server's MAC of both (made and checked by the app with a server key), so
// the link in a mail unsubscribes its recipient without a login and
// nobody else: <base64url(user ID)>.<kind>.<base64url MAC>.

// Bounds of a token's parts.
const (
	maxTokenUserID = 128
	maxTokenLength = 400
	macLength      = 43 // base64url of 32 bytes, unpadded
)

// ErrBadToken: the token is not one the server makes.
var ErrBadToken = errors.New("mail: not an unsubscribe token")

// UnsubscribeToken joins a person, a kind and the MAC the app made of them.
func UnsubscribeToken(userID string, kind Kind, mac string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(userID)) + "." + string(kind) + "." + mac
}

// ParseUnsubscribeToken splits a token into its person, kind and MAC. It
// checks the form only; the app checks the MAC.
func ParseUnsubscribeToken(tok string) (userID string, kind Kind, mac string, err error) {
	if len(tok) > maxTokenLength {
		return "", "", "", ErrBadToken
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return "", "", "", ErrBadToken
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(parts[0])
	if err != nil || len(raw) == 0 || len(raw) > maxTokenUserID || !utf8.Valid(raw) || strings.ContainsAny(string(raw), "\x00") {
		return "", "", "", ErrBadToken
	}
	if !Unsubscribable(Kind(parts[1])) {
		return "", "", "", ErrBadToken
	}
	if len(parts[2]) != macLength {
		return "", "", "", ErrBadToken
	}
	if _, err := base64.RawURLEncoding.Strict().DecodeString(parts[2]); err != nil {
		return "", "", "", ErrBadToken
	}
	return string(raw), Kind(parts[1]), parts[2], nil
}
