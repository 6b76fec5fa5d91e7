package natsjs_test

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"sync"
	"testing"

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
