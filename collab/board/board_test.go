package board

import (
	"errors"
	"testing"
	"time"
)

var at = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

func run(t *testing.T, history []any, cmd any) ([]any, State, error) {
	t.Helper()
	s := State{}
	for _, e := range history {
		s = Evolve(s, e)
	}
	evs, err := Decide(s, cmd)
	for _, e := range evs {
		s = Evolve(s, e)
	}
	return evs, s, err
}

var create = Create{BoardID: "b1", RetroID: "r1", TeamID: "t1", Topic: Topic{Kind: TopicCard, ID: "c1"}, TemplateID: "check-in", Title: " Why did the deploy fail? ", Actor: "u1", At: at}

func TestCreateOpensABoardForATopic(t *testing.T) {
	evs, s, err := run(t, nil, create)
	if err != nil || len(evs) != 1 {
		t.Fatalf("create: %v, %v", evs, err)
	}
	if !s.Exists || s.RetroID != "r1" || s.Topic != (Topic{TopicCard, "c1"}) || s.TemplateID != "check-in" || s.Title != "Why did the deploy fail?" {
		t.Fatalf("state after create: %+v", s)
	}
	if _, _, err := run(t, evs, create); !errors.Is(err, ErrConflict) {
		t.Fatalf("second create: want conflict, got %v", err)
	}
}

func TestCreateRejectsBadInput(t *testing.T) {
	bad := []Create{
		{RetroID: "r1", Topic: Topic{TopicStep, "s"}, Title: "x", Actor: "u"},
		{BoardID: "b", RetroID: "r1", Topic: Topic{"wall", "s"}, Title: "x", Actor: "u"},
		{BoardID: "b", RetroID: "r1", Topic: Topic{TopicStep, ""}, Title: "x", Actor: "u"},
		{BoardID: "b", RetroID: "r1", Topic: Topic{TopicStep, "s"}, Title: "   ", Actor: "u"},
	}
	for i, c := range bad {
		if _, _, err := run(t, nil, c); !errors.Is(err, ErrInvalid) {
			t.Errorf("case %d: want invalid, got %v", i, err)
		}
	}
}

func TestArchivedBoardsCannotBeRenamedUntilRestored(t *testing.T) {
	created, _ := Decide(State{}, create)
	evs, s, err := run(t, created, Archive{Actor: "u1", At: at})
	if err != nil || !s.Archived {
		t.Fatalf("archive: %v %+v", err, s)
	}
	history := append(created, evs...)
	if again, _, err := run(t, history, Archive{Actor: "u1", At: at}); err != nil || len(again) != 0 {
		t.Fatalf("archiving twice: %v %v", again, err)
	}
	if _, _, err := run(t, history, Rename{Title: "new", Actor: "u1", At: at}); !errors.Is(err, ErrConflict) {
		t.Fatalf("rename while archived: want conflict, got %v", err)
	}
	restored, s, err := run(t, history, Restore{Actor: "u1", At: at})
	if err != nil || s.Archived {
		t.Fatalf("restore: %v %+v", err, s)
	}
	if _, s, err := run(t, append(history, restored...), Rename{Title: "new", Actor: "u1", At: at}); err != nil || s.Title != "new" {
		t.Fatalf("rename after restore: %v %+v", err, s)
	}
}

func TestCommandsOnAMissingBoardAreNotFound(t *testing.T) {
	for _, c := range []any{Rename{Title: "x"}, Archive{}, Restore{}} {
		if _, _, err := run(t, nil, c); !errors.Is(err, ErrNotFound) {
			t.Errorf("%T: want not found, got %v", c, err)
		}
	}
}

func TestEventsRoundTripThroughTheLogEncoding(t *testing.T) {
	for _, e := range []any{
		Created{BoardID: "b", RetroID: "r", Topic: Topic{TopicGroup, "g"}, Title: "t", By: "u", At: at},
		Renamed{Title: "t2", By: "u", At: at}, Archived{By: "u", At: at}, Restored{By: "u", At: at},
	} {
		typ, payload, err := Encode(e)
		if err != nil {
			t.Fatal(err)
		}
		back, err := Decode(typ, payload)
		if err != nil || back != e {
			t.Fatalf("%s: got %#v, %v; want %#v", typ, back, err, e)
		}
	}
	if _, err := Decode("WhiteboardPainted", []byte("{}")); err == nil {
		t.Fatal("an unknown event type decoded")
	}
}
