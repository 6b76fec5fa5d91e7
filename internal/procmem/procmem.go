// Package procmem reads a process's resident memory from /proc: for the
// benchmarks that measure a server process and the workers it started, and
// for the collab worker pool's memory bound.
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
	return status(pid, "VmRSS:")
}

// Private is the part of pid's resident memory that is its own: anonymous
// pages and shared memory, not the pages of files it maps (its executable,
// its libraries), in KiB; 0 if it cannot be read.
func Private(pid int) int64 {
	return status(pid, "RssAnon:", "RssShmem:")
}

// status is the sum of "<field> <n> kB" lines of /proc/<pid>/status, read
// once so the fields are of one moment.
func status(pid int, fields ...string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	var sum int64
	for _, line := range strings.Split(string(b), "\n") {
		for _, field := range fields {
			if v, ok := strings.CutPrefix(line, field); ok {
				n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
				sum += n
			}
		}
	}
	return sum
}

// Tree is the resident memory of pid and, apart, of its direct children
// (a collab server's validation workers), in KiB.
func Tree(pid int) (own, children int64) {
	own = RSS(pid)
	for _, c := range Children(pid) {
		children += RSS(c)
	}
	return own, children
}

// Group is the memory pid and its direct children hold between them, in
// KiB, with the pages of files counted once: pid's resident memory and
// each child's private memory. Children that run pid's own executable (a
// server's workers) map the same pages of it, which the kernel holds once
// and Tree counts in every process (tens of megabytes each for a large Go
// binary, whose text the kernel may map in 2 MiB pages); a child's file
// pages that pid does not map go uncounted, which for children running
// pid's executable is little.
func Group(pid int) int64 {
	sum := RSS(pid)
	for _, c := range Children(pid) {
		sum += Private(c)
	}
	return sum
}

// Children lists pid's direct children. Each thread lists the children it
// forked; a Go program forks from whichever thread runs the goroutine, so
// every thread is read, not only the main one.
func Children(pid int) []int {
	var out []int
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	for _, task := range tasks {
		kids, _ := os.ReadFile(task)
		for _, f := range strings.Fields(string(kids)) {
			if c, err := strconv.Atoi(f); err == nil {
				out = append(out, c)
			}
		}
	}
	return out
}
