package board_test

import (
	"reflect"
	"testing"

	"github.com/hindsight-retro/hindsight/domain/board"
)

func TestEveryEventRoundTrips(t *testing.T) {
	for _, e := range []board.Event{
		created()[0],
		board.Created{BoardID: "b2", TeamID: "t1", Title: "Who we are", By: "ana", At: t0, Seed: true},
		board.Renamed{Title: "t2", By: "ana", At: t1},
		board.Archived{By: "ben", At: t1},
		board.Restored{By: "ana", At: t1},
	} {
		typ, v, p, err := board.EncodeEvent(e)
		if err != nil {
			t.Fatalf("encode %T: %v", e, err)
		}
		got, err := board.DecodeEvent(typ, v, p)
		if err != nil {
			t.Fatalf("decode %s: %v", typ, err)
		}
		if !reflect.DeepEqual(got, e) {
			t.Fatalf("round trip of %s:\n got  %#v\n want %#v", typ, got, e)
		}
	}
}

// Boards stored before the aggregate moved into domain/ were written with
// these type names and shapes, at schema version 1; they must still read.
func TestBoardsStoredBeforeTheMoveStillRead(t *testing.T) {
	stored := []struct {
		typ, payload string
		want         board.Event
	}{
		{"WhiteboardCreated", `{"boardId":"b1","retroId":"r1","teamId":"t1","topic":{"kind":"card","id":"c1"},"templateId":"check-in","title":"Why did the deploy fail?","by":"ana","at":"2026-11-27T10:00:00Z"}`, created()[0]},
		{"WhiteboardRenamed", `{"title":"t2","by":"ana","at":"2026-11-27T11:00:00Z"}`, board.Renamed{Title: "t2", By: "ana", At: t1}},
		{"WhiteboardArchived", `{"by":"ben","at":"2026-11-27T11:00:00Z"}`, board.Archived{By: "ben", At: t1}},
		{"WhiteboardRestored", `{"by":"ana","at":"2026-11-27T11:00:00Z"}`, board.Restored{By: "ana", At: t1}},
	}
	for _, s := range stored {
		got, err := board.DecodeEvent(s.typ, 1, []byte(s.payload))
		if err != nil {
			t.Fatalf("decode stored %s: %v", s.typ, err)
		}
		if !reflect.DeepEqual(got, s.want) {
			t.Fatalf("stored %s:\n got  %#v\n want %#v", s.typ, got, s.want)
		}
		if typ, v, _, _ := board.EncodeEvent(s.want); typ != s.typ || v != 1 {
			t.Fatalf("%T is now written as %s v%d, stored logs hold %s v1", s.want, typ, v, s.typ)
		}
	}
}

func TestDecodeRejectsWhatItDoesNotKnow(t *testing.T) {
	if _, err := board.DecodeEvent("WhiteboardPainted", 1, []byte(`{}`)); err == nil {
		t.Fatal("an unknown event type decoded")
	}
	if _, err := board.DecodeEvent(board.TypeCreated, 2, []byte(`{}`)); err == nil {
		t.Fatal("an unknown schema version decoded")
	}
	if _, err := board.DecodeEvent(board.TypeCreated, 1, []byte(`{`)); err == nil {
		t.Fatal("a broken payload decoded")
	}
}
