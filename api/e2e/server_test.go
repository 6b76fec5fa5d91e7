//go:build unix

package e2e_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"

	"github.com/hindsight-retro/hindsight/app/mail/mailtest"
)

// startBound is how long a process may take to start or stop before the
// test gives up on it; generous, because the machine may be busy.
const startBound = 60 * time.Second

// node is one running `hindsight serve` process.
type node struct {
	name string
	base string // http://127.0.0.1:port
	cmd  *exec.Cmd

	mu      sync.Mutex
	log     bytes.Buffer
	addr    chan string
	exited  chan struct{}
	waitErr error
	// mbox is the SMTP server the node mails through (withMail), nil
	// without mail: guests then join by invite directly.
	mbox *mailtest.Server
}

// startNode runs `hindsight serve` on a free loopback port with the given
// extra flags and waits until it listens. It is stopped with SIGTERM when
// the test ends, and its log is shown if the test failed.
func startNode(t *testing.T, name string, args ...string) *node {
	t.Helper()
	needBinary(t)
	return launchNode(t, name, binary, nil, args...)
}

// launchNode is startNode with another build of the binary and variables
// added to its environment.
func launchNode(t *testing.T, name, bin string, env []string, args ...string) *node {
	t.Helper()
	n := &node{name: name, addr: make(chan string, 1), exited: make(chan struct{})}
	all := append([]string{"serve", "--addr", "127.0.0.1:0", "--data-dir", t.TempDir()}, args...)
	n.cmd = exec.Command(bin, all...)
	// No HINDSIGHT_ variables from the host: the flags (and env) alone
	// steer the node.
	n.cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, env...)
	stderr, err := n.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := n.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	scanned := make(chan struct{})
	go func() {
		defer close(scanned)
		n.scan(stderr)
	}()
	go func() {
		<-scanned
		n.waitErr = n.cmd.Wait()
		close(n.exited)
	}()
	t.Cleanup(func() { n.stop(t) })
	select {
	case addr := <-n.addr:
		n.base = "http://" + addr
	case <-n.exited:
		t.Fatalf("%s exited (%v) before listening; log:\n%s", name, n.waitErr, n.logText())
	case <-time.After(startBound):
		t.Fatalf("%s did not listen; log:\n%s", name, n.logText())
	}
	return n
}

func (n *node) scan(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Bytes()
		n.mu.Lock()
		n.log.Write(line)
		n.log.WriteByte('\n')
		n.mu.Unlock()
		var rec struct {
			Msg  string `json:"msg"`
			Addr string `json:"addr"`
		}
		if json.Unmarshal(line, &rec) == nil && rec.Msg == "listening" && rec.Addr != "" {
			select {
			case n.addr <- rec.Addr:
			default:
			}
		}
	}
}

func (n *node) logText() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.log.String()
}

// stop ends the process gracefully, or kills it if it hangs; a failed test
// shows the node's log.
func (n *node) stop(t *testing.T) {
	_ = n.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-n.exited:
	case <-time.After(startBound):
		_ = n.cmd.Process.Kill()
		<-n.exited
		t.Errorf("%s did not stop on SIGTERM", n.name)
	}
	if t.Failed() {
		t.Logf("log of %s:\n%s", n.name, tail(n.logText(), 60))
	}
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	lines := bytes.Split([]byte(s), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

// startNATS runs a NATS server with JetStream in the test process, on a
// free loopback port, and returns its client URL.
func startNATS(t *testing.T) string {
	t.Helper()
	opts := &natsserver.Options{
		Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(),
		NoLog: true, NoSigs: true,
		JetStreamMaxMemory: 64 << 20, JetStreamMaxStore: 1 << 30,
	}
	ns, err := natsserver.NewServer(opts)
	if err != nil {
		t.Fatalf("NATS server: %v", err)
	}
	ns.Start()
	t.Cleanup(func() {
		ns.Shutdown()
		ns.WaitForShutdown()
	})
	if !ns.ReadyForConnections(startBound) {
		t.Fatal("the NATS server did not get ready")
	}
	return ns.ClientURL()
}

// singleNode is one hindsight on its embedded store.
func singleNode(t *testing.T) []*node {
	return []*node{startNode(t, "node")}
}

// twoNodes is two hindsight processes sharing one external NATS server.
// They start one after the other, as a rolling deployment would.
// args are given to both.
func twoNodes(t *testing.T, args ...string) []*node {
	url := startNATS(t)
	a := startNode(t, "node A", append([]string{"--nats-url", url, "--nats-replicas", "1"}, args...)...)
	b := startNode(t, "node B", append([]string{"--nats-url", url, "--nats-replicas", "1"}, args...)...)
	return []*node{a, b}
}
