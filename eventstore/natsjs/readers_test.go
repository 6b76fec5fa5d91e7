package natsjs_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/natsjs"
)

// A follower of the log holds what it reads ahead, not room for a million
// messages: ten followers (a server runs one per projection and reactor)
// hold under 8 MB of heap between them. With a read-ahead bounded in bytes
// alone the client gave each a channel of a million slots, 8 MB apiece,
// for as long as it followed.
func TestFollowersOfTheLogHoldLittleMemory(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := natsjs.Open(ctx, natsjs.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const followers = 10
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)

	var seen sync.WaitGroup
	seen.Add(followers)
	var stopped sync.WaitGroup
	for range followers {
		var once sync.Once
		stopped.Go(func() {
			_ = st.Subscribe(ctx, 0, func(context.Context, eventstore.RecordedEvent) error {
				once.Do(seen.Done)
				return nil
			})
		})
	}
	if _, err := st.Append(ctx, eventstore.Commit{Stream: eventstore.StreamID{Category: "note", ID: "n1"}, ExpectedVersion: eventstore.Any,
		CommandID: "c1", Events: []eventstore.Event{{Type: "Noted", SchemaVersion: 1, Payload: json.RawMessage(`{}`)}}}); err != nil {
		t.Fatal(err)
	}
	seen.Wait() // every follower is reading now

	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	held := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	if held > 8<<20 {
		t.Fatalf("%d followers of the log hold %s of heap", followers, fmt.Sprintf("%.1f MB", float64(held)/1e6))
	}
	cancel()
	stopped.Wait()
}

// A reader whose handler is stalled on a log of large commits holds at most
// its read-ahead in bytes (16 MiB), not a thousand commits: the bound in
// messages must not lift the bound in bytes (a thousand commits near the
// size limit would be close to a gigabyte per reader).
func TestAStalledReaderOfLargeCommitsHoldsAtMostItsReadAhead(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	st, err := natsjs.Open(ctx, natsjs.Config{DataDir: t.TempDir(), SyncInterval: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const commits, readAhead = 60, 16 << 20
	big := json.RawMessage(`"` + strings.Repeat("x", 800<<10) + `"`)
	for i := range commits {
		c := eventstore.Commit{Stream: eventstore.StreamID{Category: "big", ID: fmt.Sprint(i)}, ExpectedVersion: eventstore.NoStream,
			CommandID: fmt.Sprint("c", i), Events: []eventstore.Event{{Type: "Large", SchemaVersion: 1, Payload: big}}}
		if _, err := st.Append(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	stream, err := st.JetStream().Stream(ctx, "EVENTS")
	if err != nil {
		t.Fatal(err)
	}
	errStop := errors.New("stop reading")
	var delivered uint64
	err = st.ReadAll(ctx, 0, func(context.Context, eventstore.RecordedEvent) error {
		// The handler holds the first event while the client reads ahead:
		// wait until the reader's pull request is done (nobody waits on
		// the consumer any more), then count what the server sent.
		for ctx.Err() == nil {
			for info := range stream.ListConsumers(ctx).Info() {
				if info.NumWaiting == 0 && info.Delivered.Consumer > 0 {
					delivered = info.Delivered.Consumer
				}
			}
			if delivered > 0 {
				return errStop
			}
			time.Sleep(10 * time.Millisecond) // polling the server's view, with the deadline above
		}
		return ctx.Err()
	})
	if !errors.Is(err, errStop) {
		t.Fatalf("read: %v", err)
	}
	if held := delivered * uint64(len(big)); held > readAhead {
		t.Fatalf("a stalled reader was sent %d commits of %d KiB (%d MiB) ahead, more than %d MiB", delivered, len(big)>>10, held>>20, readAhead>>20)
	}
	t.Logf("a stalled reader was sent %d commits of %d KiB ahead", delivered, len(big)>>10)
}

// A Load costs memory for what it reads, not room for 64K replies: every
// Load reads through a reply inbox of its own, and a synchronous
// subscription's channel of 64K slots (512 KiB) per Load made 400 whiteboard
// peers authorised at once hold 264 MB of the server's heap.
func TestALoadCostsMemoryForWhatItReads(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := natsjs.Open(ctx, natsjs.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	id := eventstore.StreamID{Category: "team", ID: "t1"}
	if _, err := st.Append(ctx, eventstore.Commit{Stream: id, ExpectedVersion: eventstore.NoStream, CommandID: "c1",
		Events: []eventstore.Event{{Type: "Named", SchemaVersion: 1, Payload: json.RawMessage(`{"name":"Platform"}`)}}}); err != nil {
		t.Fatal(err)
	}
	const loads = 100
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range loads {
		evs, err := st.Load(ctx, id, 0)
		if err != nil || len(evs) != 1 {
			t.Fatalf("load: %d events, %v", len(evs), err)
		}
	}
	runtime.ReadMemStats(&after)
	// Everything the process allocated meanwhile counts, the embedded
	// server's answers included.
	if per := (after.TotalAlloc - before.TotalAlloc) / loads; per > 64<<10 {
		t.Fatalf("a Load of one small commit allocated %d KiB", per>>10)
	}
}
