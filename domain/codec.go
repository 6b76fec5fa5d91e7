package domain

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Typed is what every aggregate's events have: a stable type name, named
// by the rule in this package's documentation (Names).
type Typed interface{ EventType() string }

// EventName is a stored event type name without its category prefix:
// "team.MemberAdded" in category "team" and "RetroCreated" in "retro" give
// "MemberAdded" and "RetroCreated".
func EventName(category, typ string) string {
	return strings.TrimPrefix(typ, category+".")
}

// Schema is one event type's current schema version and how to decode every
// version it was ever written in. Stored events are never rewritten: an old
// shape is upcast here, when read.
type Schema[E Typed] struct {
	Version int
	Decode  func(version int, payload []byte) (E, error)
}

// Current is the schema of an event type that has had one shape only, at
// version: it decodes that version into T and refuses any other.
func Current[E Typed, T Typed](version int) Schema[E] {
	return Schema[E]{Version: version, Decode: func(v int, p []byte) (E, error) {
		var zero E
		if v != version {
			return zero, fmt.Errorf("schema version %d is not known (current is %d)", v, version)
		}
		var t T
		if err := json.Unmarshal(p, &t); err != nil {
			return zero, err
		}
		e, ok := any(t).(E)
		if !ok {
			return zero, fmt.Errorf("%T is not one of this aggregate's events", t)
		}
		return e, nil
	}}
}

// Upcast is the schema of an event type whose older versions decode through
// old: versions below current go to old, current decodes into T.
func Upcast[E Typed, T Typed](current int, old func(version int, payload []byte) (E, error)) Schema[E] {
	cur := Current[E, T](current)
	return Schema[E]{Version: current, Decode: func(v int, p []byte) (E, error) {
		if v > 0 && v < current {
			return old(v, p)
		}
		return cur.Decode(v, p)
	}}
}

// Codec encodes and decodes one aggregate's events with encoding/json.
// Lookup finds an event type's schema; a switch there rather than a package
// map keeps the table out of reach of anyone who could change it.
type Codec[E Typed] struct {
	Aggregate string
	Lookup    func(typ string) (Schema[E], bool)
}

// Encode gives an event's type name, current schema version and payload.
func (c Codec[E]) Encode(e E) (typ string, schemaVersion int, payload []byte, err error) {
	if any(e) == nil {
		return "", 0, nil, fmt.Errorf("encode %s event: nil event", c.Aggregate)
	}
	typ = e.EventType()
	s, ok := c.Lookup(typ)
	if !ok {
		return "", 0, nil, fmt.Errorf("encode %s event: unknown type %q", c.Aggregate, typ)
	}
	payload, err = json.Marshal(e)
	if err != nil {
		return "", 0, nil, fmt.Errorf("encode %s event %s: %w", c.Aggregate, typ, err)
	}
	return typ, s.Version, payload, nil
}

// Decode reads a stored event, upcasting older schema versions.
func (c Codec[E]) Decode(typ string, schemaVersion int, payload []byte) (E, error) {
	var zero E
	s, ok := c.Lookup(typ)
	if !ok {
		return zero, fmt.Errorf("decode %s event: unknown type %q", c.Aggregate, typ)
	}
	e, err := s.Decode(schemaVersion, payload)
	if err != nil {
		return zero, fmt.Errorf("decode %s event %s v%d: %w", c.Aggregate, typ, schemaVersion, err)
	}
	return e, nil
}
