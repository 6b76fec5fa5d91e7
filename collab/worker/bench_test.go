package worker

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/automerge/automerge-go"
	"github.com/hindsight-retro/hindsight/internal/procmem"
)

// board returns a saved whiteboard of notes as the stock client writes
// them (each note a map, its text an Automerge text), one change per note.
func board(tb testing.TB, notes int) []byte {
	tb.Helper()
	d := automerge.New()
	if err := d.Path("items").Set(automerge.NewMap()); err != nil {
		tb.Fatal(err)
	}
	for i := range notes {
		note := map[string]any{"kind": "note", "x": 10 * i, "y": 10, "w": 160, "h": 120, "color": "yellow", "z": i,
			"author": "", "text": automerge.NewText(fmt.Sprintf("note %d", i))}
		if err := d.Path("items", fmt.Sprintf("n-%d", i)).Set(note); err != nil {
			tb.Fatal(err)
		}
		if _, err := d.Commit("note"); err != nil {
			tb.Fatal(err)
		}
	}
	return d.Save()
}

// noteMessage returns the sync message in which a peer holding saved sends
// one note more to a server holding saved.
func noteMessage(tb testing.TB, saved []byte) []byte {
	tb.Helper()
	peer, err := automerge.Load(saved)
	if err != nil {
		tb.Fatal(err)
	}
	server, err := automerge.Load(saved)
	if err != nil {
		tb.Fatal(err)
	}
	if err := peer.Path("items", "added").Set(map[string]any{"kind": "note", "text": automerge.NewText("added")}); err != nil {
		tb.Fatal(err)
	}
	if _, err := peer.Commit("note"); err != nil {
		tb.Fatal(err)
	}
	ps, ss := automerge.NewSyncState(peer), automerge.NewSyncState(server)
	for range 4 {
		m, ok := ps.GenerateMessage()
		if ok && len(m.Changes()) > 0 {
			return m.Bytes()
		}
		if ok {
			if _, err := ss.ReceiveMessage(m.Bytes()); err != nil {
				tb.Fatal(err)
			}
		}
		if r, ok := ss.GenerateMessage(); ok {
			if _, err := ps.ReceiveMessage(r.Bytes()); err != nil {
				tb.Fatal(err)
			}
		}
	}
	tb.Fatal("the peer sent no changes")
	return nil
}

// BenchmarkChecksOfBoardsTheWorkerDoesNotHold checks one note added to each
// of 64 boards of 40 notes in turn, more boards than a worker caches, as
// when 200 boards are edited at once: every check loads its board, applies
// the message, saves and loads the result. It reports the worker's CPU per
// check and its largest own memory (procmem.Private).
func BenchmarkChecksOfBoardsTheWorkerDoesNotHold(b *testing.B) {
	const boards = 64
	docs, msgs := make([][]byte, boards), make([][]byte, boards)
	for i := range docs {
		docs[i] = board(b, 40)
		msgs[i] = noteMessage(b, docs[i])
	}
	p := testPool(b, 1)
	check := func(i int) {
		k := i % boards
		resp, err := p.Check(context.Background(), fmt.Sprint("board-", k), "", func() []byte { return docs[k] }, nil, [][]byte{msgs[k]}, 0)
		if err != nil || !resp.OK {
			b.Fatalf("check %d: %+v, %v", i, resp, err)
		}
	}
	check(0) // starts the worker
	pid := p.workers[0].cmd.Process.Pid
	cpu0 := procCPUTicks(pid)
	var peak int64
	b.ResetTimer()
	for i := range b.N {
		check(i)
		if i%8 == 0 {
			peak = max(peak, procmem.Private(pid))
		}
	}
	b.StopTimer()
	ticks := procCPUTicks(pid) - cpu0
	b.ReportMetric(float64(ticks)*10/float64(b.N), "worker-cpu-ms/check") // 100 ticks a second
	b.ReportMetric(float64(peak)/1024, "worker-peak-own-MB")
}

// procCPUTicks is the user and system CPU time of pid in clock ticks.
func procCPUTicks(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	u, _ := strconv.ParseInt(fields[11], 10, 64)
	st, _ := strconv.ParseInt(fields[12], 10, 64)
	return u + st
}
