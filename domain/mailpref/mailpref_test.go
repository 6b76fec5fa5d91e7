package mailpref_test

import (
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/decidertest"
	"github.com/hindsight-retro/hindsight/domain/mailpref"
)

var (
	d   = decidertest.For(mailpref.Decider())
	t0  = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	bea = domain.Actor{UserID: "bea"}
)

func TestEveryEventAndCommandTypeIsListedAndKnownToTheCodecAndDecide(t *testing.T) {
	decidertest.Covers(t, mailpref.Decider(), mailpref.Events(), mailpref.Commands(), mailpref.EncodeEvent, mailpref.DecodeEvent, mailpref.CodeUnknownCommand)
}

func TestEveryKindButTheDigestIsSentUntilThePersonUnsubscribes(t *testing.T) {
	s := mailpref.Initial()
	for _, k := range mailpref.Kinds() {
		if s.Gets(k) == mailpref.OptIn(k) {
			t.Errorf("kind %s: gets %v by default", k, s.Gets(k))
		}
	}
	if s.Gets(mailpref.KindDigest) {
		t.Error("the digest is sent without opting in")
	}
}

func TestUnsubscribingStopsThatKindOnlyAndASecondClickChangesNothing(t *testing.T) {
	off := mailpref.Unsubscribed{UserID: "bea", Kind: mailpref.KindSurvey, Via: mailpref.ViaOneClick, At: t0}
	s := d.Then(t, nil, mailpref.Unsubscribe{UserID: "bea", Kind: mailpref.KindSurvey, At: t0}, off)
	if s.Gets(mailpref.KindSurvey) || !s.Gets(mailpref.KindSummary) || !s.Gets(mailpref.KindActionReminder) {
		t.Errorf("after unsubscribing from surveys: %v", s.All())
	}
	d.Then(t, []mailpref.Event{off}, mailpref.Unsubscribe{UserID: "bea", Kind: mailpref.KindSurvey, Via: mailpref.ViaPage, At: t0})
	d.Refused(t, nil, mailpref.Unsubscribe{UserID: "bea", Kind: "spam", At: t0}, domain.Invalid, mailpref.CodeKindUnknown)
	d.Refused(t, nil, mailpref.Unsubscribe{Kind: mailpref.KindSurvey, At: t0}, domain.Invalid, mailpref.CodeUserRequired)
}

func TestAPersonOptsInToTheDigestAndBackInToAKindTheyLeft(t *testing.T) {
	off := mailpref.Unsubscribed{UserID: "bea", Kind: mailpref.KindSurvey, Via: mailpref.ViaOneClick, At: t0}
	all := map[mailpref.Kind]bool{mailpref.KindSummary: true, mailpref.KindInvitation: true, mailpref.KindActionReminder: true,
		mailpref.KindSurvey: true, mailpref.KindDigest: true}
	s := d.Then(t, []mailpref.Event{off},
		mailpref.SetPreferences{Actor: bea, Kinds: map[mailpref.Kind]bool{mailpref.KindSurvey: true, mailpref.KindDigest: true}, At: t0},
		mailpref.PreferencesSet{UserID: "bea", Kinds: all, At: t0})
	if !s.Gets(mailpref.KindDigest) || !s.Gets(mailpref.KindSurvey) {
		t.Errorf("after opting in: %v", s.All())
	}
	d.Then(t, nil, mailpref.SetPreferences{Actor: bea, Kinds: map[mailpref.Kind]bool{mailpref.KindSummary: true}, At: t0})
	d.Refused(t, nil, mailpref.SetPreferences{Actor: bea, Kinds: map[mailpref.Kind]bool{"spam": true}, At: t0}, domain.Invalid, mailpref.CodeKindUnknown)
}
