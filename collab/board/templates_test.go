package board

import (
	"errors"
	"testing"
)

func TestTeamBoardWithoutRetro(t *testing.T) {
	evs, err := Decide(State{}, Create{BoardID: "b", TeamID: "t1", TemplateID: "team-building", Title: "Who we are", Actor: "u"})
	if err != nil {
		t.Fatal(err)
	}
	s := Evolve(State{}, evs[0])
	if !s.Exists || s.TeamID != "t1" || s.RetroID != "" || s.TemplateID != "team-building" {
		t.Fatalf("state %+v", s)
	}
}

func TestCreateRefusesBadTeamBoards(t *testing.T) {
	for _, c := range []Create{
		{BoardID: "b", Title: "x", Actor: "u"},                                            // neither retro nor team
		{BoardID: "b", TeamID: "t", Topic: Topic{TopicCard, "c"}, Title: "x", Actor: "u"}, // topic without retro
		{BoardID: "b", TeamID: "t", TemplateID: "no-such", Title: "x", Actor: "u"},
	} {
		if _, err := Decide(State{}, c); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: got %v, want ErrInvalid", c, err)
		}
	}
}

func TestTemplatesAreCopies(t *testing.T) {
	ts := Templates()
	if len(ts) == 0 {
		t.Fatal("no templates")
	}
	ts[0].Prompts[0] = "changed"
	if got, _ := TemplateByID(ts[0].ID); got.Prompts[0] == "changed" {
		t.Fatal("a caller changed the catalogue")
	}
}
