package persistent

import (
	"reflect"
	"testing"
)

// Keys whose 64-bit hashes collide share a bottom node; they are found,
// replaced and deleted one by one, and the map's shape stays canonical.
func TestKeysWhoseHashesCollideAreKeptApart(t *testing.T) {
	const h = 0xdeadbeefcafef00d
	other := uint64(h ^ 1<<63) // differs only in the last level's bits
	add := func(n *mapNode[int], key string, hash uint64, v int) *mapNode[int] {
		added := false
		n = set(n, 0, mapSlot[int]{hash: hash, key: key, val: v}, &added)
		return n
	}
	get := func(n *mapNode[int], key string, hash uint64) (int, bool) {
		// Walk as Get does, with a hash given.
		for shift := uint(0); n != nil; shift += bitsPerLevel {
			if shift >= hashBits {
				for _, s := range n.slots {
					if s.key == key {
						return s.val, true
					}
				}
				return 0, false
			}
			bit := slotBit(hash, shift)
			if n.bitmap&bit == 0 {
				return 0, false
			}
			s := n.slots[n.index(bit)]
			if s.node == nil {
				return s.val, s.key == key
			}
			n = s.node
		}
		return 0, false
	}
	var n *mapNode[int]
	n = add(n, "b", h, 1)
	n = add(n, "a", h, 2)
	n = add(n, "c", other, 3)
	n = add(n, "b", h, 4)
	for key, want := range map[string]int{"a": 2, "b": 4} {
		if got, ok := get(n, key, h); !ok || got != want {
			t.Fatalf("%s = %d, %v; want %d", key, got, ok, want)
		}
	}
	if got, ok := get(n, "c", other); !ok || got != 3 {
		t.Fatalf("c = %d, %v; want 3", got, ok)
	}
	n, _ = del(n, 0, h, "b")
	if _, ok := get(n, "b", h); ok {
		t.Fatal("b is still there after its delete")
	}
	want := add(add(nil, "c", other, 3), "a", h, 2)
	if !reflect.DeepEqual(n, want) {
		t.Fatal("a map emptied of a collision has another shape than one built without it")
	}
}
