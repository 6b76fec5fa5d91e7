package aggregate

import (
	"container/list"
	"sync"

	"github.com/hindsight-retro/hindsight/eventstore"
)

// DefaultCacheSize is the number of streams a Cache holds when asked for a
// size below one.
const DefaultCacheSize = 1024

// recentCommands is how many of a stream's latest commits a cached state
// remembers by command ID, to answer retried commands without asking Decide.
const recentCommands = 256

// Cache keeps folded states of the streams used most recently, so a hot
// aggregate is neither re-read from its start nor folded again: the runner
// reads only the events appended since the cached version. That read also
// keeps a cache correct when other nodes write the same streams, and it is
// why a conflict needs no invalidation: the next attempt reads the events
// that caused it. It is safe for concurrent use and may be shared by runners
// of the same state type.
type Cache[S any] struct {
	size int

	mu      sync.Mutex
	entries map[eventstore.StreamID]*list.Element
	order   *list.List // front: used most recently; values are *cacheEntry[S]
	// followed is true while a follower (Follow) folds the log's new
	// events into the cached states, so a cached state may be trusted as
	// current without asking the store.
	followed bool
	// epochs count, per bucket of streams, the events the follower could
	// not fold (no state cached, or a gap). A state read from the store is
	// trusted only if its bucket's count did not move during the read: a
	// concurrent event could otherwise be missed for good.
	epochs [epochBuckets]uint64
}

const epochBuckets = 64

func bucket(s eventstore.StreamID) int {
	h := uint32(2166136261)
	for _, p := range [2]string{s.Category, s.ID} {
		for i := 0; i < len(p); i++ {
			h = (h ^ uint32(p[i])) * 16777619
		}
	}
	return int(h % epochBuckets)
}

// NewCache returns a cache of at most size streams (DefaultCacheSize if
// size < 1); the least recently used stream leaves first.
func NewCache[S any](size int) *Cache[S] {
	if size < 1 {
		size = DefaultCacheSize
	}
	return &Cache[S]{size: size, entries: map[eventstore.StreamID]*list.Element{}, order: list.New()}
}

// Len is the number of streams cached.
func (c *Cache[S]) Len() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

type cacheEntry[S any] struct {
	stream eventstore.StreamID
	snap   snapshot[S]
	// fresh: the follower has folded every event of the stream since the
	// state was read or written, so it is as current as the follower.
	fresh bool
}

// snapshot is a stream folded up to a version. Snapshots are never changed
// once built, so they are shared between goroutines without copying.
type snapshot[S any] struct {
	state   S
	version int64
	// recent are the latest commits, newest first.
	recent *recentCommit
}

// commitRef is where one command's commit landed.
type commitRef struct {
	commandID string
	version   int64 // of the commit's last event
	position  uint64
}

// recentCommit is one link of a chain of commits, newest first. Links are
// never changed, so snapshots share the chain: a commit adds one link
// instead of copying the recentCommands before it. A chain grows to at
// most recentSpan links; then its latest recentCommands are copied into a
// new chain and the old one is left to the collector (one copy per
// recentSpan-recentCommands commits).
type recentCommit struct {
	ref  commitRef
	prev *recentCommit
	n    int // links from here to the chain's start
	// id is a hash of ref.commandID: every new command is looked for in
	// the whole chain, and comparing 36-byte IDs link by link was 2 % of
	// the server's CPU at 100 cards/s.
	id uint64
}

// idHash is FNV-1a of a command ID.
func idHash(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * 1099511628211
	}
	return h
}

const recentSpan = recentCommands + recentCommands/4

// withCommit returns the commits of s followed by r, keeping the latest.
func (s snapshot[S]) withCommit(r commitRef) *recentCommit {
	prev := s.recent
	if prev != nil && prev.n >= recentSpan {
		prev = prev.latest(recentCommands - 1)
	}
	n := 1
	if prev != nil {
		n = prev.n + 1
	}
	return &recentCommit{ref: r, prev: prev, n: n, id: idHash(r.commandID)}
}

// latest is a new chain of the k latest commits from c.
func (c *recentCommit) latest(k int) *recentCommit {
	refs := make([]commitRef, 0, k)
	for ; c != nil && len(refs) < k; c = c.prev {
		refs = append(refs, c.ref)
	}
	var out *recentCommit
	for i := len(refs) - 1; i >= 0; i-- {
		out = out.with(refs[i])
	}
	return out
}

