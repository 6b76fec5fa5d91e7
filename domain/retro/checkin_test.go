package retro_test

import (
	"testing"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/domain/retro"
)

var weather = &catalog.CheckIn{ID: "arrival-weather", Question: "What is the weather in your head?", Options: []catalog.CheckInOption{
	{ID: "sunny", Label: "Sunny"}, {ID: "rainy", Label: "Rainy"}, {ID: "stormy", Label: "Stormy"}}}

// withCheckIn is base with a check-in in the lobby, then more.
func withCheckIn(t *testing.T, anonymous bool, more ...retro.Command) []retro.Event {
	t.Helper()
	c := create(anonymous)
	c.CheckIn = weather
	cmds := []retro.Command{c,
		retro.JoinRetro{Actor: alice, At: t0, Role: retro.RoleMember},
		retro.JoinRetro{Actor: bob, At: t0, Role: retro.RoleGuest}}
	return history(t, append(cmds, more...)...)
}

func pick(a domain.Actor, option string) retro.AnswerCheckIn {
	return retro.AnswerCheckIn{Actor: a, At: t0, OptionID: option}
}

func TestACheckInIsAnsweredAnonymouslyWhileTheRetroIsInItsLobby(t *testing.T) {
	movedOn := retro.GoToStep{Actor: mod, At: t0, StepID: string(retro.KindIcebreaker)}
	decider.Run(t, []tc{
		{Name: "a pick is recorded under the pseudonym, even in a retro that is not anonymous", Given: withCheckIn(t, false),
			When: pick(alice, "rainy"),
			Then: []retro.Event{retro.CheckInAnswered{Respondent: alice.Pseudonym, OptionID: "rainy", At: t0}}},
		{Name: "picking again changes the pick", Given: withCheckIn(t, false, pick(alice, "rainy")),
			When: pick(alice, "sunny"),
			Then: []retro.Event{retro.CheckInAnswered{Respondent: alice.Pseudonym, OptionID: "sunny", At: t0}}},
		{Name: "the same pick again changes nothing", Given: withCheckIn(t, false, pick(alice, "rainy")), When: pick(alice, "rainy")},
		{Name: "the check-in ends when the moderator moves on", Given: withCheckIn(t, false, movedOn),
			When: pick(alice, "sunny"), Kind: domain.Conflict, Code: retro.CodeCheckInClosed},
		{Name: "an option the check-in lacks is refused", Given: withCheckIn(t, false), When: pick(alice, "foggy"),
			Kind: domain.Invalid, Code: retro.CodeCheckInOptionUnknown},
		{Name: "a retro made without a check-in has none to answer", Given: base(t, false), When: pick(alice, "sunny"),
			Kind: domain.Conflict, Code: retro.CodeNoCheckIn},
		{Name: "no pseudonym, no answer", Given: withCheckIn(t, false), When: pick(domain.Actor{UserID: alice.UserID}, "sunny"),
			Kind: domain.Invalid, Code: retro.CodePseudonymRequired},
		{Name: "someone who has not joined cannot answer", Given: withCheckIn(t, false), When: pick(actor("user-stranger"), "sunny"),
			Kind: domain.Forbidden, Code: retro.CodeNotParticipant},
	})
}

func TestACheckInOfOneOptionIsRefusedAtCreation(t *testing.T) {
	c := create(false)
	c.CheckIn = &catalog.CheckIn{ID: "x", Question: "Q?", Options: []catalog.CheckInOption{{ID: "a", Label: "A"}}}
	decider.Run(t, []tc{{Name: "one option", When: c, Kind: domain.Invalid, Code: retro.CodeCheckInInvalid}})
}

func TestTheCheckInShowsCountsOnlyFromTheMinimumGroupAndEachPersonTheirOwnPick(t *testing.T) {
	two := fold(withCheckIn(t, false, pick(alice, "rainy"), pick(bob, "sunny")))
	v := retro.View(two, viewer(alice), policy).CheckIn
	if v == nil || !v.Open || v.Respondents != 2 || !v.Withheld || v.Yours != "rainy" {
		t.Fatalf("alice's check-in with two answers: %+v", v)
	}
	for _, o := range v.Options {
		if o.Count != nil {
			t.Errorf("option %s shows a count with two answers under a minimum of three", o.ID)
		}
	}
	if m := retro.View(two, viewer(mod), policy).CheckIn; m.Yours != "" {
		t.Errorf("the moderator, who did not answer, sees a pick: %q", m.Yours)
	}
	three := fold(withCheckIn(t, false, pick(alice, "rainy"), pick(bob, "sunny"), pick(mod, "rainy"),
		retro.GoToStep{Actor: mod, At: t0, StepID: string(retro.KindIcebreaker)}))
	v = retro.View(three, viewer(bob), policy).CheckIn
	counts := map[string]int{}
	for _, o := range v.Options {
		if o.Count == nil {
			t.Fatalf("option %s has no count with three answers", o.ID)
		}
		counts[o.ID] = *o.Count
	}
	if v.Open || v.Withheld || counts["rainy"] != 2 || counts["sunny"] != 1 || counts["stormy"] != 0 || v.Yours != "sunny" {
		t.Errorf("bob's check-in after the lobby: %+v, counts %v", v, counts)
	}
}
