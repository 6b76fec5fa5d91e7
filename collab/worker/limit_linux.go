//go:build linux

package worker

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// LimitSelf caps this process's address space and makes it the kernel's
// first choice when memory runs out, so a message that makes the core
// allocate without bound kills the worker, never the server.
func LimitSelf(maxBytes uint64) error {
	if err := syscall.Setrlimit(syscall.RLIMIT_AS, &syscall.Rlimit{Cur: maxBytes, Max: maxBytes}); err != nil {
		return fmt.Errorf("limit worker memory: %w", err)
	}
	if err := os.WriteFile("/proc/self/oom_score_adj", []byte("1000"), 0); err != nil {
		return fmt.Errorf("raise worker OOM score: %w", err)
	}
	return nil
}

// processRSS is the resident memory of process pid in bytes, 0 if unknown.
func processRSS(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}
