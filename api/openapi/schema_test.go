package openapi

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"
)

type inner struct {
	N int `json:"n"`
}

type Base struct {
	ID string `json:"id"`
}

type sample struct {
	Base
	Name     string         `json:"name"`
	Note     string         `json:"note,omitempty"`
	When     time.Time      `json:"when"`
	Maybe    *string        `json:"maybe"`
	Child    *inner         `json:"child,omitempty"`
	Tags     []string       `json:"tags"`
	Counts   map[string]int `json:"counts"`
	Self     *sample        `json:"self,omitempty"`
	Skipped  string         `json:"-"`
	hidden   string         //nolint:unused // unexported fields never reach JSON
	Untagged bool
	Raw      json.RawMessage `json:"raw,omitempty"`
}

func TestStructsBecomeObjectsWithTheirJSONNames(t *testing.T) {
	g := NewGenerator()
	ref := g.Schema(reflect.TypeFor[sample]())
	if ref.Ref == "" {
		t.Fatalf("a named struct is referenced, got %+v", ref)
	}
	s := g.Components()["OpenapiSample"]
	if s == nil {
		t.Fatalf("component missing; have %v", keys(g.Components()))
	}
	wantProps := []string{"Untagged", "child", "counts", "id", "maybe", "name", "note", "raw", "self", "tags", "when"}
	if got := keys(s.Properties); !slices.Equal(got, wantProps) {
		t.Errorf("properties = %v, want %v", got, wantProps)
	}
	// Pointers and omitempty fields are optional; the rest are required.
	wantReq := []string{"Untagged", "counts", "id", "name", "tags", "when"}
	got := append([]string(nil), s.Required...)
	slices.Sort(got)
	if !slices.Equal(got, wantReq) {
		t.Errorf("required = %v, want %v", got, wantReq)
	}
	if w := s.Properties["when"]; w.Type != "string" || w.Format != "date-time" {
		t.Errorf("time.Time = %+v, want string date-time", w)
	}
	if m := s.Properties["maybe"]; !reflect.DeepEqual(m.Type, []string{"string", "null"}) {
		t.Errorf("*string = %+v, want nullable string", m)
	}
	if c := s.Properties["child"]; len(c.AnyOf) != 2 || c.AnyOf[1].Type != "null" {
		t.Errorf("*struct = %+v, want anyOf [ref, null]", c)
	}
	if m := s.Properties["counts"]; m.AdditionalProperties.(*Schema).Type != "integer" {
		t.Errorf("map[string]int = %+v, want object of integers", m)
	}
	if a := s.Properties["tags"]; a.Items == nil || a.Items.Type != "string" {
		t.Errorf("[]string = %+v, want array of strings", a)
	}
	// A recursive type refers back to its own component.
	if self := s.Properties["self"]; self.AnyOf[0].Ref != ref.Ref {
		t.Errorf("self = %+v, want a reference to %s", self, ref.Ref)
	}
}

func TestAStructIsOneComponentHoweverOftenItIsUsed(t *testing.T) {
	g := NewGenerator()
	a := g.Schema(reflect.TypeFor[inner]())
	b := g.Schema(reflect.TypeFor[time.Month]()) // not a struct: inline
	if a.Ref == "" || b.Ref != "" {
		t.Fatalf("struct = %+v, int type = %+v", a, b)
	}
	if again := g.Schema(reflect.TypeFor[inner]()); again.Ref != a.Ref {
		t.Errorf("same type twice gave %s and %s", a.Ref, again.Ref)
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

type Page[T any] struct {
	Items []T `json:"items"`
}

func TestGenericTypesGetReadableNames(t *testing.T) {
	g := NewGenerator()
	s := g.Schema(reflect.TypeFor[Page[time.Month]]())
	if s.Ref != "#/components/schemas/OpenapiPageTimeMonth" {
		t.Errorf("Page[time.Month] = %s, want OpenapiPageTimeMonth", s.Ref)
	}
}
