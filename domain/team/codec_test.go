package team_test

import (
	"reflect"
	"testing"

	"github.com/hindsight-retro/hindsight/domain/team"
)

func TestEveryEventRoundTrips(t *testing.T) {
	for _, e := range []team.Event{
		created()[0],
		team.MemberAdded{UserID: "dan", AddedBy: "carol", At: t0},
		team.MemberRemoved{UserID: "dan", RemovedBy: "carol", At: t0},
		team.TeamAdminAppointed{UserID: "dan", AppointedBy: "carol", At: t0},
		team.TeamAdminRemoved{UserID: "dan", RemovedBy: "carol", At: t0},
		team.GuestAdmitted{GuestUserID: "gus", RetroID: "r1", InvitedBy: "dan", At: t0},
		team.GuestPromoted{GuestUserID: "gus", PromotedBy: "carol", At: t0},
		withAction()[2],
		team.ActionRecorded{ActionID: "a2", Title: "No due date", RecordedBy: "dan", At: t0},
		team.ActionStatusChanged{ActionID: "a1", From: team.StatusOpen, To: team.StatusKept, RetroID: "r2", ChangedBy: "dan", At: t1},
		team.ActionCommented{ActionID: "a1", CommentID: "c1", Author: "dan", Text: "ok", At: t1},
		team.ActionReassigned{ActionID: "a1", From: "dan", To: "erin", RetroID: "r2", By: "carol", At: t1},
		team.ActionReassigned{ActionID: "a1", From: "erin", By: "erin", At: t1},
		team.ActionRescheduled{ActionID: "a1", Due: &t1, RetroID: "r2", By: "carol", At: t1},
		team.ActionRescheduled{ActionID: "a1", By: "carol", At: t1},
	} {
		typ, v, p, err := team.EncodeEvent(e)
		if err != nil {
			t.Fatalf("encode %T: %v", e, err)
		}
		got, err := team.DecodeEvent(typ, v, p)
		if err != nil {
			t.Fatalf("decode %s: %v", typ, err)
		}
		if !reflect.DeepEqual(got, e) {
			t.Fatalf("round trip of %s:\n got  %#v\n want %#v", typ, got, e)
		}
	}
}

// Teams created before team templates existed were written as TeamCreated v1:
// no template, and the creator ran the team.
func TestTeamCreatedV1IsUpcast(t *testing.T) {
	v1 := `{"teamId":"t1","workspaceId":"ws1","name":"Platform","healthPackId":"team-health","createdBy":"carol","at":"2026-11-02T09:00:00Z"}`
	got, err := team.DecodeEvent(team.TypeTeamCreated, 1, []byte(v1))
	if err != nil {
		t.Fatal(err)
	}
	want := team.TeamCreated{TeamID: "t1", WorkspaceID: "ws1", Name: "Platform", HealthPackID: "team-health", FirstAdminID: "carol", CreatedBy: "carol", At: t0}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("upcast:\n got  %#v\n want %#v", got, want)
	}
	if s := team.Decider().Fold([]team.Event{got}); !s.IsAdmin("carol") {
		t.Fatal("the creator of a v1 team is not its admin")
	}
}

func TestDecodeRejectsWhatItDoesNotKnow(t *testing.T) {
	if _, err := team.DecodeEvent("team.Nope", 1, []byte(`{}`)); err == nil {
		t.Error("unknown type decoded")
	}
	if _, err := team.DecodeEvent(team.TypeMemberAdded, 2, []byte(`{}`)); err == nil {
		t.Error("unknown schema version decoded")
	}
	if _, err := team.DecodeEvent(team.TypeTeamCreated, 1, []byte(`[`)); err == nil {
		t.Error("broken v1 JSON decoded")
	}
	if _, _, _, err := team.EncodeEvent(nil); err == nil {
		t.Error("nil event encoded")
	}
}
