package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// server is one `hindsight serve` process the generator started on a fresh
// data folder; it is measured from outside through /proc and /metrics.
type server struct {
	cmd     *exec.Cmd
	base    string // http://127.0.0.1:port
	metrics string // http://127.0.0.1:port/metrics
	pprof   string // http://127.0.0.1:port/debug/pprof/
	dir     string

	mu   sync.Mutex
	tail []string // last log lines, for errors
	done chan struct{}
}

// startServer runs binary with the embedded store (fsync on every write),
// default flags apart from the rate limit, which is off so that the load is
// not refused, and a metrics listener with Go's profiles (--pprof), through
// which memory readings force a collection first.
func startServer(ctx context.Context, binary string, extra []string) (*server, error) {
	dir, err := os.MkdirTemp("", "hindsight-load-*")
	if err != nil {
		return nil, fmt.Errorf("data folder: %w", err)
	}
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data-dir", dir,
		"--rate-limit", "0", "--metrics-addr", "127.0.0.1:0", "--pprof"}, extra...)
	s := &server{cmd: exec.Command(binary, args...), dir: dir, done: make(chan struct{})}
	// The process's own environment only: no HINDSIGHT_ variables from the
	// caller steer the server, but GOMEMLIMIT/GOGC set for the run do.
	s.cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}
	for _, k := range []string{"GOGC", "GOMEMLIMIT", "GOMAXPROCS"} {
		if v, ok := os.LookupEnv(k); ok {
			s.cmd.Env = append(s.cmd.Env, k+"="+v)
		}
	}
	stderr, err := s.cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := s.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start %s: %w", binary, err)
	}
	addrs := make(chan [2]string, 1)
	go s.scan(stderr, addrs)
	select {
	case a := <-addrs:
		s.base, s.metrics, s.pprof = "http://"+a[0], "http://"+a[1]+"/metrics", "http://"+a[1]+"/debug/pprof/"
	case <-s.done:
		s.cleanup()
		return nil, fmt.Errorf("%s exited before listening: %s", binary, s.logTail())
	case <-time.After(2 * time.Minute):
		s.stop()
		return nil, fmt.Errorf("%s did not listen within 2 minutes: %s", binary, s.logTail())
	case <-ctx.Done():
		s.stop()
		return nil, ctx.Err()
	}
	return s, nil
}

// scan keeps the log's tail and reports the two listening addresses.
func (s *server) scan(r io.Reader, addrs chan<- [2]string) {
	defer func() {
		_ = s.cmd.Wait()
		close(s.done)
	}()
	var api, metrics string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		s.mu.Lock()
		s.tail = append(s.tail, line)
		if len(s.tail) > 20 {
			s.tail = s.tail[1:]
		}
		s.mu.Unlock()
		var rec struct {
			Msg  string `json:"msg"`
			Addr string `json:"addr"`
		}
		if json.Unmarshal([]byte(line), &rec) != nil || rec.Addr == "" {
			continue
		}
		switch rec.Msg {
		case "listening":
			api = rec.Addr
		case "metrics listening":
			metrics = rec.Addr
		}
		if api != "" && metrics != "" {
			addrs <- [2]string{api, metrics}
			api = ""
		}
	}
}

func (s *server) logTail() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.tail, "\n")
}

// stop ends the server with SIGTERM (SIGKILL after 20 s: its data is
// thrown away) and removes its data.
func (s *server) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
	s.cleanup()
}

func (s *server) cleanup() { os.RemoveAll(s.dir) }

// cpu is the server's CPU time so far, in user space and in the kernel,
// from /proc. The kernel's share holds the disk's fsync work, which swings
// with the shared disk from run to run; user time is what the server's own
// code costs.
func (s *server) cpu() (user, system time.Duration, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0, 0, fmt.Errorf("read the server's CPU time: %w", err)
	}
	// The command name may hold spaces; the fields start after its ')'.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0, 0, fmt.Errorf("read the server's CPU time: short /proc stat")
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("read the server's CPU time: bad /proc stat")
	}
	// Linux reports clock ticks of 1/100 s (USER_HZ) to user space.
	return time.Duration(utime) * 10 * time.Millisecond, time.Duration(stime) * 10 * time.Millisecond, nil
}

// memory is the server's resident set (now and its peak so far) and the
// Go runtime's heap and stack in use, in bytes.
type memory struct {
	RSS, PeakRSS, Heap, Stack float64
}

func (s *server) memory(ctx context.Context) (memory, error) {
	var m memory
	// Collections first (the heap profile's gc=1), so that the heap is
	// what the server holds, not garbage awaiting the collector. Each
	// collection also halves a goroutine stack that uses under a quarter
	// of itself; an idle server reaches that steady state over a few.
	for range 4 {
		if err := s.get(ctx, s.pprof+"heap?gc=1", io.Discard); err != nil {
			return m, fmt.Errorf("collect the server's garbage: %w", err)
		}
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return m, fmt.Errorf("read the server's memory: %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			m.RSS = kb * 1024
		}
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			m.PeakRSS = kb * 1024
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.metrics, nil)
	if err != nil {
		return m, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return m, fmt.Errorf("read the server's metrics: %w", err)
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(val, 64)
		if err != nil {
			continue
		}
		switch name {
		case "go_memstats_heap_inuse_bytes":
			m.Heap = v
		case "go_memstats_stack_inuse_bytes":
			m.Stack = v
		}
	}
	return m, sc.Err()
}

// get reads url into w; any status but 200 is an error.
func (s *server) get(ctx context.Context, url string, w io.Writer) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, res.Status)
	}
	_, err = io.Copy(w, res.Body)
	return err
}
