package sharelink_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/decidertest"
	"github.com/hindsight-retro/hindsight/domain/sharelink"
)

var (
	t0     = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	mod    = domain.Actor{UserID: "mod"}
	bea    = domain.Actor{UserID: "bea"}
	secret = "s3cret-of-the-link"
)

func create() sharelink.CreateLink {
	return sharelink.CreateLink{Actor: mod, At: t0, LinkID: "l1", RetroID: "r1", TeamID: "t1",
		SecretHash: sharelink.HashSecret(secret), ExpiresAt: t0.Add(7 * 24 * time.Hour)}
}

func created() []sharelink.Event {
	evs, _, err := sharelink.Decider().Run(nil, create())
	if err != nil {
		panic(err)
	}
	return evs
}

func rejected(t *testing.T, err error, kind domain.Kind, code string) {
	t.Helper()
	var de *domain.Error
	if !errors.As(err, &de) || de.Kind != kind || de.Code != code {
		t.Fatalf("got %v, want a %s rejection %q", err, kind, code)
	}
}

func TestAModeratorCreatesALinkThatKeepsOnlyTheSecretsHash(t *testing.T) {
	want := sharelink.LinkCreated{LinkID: "l1", RetroID: "r1", TeamID: "t1", CreatedBy: "mod",
		SecretHash: sharelink.HashSecret(secret), ExpiresAt: t0.Add(7 * 24 * time.Hour), At: t0}
	s := decidertest.Then(t, sharelink.Decider(), nil, sharelink.Command(create()), sharelink.Event(want))
	for _, e := range []sharelink.Event{want} {
		_, _, payload, err := sharelink.EncodeEvent(e)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(payload), secret) {
			t.Errorf("the stored event holds the secret: %s", payload)
		}
	}
	if err := sharelink.Open(s, secret, t0.Add(time.Hour)); err != nil {
		t.Errorf("the link does not open with its secret: %v", err)
	}
}

func TestALinkOpensForItsSecretOnlyAndUntilItExpires(t *testing.T) {
	s := sharelink.Decider().Fold(created())
	rejected(t, sharelink.Open(s, "a guess", t0), domain.NotFound, sharelink.CodeNotFound)
	rejected(t, sharelink.Open(sharelink.Initial(), secret, t0), domain.NotFound, sharelink.CodeNotFound)
	rejected(t, sharelink.Open(s, secret, t0.Add(7*24*time.Hour)), domain.NotFound, sharelink.CodeExpired)
}

func TestARevokedLinkOpensForNobodyAndRevokingAgainChangesNothing(t *testing.T) {
	revoked := sharelink.LinkRevoked{RevokedBy: "mod", At: t0.Add(time.Minute)}
	s := decidertest.Then(t, sharelink.Decider(), created(), sharelink.Command(sharelink.RevokeLink{Actor: mod, At: t0.Add(time.Minute)}), sharelink.Event(revoked))
	rejected(t, sharelink.Open(s, secret, t0.Add(time.Hour)), domain.NotFound, sharelink.CodeRevoked)
	decidertest.Then(t, sharelink.Decider(), append(created(), revoked), sharelink.Command(sharelink.RevokeLink{Actor: mod, At: t0.Add(time.Hour)}))
}

func TestOnlyTheCreatorOrTheRetrosModeratorRevokes(t *testing.T) {
	d := sharelink.Decider()
	decidertest.Refused(t, d, created(), sharelink.Command(sharelink.RevokeLink{Actor: bea, At: t0, RetroModerator: "mod"}), domain.Forbidden, sharelink.CodeNotYours)
	// Moderation handed over to Bea: she may revoke Mod's link.
	decidertest.Then(t, d, created(), sharelink.Command(sharelink.RevokeLink{Actor: bea, At: t0, RetroModerator: "bea"}),
		sharelink.Event(sharelink.LinkRevoked{RevokedBy: "bea", At: t0}))
	decidertest.Refused(t, d, nil, sharelink.Command(sharelink.RevokeLink{Actor: mod, At: t0}), domain.NotFound, sharelink.CodeNotFound)
}

func TestALinkMustExpireWithinNinetyDaysAndCarryAHash(t *testing.T) {
	for name, c := range map[string]func(*sharelink.CreateLink){
		"expired already": func(c *sharelink.CreateLink) { c.ExpiresAt = t0 },
		"too far":         func(c *sharelink.CreateLink) { c.ExpiresAt = t0.Add(sharelink.MaxTTL + time.Second) },
		"the secret":      func(c *sharelink.CreateLink) { c.SecretHash = secret },
		"no retro":        func(c *sharelink.CreateLink) { c.RetroID = "" },
		"nobody creates":  func(c *sharelink.CreateLink) { c.Actor = domain.Actor{} },
		"upper-case hash": func(c *sharelink.CreateLink) { c.SecretHash = strings.ToUpper(c.SecretHash) },
	} {
		cmd := create()
		c(&cmd)
		if _, _, err := sharelink.Decider().Run(nil, cmd); err == nil {
			t.Errorf("%s: created", name)
		}
	}
	_, _, err := sharelink.Decider().Run(created(), create())
	rejected(t, err, domain.Conflict, sharelink.CodeExists)
}
