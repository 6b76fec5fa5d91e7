package survey

import (
	"encoding/json"
	"fmt"
	"time"
)

// codecEntry knows one event type's current schema version and how to
// decode each version it has ever been written in.
type codecEntry struct {
	version int
	decode  func(version int, payload []byte) (Event, error)
}

func current[E Event](version int) codecEntry {
	return codecEntry{version: version, decode: func(v int, p []byte) (Event, error) {
		if v != version {
			return nil, fmt.Errorf("schema version %d is not known (current is %d)", v, version)
		}
		var e E
		if err := json.Unmarshal(p, &e); err != nil {
			return nil, err
		}
		return e, nil
	}}
}

// surveyClosedV1 is SurveyClosed as first written, when only the schedule
// closed surveys: no closer, never early.
type surveyClosedV1 struct {
	At time.Time `json:"at"`
}

func surveyClosedCodec() codecEntry {
	cur := current[SurveyClosed](2)
	return codecEntry{version: 2, decode: func(v int, p []byte) (Event, error) {
		if v != 1 {
			return cur.decode(v, p)
		}
		var old surveyClosedV1
		if err := json.Unmarshal(p, &old); err != nil {
			return nil, err
		}
		return SurveyClosed{At: old.At}, nil
	}}
}

// codecFor is a switch rather than a package map so there is no package
// state anyone could change.
func codecFor(typ string) (codecEntry, bool) {
	switch typ {
	case TypeSurveyCreated:
		return current[SurveyCreated](1), true
	case TypeResponseSubmitted:
		return current[ResponseSubmitted](1), true
	case TypeNamedAnswersSubmitted:
		return current[NamedAnswersSubmitted](1), true
	case TypeSurveyClosed:
		return surveyClosedCodec(), true
	}
	return codecEntry{}, false
}

// EncodeEvent turns an event into its stored form.
func EncodeEvent(e Event) (typ string, schemaVersion int, payload []byte, err error) {
	if e == nil {
		return "", 0, nil, fmt.Errorf("encode survey event: nil event")
	}
	c, ok := codecFor(e.EventType())
	if !ok {
		return "", 0, nil, fmt.Errorf("encode survey event: unknown type %q", e.EventType())
	}
	p, err := json.Marshal(e)
	if err != nil {
		return "", 0, nil, fmt.Errorf("encode survey event %s: %w", e.EventType(), err)
	}
	return e.EventType(), c.version, p, nil
}

// DecodeEvent reads a stored event, upcasting older schema versions.
func DecodeEvent(typ string, schemaVersion int, payload []byte) (Event, error) {
	c, ok := codecFor(typ)
	if !ok {
		return nil, fmt.Errorf("decode survey event: unknown type %q", typ)
	}
	e, err := c.decode(schemaVersion, payload)
	if err != nil {
		return nil, fmt.Errorf("decode survey event %s v%d: %w", typ, schemaVersion, err)
	}
	return e, nil
}
