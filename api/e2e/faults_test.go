//go:build unix

package e2e_test

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/api/problem"
)

// smallDisk mounts a tmpfs of the given size (such as "96m") for the test,
// or skips it where that is not possible.
func smallDisk(t *testing.T, size string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("a full disk is simulated with a small tmpfs, which only root may mount; run the tests as root to check it")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs to simulate a full disk: %v %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
		}
	})
	return dir
}

// fillDisk writes a file into dir until the disk is full and returns its path.
func fillDisk(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 64<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			return path
		}
	}
}

// probe answers GET path on n: the status and the problem's code, if any.
func probe(t *testing.T, n *node, path string) (int, string) {
	t.Helper()
	p := &participant{name: "prober", node: n, client: &http.Client{Timeout: 10 * time.Second}}
	a := p.do(t, request{method: http.MethodGet, path: path, anonymous: true})
	return a.status, a.str("code")
}

func TestAFullDiskAnswers507AtOnceTakesTheNodeOutOfRotationAndWritesResumeWhenSpaceIsFreed(t *testing.T) {
	dir := smallDisk(t, "96m")
	n := startNode(t, "node", "--data-dir", dir)
	ada := newParticipant("Ada", n)
	ada.register(t)
	before := ada.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/workspaces",
		idemKey: marker("ws"), body: map[string]string{"name": "Before"}}).str("id")

	filler := fillDisk(t, dir)
	during := request{method: http.MethodPost, path: "/v1/workspaces", idemKey: marker("ws"), body: map[string]string{"name": "During"}}
	start := time.Now()
	a := ada.do(t, during)
	took := time.Since(start)
	if a.status != http.StatusInsufficientStorage || a.str("type") != problem.StorageFull.Type() {
		t.Fatalf("a write on a full disk: %d %s, want 507 %s", a.status, a.raw, problem.StorageFull.Type())
	}
	// The old answer came after the store's 10 s acknowledgement timeout.
	if took > 5*time.Second {
		t.Errorf("a write on a full disk took %s to fail", took)
	}
	if status, code := probe(t, n, "/readyz"); status != http.StatusServiceUnavailable || code != "storage-full" {
		t.Errorf("/readyz on a full disk: %d %q, want 503 storage-full", status, code)
	}
	// Reads still work.
	ada.get(t, "/v1/workspaces/"+before, &struct{}{})

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	// The same request, retried with its Idempotency-Key, goes through once
	// the node has noticed the space (it polls; there is no event to wait on).
	deadline := time.Now().Add(60 * time.Second)
	for {
		a = ada.do(t, during)
		if a.status == http.StatusCreated {
			break
		}
		if a.status != http.StatusInsufficientStorage || time.Now().After(deadline) {
			t.Fatalf("the write after space was freed: %d %s", a.status, a.raw)
		}
		time.Sleep(50 * time.Millisecond)
	}
	after := a.str("id")
	if status, code := probe(t, n, "/readyz"); status != http.StatusOK {
		t.Errorf("/readyz once space is back: %d %q, want 200", status, code)
	}

	// Every acknowledged write is kept, across a restart too.
	n.stop(t)
	n = startNode(t, "restarted", "--data-dir", dir)
	ada.node = n
	login := ada.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/sessions", anonymous: true,
		body: map[string]string{"email": ada.email, "password": "correct horse battery staple"}})
	ada.token = login.str("token")
	for _, id := range []string{before, after} {
		ada.get(t, "/v1/workspaces/"+id, &struct{}{})
	}
}
