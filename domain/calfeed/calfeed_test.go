package calfeed_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/calfeed"
	"github.com/hindsight-retro/hindsight/domain/decidertest"
)

var (
	d      = decidertest.For(calfeed.Decider())
	t0     = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	bea    = domain.Actor{UserID: "bea"}
	cal    = domain.Actor{UserID: "cal"}
	secret = "s3cret-of-the-feed"
)

func created() []calfeed.Event {
	return []calfeed.Event{calfeed.FeedCreated{FeedID: "f1", TeamID: "t1", CreatedBy: "bea", SecretHash: calfeed.HashSecret(secret), At: t0}}
}

func TestAMemberCreatesAFeedThatKeepsOnlyTheSecretsHashAndOpensForTheSecret(t *testing.T) {
	s := d.Then(t, nil, calfeed.CreateFeed{Actor: bea, At: t0, FeedID: "f1", TeamID: "t1", SecretHash: calfeed.HashSecret(secret)}, created()...)
	_, _, payload, err := calfeed.EncodeEvent(created()[0])
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(payload), secret) {
		t.Errorf("the stored event holds the secret: %s", payload)
	}
	if err := calfeed.Open(s, secret); err != nil {
		t.Errorf("the feed does not open with its secret: %v", err)
	}
	if err := calfeed.Open(s, "a guess"); domain.CodeOf(err) != calfeed.CodeNotFound {
		t.Errorf("a wrong secret: %v", err)
	}
}

func TestARevokedFeedOpensForNobodyAndOnlyItsCreatorOrATeamAdminRevokesIt(t *testing.T) {
	d.Refused(t, created(), calfeed.RevokeFeed{Actor: cal, At: t0}, domain.Forbidden, calfeed.CodeNotYours)
	d.Then(t, created(), calfeed.RevokeFeed{Actor: cal, At: t0, ActorIsTeamAdmin: true}, calfeed.FeedRevoked{RevokedBy: "cal", At: t0})
	revoked := append(created(), calfeed.FeedRevoked{RevokedBy: "bea", At: t0})
	s := d.Then(t, revoked, calfeed.RevokeFeed{Actor: bea, At: t0.Add(time.Hour)})
	if err := calfeed.Open(s, secret); domain.CodeOf(err) != calfeed.CodeRevoked {
		t.Errorf("a revoked feed: %v", err)
	}
	d.Refused(t, nil, calfeed.RevokeFeed{Actor: bea, At: t0}, domain.NotFound, calfeed.CodeNotFound)
}

func TestAFeedNeedsItsCreatorIDsAndAHashedSecretAndIsMadeOnce(t *testing.T) {
	ok := calfeed.CreateFeed{Actor: bea, At: t0, FeedID: "f1", TeamID: "t1", SecretHash: calfeed.HashSecret(secret)}
	with := func(f func(*calfeed.CreateFeed)) calfeed.Command { c := ok; f(&c); return c }
	d.RefusedAll(t, map[string]decidertest.Refusal[calfeed.Command, calfeed.Event]{
		"no actor":   {When: with(func(c *calfeed.CreateFeed) { c.Actor = domain.Actor{} }), Kind: domain.Invalid, Code: calfeed.CodeActorRequired},
		"no team":    {When: with(func(c *calfeed.CreateFeed) { c.TeamID = "" }), Kind: domain.Invalid, Code: calfeed.CodeIDRequired},
		"raw secret": {When: with(func(c *calfeed.CreateFeed) { c.SecretHash = secret }), Kind: domain.Invalid, Code: calfeed.CodeSecretHash},
		"twice":      {Given: created(), When: ok, Kind: domain.Conflict, Code: calfeed.CodeExists},
	})
}
