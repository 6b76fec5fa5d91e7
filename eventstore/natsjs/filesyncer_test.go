package natsjs

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// syncerTree is a folder laid out as JetStream lays out its streams, with
// a syncer whose fsyncs are recorded instead of made.
type syncerTree struct {
	t      *testing.T
	store  string
	f      *fileSyncer
	synced []string // paths fsynced in the last round, relative to the streams folder
}

func newSyncerTree(t *testing.T) *syncerTree {
	t.Helper()
	tr := &syncerTree{t: t, store: t.TempDir()}
	for _, p := range []string{"EVENTS/msgs/1.blk", "EVENTS/msgs/2.blk", "EVENTS/meta.inf", "KV_KEYS/msgs/1.blk", "KV_KEYS/meta.inf"} {
		tr.write(p, "x")
	}
	tr.f = newFileSyncer(tr.store, "EVENTS")
	tr.f.fsync = func(path string) error {
		rel, err := filepath.Rel(tr.f.root, path)
		if err != nil {
			t.Fatal(err)
		}
		tr.synced = append(tr.synced, rel)
		return nil
	}
	return tr
}

func (tr *syncerTree) path(rel string) string { return filepath.Join(streamsDir(tr.store), rel) }

func (tr *syncerTree) write(rel, data string) {
	tr.t.Helper()
	p := tr.path(rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		tr.t.Fatal(err)
	}
	f, err := os.OpenFile(p, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		tr.t.Fatal(err)
	}
	if _, err := f.WriteString(data); err != nil {
		tr.t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tr.t.Fatal(err)
	}
}

// age sets a folder's modification time, as if its last entry was added
// that long ago.
func (tr *syncerTree) age(rel string, mtime time.Time) {
	tr.t.Helper()
	if err := os.Chtimes(tr.path(rel), mtime, mtime); err != nil {
		tr.t.Fatal(err)
	}
}

func (tr *syncerTree) round(all bool) []string {
	tr.t.Helper()
	tr.synced = nil
	var err error
	if all {
		err = tr.f.sync()
	} else {
		err = tr.f.syncLog()
	}
	if err != nil {
		tr.t.Fatal(err)
	}
	slices.Sort(tr.synced)
	return tr.synced
}

func wantSynced(t *testing.T, round string, got []string, want ...string) {
	t.Helper()
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("%s fsynced %q, want %q", round, got, want)
	}
}

func TestARoundForTheLogsCommitsFsyncsItsNewestBlockAndItsFolderOnlyWhenABlockIsAdded(t *testing.T) {
	tr := newSyncerTree(t)
	long := time.Now().Add(-time.Minute)
	tr.age("EVENTS/msgs", long)

	wantSynced(t, "the first round", tr.round(false), "EVENTS/msgs", "EVENTS/msgs/1.blk", "EVENTS/msgs/2.blk")
	tr.write("EVENTS/msgs/2.blk", "y")
	wantSynced(t, "a round after an append", tr.round(false), "EVENTS/msgs/2.blk")
	wantSynced(t, "the next", tr.round(false), "EVENTS/msgs/2.blk")

	tr.write("EVENTS/msgs/3.blk", "z") // a block rolled over
	wantSynced(t, "a round after a new block", tr.round(false), "EVENTS/msgs", "EVENTS/msgs/2.blk", "EVENTS/msgs/3.blk")
	wantSynced(t, "the next", tr.round(false), "EVENTS/msgs/3.blk")
}

func TestABlockAddedInTheSameClockTickAsTheLastListingIsStillFsynced(t *testing.T) {
	tr := newSyncerTree(t)
	// The folder changed just now: a listing cannot vouch for entries
	// added later with the same modification time.
	tick := time.Now().Add(-100 * time.Millisecond)
	tr.age("EVENTS/msgs", tick)
	tr.round(false)

	tr.write("EVENTS/msgs/3.blk", "z")
	tr.age("EVENTS/msgs", tick) // the kernel's coarse clock had not moved
	wantSynced(t, "a round after the new block", tr.round(false), "EVENTS/msgs", "EVENTS/msgs/3.blk")
}

func TestOnlyAKeyStoreWaitFsyncsTheOtherStreams(t *testing.T) {
	tr := newSyncerTree(t)
	tr.round(true)
	tr.write("KV_KEYS/msgs/1.blk", "k")
	tr.write("EVENTS/msgs/2.blk", "e")
	wantSynced(t, "a round for the log", tr.round(false), "EVENTS/msgs/2.blk")
	wantSynced(t, "a round for everything", tr.round(true), "EVENTS/msgs/2.blk", "KV_KEYS/msgs/1.blk")
	wantSynced(t, "the next round for everything", tr.round(true))

	tr.write("KV_KEYS/meta.inf", "m")
	wantSynced(t, "a round for everything after a stream's meta file changed", tr.round(true), "KV_KEYS/meta.inf")
}
