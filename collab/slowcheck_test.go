package collab_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/automerge/automerge-go"
	"github.com/hindsight-retro/hindsight/collab"
	"github.com/hindsight-retro/hindsight/collab/wire"
	"github.com/hindsight-retro/hindsight/collab/worker"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
)

// gateEnv makes the re-executed test binary a validation worker whose
// checks of one board wait while a file exists: a check as slow as the test
// needs, with no clock involved. Its value is "<dir>:<board>"; the worker
// creates <dir>/started when such a check begins and waits while
// <dir>/hold exists.
const gateEnv = "HINDSIGHT_TEST_COLLAB_GATED_WORKER"

func gatedWorkerMain(spec string) {
	dir, board := filepath.Dir(spec+"x"), filepath.Base(spec)
	if err := worker.Serve(&gateReader{r: os.Stdin, mark: []byte(board), dir: dir}, os.Stdout); err != nil {
		os.Exit(1)
	}
	os.Exit(0)
}

// gateReader passes the worker's requests through, holding back one that
// names the gated board while the hold file exists.
type gateReader struct {
	r    io.Reader
	mark []byte
	tail []byte
	dir  string
}

func (g *gateReader) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	window := append(g.tail, p[:n]...)
	if bytes.Contains(window, g.mark) {
		if _, statErr := os.Stat(filepath.Join(g.dir, "hold")); statErr == nil {
			_ = os.WriteFile(filepath.Join(g.dir, "started"), nil, 0o600)
			for {
				if _, statErr := os.Stat(filepath.Join(g.dir, "hold")); statErr != nil {
					break
				}
				time.Sleep(5 * time.Millisecond)
			}
		}
	}
	g.tail = append(g.tail[:0], window[max(0, len(window)-len(g.mark)+1):]...)
	return n, err
}

func gatedWorkerCommand(dir, board string) func() *exec.Cmd {
	return func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), gateEnv+"="+dir+"/"+board)
		return cmd
	}
}

