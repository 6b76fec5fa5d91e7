package jsonpatch_test

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/api/live/jsonpatch"
)

type Inner struct {
	ID    string `json:"id"`
	Votes int    `json:"votes,omitempty"`
	Tags  []string
}

type Base struct {
	Kind string `json:"kind"`
}

type doc struct {
	Base
	Title  string           `json:"title"`
	Count  *int             `json:"count,omitempty"`
	Items  []Inner          `json:"items"`
	Maybe  *Inner           `json:"maybe,omitempty"`
	ByName map[string]Inner `json:"byName,omitempty"`
	At     time.Time        `json:"at"`
	Odd    string           `json:"a/b~c"`
	hidden string
}

// build reads a document from fuzz bytes, so that two byte strings give
// two documents of every shape the diff meets.
func build(b []byte) doc {
	next := func() int {
		if len(b) == 0 {
			return 0
		}
		v := int(b[0])
		b = b[1:]
		return v
	}
	d := doc{Base: Base{Kind: string(rune('a' + next()%3))}, Title: string(rune('a' + next()%4)), Odd: string(rune('a' + next()%2))}
	if n := next(); n%3 != 0 {
		d.Count = &n
	}
	for range next() % 6 {
		in := Inner{ID: string(rune('a' + next()%5)), Votes: next() % 3}
		if next()%2 == 0 {
			in.Tags = []string{}
			for range next() % 3 {
				in.Tags = append(in.Tags, string(rune('x'+next()%3)))
			}
		}
		d.Items = append(d.Items, in)
	}
	if next()%2 == 0 {
		d.Maybe = &Inner{ID: "m", Votes: next() % 2}
	}
	if n := next() % 4; n > 0 {
		d.ByName = map[string]Inner{}
		for range n {
			d.ByName[string(rune('p'+next()%4))+"/~"] = Inner{ID: "k", Votes: next() % 2}
		}
	}
	d.At = time.Unix(int64(next()%2), 0).UTC()
	d.hidden = "never encoded"
	return d
}

func asJSON(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func checkRoundTrip(t *testing.T, a, b doc) {
	t.Helper()
	ops := jsonpatch.Diff(a, b)
	// Through the wire, as a client receives it.
	var wire []jsonpatch.Op
	raw, err := json.Marshal(ops)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &wire); err != nil {
		t.Fatal(err)
	}
	got, err := jsonpatch.Apply(asJSON(t, a), wire)
	if err != nil {
		t.Fatalf("apply %s: %v", raw, err)
	}
	if want := asJSON(t, b); !reflect.DeepEqual(got, want) {
		t.Fatalf("patch %s\nturned %v\ninto %v\nwant %v", raw, asJSON(t, a), got, want)
	}
	if reflect.DeepEqual(asJSON(t, a), asJSON(t, b)) && len(ops) != 0 {
		t.Fatalf("equal documents gave a patch: %s", raw)
	}
}

func TestAPatchTurnsTheOldJSONIntoTheNew(t *testing.T) {
	one := 1
	a := doc{Title: "t", Items: []Inner{{ID: "a"}, {ID: "b"}, {ID: "c"}}}
	cases := map[string]doc{
		"an item added in the middle": {Title: "t", Items: []Inner{{ID: "a"}, {ID: "x"}, {ID: "b"}, {ID: "c"}}},
		"an item's votes changed":     {Title: "t", Items: []Inner{{ID: "a"}, {ID: "b", Votes: 2}, {ID: "c"}}},
		"items removed":               {Title: "t", Items: []Inner{{ID: "c"}}},
		"a nil list":                  {Title: "t"},
		"an omitted field appears":    {Title: "t", Count: &one, Items: a.Items, Maybe: &Inner{ID: "m"}},
		"a map with odd keys":         {Title: "t", Items: a.Items, ByName: map[string]Inner{"a/b": {ID: "x"}, "~": {}}},
		"an embedded field":           {Base: Base{Kind: "k"}, Title: "t", Items: a.Items},
	}
	for name, b := range cases {
		t.Run(name, func(t *testing.T) {
			checkRoundTrip(t, a, b)
			checkRoundTrip(t, b, a)
		})
	}
}

func FuzzDiffThenApplyGivesTheNewJSON(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5}, []byte{1, 2, 3, 5, 5, 1, 0})
	f.Add([]byte{}, []byte{9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9})
	f.Fuzz(func(t *testing.T, a, b []byte) {
		checkRoundTrip(t, build(a), build(b))
	})
}

// The diff compares lists' elements in place instead of through
// reflect.DeepEqual; it must say what DeepEqual says, or a patch would skip
// a change or repeat what did not change.
func FuzzTheDiffsComparisonIsDeepEqual(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5}, []byte{1, 2, 3, 5, 5, 1, 0})
	f.Add([]byte{1, 2, 3, 4, 5, 1, 0, 2, 1, 0, 0, 1, 3, 1}, []byte{1, 2, 3, 4, 5, 1, 0, 2, 1, 0, 0, 1, 3, 1})
	f.Add([]byte{0, 0, 0, 1, 4, 1, 1, 0, 2, 1, 2}, []byte{0, 0, 0, 1, 4, 1, 1, 0, 2, 1, 1})
	f.Fuzz(func(t *testing.T, a, b []byte) {
		da, db := build(a), build(b)
		if got, want := jsonpatch.Equal(da, db), reflect.DeepEqual(da, db); got != want {
			t.Fatalf("equal says %v, DeepEqual %v:\n%#v\n%#v", got, want, da, db)
		}
		if !jsonpatch.Equal(da, build(a)) {
			t.Fatalf("a document is unlike its own copy: %#v", da)
		}
	})
}

func TestAPatchThatDoesNotFitIsRefused(t *testing.T) {
	doc := map[string]any{"items": []any{}}
	for _, op := range []jsonpatch.Op{
		{Op: "replace", Path: "/missing", Value: 1},
		{Op: "remove", Path: "/items/0"},
		{Op: "add", Path: "/items/5", Value: 1},
		{Op: "add", Path: "/items/0/x", Value: 1},
		{Op: "move", Path: "/items/-", Value: 1},
		{Op: "copy", Path: "/new", Value: 1},
	} {
		if _, err := jsonpatch.Apply(doc, []jsonpatch.Op{op}); err == nil {
			t.Errorf("%+v applied to %v", op, doc)
		}
	}
}
