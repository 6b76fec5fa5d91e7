package team_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hindsight-retro/hindsight/domain/team"
)

func TestMembersSeeContentOthersOnlyNameAndCounts(t *testing.T) {
	s := team.Decider().Fold(append(withAction(),
		team.GuestAdmitted{GuestUserID: "gus", RetroID: "r1", InvitedBy: "dan", At: t0},
		team.ActionCommented{ActionID: "a1", CommentID: "c1", Author: "dan", Text: "secret plan", At: t0}))

	member := team.View(s, team.Viewer{UserID: "dan"})
	if member.Content == nil || len(member.Content.Members) != 2 || len(member.Content.Actions) != 1 || len(member.Content.Guests) != 1 {
		t.Fatalf("member's view = %+v", member)
	}
	if member.Content.Members[0] != (team.MemberView{UserID: "carol", Admin: true}) {
		t.Fatalf("members = %+v", member.Content.Members)
	}

	for _, who := range []string{"ada", "gus", ""} {
		v := team.View(s, team.Viewer{UserID: who})
		if v.Content != nil || v.IsMember {
			t.Fatalf("%q sees content: %+v", who, v)
		}
		if v.Name != "Platform" || v.MemberCount != 2 || v.OpenActionCount != 1 {
			t.Fatalf("%q's view lacks name or counts: %+v", who, v)
		}
		b, _ := json.Marshal(v)
		for _, secret := range []string{"secret plan", "Automate", "\"dan\"", "gus"} {
			if strings.Contains(string(b), secret) {
				t.Fatalf("%q's view leaks %q: %s", who, secret, b)
			}
		}
	}
}

func TestAViewIsACopy(t *testing.T) {
	s := team.Decider().Fold(append(withAction(), team.ActionCommented{ActionID: "a1", CommentID: "c1", Author: "dan", Text: "x"}))
	v := team.View(s, team.Viewer{UserID: "dan"})
	v.Content.Actions[0].Comments[0].Text = "changed"
	if s.Actions["a1"].Comments[0].Text != "x" {
		t.Fatal("changing a view changed the state")
	}
}
