//go:build unix

package e2e_test

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/api/problem"
	"github.com/hindsight-retro/hindsight/internal/diskfault"
)

// probe answers GET path on n: the status and the problem's code, if any.
func probe(t *testing.T, n *node, path string) (int, string) {
	t.Helper()
	p := &participant{name: "prober", node: n, client: &http.Client{Timeout: 10 * time.Second}}
	a := p.do(t, request{method: http.MethodGet, path: path, anonymous: true})
	return a.status, a.str("code")
}

func TestAFullDiskAnswers507AtOnceTakesTheNodeOutOfRotationAndWritesResumeWhenSpaceIsFreed(t *testing.T) {
	dir := diskfault.SmallDisk(t, "96m")
	n := startNode(t, "node", "--data-dir", dir)
	ada := newParticipant("Ada", n)
	ada.register(t)
	before := ada.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/workspaces",
		idemKey: marker("ws"), body: map[string]string{"name": "Before"}}).str("id")

	filler := diskfault.Fill(t, dir)
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

// runBinary runs hindsight to its end and returns its exit status and
// output (standard output, then standard error).
func runBinary(t *testing.T, args ...string) (int, string) {
	t.Helper()
	needBinary(t)
	cmd := exec.Command(binary, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			t.Fatalf("hindsight %v: %v", args, err)
		}
		return cmd.ProcessState.ExitCode(), out.String()
	case <-time.After(startBound):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("hindsight %v did not exit; output:\n%s", args, out.String())
		return -1, ""
	}
}

// usedDataDir is a data folder a node wrote people, workspaces and teams
// to and then stopped on.
func usedDataDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	n := startNode(t, "writer", "--data-dir", dir)
	for _, name := range []string{"Ada", "Bea", "Cy"} {
		p := newParticipant(name, n)
		p.register(t)
		ws := p.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/workspaces",
			idemKey: marker("ws"), body: map[string]string{"name": name + "'s"}}).str("id")
		for i := range 4 {
			p.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/workspaces/" + ws + "/teams", idemKey: marker("team"),
				body: map[string]string{"name": fmt.Sprint("Team ", i), "templateId": "scrum-team"}})
		}
	}
	n.stop(t)
	return dir
}

// eventsBlock is the first file of the EVENTS stream's messages.
func eventsBlock(t *testing.T, dir string) string {
	t.Helper()
	matches, err := filepath.Glob(filepath.Join(dir, "jetstream", "*", "streams", "EVENTS", "msgs", "1.blk"))
	if err != nil || len(matches) != 1 {
		t.Fatalf("EVENTS block files %v (%v), want one", matches, err)
	}
	return matches[0]
}

// A damaged data folder: `hindsight verify` exits non-zero naming the
// damage, serve refuses to start saying what is missing, serve with
// --accept-data-loss starts (and says so loudly), and after that the
// accepted loss no longer stops a start or a verify.
func TestADamagedDataFolderIsFoundByVerifyAndRefusedByServeUnlessTheLossIsAccepted(t *testing.T) {
	damages := []struct {
		name   string
		damage func(t *testing.T, dir string)
		says   string
	}{
		{"truncated events file", func(t *testing.T, dir string) {
			blk := eventsBlock(t, dir)
			fi, err := os.Stat(blk)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(blk, fi.Size()/2); err != nil {
				t.Fatal(err)
			}
		}, "are missing"},
		{"64 random bytes in the events file", func(t *testing.T, dir string) {
			blk := eventsBlock(t, dir)
			diskfault.Scramble(t, blk, 64)
		}, "position"},
		{"emptied events file", func(t *testing.T, dir string) {
			if err := os.Truncate(eventsBlock(t, dir), 0); err != nil {
				t.Fatal(err)
			}
		}, "are missing"},
		{"removed key store", func(t *testing.T, dir string) {
			matches, err := filepath.Glob(filepath.Join(dir, "jetstream", "*", "streams", "KV_HINDSIGHT_KEYS"))
			if err != nil || len(matches) != 1 {
				t.Fatalf("key store folders %v (%v), want one", matches, err)
			}
			if err := os.RemoveAll(matches[0]); err != nil {
				t.Fatal(err)
			}
		}, "key store lacks the keys of 3 of the 3 accounts"},
	}
	for _, d := range damages {
		t.Run(d.name, func(t *testing.T) {
			dir := usedDataDir(t)
			if code, out := runBinary(t, "verify", "--data-dir", dir); code != 0 {
				t.Fatalf("verify of the whole folder: exit %d\n%s", code, out)
			}
			d.damage(t, dir)

			code, out := runBinary(t, "verify", "--data-dir", dir)
			if code != 1 || !strings.Contains(out, "DAMAGED") || !strings.Contains(out, d.says) {
				t.Errorf("verify of the damaged folder: exit %d, want 1 and a report saying %q:\n%s", code, d.says, out)
			}
			code, out = runBinary(t, "serve", "--addr", "127.0.0.1:0", "--data-dir", dir)
			if code == 0 || !strings.Contains(out, "refusing to start") || !strings.Contains(out, d.says) ||
				!strings.Contains(out, "--accept-data-loss") || strings.Contains(out, `"msg":"listening"`) {
				t.Errorf("serve on the damaged folder: exit %d, want a refusal saying %q and naming --accept-data-loss:\n%s", code, d.says, out)
			}

			n := startNode(t, "accepting", "--data-dir", dir, "--accept-data-loss")
			if status, _ := probe(t, n, "/readyz"); status != http.StatusOK {
				t.Errorf("/readyz after accepting the loss: %d", status)
			}
			if !strings.Contains(n.logText(), "DATA LOSS ACCEPTED") {
				t.Errorf("the accepted loss is not logged loudly:\n%s", n.logText())
			}
			n.stop(t)

			startNode(t, "after", "--data-dir", dir).stop(t)
			if code, out := runBinary(t, "verify", "--data-dir", dir); code != 0 {
				t.Errorf("verify after the loss was accepted: exit %d\n%s", code, out)
			}
		})
	}
}
