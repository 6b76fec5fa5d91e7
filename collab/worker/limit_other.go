//go:build !linux

package worker

// LimitSelf does nothing where the limits it sets on Linux do not exist.
func LimitSelf(maxBytes uint64) error { return nil }
