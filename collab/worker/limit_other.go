//go:build !linux

package worker

// LimitSelf does nothing where the limits it sets on Linux do not exist.
func LimitSelf(maxBytes uint64) error { return nil }

// processRSS is unknown here: workers are recycled by their count of checks only.
func processRSS(pid int) int64 { return 0 }
