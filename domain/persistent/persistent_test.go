package persistent_test

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"github.com/hindsight-retro/hindsight/domain/persistent"
)

// A Map answers as a Go map given the same sets and deletes, and every
// earlier version still answers as it did when it was made.
func TestPropertyAMapAgreesWithAGoMapAndKeepsItsEarlierVersions(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var m persistent.Map[int]
		want := map[string]int{}
		type version struct {
			m    persistent.Map[int]
			want map[string]int
		}
		var versions []version
		// Few distinct keys, so sets overwrite and deletes hit.
		key := rapid.StringMatching(`[a-z]{1,2}`)
		for i := range rapid.IntRange(0, 300).Draw(t, "steps") {
			k := key.Draw(t, "key")
			if rapid.IntRange(0, 3).Draw(t, "op") == 0 {
				m = m.Delete(k)
				delete(want, k)
			} else {
				m = m.Set(k, i)
				want[k] = i
			}
			versions = append(versions, version{m, maps.Clone(want)})
		}
		for i, v := range versions {
			if got := maps.Collect(v.m.All()); !reflect.DeepEqual(got, v.want) && !(len(got) == 0 && len(v.want) == 0) {
				t.Fatalf("version %d holds %v, want %v", i, got, v.want)
			}
			if v.m.Len() != len(v.want) {
				t.Fatalf("version %d: Len %d, want %d", i, v.m.Len(), len(v.want))
			}
			for k, val := range v.want {
				if got, ok := v.m.Get(k); !ok || got != val {
					t.Fatalf("version %d: Get(%q) = %d, %v; want %d", i, k, got, ok, val)
				}
			}
			if _, ok := v.m.Get("zzz"); ok {
				t.Fatalf("version %d finds a key never set", i)
			}
		}
	})
}

// Two maps with the same entries have the same shape, whatever order they
// were built in and whatever was deleted on the way, so reflect.DeepEqual
// (which the deciders' property tests use on states) compares contents.
func TestPropertyMapsWithEqualContentsAreDeepEqual(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		keys := rapid.SliceOfDistinct(rapid.StringMatching(`[a-z0-9]{1,6}`), rapid.ID[string]).Draw(t, "keys")
		var a persistent.Map[string]
		for _, k := range keys {
			a = a.Set(k, "v"+k)
		}
		order := rapid.Permutation(keys).Draw(t, "order")
		extra := rapid.SliceOfDistinct(rapid.StringMatching(`[A-Z]{1,3}`), rapid.ID[string]).Draw(t, "deleted")
		var b persistent.Map[string]
		for i, k := range order {
			b = b.Set(k, "v"+k)
			if i < len(extra) {
				b = b.Set(extra[i], "gone")
			}
		}
		for _, k := range extra {
			b = b.Delete(k)
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("maps of the same %d keys differ in shape", len(keys))
		}
	})
}

// A Vector answers as a slice given the same appends and filters, and every
// earlier version still holds what it held.
func TestPropertyAVectorAgreesWithASliceAndKeepsItsEarlierVersions(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var v persistent.Vector[int]
		var want []int
		type version struct {
			v    persistent.Vector[int]
			want []int
		}
		var versions []version
		for i := range rapid.IntRange(0, 2500).Draw(t, "steps") {
			if rapid.IntRange(0, 200).Draw(t, "op") == 0 {
				odd := i%2 == 1
				v = v.Filter(func(x int) bool { return (x%2 == 1) == odd })
				want = slices.DeleteFunc(slices.Clone(want), func(x int) bool { return (x%2 == 1) != odd })
			} else {
				v = v.Append(i)
				want = append(slices.Clip(want), i)
			}
			versions = append(versions, version{v, want})
		}
		for i, ver := range versions {
			if ver.v.Len() != len(ver.want) {
				t.Fatalf("version %d: Len %d, want %d", i, ver.v.Len(), len(ver.want))
			}
			var got []int
			for j, x := range ver.v.All() {
				if j != len(got) {
					t.Fatalf("version %d: All yields index %d at place %d", i, j, len(got))
				}
				got = append(got, x)
			}
			if !slices.Equal(got, ver.want) {
				t.Fatalf("version %d holds %v, want %v", i, got, ver.want)
			}
			for j, x := range ver.want {
				if ver.v.At(j) != x {
					t.Fatalf("version %d: At(%d) = %d, want %d", i, j, ver.v.At(j), x)
				}
			}
		}
	})
}

func TestAVectorBuiltByAppendsEqualsOneBuiltAtOnce(t *testing.T) {
	xs := make([]string, 1100)
	var v persistent.Vector[string]
	for i := range xs {
		xs[i] = fmt.Sprint(i)
		v = v.Append(xs[i])
	}
	if !reflect.DeepEqual(v, persistent.VectorOf(xs...)) {
		t.Fatal("the same elements make vectors of different shapes")
	}
	if w := v.Filter(func(s string) bool { return s != "7" }); reflect.DeepEqual(w, v) || w.Len() != 1099 || v.Len() != 1100 {
		t.Fatalf("filter: %d of %d elements left, the original changed: %v", w.Len(), v.Len(), reflect.DeepEqual(w, v))
	}
}

func TestAVectorIndexOutOfRangePanicsAsASliceDoes(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("At(3) of a 3-element vector did not panic")
		}
	}()
	persistent.VectorOf(1, 2, 3).At(3)
}