// While a worker is slow to check one member's message for a board, the
// board does not freeze: the other members' presence on it is relayed, a
// member's edit on another board is served, and the edits sent to the
// board meanwhile reach its members once the slow check ends, with every
// change kept.
func TestASlowCheckFreezesNeitherItsBoardNorOthers(t *testing.T) {
	dir := t.TempDir()
	slow, other := wire.NewDocumentID(), wire.NewDocumentID()
	store := memstore.New(nil)
	n := startNodeWith(t, store, "", func(d *collab.Deps) {
		d.Workers = 2
		d.CheckTimeout = time.Minute
		d.WorkerCommand = gatedWorkerCommand(dir, slow)
	})
	alice := join(t, n, "alice", "alice", slow)
	carol := join(t, n, "carol", "carol", slow)
	for _, k := range []string{"alice", "carol"} {
		if err := roundTrip(alice, carol, k, int64(0), 10*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	bob := join(t, n, "bob", "bob", other)
	bob2 := join(t, n, "bob", "bob2", other)
	if err := roundTrip(bob, bob2, "bob-0", int64(0), 10*time.Second); err != nil {
		t.Fatal(err)
	}

	// The slow check: a member's new connection to the slow board, whose
	// request the worker holds.
	hold := filepath.Join(dir, "hold")
	if err := os.WriteFile(hold, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Remove(hold) }) // before the node stops
	slowEditor := join(t, n, "bob", "slow-editor", slow)
	waitUntil(t, func() bool { _, err := os.Stat(filepath.Join(dir, "started")); return err == nil })
	slowEditor.edit("slow", "edit")

	// Presence on the slow board still goes round.
	carol.presence(1)
	if !alice.until(10*time.Second, func() bool {
		return slices.ContainsFunc(alice.heard, func(m wire.Message) bool { return m.Type == wire.TypeEphemeral })
	}) {
		t.Fatal("presence on a board stopped while a worker checked a message for it")
	}
	// Another board is checked and served meanwhile.
	if err := roundTrip(bob, bob2, "bob-1", int64(1), 10*time.Second); err != nil {
		t.Fatalf("another board waited for the slow check: %v", err)
	}
	// Alice's edit waits for the slow check, then reaches carol; the slow
	// editor's reaches alice.
	alice.edit("alice-1", int64(1))
	if err := os.Remove(hold); err != nil {
		t.Fatal(err)
	}
	if err := carol.waitKey("alice-1", 30*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := alice.waitKey("slow", 30*time.Second); err != nil {
		t.Fatal(err)
	}

	// Nothing lost: the board in the log holds every edit.
	n.shutdown()
	expectKeys(t, store, slow, "alice", "carol", "alice-1", "slow")
}

// expectKeys fails unless board docID, loaded from the log, holds keys.
func expectKeys(t *testing.T, store eventstore.Store, docID string, keys ...string) {
	t.Helper()
	doc, err := collab.StoredBoard(context.Background(), store, docID)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if v, err := doc.Path(k).Get(); err != nil || v.Kind() == automerge.KindVoid {
			keys, _ := doc.RootMap().Keys()
			t.Fatalf("board %s lost %q (%v); it holds %v", docID, k, err, keys)
		}
	}
}

// A sync message a worker refuses (here one that crashes the Automerge
// core) is answered once and for good: the sender hears why and that the
// board is unavailable, keeps its connection for its other boards, and
// what it sends for that board again is not checked again, so a stock
// client, which resends only after reconnecting, stops sending it.
func TestAMessageAWorkerRefusesIsAnsweredOnceAndForGood(t *testing.T) {
	logged := &warnings{}
	var starts atomic.Int32
	n := startNodeWith(t, memstore.New(nil), "", func(d *collab.Deps) {
		d.Logger = slog.New(logged)
		d.WorkerCommand = func() *exec.Cmd { starts.Add(1); return workerCommand() }
	})
	files, err := filepath.Glob("testdata/crashers/*.bin")
	if err != nil || len(files) == 0 {
		t.Fatalf("no crash samples: %v", err)
	}
	crasher, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	bad, good := wire.NewDocumentID(), wire.NewDocumentID()
	p := join(t, n, "carol", "carol", good)
	q := join(t, n, "alice", "alice", good)
	p.p.send(wire.Message{Type: wire.TypeSync, TargetID: "server", DocumentID: bad, Data: crasher})
	if !p.until(10*time.Second, func() bool {
		return slices.ContainsFunc(p.heard, func(m wire.Message) bool { return m.Type == wire.TypeDocUnavailable && m.DocumentID == bad })
	}) {
		t.Fatalf("the refused board was not answered doc-unavailable: %v", p.heardTypes())
	}
	reasons := p.heardOf(func(m wire.Message) bool { return m.Type == wire.TypeError })
	if len(reasons) != 1 || !strings.Contains(reasons[0].ErrorMessage, "refused") {
		t.Fatalf("want one error saying the message was refused, got %+v", reasons)
	}
	if err := roundTrip(p, q, "k1", int64(1), 10*time.Second); err != nil {
		t.Fatalf("the sender lost its other board: %v", err)
	}
	refusals, started := len(logged.all()), starts.Load()

	p.p.send(wire.Message{Type: wire.TypeSync, TargetID: "server", DocumentID: bad, Data: crasher})
	if err := roundTrip(p, q, "k2", int64(2), 10*time.Second); err != nil {
		t.Fatalf("the sender lost its other board: %v", err)
	}
	if got := logged.all(); len(got) != refusals || starts.Load() != started {
		t.Fatalf("the refused message was checked again: %d refusals, %d worker starts, then %d and %d (%v)", refusals, started, len(got), starts.Load(), got)
	}
	if got := p.heardOf(func(m wire.Message) bool { return m.DocumentID == bad }); len(got) != 1 {
		t.Fatalf("the refused board was answered %d times, want once: %+v", len(got), got)
	}
}
