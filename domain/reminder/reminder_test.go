package reminder_test

import (
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/decidertest"
	"github.com/hindsight-retro/hindsight/domain/reminder"
)

var (
	d  = decidertest.For(reminder.Decider())
	t0 = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
)

func TestEveryEventAndCommandTypeIsListedAndKnownToTheCodecAndDecide(t *testing.T) {
	decidertest.Covers(t, reminder.Decider(), reminder.Events(), reminder.Commands(), reminder.EncodeEvent, reminder.DecodeEvent, reminder.CodeUnknownCommand)
}

func TestADueReminderIsClaimedOnceAndAnotherKeyStillCan(t *testing.T) {
	claim := reminder.Claim{Key: "a1/overdue/2026-12-01", Kind: reminder.KindActionOverdue, TeamID: "t1", ActionID: "a1", Due: t0, At: t0.Add(time.Minute)}
	claimed := reminder.Claimed{Key: claim.Key, Kind: claim.Kind, TeamID: "t1", ActionID: "a1", Due: t0, At: t0.Add(time.Minute)}
	d.Then(t, nil, claim, claimed)
	d.Refused(t, []reminder.Event{claimed}, claim, domain.Conflict, reminder.CodeAlreadyClaimed)
	soon := reminder.Claim{Key: "a1/soon/2026-12-01", Kind: reminder.KindActionDueSoon, ActionID: "a1", Due: t0, At: t0}
	d.Then(t, []reminder.Event{claimed}, soon, reminder.Claimed{Key: soon.Key, Kind: soon.Kind, ActionID: "a1", Due: t0, At: t0})
}

func TestAClaimNeedsAKeyAndAKnownKind(t *testing.T) {
	d.RefusedAll(t, map[string]decidertest.Refusal[reminder.Command, reminder.Event]{
		"no key":  {When: reminder.Claim{Kind: reminder.KindDigest, At: t0}, Kind: domain.Invalid, Code: reminder.CodeKeyRequired},
		"no kind": {When: reminder.Claim{Key: "k", Kind: "birthday", At: t0}, Kind: domain.Invalid, Code: reminder.CodeKindUnknown},
	})
}
