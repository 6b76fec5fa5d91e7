// Package e2e_test plays whole retros against the real hindsight binary:
// built once with `go build`, started as a separate process on an embedded
// store or beside an external NATS server, and driven over real HTTP,
// WebSocket and Server-Sent Events on loopback. The tests see the server
// only as a client does, so they can check what leaves it, not how.
package e2e_test

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// binary is the hindsight executable built by TestMain; "" under -short.
var binary string

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "hindsight-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: temp dir:", err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "hindsight")
	// No VCS stamping: git may refuse a checkout owned by another user (CI as root).
	cmd := exec.Command("go", "build", "-buildvcs=false", "-o", binary, "github.com/hindsight-retro/hindsight/cmd/hindsight")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: go build: %v\n%s", err, out)
		_ = os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// needBinary skips a test under -short, which skips building the binary.
func needBinary(t *testing.T) {
	t.Helper()
	if binary == "" {
		t.Skip("-short: the end-to-end tests build and run the binary")
	}
}
