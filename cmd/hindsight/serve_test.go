package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
)

// testApp runs commands in process with the given store opener; the bound
// address arrives on the returned channel.
func testApp(open storeOpener) (*app, *bytes.Buffer, chan net.Addr) {
	var stderr bytes.Buffer
	addrs := make(chan net.Addr, 1)
	a := &app{
		env:       envOf(nil),
		stdout:    &bytes.Buffer{},
		stderr:    &stderr,
		openStore: open,
		listening: func(addr net.Addr) { addrs <- addr },
	}
	return a, &stderr, addrs
}

// runAsync starts a command and returns a channel with its exit status.
func runAsync(ctx context.Context, a *app, args ...string) chan int {
	done := make(chan int, 1)
	go func() { done <- a.run(ctx, args) }()
	return done
}

// waitExit bounds how long a test waits for a stop that should be quick, so a
// hang fails the test instead of the whole run.
func waitExit(t *testing.T, done chan int) int {
	t.Helper()
	select {
	case code := <-done:
		return code
	case <-time.After(30 * time.Second):
		t.Fatal("hindsight did not exit")
		return -1
	}
}

func TestServeAnswersHealthzThenStopsAndClosesTheStore(t *testing.T) {
	store := memstore.New(nil)
	var opened serveConfig
	a, stderr, addrs := testApp(func(_ context.Context, cfg serveConfig, _ *slog.Logger) (eventstore.Store, error) {
		opened = cfg
		return store, nil
	})
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	done := runAsync(ctx, a, "serve", "--addr", "127.0.0.1:0", "--data-dir", t.TempDir())

	var addr net.Addr
	select {
	case addr = <-addrs:
	case code := <-done:
		t.Fatalf("serve exited with %d before listening: %s", code, stderr)
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		res, err := http.Get("http://" + addr.String() + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %d, want 200", path, res.StatusCode)
		}
	}
	if opened.EventStore != backendNATS || opened.NATSURL != "" || opened.SyncInterval != 0 {
		t.Errorf("opened store with %+v, want embedded natsjs with fsync on every write", opened)
	}

	stop()
	if code := waitExit(t, done); code != 0 {
		t.Fatalf("exit status = %d, want 0; log:\n%s", code, stderr)
	}
	if _, err := store.LastPosition(context.Background()); !errors.Is(err, eventstore.ErrClosed) {
		t.Errorf("store after shutdown: LastPosition error = %v, want ErrClosed", err)
	}
	if _, err := http.Get("http://" + addr.String() + "/healthz"); err == nil {
		t.Error("the listener still accepts after shutdown")
	}
	for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		if !strings.HasPrefix(line, "{") {
			t.Errorf("log line is not JSON: %q", line)
		}
	}
}

func TestStoreThatFailsToOpenExitsNonZeroWithTheReason(t *testing.T) {
	a, stderr, addrs := testApp(func(context.Context, serveConfig, *slog.Logger) (eventstore.Store, error) {
		return nil, errors.New("open NATS event store at nats://127.0.0.1:1: connection refused")
	})
	code := waitExit(t, runAsync(context.Background(), a, "serve", "--addr", "127.0.0.1:0"))
	if code != 1 {
		t.Errorf("exit status = %d, want 1", code)
	}
	if !strings.Contains(stderr.String(), "connection refused") {
		t.Errorf("log does not give the reason:\n%s", stderr)
	}
	select {
	case <-addrs:
		t.Error("serve listened although the store did not open")
	default:
	}
}

func TestStopWhileTheStoreIsOpeningExitsZero(t *testing.T) {
	opening := make(chan struct{})
	a, stderr, _ := testApp(func(ctx context.Context, _ serveConfig, _ *slog.Logger) (eventstore.Store, error) {
		close(opening)
		<-ctx.Done()
		return nil, ctx.Err()
	})
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	done := runAsync(ctx, a, "serve", "--addr", "127.0.0.1:0")
	<-opening
	stop()
	if code := waitExit(t, done); code != 0 {
		t.Errorf("exit status = %d, want 0; log:\n%s", code, stderr)
	}
}

