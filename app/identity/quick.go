package identity

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/hindsight-retro/hindsight/app/keys"
	"github.com/hindsight-retro/hindsight/eventstore"
)

// quickPrefix begins the user ID of every quick retro's starter, and no
// other user's.
const quickPrefix = "q-"

// IsQuickPerson reports whether userID is a quick retro's starter: someone
// known only by a display name, whose account is erased with the quick
// retro unless it is claimed.
func IsQuickPerson(userID string) bool { return strings.HasPrefix(userID, quickPrefix) }

// StartQuick registers someone known only by a display name, who starts a
// quick retro without an account, and signs them in: no e-mail address, no
// password, a user session (they create the quick retro's workspace and
// team). They stay a guest in their profile until someone claims what they
// made. The user ID derives from the command ID, so a retry of the command
// is the same person; the caller chooses command IDs nobody else can
// repeat (the transport makes a random one).
func (s *Service) StartQuick(ctx context.Context, c Caller, displayName string) (Token, error) {
	if err := validateCommandID(c.CommandID); err != nil {
		return Token{}, err
	}
	name, err := normalizeName(displayName, MaxNameChars)
	if err != nil {
		return Token{}, err
	}
	sum := sha256.Sum256([]byte("hindsight/quick-user/v1\x00" + c.CommandID))
	userID := quickPrefix + hex.EncodeToString(sum[:16])
	key, err := s.keys.GetOrCreate(ctx, userSubject(userID))
	if err != nil {
		return Token{}, fmt.Errorf("identity: key of user %s: %w", userID, err)
	}
	// A guest record without an address: the profile shows the name, and
	// the e-mail claim streams never name this person.
	ev := GuestRegistered{UserID: userID, At: s.now().UTC()}
	if ev.EmailSealed, err = keys.Seal(key, nil, aad(userID, "email")); err != nil {
		return Token{}, err
	}
	if ev.NameSealed, err = keys.Seal(key, []byte(name), aad(userID, "name")); err != nil {
		return Token{}, err
	}
	if _, err := s.appendEvent(ctx, catAccount, userID, eventstore.NoStream, c.CommandID, userID, ev); err != nil && !errors.Is(err, eventstore.ErrConflict) {
		return Token{}, fmt.Errorf("identity: register a quick retro's person: %w", err)
	}
	return s.issueSession(ctx, userID, KindUser, "")
}
