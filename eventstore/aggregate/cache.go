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
}

// snapshot is a stream folded up to a version. Snapshots are never changed
// once built, so they are shared between goroutines without copying.
type snapshot[S any] struct {
	state   S
	version int64
	// recent are the latest commits, oldest first.
	recent []commitRef
}

// commitRef is where one command's commit landed.
type commitRef struct {
	commandID string
	version   int64 // of the commit's last event
	position  uint64
}

// withCommit returns the commits of s followed by r, keeping the latest.
func (s snapshot[S]) withCommit(r commitRef) []commitRef {
	keep := s.recent
	if len(keep) >= recentCommands {
		keep = keep[len(keep)-recentCommands+1:]
	}
	return append(append(make([]commitRef, 0, len(keep)+1), keep...), r)
}

func (s snapshot[S]) find(commandID string) (commitRef, bool) {
	for i := len(s.recent) - 1; i >= 0; i-- {
		if s.recent[i].commandID == commandID {
			return s.recent[i], true
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

// put stores a snapshot unless a newer one of the stream is there already:
// concurrent handlers may finish out of order.
func (c *Cache[S]) put(stream eventstore.StreamID, snap snapshot[S]) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[stream]; ok {
		e := el.Value.(*cacheEntry[S])
		if e.snap.version < snap.version {
			e.snap = snap
		}
		c.order.MoveToFront(el)
		return
	}
	c.entries[stream] = c.order.PushFront(&cacheEntry[S]{stream: stream, snap: snap})
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
	if el, ok := c.entries[stream]; ok {
		c.order.Remove(el)
		delete(c.entries, stream)
	}
}
