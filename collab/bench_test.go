package collab_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/collab"
	"github.com/hindsight-retro/hindsight/eventstore/natsjs"
	"github.com/hindsight-retro/hindsight/internal/procmem"
)

// serveEnv re-executes the test binary as a standalone collab server over
// embedded JetStream in the given folder, so the benchmark can measure its
// CPU and memory (and its workers') apart from the clients'.
const serveEnv = "HINDSIGHT_TEST_COLLAB_SERVE"

// seedEnv (docID=file) has the server process start with that board.
const seedEnv = "HINDSIGHT_TEST_COLLAB_SEED"

func serveMain(dir string) {
	var pf *os.File
	if p := os.Getenv("HINDSIGHT_TEST_COLLAB_CPUPROFILE"); p != "" {
		pf, _ = os.Create(p)
		_ = pprof.StartCPUProfile(pf)
	}
	ctx, cancel := context.WithCancel(context.Background())
	store, err := natsjs.Open(ctx, natsjs.Config{DataDir: dir})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if seed := os.Getenv(seedEnv); seed != "" {
		// docID=file: the board starts as that saved document.
		docID, file, _ := strings.Cut(seed, "=")
		saved, err := os.ReadFile(file)
		if err == nil {
			err = collab.StoreSavedBoard(ctx, store, docID, saved)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	delay, _ := time.ParseDuration(os.Getenv("HINDSIGHT_TEST_COLLAB_SYNC_DELAY"))
	srv, err := collab.New(ctx, collab.Deps{Authenticate: testAuth, Authorize: testAuthorize, Store: store, WorkerCommand: workerCommand, SyncDelay: delay})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	go func() { _ = srv.Run(ctx) }()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /v1/sync", srv)
	go func() { _ = http.Serve(ln, mux) }()
	fmt.Printf("{\"port\":%d}\n", ln.Addr().(*net.TCPAddr).Port)
	_, _ = io.Copy(io.Discard, os.Stdin)
	_ = srv.Close(context.Background())
	var self, kids syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &kids)
	fmt.Fprintf(os.Stderr, "collab bench server: own CPU %v, workers' CPU %v; own peak RSS %d KiB, largest worker's %d KiB\n",
		time.Duration(self.Utime.Nano()+self.Stime.Nano()).Round(time.Millisecond), time.Duration(kids.Utime.Nano()+kids.Stime.Nano()).Round(time.Millisecond),
		self.Maxrss, kids.Maxrss)
	if pf != nil {
		pprof.StopCPUProfile()
		pf.Close()
	}
	cancel()
	_ = store.Close()
	os.Exit(0)
}

type serverRun struct {
	ConvergeMs float64
	CPU        time.Duration // server process and its reaped workers
	PeakRSSKB  int64         // sampled: server plus its child processes
}

// runServer starts a server process (cmd prints {"port":N} and exits when
// stdin closes), runs the benchmark clients against it and measures it.
func runBenchAgainst(t *testing.T, cmd *exec.Cmd, jsDir string, clients, edits int) serverRun {
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
	var hello struct{ Port int }
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || json.Unmarshal([]byte(line), &hello) != nil {
		t.Fatalf("server said %q: %v", line, err)
	}
	stopSampling := make(chan struct{})
	peak := make(chan int64)
	go func() {
		var max int64
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			if v := treeRSS(cmd.Process.Pid); v > max {
				max = v
			}
			select {
			case <-stopSampling:
				peak <- max
				return
			case <-tick.C:
			}
		}
	}()
	bench := exec.Command("node", "bench.mjs", fmt.Sprintf("ws://127.0.0.1:%d/v1/sync?token=alice", hello.Port), strconv.Itoa(clients), strconv.Itoa(edits))
	bench.Dir = jsDir
	bench.Stderr = os.Stderr
	out, err := bench.Output()
	close(stopSampling)
	var r serverRun
	r.PeakRSSKB = <-peak
	stdin.Close()
	if werr := cmd.Wait(); werr != nil {
		t.Errorf("server exited: %v", werr)
	}
	if err != nil {
		t.Fatalf("bench clients: %v", err)
	}
	var res struct{ ConvergeMs float64 }
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("bench said %q: %v", out, err)
	}
	r.ConvergeMs = res.ConvergeMs
	// wait4's usage covers the process and the children it reaped: the workers.
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.CPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	return r
}

// treeRSS is the resident memory of pid and its direct children, in KiB.
func treeRSS(pid int) int64 {
	own, kids := procmem.Tree(pid)
	return own + kids
}

// TestBenchmarkAgainstReferenceServer is the whiteboard benchmark of
// BENCHMARKS.md: 20 stock clients each making 100 edits on one board, against
// this server and against the reference Node sync server, in the same run.
// It reports; it asserts nothing about speed. Run it with
// HINDSIGHT_COLLAB_BENCH=1 go test -run TestBenchmarkAgainstReferenceServer -v ./collab/
func TestBenchmarkAgainstReferenceServer(t *testing.T) {
	if os.Getenv("HINDSIGHT_COLLAB_BENCH") == "" {
		t.Skip("set HINDSIGHT_COLLAB_BENCH=1 to run the whiteboard benchmark")
	}
	dir := jsDir(t)
	clients, edits, rounds := 20, 100, 2
	if v, err := strconv.Atoi(os.Getenv("HINDSIGHT_COLLAB_BENCH_ROUNDS")); err == nil && v > 0 {
		rounds = v
	}
	var goRuns, refRuns []serverRun
	for i := 0; i < rounds; i++ {
		// Alternate which goes first, so warm caches favour neither.
		order := []string{"go", "ref"}
		if i%2 == 1 {
			order = []string{"ref", "go"}
		}
		for _, which := range order {
			if which == "go" {
				cmd := exec.Command(os.Args[0], "-test.run=^$")
				cmd.Env = append(os.Environ(), serveEnv+"="+t.TempDir())
				goRuns = append(goRuns, runBenchAgainst(t, cmd, dir, clients, edits))
			} else {
				cmd := exec.Command("node", "ref-server.mjs", filepath.Join(t.TempDir(), "repo"))
				cmd.Dir = dir
				refRuns = append(refRuns, runBenchAgainst(t, cmd, dir, clients, edits))
			}
		}
	}
	for i := range goRuns {
		g, r := goRuns[i], refRuns[i]
		t.Logf("round %d: converge hindsight %.0f ms, reference %.0f ms (ratio %.2f); server CPU %v vs %v (ratio %.2f); peak RSS %d KiB vs %d KiB (ratio %.2f)",
			i+1, g.ConvergeMs, r.ConvergeMs, g.ConvergeMs/r.ConvergeMs, g.CPU.Round(time.Millisecond), r.CPU.Round(time.Millisecond),
			float64(g.CPU)/float64(r.CPU), g.PeakRSSKB, r.PeakRSSKB, float64(g.PeakRSSKB)/float64(r.PeakRSSKB))
	}
}
