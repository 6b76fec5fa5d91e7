package worker

import (
	"context"
	"crypto/rand"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/automerge/automerge-go"
)

// The test binary doubles as the worker: re-executed with this variable set,
// it serves checks on stdin and stdout instead of running tests.
const workerEnv = "HINDSIGHT_TEST_COLLAB_WORKER"

func TestMain(m *testing.M) {
	if os.Getenv(workerEnv) == "1" {
		if err := Serve(os.Stdin, os.Stdout); err != nil {
			os.Exit(2)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func testPool(t testing.TB, size int) *Pool {
	p := NewPool(PoolConfig{Size: size, Command: testCommand})
	t.Cleanup(p.Close)
	return p
}

// testCommand runs this test binary as a worker.
func testCommand() *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), workerEnv+"=1")
	return cmd
}

// syncMessage returns a first sync message from a peer that wrote key=value.
func syncMessage(t testing.TB, key, value string) []byte {
	d := automerge.New()
	if err := d.RootMap().Set(key, value); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Commit("edit"); err != nil {
		t.Fatal(err)
	}
	// A first message only says what the peer has; play one round with an
	// empty server so the peer's next message carries its changes.
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
	if !ok || len(m3.Changes()) == 0 {
		t.Fatal("no sync message with changes generated")
	}
	return m3.Bytes()
}

func crashers(t testing.TB) map[string][]byte {
	files, err := filepath.Glob("../testdata/crashers/*.bin")
	if err != nil || len(files) == 0 {
		t.Fatalf("no crash samples found: %v", err)
	}
	out := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(f)] = b
	}
	return out
}

func TestGoodMessagePasses(t *testing.T) {
	p := testPool(t, 1)
	empty := automerge.New()
	resp, err := p.Check(context.Background(), "doc1", HeadsKey(empty.Heads()), func() []byte { return nil }, nil, [][]byte{syncMessage(t, "a", "b")}, 0)
	if err != nil || !resp.OK {
		t.Fatalf("a well-formed message was refused: %+v, %v", resp, err)
	}
	if resp.Heads == HeadsKey(empty.Heads()) {
		t.Fatal("the message's change was not applied")
	}
}

// Every crash sample is refused, one way or another, and the pool keeps
// answering afterwards: the crash happened in a worker, not here.
func TestCrashSamplesAreRefused(t *testing.T) {
	p := testPool(t, 1)
	for name, msg := range crashers(t) {
		base := automerge.New()
		resp, err := p.Check(context.Background(), "doc-"+name, HeadsKey(base.Heads()), func() []byte { return base.Save() }, nil, [][]byte{msg}, 0)
		if err == nil && resp.OK {
			t.Errorf("%s: accepted", name)
		}
		if err != nil && !errors.Is(err, ErrCrashed) {
			t.Errorf("%s: unexpected error %v", name, err)
		}
		t.Logf("%s: resp=%+v err=%v", name, resp, err)
		resp, err = p.Check(context.Background(), "after-"+name, "", func() []byte { return nil }, nil, [][]byte{syncMessage(t, "k", "v")}, 0)
		if err != nil || !resp.OK {
			t.Fatalf("after %s the pool no longer works: %+v, %v", name, resp, err)
		}
	}
}

func TestDocumentSizeLimit(t *testing.T) {
	p := testPool(t, 1)
	resp, err := p.Check(context.Background(), "big", "", func() []byte { return nil }, nil, [][]byte{syncMessage(t, "a", rand.Text()+rand.Text()+rand.Text()+rand.Text())}, 64)
	if err != nil || resp.OK {
		t.Fatalf("a message growing the document past its limit passed: %+v, %v", resp, err)
	}
}

// FuzzCheck feeds arbitrary sync messages through the pool. Whatever they do
// to a worker, the fuzzing process itself must survive and every message is
// either accepted or refused.
func FuzzCheck(f *testing.F) {
	for _, b := range crashers(f) {
		f.Add(b)
	}
	f.Add(syncMessage(f, "a", "b"))
	f.Add([]byte{0x42})
	p := testPool(f, 1)
	f.Fuzz(func(t *testing.T, msg []byte) {
		base := automerge.New()
		resp, err := p.Check(context.Background(), "fuzz", HeadsKey(base.Heads()), func() []byte { return base.Save() }, nil, [][]byte{msg}, 1<<20)
		if err != nil && !errors.Is(err, ErrCrashed) {
			t.Fatalf("unexpected error: %v", err)
		}
		if err == nil && resp.OK {
			// An accepted message must leave a document that loads.
			d := automerge.New()
			ss := automerge.NewSyncState(d)
			if _, err := ss.ReceiveMessage(msg); err != nil {
				t.Fatalf("worker accepted what this process rejects: %v", err)
			}
			if _, err := automerge.Load(d.Save()); err != nil {
				t.Fatalf("accepted message left a document that does not load: %v", err)
			}
		}
	})
}
