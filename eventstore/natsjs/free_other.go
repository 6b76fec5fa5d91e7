//go:build !unix

package natsjs

// freeBytes cannot tell here: no reserve is kept.
func freeBytes(string) (uint64, bool) { return 0, false }