// slowRoute adds GET /slow, which answers only once release is closed, and
// reports each request's arrival on started.
func slowRoute(started chan<- struct{}, release <-chan struct{}) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/slow" {
				next.ServeHTTP(w, r)
				return
			}
			started <- struct{}{}
			select {
			case <-release:
				w.Write([]byte("done"))
			case <-r.Context().Done():
			}
		})
	}
}

func TestShutdownLetsRunningRequestsFinish(t *testing.T) {
	store := memstore.New(nil)
	a, stderr, addrs := testApp(func(context.Context, serveConfig, *slog.Logger) (eventstore.Store, error) {
		return store, nil
	})
	started, release := make(chan struct{}, 1), make(chan struct{})
	a.wrapHandler = slowRoute(started, release)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	done := runAsync(ctx, a, "serve", "--addr", "127.0.0.1:0", "--shutdown-timeout", "1m")
	addr := <-addrs

	type result struct {
		body string
		err  error
	}
	answered := make(chan result, 1)
	go func() {
		res, err := http.Get("http://" + addr.String() + "/slow")
		if err != nil {
			answered <- result{err: err}
			return
		}
		defer res.Body.Close()
		var b bytes.Buffer
		_, err = b.ReadFrom(res.Body)
		answered <- result{body: b.String(), err: err}
	}()
	<-started
	stop() // SIGTERM arrives while /slow runs

	// The store must stay open while the request is still being served: the
	// process is draining, not gone.
	select {
	case code := <-done:
		t.Fatalf("exited with %d while a request was running; log:\n%s", code, stderr)
	case <-time.After(200 * time.Millisecond):
	}
	if _, err := store.LastPosition(context.Background()); err != nil {
		t.Fatalf("store closed while a request was running: %v", err)
	}

	close(release)
	r := <-answered
	if r.err != nil || r.body != "done" {
		t.Fatalf("running request got %q, %v; want it answered in full", r.body, r.err)
	}
	if code := waitExit(t, done); code != 0 {
		t.Fatalf("exit status = %d, want 0; log:\n%s", code, stderr)
	}
	if _, err := store.LastPosition(context.Background()); !errors.Is(err, eventstore.ErrClosed) {
		t.Errorf("store after shutdown: %v, want ErrClosed", err)
	}
}

func TestShutdownTimeoutCutsOffRequestsThatDoNotFinish(t *testing.T) {
	store := memstore.New(nil)
	a, stderr, addrs := testApp(func(context.Context, serveConfig, *slog.Logger) (eventstore.Store, error) {
		return store, nil
	})
	started, never := make(chan struct{}, 1), make(chan struct{})
	a.wrapHandler = slowRoute(started, never)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	done := runAsync(ctx, a, "serve", "--addr", "127.0.0.1:0", "--shutdown-timeout", "100ms")
	addr := <-addrs

	failed := make(chan error, 1)
	go func() {
		res, err := http.Get("http://" + addr.String() + "/slow")
		if err == nil {
			res.Body.Close()
		}
		failed <- err
	}()
	<-started
	stop()

	if code := waitExit(t, done); code != 0 {
		t.Fatalf("exit status = %d, want 0; log:\n%s", code, stderr)
	}
	if err := <-failed; err == nil {
		t.Error("a request that never finished got an answer")
	}
	if !strings.Contains(stderr.String(), "cut off") {
		t.Errorf("log does not say requests were cut off:\n%s", stderr)
	}
	if _, err := store.LastPosition(context.Background()); !errors.Is(err, eventstore.ErrClosed) {
		t.Errorf("store after shutdown: %v, want ErrClosed", err)
	}
}

func TestABusyPortIsReportedBeforeTheStoreOpensAndTheReadModelsCatchUp(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	opened := false
	a, stderr, addrs := testApp(func(context.Context, serveConfig, *slog.Logger) (eventstore.Store, error) {
		opened = true
		return memstore.New(nil), nil
	})
	code := waitExit(t, runAsync(context.Background(), a, "serve", "--addr", busy.Addr().String(), "--data-dir", t.TempDir()))
	if code != 1 {
		t.Errorf("exit status = %d, want 1", code)
	}
	log := stderr.String()
	if !strings.Contains(log, "listen on "+busy.Addr().String()) {
		t.Errorf("log does not name the busy address:\n%s", log)
	}
	if opened || strings.Contains(log, "catching up the read models") {
		t.Errorf("serve opened the store or caught up before finding the port busy:\n%s", log)
	}
	select {
	case <-addrs:
		t.Error("serve reported listening on a busy port")
	default:
	}
}

