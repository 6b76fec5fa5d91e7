// Package jsonpatch computes what changed between two values of one Go type
// as a JSON Patch (RFC 6902: add, remove and replace operations), without
// encoding either value, and applies such a patch to decoded JSON.
//
// The live feed sends a viewer the difference between their view before and
// after a commit instead of the whole view; Diff reads the values' structure
// as encoding/json would write it (field names and omitempty from the json
// tags, embedded structs flattened, nil slices and maps as null), so that
// applying the patch to the JSON of the old value gives the JSON of the new.
package jsonpatch

import (
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// Op is one operation of a patch. Value is encoded as encoding/json
// encodes it; it is absent on remove.
type Op struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value,omitempty"`
}

// MarshalJSON writes a null value explicitly (add and replace need it).
func (o Op) MarshalJSON() ([]byte, error) {
	type plain struct {
		Op    string `json:"op"`
		Path  string `json:"path"`
		Value any    `json:"value"`
	}
	if o.Op == "remove" {
		return json.Marshal(struct {
			Op   string `json:"op"`
			Path string `json:"path"`
		}{o.Op, o.Path})
	}
	return json.Marshal(plain(o))
}

// Diff returns the operations that turn a's JSON into b's. a and b must
// be of the same type.
func Diff[T any](a, b T) []Op {
	var ops []Op
	diff(&ops, "", reflect.ValueOf(&a).Elem(), reflect.ValueOf(&b).Elem())
	return ops
}

var (
	jsonMarshaler = reflect.TypeFor[json.Marshaler]()
	textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()
)

// leaf reports whether values of t are compared whole: scalars, and types
// that encode themselves.
func leaf(t reflect.Type) bool {
	if t.Implements(jsonMarshaler) || t.Implements(textMarshaler) ||
		reflect.PointerTo(t).Implements(jsonMarshaler) || reflect.PointerTo(t).Implements(textMarshaler) {
		return true
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Slice, reflect.Array, reflect.Map, reflect.Pointer:
		return t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 // []byte is base64
	}
	return true
}

func diff(ops *[]Op, path string, a, b reflect.Value) {
	t := a.Type()
	if leaf(t) {
		if !equal(a, b) {
			*ops = append(*ops, Op{Op: "replace", Path: path, Value: b.Interface()})
		}
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			if a.IsNil() != b.IsNil() {
				*ops = append(*ops, Op{Op: "replace", Path: path, Value: b.Interface()})
			}
			return
		}
		diff(ops, path, a.Elem(), b.Elem())
	case reflect.Struct:
		for _, f := range fieldsOf(t) {
			fa, fb := a.FieldByIndex(f.index), b.FieldByIndex(f.index)
			inA, inB := !(f.omitEmpty && empty(fa)), !(f.omitEmpty && empty(fb))
			p := path + "/" + escape(f.name)
			switch {
			case inA && inB:
				diff(ops, p, fa, fb)
			case inB:
				*ops = append(*ops, Op{Op: "add", Path: p, Value: fb.Interface()})
			case inA:
				*ops = append(*ops, Op{Op: "remove", Path: p})
			}
		}
	case reflect.Slice, reflect.Array:
		if t.Kind() == reflect.Slice && (a.IsNil() || b.IsNil()) {
			if a.IsNil() != b.IsNil() {
				*ops = append(*ops, Op{Op: "replace", Path: path, Value: b.Interface()})
			}
			return
		}
		if t.Kind() == reflect.Slice && a.Len() == b.Len() && a.UnsafePointer() == b.UnsafePointer() {
			return // the same list: a view made from the last one shares what did not change
		}
		diffList(ops, path, a, b)
	case reflect.Map:
		if a.IsNil() || b.IsNil() || t.Key().Kind() != reflect.String {
			if !equal(a, b) {
				*ops = append(*ops, Op{Op: "replace", Path: path, Value: b.Interface()})
			}
			return
		}
		for _, k := range a.MapKeys() {
			vb := b.MapIndex(k)
			p := path + "/" + escape(k.String())
			if !vb.IsValid() {
				*ops = append(*ops, Op{Op: "remove", Path: p})
				continue
			}
			diff(ops, p, a.MapIndex(k), vb)
		}
		for _, k := range b.MapKeys() {
			if !a.MapIndex(k).IsValid() {
				*ops = append(*ops, Op{Op: "add", Path: path + "/" + escape(k.String()), Value: b.MapIndex(k).Interface()})
			}
		}
	}
}

// diffList keeps the common head and tail of two lists; what lies between
// is patched element by element when both have the same length there (a
// card whose votes changed), else removed and added (a card added, one
// deleted).
func diffList(ops *[]Op, path string, a, b reflect.Value) {
	na, nb := a.Len(), b.Len()
	head := 0
	for head < na && head < nb && equal(a.Index(head), b.Index(head)) {
		head++
	}
	tail := 0
	for tail < na-head && tail < nb-head &&
		equal(a.Index(na-1-tail), b.Index(nb-1-tail)) {
		tail++
	}
	ma, mb := na-head-tail, nb-head-tail
	if ma == mb {
		for i := head; i < head+ma; i++ {
			diff(ops, path+"/"+strconv.Itoa(i), a.Index(i), b.Index(i))
		}
		return
	}
	for range ma {
		*ops = append(*ops, Op{Op: "remove", Path: path + "/" + strconv.Itoa(head)})
	}
	for i := range mb {
		*ops = append(*ops, Op{Op: "add", Path: path + "/" + strconv.Itoa(head+i), Value: b.Index(head + i).Interface()})
	}
}

