package natsjs

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/eventstore"
)

// roundWatch records, at the start of every fsync round, what the log's
// block files held, and can hold a round back until released.
type roundWatch struct {
	mu     sync.Mutex
	starts [][]byte // the EVENTS blocks' bytes as each round began
	hold   chan struct{}
}

func watchRounds(t *testing.T, st *Store) *roundWatch {
	t.Helper()
	if st.group == nil {
		t.Fatal("the embedded store with fsync on every write runs no group commit")
	}
	w := &roundWatch{}
	msgs := filepath.Join(st.group.files.root, st.cfg.Stream, "msgs")
	// Set under the group's lock, which every round takes before it runs.
	st.group.mu.Lock()
	defer st.group.mu.Unlock()
	st.group.files.hook = func() {
		var all []byte
		ents, _ := os.ReadDir(msgs)
		for _, e := range ents {
			b, _ := os.ReadFile(filepath.Join(msgs, e.Name()))
			all = append(all, b...)
		}
		w.mu.Lock()
		w.starts = append(w.starts, all)
		hold := w.hold
		w.mu.Unlock()
		if hold != nil {
			<-hold
		}
	}
	return w
}

func (w *roundWatch) rounds() [][]byte {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([][]byte(nil), w.starts...)
}

func (w *roundWatch) holdRounds() func() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.hold = make(chan struct{})
	h := w.hold
	return func() {
		w.mu.Lock()
		w.hold = nil
		w.mu.Unlock()
		close(h)
	}
}

// durable is the highest position a finished round put on disk.
func durable(st *Store) uint64 {
	st.group.mu.Lock()
	defer st.group.mu.Unlock()
	return st.group.durable
}

func waits(st *Store) uint64 {
	stats, _ := st.GroupCommitStats()
	return stats.Waits
}

func written(st *Store) uint64 {
	st.group.mu.Lock()
	defer st.group.mu.Unlock()
	return st.group.written
}

func markedCommit(stream eventstore.StreamID, i int) (eventstore.Commit, []byte) {
	mark := fmt.Sprintf("group-commit-mark-%03d", i)
	return eventstore.Commit{
		Stream: stream, ExpectedVersion: eventstore.NoStream, CommandID: fmt.Sprintf("cmd-%d", i),
		Events: []eventstore.Event{{Type: "Marked", SchemaVersion: 1, Payload: []byte(`{"mark":"` + mark + `"}`)}},
	}, []byte(mark)
}

func TestCommitsArrivingTogetherShareAnFsyncAndEachIsAnsweredOnlyAfterOneThatBeganWithItInTheFile(t *testing.T) {
	st := openEmbedded(t, t.TempDir())
	defer st.Close()
	ctx := testCtx(t)
	w := watchRounds(t, st)
	release := w.holdRounds()
	const n = 16
	var answered atomic.Int64
	marks := make([][]byte, n)
	errs := make(chan error, n)
	for i := range n {
		c, mark := markedCommit(eventstore.StreamID{Category: "group", ID: fmt.Sprintf("s%d", i)}, i)
		marks[i] = mark
		go func() {
			_, err := st.Append(ctx, c)
			answered.Add(1)
			errs <- err
		}()
	}
	// Every commit is written, acknowledged by JetStream and waiting for
	// its fsync while the first round is held: none may be answered yet.
	deadline := time.Now().Add(time.Minute)
	for waits(st) < n {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d commits wait for the store's group commit", waits(st), n)
		}
		time.Sleep(time.Millisecond)
	}
	if a := answered.Load(); a != 0 {
		t.Fatalf("%d appends were answered while the fsync round was held", a)
	}
	release()
	for range n {
		if err := <-errs; err != nil {
			t.Fatalf("append: %v", err)
		}
	}
	rounds := w.rounds()
	if len(rounds) > 3 {
		t.Errorf("%d commits arriving together took %d fsync rounds, want them to share (at most 3)", n, len(rounds))
	}
	for i, mark := range marks {
		found := false
		for _, r := range rounds {
			found = found || bytes.Contains(r, mark)
		}
		if !found {
			t.Errorf("commit %d was answered, but no fsync round began with it in the log's block files", i)
		}
	}
	if d := durable(st); d < n {
		t.Errorf("durable position %d after %d answered commits", d, n)
	}
	stats, ok := st.GroupCommitStats()
	if !ok || stats.Rounds != uint64(len(rounds)) || stats.Waits < n || stats.Seconds <= 0 {
		t.Errorf("group commit stats %+v (%v), want %d rounds, at least %d waits and some time", stats, ok, len(rounds), n)
	}
}

func TestASubscriberGetsACommitOnlyOnceItIsOnDisk(t *testing.T) {
	st := openEmbedded(t, t.TempDir())
	defer st.Close()
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	w := watchRounds(t, st)
	got := make(chan string, 4)
	go func() {
		_ = st.Subscribe(ctx, 0, func(_ context.Context, e eventstore.RecordedEvent) error {
			if d := durable(st); d < e.Position {
				got <- fmt.Sprintf("commit at %d delivered while the disk held up to %d", e.Position, d)
			} else {
				got <- ""
			}
			return nil
		})
	}()
	// A first commit shows the subscription is live.
	first, _ := markedCommit(eventstore.StreamID{Category: "group", ID: "sub0"}, 0)
	if _, err := st.Append(ctx, first); err != nil {
		t.Fatal(err)
	}
	if msg := <-got; msg != "" {
		t.Error(msg)
	}
	release := w.holdRounds()
	c, _ := markedCommit(eventstore.StreamID{Category: "group", ID: "sub1"}, 1)
	done := make(chan error, 1)
	go func() {
		_, err := st.Append(ctx, c)
		done <- err
	}()
	deadline := time.Now().Add(time.Minute)
	for written(st) < 2 {
		if time.Now().After(deadline) {
			t.Fatal("the commit never reached the store's group commit")
		}
		time.Sleep(time.Millisecond)
	}
	release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if msg := <-got; msg != "" {
		t.Error(msg)
	}
}

func TestAStoreReopenedOnItsFolderKeepsCommittingInGroups(t *testing.T) {
	dir := t.TempDir()
	st := openEmbedded(t, dir)
	ctx := testCtx(t)
	c, _ := markedCommit(eventstore.StreamID{Category: "group", ID: "re"}, 1)
	if _, err := st.Append(ctx, c); err != nil {
		t.Fatal(err)
	}
	st.Close()
	st = openEmbedded(t, dir)
	defer st.Close()
	if d := durable(st); d != 1 {
		t.Errorf("a reopened store starts with durable position %d, want the log's end, 1", d)
	}
	c2, mark := markedCommit(eventstore.StreamID{Category: "group", ID: "re2"}, 2)
	w := watchRounds(t, st)
	if _, err := st.Append(ctx, c2); err != nil {
		t.Fatal(err)
	}
	rounds := w.rounds()
	if len(rounds) == 0 || !bytes.Contains(rounds[len(rounds)-1], mark) {
		t.Errorf("the reopened store answered a commit without an fsync round that began with it in the files (%d rounds)", len(rounds))
	}
}
