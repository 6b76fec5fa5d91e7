package survey_test

import (
	"reflect"
	"testing"

	"github.com/hindsight-retro/hindsight/domain/survey"
)

func TestEveryEventRoundTrips(t *testing.T) {
	for _, e := range []survey.Event{
		createdEvent(),
		named()[0],
		answered()[1],
		survey.ResponseSubmitted{Respondent: dan.Pseudonym, Ratings: map[string]int{"q-enps": 0}, Replaces: true, At: during},
		survey.NamedAnswersSubmitted{Author: "dan", Answers: map[string]string{"o-improve": "x"}, Replaces: true, At: during},
		survey.SurveyClosed{ClosedBy: "carol", Early: true, At: during},
	} {
		typ, v, p, err := survey.EncodeEvent(e)
		if err != nil {
			t.Fatalf("encode %T: %v", e, err)
		}
		got, err := survey.DecodeEvent(typ, v, p)
		if err != nil {
			t.Fatalf("decode %s: %v", typ, err)
		}
		if !reflect.DeepEqual(got, e) {
			t.Fatalf("round trip of %s:\n got  %#v\n want %#v", typ, got, e)
		}
	}
}

// Before creators could close surveys early, SurveyClosed v1 held only the time.
func TestSurveyClosedV1IsUpcast(t *testing.T) {
	got, err := survey.DecodeEvent(survey.TypeSurveyClosed, 1, []byte(`{"at":"2026-11-16T09:00:00Z"}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := (survey.SurveyClosed{At: closes}); !reflect.DeepEqual(got, want) {
		t.Fatalf("upcast = %#v, want %#v", got, want)
	}
}

func TestDecodeRejectsWhatItDoesNotKnow(t *testing.T) {
	if _, err := survey.DecodeEvent("survey.Nope", 1, []byte(`{}`)); err == nil {
		t.Error("unknown type decoded")
	}
	if _, err := survey.DecodeEvent(survey.TypeSurveyCreated, 3, []byte(`{}`)); err == nil {
		t.Error("unknown schema version decoded")
	}
	if _, err := survey.DecodeEvent(survey.TypeSurveyClosed, 1, []byte(`nope`)); err == nil {
		t.Error("broken v1 JSON decoded")
	}
	if _, _, _, err := survey.EncodeEvent(nil); err == nil {
		t.Error("nil event encoded")
	}
}
