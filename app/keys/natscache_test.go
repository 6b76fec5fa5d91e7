package keys

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// twoNodes opens the same bucket through two connections, as two nodes of a
// cluster would.
func twoNodes(t *testing.T) (a, b *NATS, requestsOfA func() uint64) {
	t.Helper()
	srv := startNATS(t)
	ctx := context.Background()
	jsA := connect(t, srv)
	a, err := NewNATS(ctx, jsA, "KEYS_CACHE")
	if err != nil {
		t.Fatal(err)
	}
	b, err = NewNATS(ctx, connect(t, srv), "KEYS_CACHE")
	if err != nil {
		t.Fatal(err)
	}
	return a, b, func() uint64 { return jsA.Conn().Stats().OutMsgs }
}

func TestAKeyReadAgainIsServedWithoutAskingTheBucket(t *testing.T) {
	a, _, requests := twoNodes(t)
	ctx := context.Background()
	k, err := a.GetOrCreate(ctx, "retro:r1")
	if err != nil {
		t.Fatal(err)
	}
	// The key's creation reaches this node's watcher after the create
	// returns and voids what was cached before it; from then on a read
	// is served from memory.
	deadline := time.Now().Add(10 * time.Second)
	for {
		before := requests()
		if _, err := a.Get(ctx, "retro:r1"); err != nil {
			t.Fatal(err)
		}
		if requests() == before {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("every read of the key sends requests to NATS")
		}
		time.Sleep(time.Millisecond)
	}
	before := requests()
	for range 10 {
		got, err := a.Get(ctx, "retro:r1")
		if err != nil || !bytes.Equal(got, k) {
			t.Fatalf("Get = %x, %v; want %x", got, err, k)
		}
	}
	if n := requests() - before; n != 0 {
		t.Fatalf("10 reads of a key read a moment ago sent %d requests to NATS, want 0", n)
	}
	// What a caller does to the key it got does not reach the next one.
	got, _ := a.Get(ctx, "retro:r1")
	clear(got)
	if again, _ := a.Get(ctx, "retro:r1"); !bytes.Equal(again, k) {
		t.Fatalf("after a caller zeroed its copy, Get = %x, want %x", again, k)
	}
}

func TestAKeyDestroyedOnThisNodeIsNotServedFromItsCache(t *testing.T) {
	a, _, _ := twoNodes(t)
	ctx := context.Background()
	if _, err := a.GetOrCreate(ctx, "retro:r1"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Get(ctx, "retro:r1"); err != nil {
		t.Fatal(err)
	}
	if err := a.Destroy(ctx, "retro:r1"); err != nil {
		t.Fatal(err)
	}
	if k, err := a.Get(ctx, "retro:r1"); !errors.Is(err, ErrDestroyed) {
		t.Fatalf("Get right after Destroy = %x, %v; want ErrDestroyed", k, err)
	}
}

func TestAKeyDestroyedOnAnotherNodeLeavesThisNodesCache(t *testing.T) {
	a, b, _ := twoNodes(t)
	ctx := context.Background()
	for i := range 5 {
		subj := fmt.Sprintf("retro:r%d", i)
		if _, err := a.GetOrCreate(ctx, subj); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Get(ctx, subj); err != nil {
			t.Fatal(err)
		}
		if err := b.Destroy(ctx, subj); err != nil {
			t.Fatal(err)
		}
		// The tombstone's update reaches a's watcher shortly after.
		deadline := time.Now().Add(10 * time.Second)
		for {
			_, err := a.Get(ctx, subj)
			if errors.Is(err, ErrDestroyed) {
				break
			}
			if err != nil {
				t.Fatalf("%s: Get = %v", subj, err)
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: 10 s after another node destroyed it, this node still serves its key", subj)
			}
			time.Sleep(time.Millisecond)
		}
		if _, err := a.Get(ctx, subj); !errors.Is(err, ErrDestroyed) {
			t.Fatalf("%s: Get after ErrDestroyed = %v, want ErrDestroyed again", subj, err)
		}
	}
}

func TestAReadRacingADestroyDoesNotCacheTheKeyAfterIt(t *testing.T) {
	a, b, _ := twoNodes(t)
	ctx := context.Background()
	for i := range 10 {
		subj := fmt.Sprintf("retro:race%d", i)
		if _, err := a.GetOrCreate(ctx, subj); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for range 20 {
					_, _ = a.Get(ctx, subj)
				}
			})
		}
		destroyer := a
		if i%2 == 1 {
			destroyer = b
		}
		wg.Go(func() {
			if err := destroyer.Destroy(ctx, subj); err != nil {
				t.Errorf("Destroy: %v", err)
			}
		})
		wg.Wait()
		if destroyer == a {
			if k, err := a.Get(ctx, subj); !errors.Is(err, ErrDestroyed) {
				t.Fatalf("%s: Get right after this node's Destroy = %x, %v; want ErrDestroyed", subj, k, err)
			}
		}
		// Once the tombstone's update has reached a (at once when a
		// destroyed it), a serves the key no more, whatever reads raced.
		deadline := time.Now().Add(10 * time.Second)
		for {
			if _, err := a.Get(ctx, subj); errors.Is(err, ErrDestroyed) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: still served 10 s after the race", subj)
			}
			time.Sleep(time.Millisecond)
		}
		for range 20 {
			if k, err := a.Get(ctx, subj); !errors.Is(err, ErrDestroyed) {
				t.Fatalf("%s: Get = %x, %v after it was refused once; want ErrDestroyed", subj, k, err)
			}
		}
	}
}