// empty is encoding/json's test for omitempty.
func empty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

type field struct {
	name      string
	index     []int
	omitEmpty bool
}

var fieldCache sync.Map // reflect.Type → []field

// fieldsOf lists a struct's encoded fields in encoding order, embedded
// structs' fields flattened. Name clashes between embedded fields, which
// encoding/json resolves by depth, do not occur in the types diffed here;
// the first wins.
func fieldsOf(t reflect.Type) []field {
	if fs, ok := fieldCache.Load(t); ok {
		return fs.([]field)
	}
	var out []field
	seen := map[string]bool{}
	var walk func(t reflect.Type, index []int)
	walk = func(t reflect.Type, index []int) {
		for i := range t.NumField() {
			sf := t.Field(i)
			tag := sf.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			idx := append(append([]int(nil), index...), i)
			if sf.Anonymous && name == "" && sf.Type.Kind() == reflect.Struct {
				walk(sf.Type, idx)
				continue
			}
			if !sf.IsExported() {
				continue
			}
			if name == "" {
				name = sf.Name
			}
			if seen[name] {
				continue
			}
			seen[name] = true
			out = append(out, field{name: name, index: idx, omitEmpty: strings.Contains(","+opts+",", ",omitempty,")})
		}
	}
	walk(t, nil)
	fieldCache.Store(t, out)
	return out
}

// escape writes a reference token of a JSON Pointer (RFC 6901).
func escape(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// ErrPatch is a patch that does not fit the document.
var ErrPatch = errors.New("jsonpatch: patch does not apply")

// Apply applies ops to doc, a decoded JSON value (map[string]any, []any
// and scalars as encoding/json decodes into any), and returns the result;
// doc may be changed in place. ops' values are taken through their JSON.
func Apply(doc any, ops []Op) (any, error) {
	for _, op := range ops {
		switch op.Op {
		case "add", "remove", "replace":
		default:
			return nil, fmt.Errorf("%w: op %q at %s is not add, remove or replace", ErrPatch, op.Op, op.Path)
		}
		var val any
		if op.Op != "remove" {
			b, err := json.Marshal(op.Value)
			if err != nil {
				return nil, fmt.Errorf("jsonpatch: value at %s: %w", op.Path, err)
			}
			if err := json.Unmarshal(b, &val); err != nil {
				return nil, fmt.Errorf("jsonpatch: value at %s: %w", op.Path, err)
			}
		}
		var err error
		if doc, err = apply(doc, tokens(op.Path), op.Op, val); err != nil {
			return nil, fmt.Errorf("%w: %s %s: %w", ErrPatch, op.Op, op.Path, err)
		}
	}
	return doc, nil
}

func tokens(path string) []string {
	if path == "" {
		return nil
	}
	parts := strings.Split(path[1:], "/")
	for i, p := range parts {
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(p, "~1", "/"), "~0", "~")
	}
	return parts
}

func apply(doc any, path []string, op string, val any) (any, error) {
	if len(path) == 0 {
		if op == "remove" {
			return nil, nil
		}
		return val, nil
	}
	key, last := path[0], len(path) == 1
	switch d := doc.(type) {
	case map[string]any:
		if last {
			switch op {
			case "remove", "replace":
				if _, ok := d[key]; !ok {
					return nil, fmt.Errorf("no member %q", key)
				}
			}
			if op == "remove" {
				delete(d, key)
			} else {
				d[key] = val
			}
			return d, nil
		}
		child, ok := d[key]
		if !ok {
			return nil, fmt.Errorf("no member %q", key)
		}
		v, err := apply(child, path[1:], op, val)
		d[key] = v
		return d, err
	case []any:
		i := len(d)
		if key != "-" {
			n, err := strconv.Atoi(key)
			if err != nil || n < 0 || n > len(d) {
				return nil, fmt.Errorf("no index %q", key)
			}
			i = n
		}
		if last {
			switch op {
			case "add":
				d = append(d, nil)
				copy(d[i+1:], d[i:])
				d[i] = val
				return d, nil
			case "remove", "replace":
				if i >= len(d) {
					return nil, fmt.Errorf("no index %q", key)
				}
				if op == "replace" {
					d[i] = val
					return d, nil
				}
				return append(d[:i], d[i+1:]...), nil
			}
			return nil, fmt.Errorf("unknown op %q", op)
		}
		if i >= len(d) {
			return nil, fmt.Errorf("no index %q", key)
		}
		v, err := apply(d[i], path[1:], op, val)
		d[i] = v
		return d, err
	}
	return nil, fmt.Errorf("%q into a scalar", key)
}
