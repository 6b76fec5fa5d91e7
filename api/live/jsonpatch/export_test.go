package jsonpatch

import "reflect"

// Equal exposes equal to the tests, for two values of one type.
func Equal(a, b any) bool { return equal(reflect.ValueOf(a), reflect.ValueOf(b)) }
