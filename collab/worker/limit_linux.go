//go:build linux

package worker

import (
	"fmt"
	"os"
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