func (c *recentCommit) with(r commitRef) *recentCommit {
	n := 1
	if c != nil {
		n = c.n + 1
	}
	return &recentCommit{ref: r, prev: c, n: n, id: idHash(r.commandID)}
}

func (s snapshot[S]) find(commandID string) (commitRef, bool) {
	c, id := s.recent, idHash(commandID)
	for i := 0; c != nil && i < recentCommands; i, c = i+1, c.prev {
		if c.id == id && c.ref.commandID == commandID {
			return c.ref, true
		}
	}
	return commitRef{}, false
}

func (c *Cache[S]) get(stream eventstore.StreamID) (snapshot[S], bool) {
	if c == nil {
		return snapshot[S]{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[stream]
	if !ok {
		return snapshot[S]{}, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*cacheEntry[S]).snap, true
}

// epoch is the count to hand to put for a state about to be read from the
// store or written to it.
func (c *Cache[S]) epoch(stream eventstore.StreamID) uint64 {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.epochs[bucket(stream)]
}

// put stores a snapshot unless a newer one of the stream is there already:
// concurrent handlers may finish out of order. epoch is what c.epoch said
// before the snapshot was read or written; the snapshot counts as fresh
// only if the follower missed nothing of its bucket since.
func (c *Cache[S]) put(stream eventstore.StreamID, snap snapshot[S], epoch uint64) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	fresh := c.followed && c.epochs[bucket(stream)] == epoch
	if el, ok := c.entries[stream]; ok {
		e := el.Value.(*cacheEntry[S])
		if e.snap.version < snap.version || (e.snap.version == snap.version && fresh && !e.fresh) {
			e.snap, e.fresh = snap, fresh
		}
		c.order.MoveToFront(el)
		return
	}
	c.entries[stream] = c.order.PushFront(&cacheEntry[S]{stream: stream, snap: snap, fresh: fresh})
	for c.order.Len() > c.size {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.entries, last.Value.(*cacheEntry[S]).stream)
	}
}

func (c *Cache[S]) drop(stream eventstore.StreamID) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dropLocked(stream)
}

func (c *Cache[S]) dropLocked(stream eventstore.StreamID) {
	c.epochs[bucket(stream)]++
	if el, ok := c.entries[stream]; ok {
		c.order.Remove(el)
		delete(c.entries, stream)
	}
}

// getFresh is the cached snapshot if the follower keeps it current.
func (c *Cache[S]) getFresh(stream eventstore.StreamID) (snapshot[S], bool) {
	if c == nil {
		return snapshot[S]{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[stream]
	if !ok || !c.followed {
		return snapshot[S]{}, false
	}
	e := el.Value.(*cacheEntry[S])
	if !e.fresh {
		return snapshot[S]{}, false
	}
	c.order.MoveToFront(el)
	return e.snap, true
}

// follow marks the start or the end of a follower. Either way no cached
// state is known to be current any more: states cached before a follower
// started may have missed events, and without one they go stale.
func (c *Cache[S]) follow(on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.followed = on
	for i := range c.epochs {
		c.epochs[i]++
	}
	for el := c.order.Front(); el != nil; el = el.Next() {
		el.Value.(*cacheEntry[S]).fresh = false
	}
}

// following is the snapshot a follower folds a stream's event into: the
// cached one if the event is the next of its stream (ok), else nothing.
// An event the cache cannot take (a gap, or no state cached) moves the
// stream's bucket, so a read of the stream going on now is not trusted.
func (c *Cache[S]) following(stream eventstore.StreamID, version int64) (snap snapshot[S], ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, found := c.entries[stream]
	if !found {
		c.epochs[bucket(stream)]++
		return snapshot[S]{}, false
	}
	e := el.Value.(*cacheEntry[S])
	switch {
	case version <= e.snap.version:
		return snapshot[S]{}, false // written through this cache, or folded already
	case version == e.snap.version+1:
		return e.snap, true
	}
	c.dropLocked(stream)
	return snapshot[S]{}, false
}

// advance replaces the stream's snapshot at version from by next, which
// the follower folded; if the stream moved meanwhile (a writer of this
// node put a newer one), the newer stays.
func (c *Cache[S]) advance(stream eventstore.StreamID, from int64, next snapshot[S]) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, found := c.entries[stream]
	if !found {
		return
	}
	e := el.Value.(*cacheEntry[S])
	if e.snap.version == from {
		e.snap = next
	}
}

// Forget drops stream's folded state from the cache, so the next read folds
// the log again: for a stream whose stored events now read differently
// (their sealed texts were erased).
func (c *Cache[S]) Forget(stream eventstore.StreamID) { c.drop(stream) }
