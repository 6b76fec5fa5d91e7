package collab

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/automerge/automerge-go"
	"github.com/hindsight-retro/hindsight/collab/wire"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
)

func selfRSSKB(t *testing.T) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc: cannot measure memory")
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

func settle() {
	for i := 0; i < 3; i++ {
		runtime.GC()
		time.Sleep(20 * time.Millisecond) // finalizers free the C side
	}
}

// storeBoards writes n boards of `changes` one-note changes each as
// snapshots. One document is built and stored under n IDs, so the memory
// the builder used and freed does not hide what loading the boards costs.
func storeBoards(t testing.TB, store eventstore.Store, n, changes int) []string {
	d := automerge.New()
	if err := d.RootMap().Set("notes", automerge.NewList()); err != nil {
		t.Fatal(err)
	}
	list, _ := d.RootMap().Get("notes")
	for c := 0; c < changes; c++ {
		if err := list.List().Append(fmt.Sprintf("note-%d", c)); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Commit("edit"); err != nil {
			t.Fatal(err)
		}
	}
	saved := d.Save()
	ids := make([]string, n)
	for i := range ids {
		ids[i] = wire.NewDocumentID()
		if _, err := store.Append(context.Background(), eventstore.Commit{
			Stream: docStream(ids[i]), ExpectedVersion: eventstore.NoStream, CommandID: "seed-" + ids[i],
			Events: []eventstore.Event{chunkEvent(eventSnapshot, saved)},
		}); err != nil {
			t.Fatal(err)
		}
	}
	return ids
}

// TestMemoryPerIdleBoard measures what a loaded, idle board costs and how
// much comes back when it is evicted, beside a stock Node Repo holding the
// same documents. It reports; run with HINDSIGHT_COLLAB_BENCH=1.
func TestMemoryPerIdleBoard(t *testing.T) {
	if os.Getenv("HINDSIGHT_COLLAB_BENCH") == "" {
		t.Skip("set HINDSIGHT_COLLAB_BENCH=1 to measure memory per board")
	}
	const boards, changes = 200, 100
	store := memstore.New(nil)
	ids := storeBoards(t, store, boards, changes)
	s, err := New(context.Background(), Deps{
		Authenticate: func(*http.Request) (Identity, error) { return Identity{}, errors.New("unused") },
		Authorize:    func(context.Context, string, string) bool { return true },
		Store:        store, WorkerCommand: func() *exec.Cmd { return exec.Command("false") },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	settle()
	before := selfRSSKB(t)
	for _, id := range ids {
		b, err := s.attach(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		s.release(b)
	}
	settle()
	loaded := selfRSSKB(t)
	if n := s.evictIdle(time.Now().Add(time.Hour)); n != boards {
		t.Fatalf("evicted %d of %d idle boards", n, boards)
	}
	settle()
	time.Sleep(200 * time.Millisecond)
	after := selfRSSKB(t)
	perBoard := float64(loaded-before) / boards
	t.Logf("hindsight: %d boards of %d changes: %.1f KiB per loaded idle board; eviction returned %d of %d KiB (%.0f%%)",
		boards, changes, perBoard, loaded-after, loaded-before, 100*float64(loaded-after)/float64(loaded-before))

	if _, err := exec.LookPath("node"); err != nil {
		return
	}
	dir, _ := filepath.Abs("jstest")
	cmd := exec.Command("node", "--expose-gc", "mem-ref.mjs", strconv.Itoa(boards), strconv.Itoa(changes))
	cmd.Dir = dir
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("reference: %v", err)
	}
	var ref struct{ PerDocKB float64 }
	if err := json.Unmarshal(out, &ref); err != nil {
		t.Fatalf("reference said %q: %v", out, err)
	}
	t.Logf("reference Repo: %.1f KiB per loaded document; ratio %.2f", ref.PerDocKB, perBoard/ref.PerDocKB)
}
