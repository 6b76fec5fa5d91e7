package natsjs

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/internal/diskfault"
)

// appendUntilOK retries a new commit until the store takes it again.
func appendUntilOK(t *testing.T, st *Store, c eventstore.Commit) eventstore.AppendResult {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		r, err := st.Append(testCtx(t), c)
		if err == nil {
			return r
		}
		if !errors.Is(err, eventstore.ErrStorageFull) || time.Now().After(deadline) {
			t.Fatalf("append after space was freed: %v", err)
		}
		time.Sleep(20 * time.Millisecond) // polling a condition that has no event to wait on
	}
}

// checkFullDiskRecovery appends, fills the disk, expects quick
// ErrStorageFull answers and an unwritable store, frees the space, expects
// writes to resume by themselves, and finds every acknowledged commit after
// reopening.
func checkFullDiskRecovery(t *testing.T, minFree int64) {
	dir := diskfault.SmallDisk(t, "48m")
	st, err := Open(testCtx(t), Config{DataDir: dir, MinFreeBytes: minFree})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	stream := eventstore.StreamID{Category: "retro", ID: "full"}
	var acked []string
	for i := range 5 {
		c := newCommit(stream, eventstore.Any, fmt.Sprint("before-", i), 2)
		mustAppend(t, st, c)
		acked = append(acked, c.CommandID)
	}

	filler := diskfault.Fill(t, dir)
	// The last page of a file may still have room for a commit or two;
	// after that every append fails.
	failures := 0
	for i := 0; failures < 3; i++ {
		if i == 50 {
			t.Fatalf("%d appends on a full disk, %d failed", i, failures)
		}
		c := bigCommit(stream, fmt.Sprint("full-", i))
		start := time.Now()
		_, err := st.Append(testCtx(t), c)
		took := time.Since(start)
		if err == nil {
			if failures > 0 {
				t.Fatalf("append %d succeeded on a full disk after one had failed", i)
			}
			acked = append(acked, c.CommandID)
			continue
		}
		failures++
		if !errors.Is(err, eventstore.ErrStorageFull) {
			t.Fatalf("append %d on a full disk: %v, want ErrStorageFull", i, err)
		}
		// Well before the 10 s a publish waits for its acknowledgement.
		if took > requestTimeout/2 {
			t.Errorf("append %d on a full disk took %s to fail", i, took)
		}
	}
	if err := st.CheckWritable(testCtx(t)); !errors.Is(err, eventstore.ErrStorageFull) {
		t.Errorf("CheckWritable on a full disk: %v, want ErrStorageFull", err)
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	c := newCommit(stream, eventstore.Any, "after", 1)
	appendUntilOK(t, st, c)
	acked = append(acked, c.CommandID)
	if err := st.CheckWritable(testCtx(t)); err != nil {
		t.Errorf("CheckWritable once space is back: %v", err)
	}
	c = newCommit(stream, eventstore.Any, "after-2", 1)
	mustAppend(t, st, c)
	acked = append(acked, c.CommandID)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	re := openEmbedded(t, dir)
	defer re.Close()
	seen := map[string]int{}
	for _, e := range readAll(t, re) {
		if e.Index == 0 {
			seen[e.CommandID]++
		}
	}
	for _, id := range acked {
		if seen[id] != 1 {
			t.Errorf("acknowledged command %s is in the log %d times, want once", id, seen[id])
		}
	}
	if len(seen) != len(acked) {
		t.Errorf("the log holds %d commands, want the %d acknowledged", len(seen), len(acked))
	}
}

// bigCommit carries 16 KiB, so a full disk has no room left for it.
func bigCommit(stream eventstore.StreamID, cmd string) eventstore.Commit {
	c := newCommit(stream, eventstore.Any, cmd, 1)
	c.Events[0].Payload = json.RawMessage(`{"text":"` + strings.Repeat("x", 16<<10) + `"}`)
	return c
}

func TestAFullDiskRefusesAppendsAtOnceAndTheyResumeWhenSpaceIsFreed(t *testing.T) {
	checkFullDiskRecovery(t, 0)
}

func TestJetStreamMeetingAFullDiskFailsAppendsAtOnceAndWritesResumeWhenSpaceIsFreed(t *testing.T) {
	// No reserve: JetStream itself fails to write, as when another process
	// filled the disk between the store's check and the write.
	checkFullDiskRecovery(t, -1)
}
