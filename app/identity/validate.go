package identity

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hindsight-retro/hindsight/domain"
)

// Input limits.
const (
	MinPasswordChars = 10
	// MaxPasswordBytes bounds the work one login attempt can ask for.
	MaxPasswordBytes = 256
	MaxNameChars     = 100
	MaxEmailBytes    = 254
	MaxTokenName     = 100
	maxCommandID     = 128
	maxRefID         = 128
)

// Codes of validation errors (*domain.Error with Kind Invalid).
const (
	CodeEmailInvalid     = "email-invalid"
	CodePasswordShort    = "password-too-short"
	CodePasswordLong     = "password-too-long"
	CodeNameInvalid      = "name-invalid"
	CodeCommandIDInvalid = "command-id-invalid"
	CodeScopesInvalid    = "scopes-invalid"
	CodeExpiryInvalid    = "expiry-invalid"
	CodeIDInvalid        = "id-invalid"
)

// normalizeEmail accepts a bare address (no display name, no comments) and
// returns it trimmed and lower-cased, the form its hash is taken of.
func normalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > MaxEmailBytes || !utf8.ValidString(s) {
		return "", domain.Errorf(domain.Invalid, CodeEmailInvalid, "an e-mail address must be 1 to %d bytes of UTF-8", MaxEmailBytes)
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Name != "" || addr.Address != s {
		return "", domain.Errorf(domain.Invalid, CodeEmailInvalid, "not a plain e-mail address such as name@example.org")
	}
	local, host, ok := strings.Cut(s, "@")
	if !ok || local == "" || host == "" || strings.ContainsFunc(s, unicode.IsSpace) {
		return "", domain.Errorf(domain.Invalid, CodeEmailInvalid, "not a plain e-mail address such as name@example.org")
	}
	return strings.ToLower(s), nil
}

func validatePassword(p string) error {
	if len(p) > MaxPasswordBytes {
		return domain.Errorf(domain.Invalid, CodePasswordLong, "a password may be at most %d bytes", MaxPasswordBytes)
	}
	if utf8.RuneCountInString(p) < MinPasswordChars {
		return domain.Errorf(domain.Invalid, CodePasswordShort, "a password needs at least %d characters", MinPasswordChars)
	}
	return nil
}

// normalizeName trims a display name and checks it: 1 to max characters,
// valid UTF-8, no control or format characters (which could hide text).
func normalizeName(n string, max int) (string, error) {
	n = strings.TrimSpace(n)
	if !utf8.ValidString(n) {
		return "", domain.Errorf(domain.Invalid, CodeNameInvalid, "a name must be UTF-8")
	}
	if c := utf8.RuneCountInString(n); c == 0 || c > max {
		return "", domain.Errorf(domain.Invalid, CodeNameInvalid, "a name must be 1 to %d characters, got %d", max, c)
	}
	for _, r := range n {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return "", domain.Errorf(domain.Invalid, CodeNameInvalid, "a name may not hold control characters")
		}
	}
	return n, nil
}

func validateCommandID(id string) error {
	if !printableASCII(id, maxCommandID) {
		return domain.Errorf(domain.Invalid, CodeCommandIDInvalid, "a command ID must be 1 to %d printable ASCII characters", maxCommandID)
	}
	return nil
}

// validateRef checks an ID of another aggregate (retro, team) carried along.
func validateRef(what, id string) error {
	if !printableASCII(id, maxRefID) {
		return domain.Errorf(domain.Invalid, CodeIDInvalid, "%s must be 1 to %d printable ASCII characters", what, maxRefID)
	}
	return nil
}

func printableASCII(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
