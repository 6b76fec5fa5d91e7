package worker

import (
	"context"
	"fmt"
	"hash/fnv"
	"runtime"
	"testing"
	"time"

	"github.com/automerge/automerge-go"
)

// A board whose check is slow holds up only itself: a board that hashes to
// the same busy worker is checked by an idle one meanwhile.
func TestASlowCheckDoesNotHoldUpAnotherBoard(t *testing.T) {
	// Ordering, not speed: the heavy check may take long on a loaded
	// machine under the race detector, and must not time out.
	p := NewPool(PoolConfig{Size: 2, Command: testCommand, Timeout: 2 * time.Minute})
	t.Cleanup(p.Close)
	slow, quick := sameWorkerBoards(len(p.workers))
	other := ""
	for i := 0; other == ""; i++ {
		if id := fmt.Sprint("other-", i); workerIndex(id, len(p.workers)) != workerIndex(slow, len(p.workers)) {
			other = id
		}
	}
	// Both workers started, as on a server that has been up a while.
	for _, id := range []string{slow, other} {
		if _, err := p.Check(context.Background(), id, "", func() []byte { return nil }, nil, [][]byte{syncMessage(t, "k", "v")}, 0); err != nil {
			t.Fatal(err)
		}
	}

	heavy := manyChanges(t, 20000)
	slowDone := make(chan error, 1)
	go func() {
		_, err := p.Check(context.Background(), slow, "", func() []byte { return nil }, nil, [][]byte{heavy}, 0)
		slowDone <- err
	}()
	// Wait until the slow board's check holds its worker.
	w := p.workers[workerIndex(slow, len(p.workers))]
	for !w.busy.Load() {
		runtime.Gosched()
		select {
		case err := <-slowDone:
			t.Fatalf("the heavy check ended before it could be watched: %v", err)
		default:
		}
	}
	resp, err := p.Check(context.Background(), quick, "", func() []byte { return nil }, nil, [][]byte{syncMessage(t, "k", "v")}, 0)
	if err != nil || !resp.OK {
		t.Fatalf("quick check: %+v, %v", resp, err)
	}
	select {
	case err := <-slowDone:
		t.Fatalf("the quick board was checked only after the slow one (%v)", err)
	default:
	}
	if err := <-slowDone; err != nil {
		t.Fatal(err)
	}
}

func workerIndex(docID string, n int) int {
	h := fnv.New32a()
	h.Write([]byte(docID))
	return int(h.Sum32() % uint32(n))
}

// sameWorkerBoards returns two board IDs that hash to the same worker.
func sameWorkerBoards(n int) (string, string) {
	first := map[int]string{}
	for i := 0; ; i++ {
		id := fmt.Sprint("board-", i)
		if prev, ok := first[workerIndex(id, n)]; ok {
			return prev, id
		}
		first[workerIndex(id, n)] = id
	}
}

// manyChanges is a peer's sync message carrying n small changes.
func manyChanges(t *testing.T, n int) []byte {
	t.Helper()
	d := automerge.New()
	for i := range n {
		if err := d.RootMap().Set(fmt.Sprint("k", i%50), i); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Commit("edit"); err != nil {
			t.Fatal(err)
		}
	}
	peer, server := automerge.NewSyncState(d), automerge.NewSyncState(automerge.New())
	m1, _ := peer.GenerateMessage()
	if _, err := server.ReceiveMessage(m1.Bytes()); err != nil {
		t.Fatal(err)
	}
	m2, _ := server.GenerateMessage()
	if _, err := peer.ReceiveMessage(m2.Bytes()); err != nil {
		t.Fatal(err)
	}
	m3, ok := peer.GenerateMessage()
	if !ok {
		t.Fatal("no sync message")
	}
	return m3.Bytes()
}

// issue 12.2: a worker is replaced once it has made its checks, or once it
// has grown past its memory bound, and checking goes on with a fresh one.
func TestAWorkerIsRecycledAfterItsChecksAndAboveItsMemoryBound(t *testing.T) {
	recycled := func(cfg PoolConfig, checks int) int {
		t.Helper()
		cfg.Size = 1
		cfg.Command = testCommand
		p := NewPool(cfg)
		t.Cleanup(p.Close)
		n := 0
		for i := range checks {
			resp, err := p.Check(context.Background(), "board", "", func() []byte { return nil }, nil, [][]byte{syncMessage(t, "k", fmt.Sprint(i))}, 0)
			if err != nil || !resp.OK {
				t.Fatalf("check %d: %+v, %v", i, resp, err)
			}
			if p.workers[0].cmd == nil {
				n++
			}
		}
		return n
	}
	if n := recycled(PoolConfig{MaxChecks: 3}, 7); n != 2 {
		t.Errorf("7 checks with 3 per worker recycled %d workers, want 2", n)
	}
	if n := recycled(PoolConfig{}, 7); n != 0 {
		t.Errorf("7 small checks under the default bounds recycled %d workers, want 0", n)
	}
	if runtime.GOOS == "linux" {
		if n := recycled(PoolConfig{MaxRSS: 1}, 3); n != 3 {
			t.Errorf("3 checks by workers over their memory bound recycled %d, want 3", n)
		}
	}
}

// issue 12.2: once every board has gone quiet, the workers stop, so all
// their memory goes back to the OS; the next check starts a fresh one.
func TestIdleWorkersStopAndTheNextCheckStartsAFreshOne(t *testing.T) {
	p := NewPool(PoolConfig{Size: 2, Command: testCommand, IdleStop: 100 * time.Millisecond})
	t.Cleanup(p.Close)
	check := func(doc string) {
		t.Helper()
		resp, err := p.Check(context.Background(), doc, "", func() []byte { return nil }, nil, [][]byte{syncMessage(t, "k", "v")}, 0)
		if err != nil || !resp.OK {
			t.Fatalf("check: %+v, %v", resp, err)
		}
	}
	check("a")
	check("b")
	if p.Running() == 0 {
		t.Fatal("no worker ran the checks")
	}
	deadline := time.Now().Add(10 * time.Second)
	for p.Running() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d workers still running after the boards went quiet", p.Running())
		}
		time.Sleep(10 * time.Millisecond)
	}
	check("a")
	if p.Running() != 1 {
		t.Fatalf("%d workers running after one check, want 1", p.Running())
	}
}
