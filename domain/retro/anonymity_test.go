package retro_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/retro"
)

// Which commands write anonymous records is decided in one place, and for
// every command: one left out would have its author named beside it.
func TestEveryCommandIsClassifiedAsAnonymousOrNot(t *testing.T) {
	for _, c := range retro.Commands() {
		if retro.AnonymityOf(c) == 0 {
			t.Errorf("%T is not classified: say in retro.AnonymityOf whether its events are anonymous records", c)
		}
	}
	if !retro.AnonymityOf(nil).Record(false) {
		t.Error("a command the list does not know is taken as named; it must be taken as anonymous")
	}
}

func TestHealthAnswersAndRatingsAreAnonymousInEveryRetroAndContributionsInAnonymousOnes(t *testing.T) {
	for _, c := range []struct {
		cmd              retro.Command
		named, anonymous bool
	}{
		{retro.AnswerHealthCheck{}, true, true},
		{retro.RateRoti{}, true, true},
		{retro.AddCard{}, false, true},
		{retro.CastVote{}, false, true},
		{retro.CommentOnAction{}, false, true},
		{retro.MergeCard{}, false, false},
		{retro.CloseRetro{}, false, false},
	} {
		a := retro.AnonymityOf(c.cmd)
		if a.Record(false) != c.named || a.Record(true) != c.anonymous {
			t.Errorf("%T: anonymous record in a named retro %v, in an anonymous one %v; want %v, %v",
				c.cmd, a.Record(false), a.Record(true), c.named, c.anonymous)
		}
	}
}

// The list agrees with the decider: every accepted command whose events
// carry its actor's pseudonym is classified as an anonymous record, and
// none classified so carries its actor's user ID.
func TestPropertyTheAnonymityListMatchesWhatTheDeciderRecords(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		play(t, func(t *rapid.T, w *world, fresh []retro.Event) {
			a := reflect.ValueOf(w.last).FieldByName("Actor").Interface().(domain.Actor)
			raw, err := json.Marshal(fresh)
			if err != nil {
				t.Fatal(err)
			}
			record := retro.AnonymityOf(w.last).Record(w.anon)
			if a.Pseudonym != "" && strings.Contains(string(raw), a.Pseudonym) && !record {
				t.Fatalf("%T records its actor's pseudonym but is not classified as an anonymous record (anonymous retro %v): %s", w.last, w.anon, raw)
			}
			if record && strings.Contains(string(raw), `"`+a.UserID+`"`) {
				t.Fatalf("%T is an anonymous record but its events name %s: %s", w.last, a.UserID, raw)
			}
		})
	})
}
