package board_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/board"
)

var (
	t0  = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	t1  = t0.Add(time.Hour)
	ana = domain.Actor{UserID: "ana"}
	ben = domain.Actor{UserID: "ben"}
)

// created: ana opened board b1 on card c1 of retro r1 (team t1).
func created() []board.Event {
	return []board.Event{board.Created{BoardID: "b1", RetroID: "r1", TeamID: "t1", Topic: board.Topic{Kind: board.TopicCard, ID: "c1"},
		TemplateID: "check-in", Title: "Why did the deploy fail?", By: "ana", At: t0}}
}

// archived: board b1, then archived by ben.
func archived() []board.Event {
	return append(created(), board.Archived{By: "ben", At: t1})
}

func thenEvents(t *testing.T, given []board.Event, when board.Command, want ...board.Event) board.State {
	t.Helper()
	got, s, err := board.Decider().Run(given, when)
	if err != nil {
		t.Fatalf("rejected: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("events:\n got  %#v\n want %#v", got, want)
	}
	return s
}

type rejection struct {
	given []board.Event
	when  board.Command
	kind  domain.Kind
	code  string
}

func thenRejected(t *testing.T, cases map[string]rejection) {
	t.Helper()
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, _, err := board.Decider().Run(tc.given, tc.when)
			var de *domain.Error
			if !errors.As(err, &de) {
				t.Fatalf("want rejection %s/%s, got events %#v, err %v", tc.kind, tc.code, got, err)
			}
			if de.Kind != tc.kind || de.Code != tc.code {
				t.Fatalf("want rejection %s/%s, got %s/%s (%s)", tc.kind, tc.code, de.Kind, de.Code, de.Message)
			}
		})
	}
}
