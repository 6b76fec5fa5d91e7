package collab_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/automerge/automerge-go"
)

// firstLoad is one server's figures for issue 12's table.
type firstLoad struct {
	Bytes     int64   // server to client while a fresh client loads the board
	LoadMs    float64 // from find() until the client holds every change
	PeakRSSKB int64   // server and its workers, sampled while loading
	JoinMs    float64 // until every one of the joining clients heard the server
}

// TestBenchmarkFirstLoadAgainstReferenceServer measures issue 12's table
// against the stock Node sync server in the same run: what a fresh stock
// client downloads and how long it takes to load a board of many changes,
// the server's memory meanwhile, and how long many clients take to join.
// It reports; it asserts nothing about speed. Run it with
// HINDSIGHT_COLLAB_BENCH=1 go test -count=1 -run TestBenchmarkFirstLoadAgainstReferenceServer -v ./collab/
func TestBenchmarkFirstLoadAgainstReferenceServer(t *testing.T) {
	if os.Getenv("HINDSIGHT_COLLAB_BENCH") == "" {
		t.Skip("set HINDSIGHT_COLLAB_BENCH=1 to run the whiteboard benchmark")
	}
	js := jsDir(t)
	changes, joins, rounds := envInt("HINDSIGHT_COLLAB_BENCH_CHANGES", 10_000), envInt("HINDSIGHT_COLLAB_BENCH_JOINS", 400), envInt("HINDSIGHT_COLLAB_BENCH_ROUNDS", 3)
	file := filepath.Join(t.TempDir(), "board.bin")
	if err := os.WriteFile(file, noteBoard(t, changes), 0o600); err != nil {
		t.Fatal(err)
	}
	var goRuns, refRuns []firstLoad
	for i := 0; i < rounds; i++ {
		order := []string{"go", "ref"}
		if i%2 == 1 {
			order = []string{"ref", "go"}
		}
		for _, which := range order {
			// Each server starts from the same saved document under the
			// ID the reference's import gave it.
			refDir := filepath.Join(t.TempDir(), "repo")
			docID := refSeed(t, js, refDir, file)
			var cmd *exec.Cmd
			if which == "go" {
				cmd = exec.Command(os.Args[0], "-test.run=^$")
				cmd.Env = append(os.Environ(), serveEnv+"="+t.TempDir(), seedEnv+"="+docID+"="+file)
			} else {
				cmd = exec.Command("node", "ref-server.mjs", refDir)
				cmd.Dir = js
			}
			r := measureFirstLoad(t, cmd, js, docID, changes, joins)
			if which == "go" {
				goRuns = append(goRuns, r)
			} else {
				refRuns = append(refRuns, r)
			}
		}
	}
	ratio := func(f func(firstLoad) float64) (lo, med, hi float64) {
		var rs []float64
		for i := range goRuns {
			rs = append(rs, f(goRuns[i])/f(refRuns[i]))
		}
		slices.Sort(rs)
		return rs[0], rs[len(rs)/2], rs[len(rs)-1]
	}
	for i := range goRuns {
		g, r := goRuns[i], refRuns[i]
		t.Logf("round %d: download %d B vs %d B; load %.0f ms vs %.0f ms; peak RSS %d KiB vs %d KiB; %d joins %.0f ms vs %.0f ms",
			i+1, g.Bytes, r.Bytes, g.LoadMs, r.LoadMs, g.PeakRSSKB, r.PeakRSSKB, joins, g.JoinMs, r.JoinMs)
	}
	for _, row := range []struct {
		name string
		f    func(firstLoad) float64
	}{
		{"download", func(r firstLoad) float64 { return float64(r.Bytes) }},
		{"load", func(r firstLoad) float64 { return r.LoadMs }},
		{"peak RSS", func(r firstLoad) float64 { return float64(r.PeakRSSKB) }},
		{"join", func(r firstLoad) float64 { return r.JoinMs }},
	} {
		lo, med, hi := ratio(row.f)
		t.Logf("%s, hindsight / reference: median %.2f (%.2f–%.2f) over %d rounds", row.name, med, lo, hi, len(goRuns))
	}
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// noteBoard is a saved document of n one-note changes.
func noteBoard(t *testing.T, n int) []byte {
	d := automerge.New()
	if err := d.RootMap().Set("notes", automerge.NewList()); err != nil {
		t.Fatal(err)
	}
	notes, _ := d.RootMap().Get("notes")
	for i := 0; i < n; i++ {
		if err := notes.List().Append(fmt.Sprintf("note-%d", i)); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Commit("note"); err != nil {
			t.Fatal(err)
		}
	}
	return d.Save()
}

// refSeed stores the saved document in a reference server's storage folder
// and returns its document ID.
func refSeed(t *testing.T, js, dir, file string) string {
	cmd := exec.Command("node", "fresh.mjs", "ref-seed", dir, file)
	cmd.Dir = js
	cmd.Stderr = os.Stderr
	var res struct{ DocID string }
	out, err := cmd.Output()
	if err != nil || json.Unmarshal(out, &res) != nil || res.DocID == "" {
		t.Fatalf("ref-seed said %q: %v", out, err)
	}
	return res.DocID
}

func measureFirstLoad(t *testing.T, cmd *exec.Cmd, js, docID string, changes, joins int) firstLoad {
	t.Helper()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		stdin.Close()
		if err := cmd.Wait(); err != nil {
			t.Errorf("server exited: %v", err)
		}
	}()
	var hello struct{ Port int }
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || json.Unmarshal([]byte(line), &hello) != nil {
		t.Fatalf("server said %q: %v", line, err)
	}
	server := fmt.Sprintf("127.0.0.1:%d", hello.Port)
	proxy, down := countingProxy(t, server)

	var r firstLoad
	stopSampling := make(chan struct{})
	peak := make(chan int64)
	go func() {
		var max int64
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			max = maxInt64(max, treeRSS(cmd.Process.Pid))
			select {
			case <-stopSampling:
				peak <- max
				return
			case <-tick.C:
			}
		}
	}()
	var load struct{ LoadMs float64 }
	runJS(t, js, &load, "load", "ws://"+proxy+"/v1/sync?token=alice", docID, strconv.Itoa(changes))
	close(stopSampling)
	r.PeakRSSKB, r.LoadMs, r.Bytes = <-peak, load.LoadMs, down.Load()

	var join struct{ JoinMs float64 }
	runJS(t, js, &join, "join", "ws://"+server+"/v1/sync?token=alice", strconv.Itoa(joins))
	r.JoinMs = join.JoinMs
	return r
}

func maxInt64(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}

func runJS(t *testing.T, js string, into any, args ...string) {
	t.Helper()
	cmd := exec.Command("node", append([]string{"fresh.mjs"}, args...)...)
	cmd.Dir = js
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil || json.Unmarshal(out, into) != nil {
		t.Fatalf("fresh.mjs %s said %q: %v", args[0], out, err)
	}
}

// countingProxy forwards loopback TCP to target and counts the bytes that
// flow from target back to the clients.
func countingProxy(t *testing.T, target string) (addr string, down *atomic.Int64) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down = new(atomic.Int64)
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer c.Close()
				s, err := net.Dial("tcp", target)
				if err != nil {
					return
				}
				defer s.Close()
				go func() { _, _ = io.Copy(s, c); s.(*net.TCPConn).CloseWrite() }()
				_, _ = io.Copy(countingWriter{c, down}, s)
			})
		}
	})
	return ln.Addr().String(), down
}

// countingWriter counts as it writes, so the count is whole once the client
// has read what it got.
type countingWriter struct {
	w io.Writer
	n *atomic.Int64
}

func (c countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n.Add(int64(n))
	return n, err
}
