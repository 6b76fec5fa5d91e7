// Package procmem reads a process's resident memory from /proc, for the
// benchmarks that measure a server process and the workers it started.
package procmem

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// RSS is the resident memory of pid in KiB, or 0 if it cannot be read (the
// process is gone, or there is no /proc).
func RSS(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// Tree is the resident memory of pid and, apart, of its direct children
// (a collab server's validation workers), in KiB.
func Tree(pid int) (own, children int64) {
	own = RSS(pid)
	// Each thread lists the children it forked; a Go program forks from
	// whichever thread runs the goroutine, so every thread is read, not
	// only the main one.
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	for _, task := range tasks {
		kids, _ := os.ReadFile(task)
		for _, f := range strings.Fields(string(kids)) {
			if c, err := strconv.Atoi(f); err == nil {
				children += RSS(c)
			}
		}
	}
	return own, children
}
