package retro_test

import (
	"reflect"
	"testing"

	"pgregory.net/rapid"

	"github.com/hindsight-retro/hindsight/domain/retro"
)

// The live feed encodes one change once per audience; this holds Audience
// to View: two viewers of one audience never see anything different but
// their own user ID, in any state random commands reach.
func TestPropertyViewersOfOneAudienceSeeOneView(t *testing.T) {
	// Bystanders who never joined, so that more than one falls in each
	// bystander audience.
	all := append([]retro.Viewer{viewer(actor("user-dave")), viewer(actor("user-fay")), {UserID: "user-gus"}}, viewers...)
	rapid.Check(t, func(t *rapid.T) {
		w := play(t, func(*rapid.T, *world, []retro.Event) {})
		for i, s := range w.states {
			seen := map[string]retro.RetroView{}
			for _, v := range all {
				view := retro.View(s, v, retro.Policy{MinRespondents: 2})
				view.You.UserID = ""
				a := retro.Audience(s, v)
				if other, ok := seen[a]; ok && !reflect.DeepEqual(other, view) {
					t.Fatalf("state %d: %+v shares an audience with another viewer but sees\n%+v\nnot\n%+v", i, v, view, other)
				}
				seen[a] = view
			}
		}
	})
}

func TestAViewerWhoWroteACardIsAnAudienceOfTheirOwn(t *testing.T) {
	s := fold(base(t, false, retro.JoinRetro{Actor: carol, At: t0, Role: retro.RoleMember}))
	if retro.Audience(s, viewer(alice)) != retro.Audience(s, viewer(carol)) {
		t.Fatal("two members who own nothing should share an audience")
	}
	s = fold(base(t, false, retro.JoinRetro{Actor: carol, At: t0, Role: retro.RoleMember},
		retro.AddCard{Actor: alice, At: t0, CardID: "c1", ColumnID: "keep", Text: "mine"}))
	if retro.Audience(s, viewer(alice)) == retro.Audience(s, viewer(carol)) {
		t.Fatal("the author of a concealed card shares an audience with someone who may not read it")
	}
}

// The same for a commit's events: viewers of one audience before and one
// after a command are sent the same redacted events.
func TestPropertyViewersOfOneAudienceBeforeAndAfterSeeOneChange(t *testing.T) {
	all := append([]retro.Viewer{viewer(actor("user-dave")), viewer(actor("user-fay")), {UserID: "user-gus"}}, viewers...)
	rapid.Check(t, func(t *rapid.T) {
		prev := retro.Initial()
		play(t, func(t *rapid.T, w *world, fresh []retro.Event) {
			seen := map[string][]retro.Event{}
			for _, v := range all {
				var got []retro.Event
				for _, e := range fresh {
					if red, ok := retro.RedactEvent(w.s, e, v); ok {
						got = append(got, red)
					}
				}
				a := retro.Audience(prev, v) + "\x01" + retro.Audience(w.s, v)
				if other, ok := seen[a]; ok && !reflect.DeepEqual(other, got) {
					t.Fatalf("%+v shares an audience with another viewer but is sent\n%+v\nnot\n%+v", v, got, other)
				}
				seen[a] = got
			}
			prev = w.s
		})
	})
}
