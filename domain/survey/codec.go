package survey

import (
	"encoding/json"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
)

// surveyClosedV1 is SurveyClosed as first written, when only the schedule
// closed surveys: no closer, never early.
type surveyClosedV1 struct {
	At time.Time `json:"at"`
}

func surveyClosedCodec() domain.Schema[Event] {
	return domain.Upcast[Event, SurveyClosed](2, func(_ int, p []byte) (Event, error) {
		var old surveyClosedV1
		if err := json.Unmarshal(p, &old); err != nil {
			return nil, err
		}
		return SurveyClosed{At: old.At}, nil
	})
}

// codecFor is a switch rather than a package map so there is no package
// state anyone could change.
func codecFor(typ string) (domain.Schema[Event], bool) {
	switch typ {
	case TypeSurveyCreated:
		return domain.Current[Event, SurveyCreated](1), true
	case TypeResponseSubmitted:
		return domain.Current[Event, ResponseSubmitted](1), true
	case TypeNamedAnswersSubmitted:
		return domain.Current[Event, NamedAnswersSubmitted](1), true
	case TypeSurveyClosed:
		return surveyClosedCodec(), true
	}
	return domain.Schema[Event]{}, false
}

func codec() domain.Codec[Event] {
	return domain.Codec[Event]{Aggregate: Category, Lookup: codecFor}
}

// EncodeEvent turns an event into its stored form.
func EncodeEvent(e Event) (typ string, schemaVersion int, payload []byte, err error) {
	return codec().Encode(e)
}

// DecodeEvent reads a stored event, upcasting older schema versions.
func DecodeEvent(typ string, schemaVersion int, payload []byte) (Event, error) {
	return codec().Decode(typ, schemaVersion, payload)
}