// lockedBuffer is a log destination the server writes while a test reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Metrics are not served on the API's address unless asked for: with
// --metrics-addr they are on their own listener, which the operator keeps
// off the public network, and the API answers /metrics 404.
// servingWithMetrics is a serve run on loopback with a metrics listener:
// the API's address and the metrics listener's, as its log names it.
type servingWithMetrics struct {
	addr, metricsAddr string
	stderr            *lockedBuffer
	stop              context.CancelFunc
	done              chan int
}

func serveWithMetrics(t *testing.T, extra ...string) servingWithMetrics {
	t.Helper()
	store := memstore.New(nil)
	stderr := &lockedBuffer{}
	addrs := make(chan net.Addr, 1)
	a := &app{env: envOf(nil), stdout: &bytes.Buffer{}, stderr: stderr,
		openStore: func(context.Context, serveConfig, *slog.Logger) (eventstore.Store, error) { return store, nil },
		listening: func(addr net.Addr) { addrs <- addr }}
	ctx, stop := context.WithCancel(context.Background())
	t.Cleanup(stop)
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0", "--data-dir", t.TempDir()}, extra...)
	done := runAsync(ctx, a, args...)
	var addr net.Addr
	select {
	case addr = <-addrs:
	case code := <-done:
		t.Fatalf("serve exited with %d before listening: %s", code, stderr.String())
	}
	// The metrics listener opened before the API's, so its line is logged.
	var metricsAddr string
	for _, line := range strings.Split(stderr.String(), "\n") {
		var rec struct{ Msg, Addr string }
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "metrics listening" {
			metricsAddr = rec.Addr
		}
	}
	if metricsAddr == "" || metricsAddr == addr.String() {
		t.Fatalf("no separate metrics listener in the log:\n%s", stderr.String())
	}
	return servingWithMetrics{addr: addr.String(), metricsAddr: metricsAddr, stderr: stderr, stop: stop, done: done}
}

// shutDown stops the run and expects a clean exit.
func (s servingWithMetrics) shutDown(t *testing.T) {
	t.Helper()
	s.stop()
	if code := waitExit(t, s.done); code != 0 {
		t.Fatalf("exit status = %d, want 0; log:\n%s", code, s.stderr.String())
	}
}

func TestMetricsAreServedOnTheirOwnListenerOnly(t *testing.T) {
	s := serveWithMetrics(t)
	get := func(url string) (int, string) {
		t.Helper()
		res, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(body)
	}
	if code, body := get("http://" + s.addr + "/metrics"); code != http.StatusNotFound || strings.Contains(body, "go_goroutines") {
		t.Errorf("/metrics on the API's address = %d %.200s, want 404", code, body)
	}
	if code, body := get("http://" + s.metricsAddr + "/metrics"); code != http.StatusOK || !strings.Contains(body, "go_goroutines") {
		t.Errorf("/metrics on the metrics listener = %d %.200s, want the metrics", code, body)
	}
	s.shutDown(t)
	if _, err := http.Get("http://" + s.metricsAddr + "/metrics"); err == nil {
		t.Error("the metrics listener still accepts after shutdown")
	}
}

func TestProfilesAreServedOnTheMetricsListenerOnlyWhenAskedFor(t *testing.T) {
	for _, pprof := range []bool{false, true} {
		var extra []string
		if pprof {
			extra = append(extra, "--pprof")
		}
		s := serveWithMetrics(t, extra...)
		// A heap profile in text form starts so; the API's address answers
		// unknown paths with the browser app.
		profile := func(url string) bool {
			t.Helper()
			res, err := http.Get(url)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			return res.StatusCode == http.StatusOK && strings.HasPrefix(string(body), "heap profile:")
		}
		if got := profile("http://" + s.metricsAddr + "/debug/pprof/heap?debug=1"); got != pprof {
			t.Errorf("--pprof %v: a heap profile on the metrics listener: %v", pprof, got)
		}
		if profile("http://" + s.addr + "/debug/pprof/heap?debug=1") {
			t.Errorf("--pprof %v: the API's address serves profiles", pprof)
		}
		s.shutDown(t)
	}
}
