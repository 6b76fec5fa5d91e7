package collab_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/collab"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/internal/npmdeps"
)

// The test binary doubles as the validation worker when re-executed with
// this variable set.
const workerEnv = "HINDSIGHT_TEST_COLLAB_WORKER"

func TestMain(m *testing.M) {
	if os.Getenv(workerEnv) == "1" {
		collab.WorkerMain()
	}
	if spec := os.Getenv(gateEnv); spec != "" {
		gatedWorkerMain(spec)
	}
	if dir := os.Getenv(serveEnv); dir != "" {
		serveMain(dir)
	}
	os.Exit(m.Run())
}

func workerCommand() *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), workerEnv+"=1")
	// A worker killed by a crash sample prints the core's abort dump; the
	// tests expect those, so it stays out of the output.
	return cmd
}

// The tokens the test server knows; "mallory" may open no board.
func testAuth(r *http.Request) (collab.Identity, error) {
	switch tok := r.URL.Query().Get("token"); tok {
	case "alice", "bob", "carol", "mallory":
		return collab.Identity{UserID: tok}, nil
	default:
		return collab.Identity{}, errors.New("unknown token")
	}
}

func testAuthorize(_ context.Context, userID, _ string) bool { return userID != "mallory" }

// node is one collab server on a loopback port that can be stopped and
// started again on the same address.
type node struct {
	t     testing.TB
	store eventstore.Store
	addr  string
	srv   *collab.Server
	http  *http.Server
	stop  context.CancelFunc
	done  chan struct{}
}

// extra, when given, serves the browser test's page under /browser/.
func startNode(t testing.TB, store eventstore.Store, addr string, extra ...http.Handler) *node {
	t.Helper()
	return startNodeWith(t, store, addr, nil, extra...)
}

// startNodeWith lets a test tune the server's Deps before it starts.
func startNodeWith(t testing.TB, store eventstore.Store, addr string, tune func(*collab.Deps), extra ...http.Handler) *node {
	t.Helper()
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen %s: %v", addr, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	deps := collab.Deps{
		Authenticate: testAuth, Authorize: testAuthorize, Store: store,
		WorkerCommand: workerCommand, Workers: 1, FlushInterval: 50 * time.Millisecond,
		OriginPatterns: []string{"*"}, Logger: testLogger(),
	}
	if tune != nil {
		tune(&deps)
	}
	srv, err := collab.New(ctx, deps)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /v1/sync", srv)
	for _, h := range extra {
		mux.Handle("/browser/", h)
	}
	n := &node{t: t, store: store, addr: ln.Addr().String(), srv: srv, http: &http.Server{Handler: mux}, stop: cancel, done: make(chan struct{})}
	go func() { _ = srv.Run(ctx) }()
	go func() { defer close(n.done); _ = n.http.Serve(ln) }()
	t.Cleanup(n.shutdown)
	return n
}

func testLogger() *slog.Logger {
	if os.Getenv("COLLAB_DEBUG") == "" {
		return nil
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func (n *node) url(token string) string { return "ws://" + n.addr + "/v1/sync?token=" + token }

func (n *node) shutdown() {
	if n.stop == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := n.srv.Close(ctx); err != nil {
		n.t.Errorf("close collab server: %v", err)
	}
	n.http.Close()
	<-n.done
	n.stop()
	n.stop = nil
}

var npmOnce sync.Once
var npmErr error

// jsDir returns collab/jstest with its node_modules installed, or skips the
// test when Node is not installed here (CI has it, so there it runs).
func jsDir(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed: the real-client tests need Node.js and npm")
	}
	dir, err := filepath.Abs("jstest")
	if err != nil {
		t.Fatal(err)
	}
	npmOnce.Do(func() { npmErr = npmdeps.Ensure(dir) })
	if npmErr != nil {
		t.Fatal(npmErr)
	}
	return dir
}

// driver is a Node process hosting automerge-repo clients (jstest/driver.mjs).
type driver struct {
	t   *testing.T
	in  io.WriteCloser
	out *bufio.Scanner
	cmd *exec.Cmd
}

func startDriver(t *testing.T) *driver {
	t.Helper()
	dir := jsDir(t)
	cmd := exec.Command("node", "driver.mjs")
	cmd.Dir = dir
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	d := &driver{t: t, in: in, out: sc, cmd: cmd}
	t.Cleanup(func() {
		in.Close()
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	return d
}

// do sends one command and returns its reply; a failed command fails the test.
func (d *driver) do(cmd map[string]any) map[string]any {
	d.t.Helper()
	r := d.try(cmd)
	if ok, _ := r["ok"].(bool); !ok {
		d.t.Fatalf("node %s: %v", cmd["op"], r["error"])
	}
	return r
}

func (d *driver) try(cmd map[string]any) map[string]any {
	d.t.Helper()
	b, _ := json.Marshal(cmd)
	if _, err := d.in.Write(append(b, '\n')); err != nil {
		d.t.Fatalf("write to node: %v", err)
	}
	if !d.out.Scan() {
		d.t.Fatalf("node exited during %s: %v", cmd["op"], d.out.Err())
	}
	var r map[string]any
	if err := json.Unmarshal(d.out.Bytes(), &r); err != nil {
		d.t.Fatalf("node said %q: %v", d.out.Text(), err)
	}
	return r
}

func list(t *testing.T, doc any, key string) []string {
	t.Helper()
	m, _ := doc.(map[string]any)
	raw, _ := m[key].([]any)
	out := make([]string, 0, len(raw))
	for _, v := range raw {
		out = append(out, fmt.Sprint(v))
	}
	return out
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, v := range a {
		seen[v]++
	}
	for _, v := range b {
		if seen[v] == 0 {
			return false
		}
		seen[v]--
	}
	return true
}

func expectItems(t *testing.T, got []string, prefixes map[string]int) {
	t.Helper()
	want := map[string]bool{}
	for p, n := range prefixes {
		for i := 0; i < n; i++ {
			want[fmt.Sprintf("%s-%d", p, i)] = true
		}
	}
	for _, v := range got {
		delete(want, v)
	}
	if len(want) > 0 {
		missing := make([]string, 0, len(want))
		for k := range want {
			missing = append(missing, k)
		}
		if len(missing) > 5 {
			missing = missing[:5]
		}
		t.Fatalf("%d items lost, e.g. %s", len(want), strings.Join(missing, ", "))
	}
}
