package app

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"

	"github.com/hindsight-retro/hindsight/app/keys"
)

// trackerSecrets is an issue tracker's name (jira, github), from which
// every place a team's secrets for it are kept is derived, alike for every
// tracker: the token sealed under the team's key "<name>:<team>" with
// "<name>:<team>:token" as associated data, so a token cannot be opened as
// another tracker's or team's; the webhook secret kept only as a hash.
type trackerSecrets string

const (
	jiraSecrets   trackerSecrets = "jira"
	gitHubSecrets trackerSecrets = "github"
)

func (s trackerSecrets) key(teamID string) string { return string(s) + ":" + teamID }

func (s trackerSecrets) aad(teamID string) []byte { return []byte(string(s) + ":" + teamID + ":token") }

// secretHash is what a configuration stores of its webhook secret.
func (s trackerSecrets) secretHash(secret string) string {
	sum := sha256.Sum256([]byte(string(s) + "-webhook\x00" + secret))
	return hex.EncodeToString(sum[:])
}

// sealToken makes a new webhook secret (shown once) and seals the team's
// token for the tracker.
func (a *App) sealToken(ctx context.Context, s trackerSecrets, teamID, token string) (sealed []byte, secret string, err error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, "", fmt.Errorf("%s webhook secret: %w", s, err)
	}
	key, err := a.d.Keys.GetOrCreate(ctx, s.key(teamID))
	if err != nil {
		return nil, "", fmt.Errorf("%s key: %w", s, err)
	}
	sealed, err = keys.Seal(key, []byte(token), s.aad(teamID))
	if err != nil {
		return nil, "", fmt.Errorf("seal the %s token: %w", s, err)
	}
	return sealed, base64.RawURLEncoding.EncodeToString(raw), nil
}

// openToken opens the team's token for the tracker.
func (a *App) openToken(ctx context.Context, s trackerSecrets, teamID string, sealed []byte) (string, error) {
	key, err := a.d.Keys.Get(ctx, s.key(teamID))
	if err != nil {
		return "", fmt.Errorf("the team's %s key: %w", s, err)
	}
	token, err := keys.Open(key, sealed, s.aad(teamID))
	if err != nil {
		return "", fmt.Errorf("open the %s token: %w", s, err)
	}
	return string(token), nil
}
