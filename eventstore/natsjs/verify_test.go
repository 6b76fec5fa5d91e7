package natsjs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/internal/diskfault"
)

// writeLog appends 60 commits over 6 streams to a new store in dir and
// closes it.
func writeLog(t *testing.T, dir string) {
	t.Helper()
	st := openEmbedded(t, dir)
	for i := range 60 {
		mustAppend(t, st, newCommit(eventstore.StreamID{Category: "retro", ID: fmt.Sprint("r", i%6)}, eventstore.Any, fmt.Sprint("c", i), 1+i%3))
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
}

// eventsFile is the block file that holds the EVENTS stream's messages.
func eventsFile(t *testing.T, dir string) string {
	t.Helper()
	matches, err := filepath.Glob(filepath.Join(dir, "jetstream", "*", "streams", "EVENTS", "msgs", "*.blk"))
	if err != nil || len(matches) != 1 {
		t.Fatalf("EVENTS block files %v (%v), want one", matches, err)
	}
	return matches[0]
}

// verifyDir opens dir, verifies the log and returns the report.
func verifyDir(t *testing.T, dir string) (Report, *Store) {
	t.Helper()
	st := openEmbedded(t, dir)
	t.Cleanup(func() { st.Close() })
	rep, err := st.Verify(testCtx(t), nil)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	return rep, st
}

func expectDamage(t *testing.T, rep Report, words ...string) {
	t.Helper()
	err := rep.Err()
	if !errors.Is(err, eventstore.ErrDataLoss) {
		t.Fatalf("verify of a damaged log: %+v, want ErrDataLoss", rep)
	}
	for _, w := range words {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("the report %q does not say %q", err, w)
		}
	}
}

func TestVerifyFindsAWholeLogUndamaged(t *testing.T) {
	dir := t.TempDir()
	writeLog(t, dir)
	var streams []eventstore.StreamID
	st := openEmbedded(t, dir)
	defer st.Close()
	rep, err := st.Verify(testCtx(t), func(id eventstore.StreamID) { streams = append(streams, id) })
	if err != nil || rep.Err() != nil {
		t.Fatalf("verify of a whole log: %v %v", err, rep.Err())
	}
	if rep.Commits != 60 || rep.LastPosition != 60 || rep.Streams != 6 || len(streams) != 6 {
		t.Errorf("report %+v, streams %v: want 60 commits up to 60 in 6 streams", rep, streams)
	}
}

func TestVerifyFindsTheEndOfATruncatedEventsFileMissing(t *testing.T) {
	dir := t.TempDir()
	writeLog(t, dir)
	blk := eventsFile(t, dir)
	fi, err := os.Stat(blk)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(blk, fi.Size()/2); err != nil {
		t.Fatal(err)
	}
	rep, _ := verifyDir(t, dir)
	expectDamage(t, rep, "are missing", "to 60")
}

func TestVerifyFindsEveryCommitOfAnEmptiedEventsFileMissing(t *testing.T) {
	dir := t.TempDir()
	writeLog(t, dir)
	if err := os.Truncate(eventsFile(t, dir), 0); err != nil {
		t.Fatal(err)
	}
	rep, _ := verifyDir(t, dir)
	expectDamage(t, rep, "positions 1 to 60 are missing")
}

func TestVerifyFindsACommitOverwrittenWithRandomBytes(t *testing.T) {
	dir := t.TempDir()
	writeLog(t, dir)
	blk := eventsFile(t, dir)
	diskfault.Scramble(t, blk, 64)
	rep, _ := verifyDir(t, dir)
	expectDamage(t, rep, "position")
}

func TestVerifyFindsTheLogShorterThanItsMarkWhenTheStreamFilesAreGone(t *testing.T) {
	dir := t.TempDir()
	writeLog(t, dir)
	if err := os.RemoveAll(filepath.Dir(filepath.Dir(eventsFile(t, dir)))); err != nil {
		t.Fatal(err)
	}
	rep, _ := verifyDir(t, dir)
	expectDamage(t, rep, "the log ends at position 0 but held commits up to 60")
}

func TestAcceptedDamageIsNotReportedAgainButNewDamageIs(t *testing.T) {
	dir := t.TempDir()
	writeLog(t, dir)
	blk := eventsFile(t, dir)
	fi, err := os.Stat(blk)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(blk, fi.Size()/2); err != nil {
		t.Fatal(err)
	}
	rep, st := verifyDir(t, dir)
	expectDamage(t, rep)
	if err := st.AcceptDamage(rep); err != nil {
		t.Fatal(err)
	}
	// Writing goes on after the accepted loss.
	mustAppend(t, st, newCommit(eventstore.StreamID{Category: "retro", ID: "new"}, eventstore.NoStream, "after", 1))
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	rep, st = verifyDir(t, dir)
	if err := rep.Err(); err != nil || rep.Accepted == 0 {
		t.Fatalf("after accepting the loss: %v (%d accepted), want no new damage", err, rep.Accepted)
	}
	st.Close()

	// Empty every block file, the one written after the loss too.
	blocks, err := filepath.Glob(filepath.Join(filepath.Dir(blk), "*.blk"))
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range blocks {
		if err := os.Truncate(b, 0); err != nil {
			t.Fatal(err)
		}
	}
	rep, _ = verifyDir(t, dir)
	expectDamage(t, rep, "missing")
}

func TestVerifyDoesNotTakeOtherSubjectsOfASharedStreamForLostCommits(t *testing.T) {
	srv := startServer(t)
	ctx := testCtx(t)
	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "EVENTS", Subjects: []string{"ev.>", "audit.>"},
		Storage: jetstream.FileStorage, Replicas: 1}); err != nil {
		t.Fatal(err)
	}
	st, err := Open(ctx, Config{URL: srv.ClientURL(), Replicas: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	stream := eventstore.StreamID{Category: "retro", ID: "r"}
	mustAppend(t, st, newCommit(stream, eventstore.NoStream, "c1", 1))
	if _, err := js.Publish(ctx, "audit.login", []byte("someone else's message")); err != nil {
		t.Fatal(err)
	}
	mustAppend(t, st, newCommit(stream, 1, "c2", 1))
	rep, err := st.Verify(ctx, nil)
	if err != nil || rep.Err() != nil {
		t.Fatalf("verify of a shared stream: %v %v", err, rep.Err())
	}
	if rep.Commits != 2 {
		t.Errorf("verify read %d commits, want 2", rep.Commits)
	}
}
