//go:build unix

package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The end-to-end tests run the real binary, as an operator does: built with
// `go build`, stopped with SIGTERM, restarted on the same data folder.

// exitBound is how long a process may take to stop or fail before the test
// gives up on it; generous, because the machine running tests may be busy.
const exitBound = 60 * time.Second

func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the end-to-end test needs the go command on PATH: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "hindsight")
	// No VCS stamping: git may refuse a checkout owned by another user (CI as root).
	out, err := exec.Command(goTool, "build", "-buildvcs=false", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// proc is a running hindsight whose JSON log lines are collected.
type proc struct {
	cmd    *exec.Cmd
	exited chan struct{}
	err    error // Wait's result, once exited is closed

	mu   sync.Mutex
	log  bytes.Buffer
	addr chan string
}

func start(t *testing.T, bin string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(bin, args...), exited: make(chan struct{}), addr: make(chan string, 1)}
	// An environment without HINDSIGHT_ variables, so the host cannot steer the test.
	p.cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
	})
	scanned := make(chan struct{})
	go func() {
		defer close(scanned)
		p.scan(stderr)
	}()
	go func() {
		<-scanned // Wait closes the pipe; read it to the end first
		p.err = p.cmd.Wait()
		close(p.exited)
	}()
	return p
}

func (p *proc) scan(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Bytes()
		p.mu.Lock()
		p.log.Write(line)
		p.log.WriteByte('\n')
		p.mu.Unlock()
		var rec struct {
			Msg  string `json:"msg"`
			Addr string `json:"addr"`
		}
		if json.Unmarshal(line, &rec) == nil && rec.Msg == "listening" && rec.Addr != "" {
			select {
			case p.addr <- rec.Addr:
			default:
			}
		}
	}
}

func (p *proc) logText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.log.String()
}

// listening waits for the log line that gives the bound address.
func (p *proc) listening(t *testing.T) string {
	t.Helper()
	select {
	case addr := <-p.addr:
		return addr
	case <-p.exited:
		t.Fatalf("hindsight exited (%v) before listening; log:\n%s", p.err, p.logText())
	case <-time.After(exitBound):
		t.Fatalf("hindsight did not listen; log:\n%s", p.logText())
	}
	return ""
}

// wait returns the exit status once the process ended.
func (p *proc) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-p.exited:
	case <-time.After(exitBound):
		t.Fatalf("hindsight did not exit; log:\n%s", p.logText())
	}
	if p.err == nil {
		return 0
	}
	var exitErr *exec.ExitError
	if errors.As(p.err, &exitErr) {
		return exitErr.ExitCode()
	}
	t.Fatalf("wait: %v", p.err)
	return -1
}

func getStatus(t *testing.T, url string) int {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second}
	res, err := client.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	res.Body.Close()
	return res.StatusCode
}

// serveOnce starts hindsight on dataDir, checks its probes, stops it with
// sig and expects a clean exit.
func serveOnce(t *testing.T, bin, dataDir string, sig syscall.Signal) {
	t.Helper()
	p := start(t, bin, "serve", "--addr", "127.0.0.1:0", "--data-dir", dataDir)
	addr := p.listening(t)
	// The listener opens after the store did, so the first answer is final.
	if code := getStatus(t, "http://"+addr+"/healthz"); code != http.StatusOK {
		t.Fatalf("GET /healthz = %d, want 200; log:\n%s", code, p.logText())
	}
	if code := getStatus(t, "http://"+addr+"/readyz"); code != http.StatusOK {
		t.Fatalf("GET /readyz = %d, want 200; log:\n%s", code, p.logText())
	}
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t); code != 0 {
		t.Fatalf("exit status after %v = %d, want 0; log:\n%s", sig, code, p.logText())
	}
	if !strings.Contains(p.logText(), `"msg":"stopped"`) {
		t.Errorf("log does not end with a clean stop:\n%s", p.logText())
	}
}

// TestBinary builds hindsight once and runs it in each subtest.
func TestBinary(t *testing.T) {
	bin := buildBinary(t)
	t.Run("embedded store stops cleanly and reopens its data", func(t *testing.T) { testEmbeddedRestart(t, bin) })
	t.Run("unreachable KurrentDB fails clearly", func(t *testing.T) { testKurrentUnreachable(t, bin) })
	t.Run("bad flags exit with status 2", func(t *testing.T) { testBadFlags(t, bin) })
}

func testEmbeddedRestart(t *testing.T, bin string) {
	dataDir := filepath.Join(t.TempDir(), "data") // does not exist yet: serve creates it

	serveOnce(t, bin, dataDir, syscall.SIGTERM)

	// The EVENTS stream is on disk in JetStream's layout: a folder with the
	// stream's metadata file.
	var streamDirs []string
	err := filepath.WalkDir(filepath.Join(dataDir, "jetstream"), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "EVENTS" {
			if _, err := os.Stat(filepath.Join(path, "meta.inf")); err == nil {
				streamDirs = append(streamDirs, path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("data folder has no JetStream files: %v", err)
	}
	if len(streamDirs) != 1 {
		t.Fatalf("found EVENTS stream folders %v under %s, want one", streamDirs, dataDir)
	}

	// Reopen the same folder, and stop with Ctrl-C this time.
	serveOnce(t, bin, dataDir, syscall.SIGINT)
}

func testKurrentUnreachable(t *testing.T, bin string) {
	// A loopback port nobody listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()

	p := start(t, bin, "serve", "--addr", "127.0.0.1:0",
		"--eventstore", "kurrent", "--kurrent-url", "esdb://"+closed+"?tls=false")
	code := p.wait(t)
	if code == 0 {
		t.Fatalf("exit status 0 with an unreachable KurrentDB; log:\n%s", p.logText())
	}
	log := p.logText()
	if !strings.Contains(log, "KurrentDB") || !strings.Contains(log, closed) {
		t.Errorf("log does not say which store failed where:\n%s", log)
	}
	if strings.Contains(log, `"msg":"listening"`) {
		t.Errorf("hindsight listened although its store did not open:\n%s", log)
	}
}

func testBadFlags(t *testing.T, bin string) {
	out, err := exec.Command(bin, "serve", "--eventstore", "postgres").CombinedOutput()
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != 2 {
		t.Fatalf("exit = %v, want status 2; output:\n%s", err, out)
	}
	if !strings.Contains(string(out), "natsjs, kurrent") {
		t.Errorf("output does not list the valid backends:\n%s", out)
	}
}
