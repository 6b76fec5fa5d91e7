// Package persistent holds immutable collections that share structure
// between versions: a change returns a new collection and leaves the old
// one as it was, copying only the few small nodes on the way to the change.
//
// A decider's Evolve must not change a state someone else holds (the
// writer's cache hands states to readers). With Go maps and slices that
// means copying the whole collection at every event, so a write to a retro
// of 1,200 cards cost 1,200 copies; with these it costs a handful of nodes,
// whatever the size.
//
// The shapes are canonical: two collections with the same contents have
// the same structure however they were built, so reflect.DeepEqual compares
// them by contents (the property tests of the deciders rely on it).
package persistent

import (
	"iter"
	"math/bits"
)

// Map is an immutable map from strings to V, a hash array mapped trie:
// each level takes five bits of the key's hash. Its zero value is an empty
// map ready to use. Set and Delete return a new map in O(log n) and leave
// the receiver unchanged, so a Map may be shared between goroutines.
type Map[V any] struct {
	root *mapNode[V]
	size int
}

// mapNode holds one slot per set bit of bitmap, in bit order. Below the
// hash's last bits (shift ≥ 64) a node holds the colliding keys, sorted.
type mapNode[V any] struct {
	bitmap uint32
	slots  []mapSlot[V]
}

// mapSlot is either a subtree (node set) or one entry.
type mapSlot[V any] struct {
	node *mapNode[V]
	hash uint64
	key  string
	val  V
}

const (
	bitsPerLevel = 5
	levelMask    = 1<<bitsPerLevel - 1
	hashBits     = 64
)

// hashOf is FNV-1a: deterministic, so equal maps have equal shapes. The
// keys are IDs the server makes, not input an attacker picks; colliding
// keys would still be correct, only slower.
func hashOf(key string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(key); i++ {
		h ^= uint64(key[i])
		h *= 1099511628211
	}
	return h
}

func slotBit(hash uint64, shift uint) uint32 { return 1 << ((hash >> shift) & levelMask) }

func (n *mapNode[V]) index(bit uint32) int { return bits.OnesCount32(n.bitmap & (bit - 1)) }

// Len is the number of entries.
func (m Map[V]) Len() int { return m.size }

// Get returns the value stored under key, and whether there is one.
func (m Map[V]) Get(key string) (V, bool) {
	h := hashOf(key)
	n := m.root
	for shift := uint(0); n != nil; shift += bitsPerLevel {
		if shift >= hashBits {
			for _, s := range n.slots {
				if s.key == key {
					return s.val, true
				}
			}
			break
		}
		bit := slotBit(h, shift)
		if n.bitmap&bit == 0 {
			break
		}
		s := &n.slots[n.index(bit)]
		if s.node != nil {
			n = s.node
			continue
		}
		if s.key == key {
			return s.val, true
		}
		break
	}
	var zero V
	return zero, false
}

// Has reports whether key has a value.
func (m Map[V]) Has(key string) bool {
	_, ok := m.Get(key)
	return ok
}

// Set returns a map with key set to val.
func (m Map[V]) Set(key string, val V) Map[V] {
	added := false
	root := set(m.root, 0, mapSlot[V]{hash: hashOf(key), key: key, val: val}, &added)
	size := m.size
	if added {
		size++
	}
	return Map[V]{root: root, size: size}
}

func set[V any](n *mapNode[V], shift uint, e mapSlot[V], added *bool) *mapNode[V] {
	if n == nil {
		n = &mapNode[V]{}
	}
	if shift >= hashBits {
		i := 0
		for i < len(n.slots) && n.slots[i].key < e.key {
			i++
		}
		if i < len(n.slots) && n.slots[i].key == e.key {
			return n.with(i, e)
		}
		*added = true
		return &mapNode[V]{slots: insertAt(n.slots, i, e)}
	}
	bit := slotBit(e.hash, shift)
	i := n.index(bit)
	if n.bitmap&bit == 0 {
		*added = true
		return &mapNode[V]{bitmap: n.bitmap | bit, slots: insertAt(n.slots, i, e)}
	}
	s := n.slots[i]
	switch {
	case s.node != nil:
		return n.with(i, mapSlot[V]{node: set(s.node, shift+bitsPerLevel, e, added)})
	case s.key == e.key:
		return n.with(i, e)
	default:
		*added = true
		return n.with(i, mapSlot[V]{node: pair(shift+bitsPerLevel, s, e)})
	}
}

