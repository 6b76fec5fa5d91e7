package keys

import (
	"context"
	"fmt"
	"sync"

	"github.com/nats-io/nats.go/jetstream"
)

// maxCachedKeys bounds the keys a NATS store keeps opened in memory: the
// live retros and surveys of a busy node, and no more.
const maxCachedKeys = 4096

// keyCache keeps keys the NATS store has opened, so that a command does not
// read the bucket (two requests to the stream leader: the key and the epoch
// pointer) for a key it read a moment ago. Every retro command reads its
// retro's key to make the caller's pseudonym.
//
// A destroyed key must not outlive its tombstone in any cache. Destroy on
// this node forgets the subject before and after it writes the tombstone;
// every change to the bucket from any node (a tombstone, a re-wrap, a
// purge) reaches the watcher, which forgets that subject. A read races with
// both through gen: what a read found is kept only if nothing was forgotten
// since the read began, so a key read just before a tombstone is never
// cached after it. Across nodes a Get may still answer from the cache until
// the tombstone's update arrives (milliseconds), as a Get that began just
// before the Destroy would.
type keyCache struct {
	mu   sync.Mutex
	live bool // the watcher runs: without it nothing is cached
	gen  uint64
	keys map[string][]byte
}

// watchKeys starts the cache and its watcher of the bucket. The watcher
// lives as long as the store's connection; when it ends, the cache empties
// and stays off.
func (n *NATS) watchKeys(ctx context.Context) (*keyCache, error) {
	c := &keyCache{keys: map[string][]byte{}}
	w, err := n.kv.WatchAll(context.WithoutCancel(ctx), jetstream.UpdatesOnly(), jetstream.MetaOnly())
	if err != nil {
		return nil, fmt.Errorf("keys: watch bucket %s: %w", n.bucket, err)
	}
	c.live = true
	go func() {
		for e := range w.Updates() {
			if e != nil {
				c.forget(e.Key())
			}
		}
		c.mu.Lock()
		c.live, c.keys = false, map[string][]byte{}
		c.gen++
		c.mu.Unlock()
	}()
	return c, nil
}

// get returns a copy of the cached key of the subject (its encoded name),
// and the generation to hand to put after reading the bucket on a miss.
func (c *keyCache) get(name string) ([]byte, uint64) {
	if c == nil { // the store is still starting
		return nil, 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if k, ok := c.keys[name]; ok {
		return append([]byte(nil), k...), c.gen
	}
	return nil, c.gen
}

// put keeps k, read from the bucket by a read that began at generation gen,
// unless something was forgotten since.
func (c *keyCache) put(name string, k []byte, gen uint64) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.live || gen != c.gen {
		return
	}
	if len(c.keys) >= maxCachedKeys {
		for old := range c.keys {
			delete(c.keys, old) // any one: the map's order is as good as any
			break
		}
	}
	c.keys[name] = append([]byte(nil), k...)
}

// forget drops the subject's key (its encoded name) and voids every read
// in flight.
func (c *keyCache) forget(name string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.keys, name)
	c.gen++
}
