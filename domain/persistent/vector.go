package persistent

import "iter"

// Vector is an immutable list, a trie of 32-wide nodes indexed by position.
// Its zero value is an empty list ready to use. Append returns a new list
// in O(log n), copying only the path to the last element, and leaves the
// receiver unchanged.
type Vector[T any] struct {
	root  *vectorNode[T]
	size  int
	shift uint // of the root's level: 0 when the root holds items
}

// vectorNode holds items at the bottom level, children above it; every
// node but the last of its level is full.
type vectorNode[T any] struct {
	kids  []*vectorNode[T]
	items []T
}

const width = 1 << bitsPerLevel

// Len is the number of elements.
func (v Vector[T]) Len() int { return v.size }

// At returns the element at index i; it panics when i is out of range, as
// indexing a slice does.
func (v Vector[T]) At(i int) T {
	if i < 0 || i >= v.size {
		panic("persistent: vector index out of range")
	}
	n := v.root
	for shift := v.shift; shift > 0; shift -= bitsPerLevel {
		n = n.kids[(i>>shift)&levelMask]
	}
	return n.items[i&levelMask]
}

// Append returns the list with x added at its end.
func (v Vector[T]) Append(x T) Vector[T] {
	switch {
	case v.root == nil:
		return Vector[T]{root: &vectorNode[T]{items: []T{x}}, size: 1}
	case v.size == width<<v.shift:
		// The trie is full: it becomes the first child of a new root.
		root := &vectorNode[T]{kids: []*vectorNode[T]{v.root, path(v.shift, x)}}
		return Vector[T]{root: root, size: v.size + 1, shift: v.shift + bitsPerLevel}
	default:
		return Vector[T]{root: push(v.root, v.shift, v.size, x), size: v.size + 1, shift: v.shift}
	}
}

// path is a new branch of the given level holding x alone.
func path[T any](shift uint, x T) *vectorNode[T] {
	if shift == 0 {
		return &vectorNode[T]{items: []T{x}}
	}
	return &vectorNode[T]{kids: []*vectorNode[T]{path(shift-bitsPerLevel, x)}}
}

// push copies n with x placed at index i, which is one past its end.
func push[T any](n *vectorNode[T], shift uint, i int, x T) *vectorNode[T] {
	if shift == 0 {
		return &vectorNode[T]{items: appendCopy(n.items, x)}
	}
	k := (i >> shift) & levelMask
	kids := make([]*vectorNode[T], len(n.kids), max(len(n.kids), k+1))
	copy(kids, n.kids)
	if k < len(kids) {
		kids[k] = push(kids[k], shift-bitsPerLevel, i, x)
	} else {
		kids = append(kids, path(shift-bitsPerLevel, x))
	}
	return &vectorNode[T]{kids: kids}
}

func appendCopy[T any](xs []T, x T) []T {
	out := make([]T, len(xs), len(xs)+1)
	copy(out, xs)
	return append(out, x)
}

// All yields every index and element in order.
func (v Vector[T]) All() iter.Seq2[int, T] {
	return func(yield func(int, T) bool) {
		i := 0
		v.root.walk(&i, yield)
	}
}

func (n *vectorNode[T]) walk(i *int, yield func(int, T) bool) bool {
	if n == nil {
		return true
	}
	for _, k := range n.kids {
		if !k.walk(i, yield) {
			return false
		}
	}
	for _, x := range n.items {
		if !yield(*i, x) {
			return false
		}
		*i++
	}
	return true
}

// VectorOf returns a list of xs, in order.
func VectorOf[T any](xs ...T) Vector[T] {
	var v Vector[T]
	for _, x := range xs {
		v = v.Append(x)
	}
	return v
}

// Filter returns the list of the elements keep accepts, in order. It
// builds a new list: O(n), for the rare change that is not an append.
func (v Vector[T]) Filter(keep func(T) bool) Vector[T] {
	var out Vector[T]
	for _, x := range v.All() {
		if keep(x) {
			out = out.Append(x)
		}
	}
	return out
}
