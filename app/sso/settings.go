package sso

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/eventstore"
)

// Category is the stream of a workspace's single sign-on settings,
// wssso-<workspaceID>. Its events hold the client secret sealed (the app
// seals it with a key of its own in the key store), never in the clear.
const Category = "wssso"

// Event types of Category; a stored name never changes.
const (
	TypeSettingsChanged = "SSOSettingsChanged"
	TypeSettingsRemoved = "SSOSettingsRemoved"
)

// SettingsChanged: a workspace admin set the workspace's provider and its
// rules. The whole settings are in every event; the last one holds.
type SettingsChanged struct {
	Preset   string `json:"preset,omitempty"`
	Issuer   string `json:"issuer"`
	ClientID string `json:"clientId"`
	// SecretKey is the key store subject the secret is sealed with;
	// SecretSealed the sealed client secret.
	SecretKey    string `json:"secretKey"`
	SecretSealed []byte `json:"secretSealed"`
	// RequireSSO: the workspace's admins and team members may sign in only
	// through this provider.
	RequireSSO bool `json:"requireSso"`
	// EmailDomains the provider is trusted for: it signs in only addresses
	// in them.
	EmailDomains []string `json:"emailDomains"`
	GroupsClaim  string   `json:"groupsClaim,omitempty"`
	// GroupTeams maps a group (a value of the groups claim) to a team of
	// the workspace the person is added to at sign-in.
	GroupTeams map[string]string `json:"groupTeams,omitempty"`
	By         string            `json:"by"`
	At         time.Time         `json:"at"`
}

// SettingsRemoved: the workspace no longer has its own provider.
type SettingsRemoved struct {
	By string    `json:"by"`
	At time.Time `json:"at"`
}

// Settings are a workspace's settings as its stream leaves them; Set is
// false when it has none.
type Settings struct {
	Set     bool
	Version int64
	SettingsChanged
}

// Fold applies a stream's events in order.
func Fold(evs []eventstore.RecordedEvent) (Settings, error) {
	var s Settings
	for _, e := range evs {
		s.Version = e.StreamVersion
		switch e.Type {
		case TypeSettingsChanged:
			var c SettingsChanged
			if err := json.Unmarshal(e.Payload, &c); err != nil {
				return Settings{}, fmt.Errorf("sso: decode %s: %w", e.Type, err)
			}
			s.Set, s.SettingsChanged = true, c
		case TypeSettingsRemoved:
			s.Set, s.SettingsChanged = false, SettingsChanged{}
		default:
			return Settings{}, fmt.Errorf("sso: unknown event type %q", e.Type)
		}
	}
	return s, nil
}

// Encode makes a stored event of SettingsChanged or SettingsRemoved.
func Encode(e any) (eventstore.Event, error) {
	var typ string
	switch e.(type) {
	case SettingsChanged:
		typ = TypeSettingsChanged
	case SettingsRemoved:
		typ = TypeSettingsRemoved
	default:
		return eventstore.Event{}, fmt.Errorf("sso: %T is not an event", e)
	}
	b, err := json.Marshal(e)
	if err != nil {
		return eventstore.Event{}, fmt.Errorf("sso: encode %s: %w", typ, err)
	}
	return eventstore.Event{Type: typ, SchemaVersion: 1, Payload: b}, nil
}

// Limits of the settings.
const (
	MaxEmailDomains = 50
	MaxGroupTeams   = 200
)

// NormalizeDomains checks and lower-cases e-mail domains: at least one, each
// a host name with a dot (example.com), no duplicates.
func NormalizeDomains(in []string) ([]string, error) {
	if len(in) == 0 || len(in) > MaxEmailDomains {
		return nil, domain.Errorf(domain.Invalid, CodeProviderInvalid,
			"list 1 to %d e-mail domains the provider is trusted for (example.com)", MaxEmailDomains)
	}
	seen := map[string]bool{}
	out := make([]string, 0, len(in))
	for _, d := range in {
		d = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(d), "@")))
		if !hostname(d) {
			return nil, domain.Errorf(domain.Invalid, CodeProviderInvalid, "%q is not an e-mail domain (example.com)", d)
		}
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out, nil
}

func hostname(d string) bool {
	if len(d) < 3 || len(d) > 253 || !strings.Contains(d, ".") || strings.HasPrefix(d, ".") || strings.HasSuffix(d, ".") || strings.Contains(d, "..") {
		return false
	}
	for _, c := range d {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// DomainOf is the lower-cased domain of an e-mail address.
func DomainOf(email string) string {
	_, d, _ := strings.Cut(email, "@")
	return strings.ToLower(strings.TrimSpace(d))
}
