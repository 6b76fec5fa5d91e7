// Package npmdeps installs a folder's npm dependencies for tests, once per
// package-lock.json, across processes. `go test ./...` runs the test
// binaries of several packages at once, and two of them (collab and
// api/e2e) drive the same collab/jstest clients: two `npm ci` in one folder
// delete each other's node_modules half way, which failed fresh clones.
// A file lock orders them; a marker written after a finished install
// tells the later ones there is nothing to do.
package npmdeps

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
)

// Ensure makes dir's node_modules match its package-lock.json, running
// `npm ci` only when no finished install of this lock file is there.
func Ensure(dir string) error {
	lockJSON, err := os.ReadFile(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		return fmt.Errorf("npm dependencies of %s: %w", dir, err)
	}
	sum := sha256.Sum256(lockJSON)
	marker := filepath.Join(dir, "node_modules", ".installed-"+hex.EncodeToString(sum[:8]))

	lock, err := os.OpenFile(filepath.Join(dir, "node_modules.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return fmt.Errorf("npm install lock in %s: %w", dir, err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("npm install lock in %s: %w", dir, err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)

	if _, err := os.Stat(marker); err == nil {
		return nil
	}
	cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("npm ci in %s: %w\n%s", dir, err, out)
	}
	if err := os.WriteFile(marker, nil, 0o644); err != nil {
		return fmt.Errorf("npm install marker in %s: %w", dir, err)
	}
	return nil
}
