// Package diskfault damages disks and files for tests: a tmpfs small enough
// to fill, a file written until the disk is full, bytes overwritten at
// random. The store's own tests and the end-to-end tests of the binary both
// simulate these faults, so the way they do it is written once, here.
package diskfault

import (
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// SmallDisk mounts a tmpfs of the given size (such as "48m") for the test
// and unmounts it when the test ends, or skips the test where that is not
// possible (only root may mount).
func SmallDisk(t testing.TB, size string) string {
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

// Fill writes a file into dir until the disk is full and returns its path;
// removing it gives the space back.
func Fill(t testing.TB, dir string) string {
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

// Scramble overwrites n bytes somewhere in the middle half of the file with
// random ones, as a damaged sector or a stray write would.
func Scramble(t testing.TB, path string, n int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 2*n {
		t.Fatalf("%s has %d bytes, too few to scramble %d of them", path, len(b), n)
	}
	off := len(b)/4 + rand.IntN(len(b)/2-n+1)
	for i := range n {
		b[off+i] = byte(rand.UintN(256))
	}
	if err := os.WriteFile(path, b, 0o640); err != nil {
		t.Fatal(err)
	}
}