// pair is the subtree holding two entries whose hashes agree above shift.
func pair[V any](shift uint, a, b mapSlot[V]) *mapNode[V] {
	if shift >= hashBits {
		if b.key < a.key {
			a, b = b, a
		}
		return &mapNode[V]{slots: []mapSlot[V]{a, b}}
	}
	ba, bb := slotBit(a.hash, shift), slotBit(b.hash, shift)
	if ba == bb {
		return &mapNode[V]{bitmap: ba, slots: []mapSlot[V]{{node: pair(shift+bitsPerLevel, a, b)}}}
	}
	if bb < ba {
		a, b = b, a
	}
	return &mapNode[V]{bitmap: ba | bb, slots: []mapSlot[V]{a, b}}
}

// with is a copy of n with slot i replaced.
func (n *mapNode[V]) with(i int, s mapSlot[V]) *mapNode[V] {
	slots := make([]mapSlot[V], len(n.slots))
	copy(slots, n.slots)
	slots[i] = s
	return &mapNode[V]{bitmap: n.bitmap, slots: slots}
}

func insertAt[T any](xs []T, i int, x T) []T {
	out := make([]T, 0, len(xs)+1)
	out = append(out, xs[:i]...)
	out = append(out, x)
	return append(out, xs[i:]...)
}

func removeAt[T any](xs []T, i int) []T {
	out := make([]T, 0, len(xs)-1)
	out = append(out, xs[:i]...)
	return append(out, xs[i+1:]...)
}

// Delete returns a map without key.
func (m Map[V]) Delete(key string) Map[V] {
	root, removed := del(m.root, 0, hashOf(key), key)
	if !removed {
		return m
	}
	return Map[V]{root: root, size: m.size - 1}
}

// del removes key below n. A node left with no slots is nil; one left with
// a single entry is folded into its parent's slot (by the parent), so a
// map's shape depends on its keys only, not on its history.
func del[V any](n *mapNode[V], shift uint, h uint64, key string) (*mapNode[V], bool) {
	if n == nil {
		return nil, false
	}
	if shift >= hashBits {
		for i, s := range n.slots {
			if s.key == key {
				return shrunk(&mapNode[V]{slots: removeAt(n.slots, i)}), true
			}
		}
		return n, false
	}
	bit := slotBit(h, shift)
	if n.bitmap&bit == 0 {
		return n, false
	}
	i := n.index(bit)
	s := n.slots[i]
	if s.node == nil {
		if s.key != key {
			return n, false
		}
		return shrunk(&mapNode[V]{bitmap: n.bitmap &^ bit, slots: removeAt(n.slots, i)}), true
	}
	child, removed := del(s.node, shift+bitsPerLevel, h, key)
	if !removed {
		return n, false
	}
	switch {
	case child == nil:
		return shrunk(&mapNode[V]{bitmap: n.bitmap &^ bit, slots: removeAt(n.slots, i)}), true
	case len(child.slots) == 1 && child.slots[0].node == nil:
		return n.with(i, child.slots[0]), true
	default:
		return n.with(i, mapSlot[V]{node: child}), true
	}
}

func shrunk[V any](n *mapNode[V]) *mapNode[V] {
	if len(n.slots) == 0 {
		return nil
	}
	return n
}

// All yields every key and value, in an order that depends on the keys
// only (their hashes), not on the order they were set.
func (m Map[V]) All() iter.Seq2[string, V] {
	return func(yield func(string, V) bool) {
		m.root.walk(yield)
	}
}

func (n *mapNode[V]) walk(yield func(string, V) bool) bool {
	if n == nil {
		return true
	}
	for i := range n.slots {
		s := &n.slots[i]
		if s.node != nil {
			if !s.node.walk(yield) {
				return false
			}
			continue
		}
		if !yield(s.key, s.val) {
			return false
		}
	}
	return true
}
