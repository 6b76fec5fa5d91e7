package app_test

import (
	"strings"
	"testing"

	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/retro"
)

// While people arrive, the lobby's check-in runs by itself: a new retro
// has one, everyone picks, counts show from the minimum group on, and it
// ends when the moderator moves on. No pick is recorded by name.
func TestTheLobbyCheckInStartsWithTheRetroAndEndsWhenTheModeratorMovesOn(t *testing.T) {
	f := newTeam(t)
	rid := f.newRetro("Sprint 9", false)
	v := f.view(user(uBea), rid)
	if v.CheckIn == nil || !v.CheckIn.Open || len(v.CheckIn.Options) < 2 || v.CheckIn.Question == "" {
		t.Fatalf("a new retro's check-in: %+v", v.CheckIn)
	}
	opts := v.CheckIn.Options
	picks := map[string]string{uMod: opts[0].ID, uBea: opts[1].ID, uCal: opts[0].ID}
	for _, u := range []string{uMod, uBea, uCal} {
		must(f.retro(user(u), rid, app.AnswerCheckIn{OptionID: picks[u]}))(t)
	}
	v = f.view(user(uBea), rid)
	if v.CheckIn.Yours != opts[1].ID || v.CheckIn.Respondents != 3 || v.CheckIn.Withheld ||
		*v.CheckIn.Options[0].Count != 2 || *v.CheckIn.Options[1].Count != 1 {
		t.Errorf("bea's check-in after three picks: %+v", v.CheckIn)
	}
	for _, e := range f.events() {
		if e.Type != retro.TypeCheckInAnswered {
			continue
		}
		if who, ok := contains(string(e.Payload)+" "+e.Actor, uMod, uBea, uCal); ok || !strings.HasPrefix(e.Actor, "anon:") {
			t.Errorf("a check-in pick names %s: payload %s, actor %q", who, e.Payload, e.Actor)
		}
	}
	must(f.retro(user(uMod), rid, app.GoToStep{StepID: string(retro.KindIcebreaker)}))(t)
	_, err := f.retro(user(uBea), rid, app.AnswerCheckIn{OptionID: opts[0].ID})
	rejected(t, "a pick after the lobby", err, domain.Conflict, retro.CodeCheckInClosed)
	if v := f.view(user(uCal), rid); v.CheckIn.Open || *v.CheckIn.Options[0].Count != 2 {
		t.Errorf("the check-in after the lobby: %+v", v.CheckIn)
	}
}
