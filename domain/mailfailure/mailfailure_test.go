package mailfailure_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/decidertest"
	"github.com/hindsight-retro/hindsight/domain/mailfailure"
)

var (
	t0  = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	ada = domain.Actor{UserID: "ada"}
	d   = decidertest.For(mailfailure.Decider())
)

func refusal(msg string, at time.Time) mailfailure.RecordRefusal {
	return mailfailure.RecordRefusal{At: at, UserID: "gus", AddressHash: "h1", AddressSealed: []byte{1, 2, 3},
		Kind: "summary", Cause: "ev-" + msg, MessageID: msg, Reply: "550 5.1.1 no such mailbox"}
}

func refused(msg string, at time.Time) mailfailure.Event {
	return mailfailure.Refused{UserID: "gus", AddressHash: "h1", AddressSealed: []byte{1, 2, 3},
		Kind: "summary", Cause: "ev-" + msg, MessageID: msg, Reply: "550 5.1.1 no such mailbox", At: at}
}

func TestARefusalIsRecordedOnceEvenWhenTheSameMailIsRefusedAgainAfterACrash(t *testing.T) {
	s := d.Then(t, nil, mailfailure.Command(refusal("m1", t0)), refused("m1", t0))
	if got := mailfailure.List(s); len(got) != 1 || got[0].UserID != "gus" || len(got[0].Refusals) != 1 {
		t.Fatalf("listed %+v", got)
	}
	d.Then(t, []mailfailure.Event{refused("m1", t0)}, mailfailure.Command(refusal("m1", t0.Add(time.Minute))))
}

func TestAnAddressRefusedThreeTimesIsSuppressedUntilAnAdminClearsIt(t *testing.T) {
	var given []mailfailure.Event
	for i, msg := range []string{"m1", "m2", "m3"} {
		if mailfailure.Suppressed(mailfailure.Decider().Fold(given), "h1") {
			t.Fatalf("suppressed after %d refusals", i)
		}
		given = append(given, refused(msg, t0.Add(time.Duration(i)*time.Hour)))
	}
	if !mailfailure.Suppressed(mailfailure.Decider().Fold(given), "h1") {
		t.Fatalf("not suppressed after %d refusals", mailfailure.SuppressAfter)
	}
	s := d.Then(t, given, mailfailure.Command(mailfailure.Clear{Actor: ada, At: t0.Add(4 * time.Hour), AddressHash: "h1"}),
		mailfailure.Cleared{AddressHash: "h1", ClearedBy: "ada", At: t0.Add(4 * time.Hour)})
	if mailfailure.Suppressed(s, "h1") || len(mailfailure.List(s)) != 0 {
		t.Errorf("after clearing: %+v", mailfailure.List(s))
	}
	// A refusal after the clear counts from one again.
	s = d.Then(t, append(given, mailfailure.Cleared{AddressHash: "h1", ClearedBy: "ada", At: t0.Add(4 * time.Hour)}),
		mailfailure.Command(refusal("m4", t0.Add(5*time.Hour))), refused("m4", t0.Add(5*time.Hour)))
	if mailfailure.Suppressed(s, "h1") {
		t.Error("one refusal after a clear suppresses the address")
	}
}

func TestClearingAnUnknownAddressOrWithoutAnActorIsRefused(t *testing.T) {
	d.Refused(t, nil, mailfailure.Clear{Actor: ada, At: t0, AddressHash: "h1"}, domain.NotFound, mailfailure.CodeNotFound)
	d.Refused(t, []mailfailure.Event{refused("m1", t0)}, mailfailure.Clear{At: t0, AddressHash: "h1"}, domain.Invalid, mailfailure.CodeActorRequired)
}

func TestARefusalWithoutItsAddressOrCauseIsRefused(t *testing.T) {
	for name, c := range map[string]mailfailure.RecordRefusal{
		"no sealed address": {At: t0, UserID: "gus", AddressHash: "h1", Kind: "summary", Cause: "e", MessageID: "m"},
		"no hash":           {At: t0, UserID: "gus", AddressSealed: []byte{1}, Kind: "summary", Cause: "e", MessageID: "m"},
		"no cause":          {At: t0, UserID: "gus", AddressHash: "h1", AddressSealed: []byte{1}, Kind: "summary", MessageID: "m"},
	} {
		t.Run(name, func(t *testing.T) {
			d.Refused(t, nil, c, domain.Invalid, mailfailure.CodeFieldsRequired)
		})
	}
}

func TestALongReplyIsCutOnACharacterBoundary(t *testing.T) {
	c := refusal("m1", t0)
	c.Reply = strings.Repeat("ü", mailfailure.MaxReplyBytes)
	evs, _, err := mailfailure.Decider().Run(nil, c)
	if err != nil {
		t.Fatal(err)
	}
	r := evs[0].(mailfailure.Refused).Reply
	if len(r) > mailfailure.MaxReplyBytes || !strings.HasPrefix(c.Reply, r) || strings.ToValidUTF8(r, "?") != r {
		t.Errorf("reply cut to %d bytes, valid %v", len(r), strings.ToValidUTF8(r, "?") == r)
	}
}

func TestTheListShowsTheMostRecentlyRefusedAddressFirst(t *testing.T) {
	other := mailfailure.Refused{UserID: "bea", AddressHash: "h2", AddressSealed: []byte{9}, Kind: "summary", Cause: "e", MessageID: "x", At: t0.Add(time.Hour)}
	got := mailfailure.List(mailfailure.Decider().Fold([]mailfailure.Event{refused("m1", t0), other}))
	if len(got) != 2 || got[0].AddressHash != "h2" || got[1].AddressHash != "h1" {
		t.Errorf("order %+v", got)
	}
}
