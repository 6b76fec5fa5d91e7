// Package openapi builds the API's OpenAPI 3.1 document from the same route
// table that drives the router, with JSON Schemas generated from the Go types
// the handlers decode and encode, so the document cannot drift from the code.
package openapi

import (
	"encoding"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Schema is the subset of JSON Schema 2020-12 (OpenAPI 3.1's dialect) the
// generator emits.
type Schema struct {
	Ref                  string             `json:"$ref,omitempty"`
	Type                 any                `json:"type,omitempty"` // a name, or [name, "null"]
	Format               string             `json:"format,omitempty"`
	Description          string             `json:"description,omitempty"`
	Properties           map[string]*Schema `json:"properties,omitempty"`
	Required             []string           `json:"required,omitempty"`
	AdditionalProperties any                `json:"additionalProperties,omitempty"` // *Schema or false
	Items                *Schema            `json:"items,omitempty"`
	AnyOf                []*Schema          `json:"anyOf,omitempty"`
	Enum                 []any              `json:"enum,omitempty"`
}

var (
	timeType          = reflect.TypeFor[time.Time]()
	durationType      = reflect.TypeFor[time.Duration]()
	rawMessageType    = reflect.TypeFor[json.RawMessage]()
	jsonMarshalerType = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

// Generator turns Go types into schemas. Named struct types become
// components referenced by $ref, so recursive and shared types are emitted
// once. Not safe for concurrent use.
type Generator struct {
	schemas map[string]*Schema
	names   map[reflect.Type]string
}

// NewGenerator returns a generator with no components yet.
func NewGenerator() *Generator {
	return &Generator{schemas: map[string]*Schema{}, names: map[reflect.Type]string{}}
}

// Components returns the named schemas generated so far, keyed by name.
func (g *Generator) Components() map[string]*Schema { return g.schemas }

// Schema returns the schema of values of type t as encoding/json writes them.
func (g *Generator) Schema(t reflect.Type) *Schema {
	if t == nil {
		return &Schema{}
	}
	switch {
	case t == timeType:
		return &Schema{Type: "string", Format: "date-time"}
	case t == durationType:
		return &Schema{Type: "integer", Format: "int64", Description: "nanoseconds"}
	case t == rawMessageType:
		return &Schema{}
	}
	if t.Kind() != reflect.Pointer {
		// A type with its own JSON encoding says nothing the generator can
		// see; a text marshaler at least is a string.
		if t.Implements(jsonMarshalerType) || reflect.PointerTo(t).Implements(jsonMarshalerType) {
			return &Schema{}
		}
		if t.Implements(textMarshalerType) || reflect.PointerTo(t).Implements(textMarshalerType) {
			return &Schema{Type: "string"}
		}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return nullable(g.Schema(t.Elem()))
	case reflect.Bool:
		return &Schema{Type: "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		s := &Schema{Type: "integer"}
		if t.Kind() == reflect.Int64 || t.Kind() == reflect.Uint64 {
			s.Format = "int64"
		}
		return s
	case reflect.Float32, reflect.Float64:
		return &Schema{Type: "number"}
	case reflect.String:
		return &Schema{Type: "string"}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return &Schema{Type: "string", Format: "byte"}
		}
		// encoding/json writes a nil slice as null.
		return &Schema{Type: []string{"array", "null"}, Items: g.Schema(t.Elem())}
	case reflect.Array:
		return &Schema{Type: "array", Items: g.Schema(t.Elem())}
	case reflect.Map:
		return &Schema{Type: []string{"object", "null"}, AdditionalProperties: g.Schema(t.Elem())}
	case reflect.Struct:
		return g.structRef(t)
	default:
		// Interfaces and anything else: any JSON value.
		return &Schema{}
	}
}

// nullable lets s also be null. A $ref cannot carry siblings that change its
// meaning portably, so it is wrapped in anyOf.
func nullable(s *Schema) *Schema {
	switch typ := s.Type.(type) {
	case string:
		out := *s
		out.Type = []string{typ, "null"}
		return &out
	case []string:
		return s // already nullable
	}
	if s.Ref == "" && s.Type == nil && len(s.AnyOf) == 0 {
		return s // any value, null included
	}
	return &Schema{AnyOf: []*Schema{s, {Type: "null"}}}
}

func (g *Generator) structRef(t reflect.Type) *Schema {
	if t.Name() == "" {
		return g.object(t)
	}
	if name, ok := g.names[t]; ok {
		return &Schema{Ref: "#/components/schemas/" + name}
	}
	name := g.uniqueName(t)
	g.names[t] = name
	g.schemas[name] = &Schema{} // placeholder: recursive references find the name
	*g.schemas[name] = *g.object(t)
	return &Schema{Ref: "#/components/schemas/" + name}
}

// uniqueName names a component after its package and type, e.g. RetroCard
// and TeamAction, so same-named types of two packages do not collide.
func (g *Generator) uniqueName(t reflect.Type) string {
	base := typeName(t.Name())
	pkg := t.PkgPath()
	if i := strings.LastIndex(pkg, "/"); i >= 0 {
		pkg = pkg[i+1:]
	}
	name := upperFirst(base)
	if pkg != "" && pkg != "api" && !strings.HasPrefix(strings.ToLower(base), pkg) {
		name = upperFirst(pkg) + upperFirst(base)
	}
	candidate := name
	for i := 2; ; i++ {
		if _, taken := g.schemas[candidate]; !taken {
			return candidate
		}
		candidate = name + strconv.Itoa(i)
	}
}

func (g *Generator) object(t reflect.Type) *Schema {
	s := &Schema{Type: "object", Properties: map[string]*Schema{}}
	g.addFields(s, t)
	if len(s.Properties) == 0 {
		s.Properties = nil
	}
	return s
}

// addFields adds t's fields as encoding/json encodes them, inlining
// embedded structs without a JSON name.
func (g *Generator) addFields(s *Schema, t reflect.Type) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				g.addFields(s, ft)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fs := g.Schema(f.Type)
		if hasOpt(opts, "string") {
			fs = &Schema{Type: "string"}
		}
		if desc := f.Tag.Get("doc"); desc != "" {
			if fs.Ref != "" {
				fs = &Schema{AnyOf: []*Schema{fs}, Description: desc}
			} else {
				c := *fs
				c.Description = desc
				fs = &c
			}
		}
		s.Properties[name] = fs
		if !hasOpt(opts, "omitempty") && !hasOpt(opts, "omitzero") && f.Type.Kind() != reflect.Pointer {
			s.Required = append(s.Required, name)
		}
	}
}

func hasOpt(opts, want string) bool {
	for o := range strings.SplitSeq(opts, ",") {
		if o == want {
			return true
		}
	}
	return false
}

func sanitize(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == '_' || r == '.' || r == '-' || unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		} else {
			b.WriteRune('_')
		}
	}
	return b.String()
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// typeName turns a Go type name into a schema name; an instantiated generic
// type such as Page[github.com/x/domain/team.Action] becomes PageTeamAction.
func typeName(name string) string {
	base, args, generic := strings.Cut(name, "[")
	if !generic {
		return sanitize(name)
	}
	out := sanitize(base)
	for _, arg := range strings.Split(strings.TrimSuffix(args, "]"), ",") {
		arg = strings.TrimLeft(arg, "*[]")
		if i := strings.LastIndex(arg, "/"); i >= 0 {
			arg = arg[i+1:]
		}
		for _, part := range strings.Split(arg, ".") {
			out += upperFirst(sanitize(part))
		}
	}
	return out
}
