//go:build linux && cgo

package worker

// #include <malloc.h>
import "C"

// returnMemory hands freed C memory (documents and sync states of checks
// done) back to the OS; glibc would otherwise keep it for reuse and the
// worker stays as large as its busiest moment.
func returnMemory() { C.malloc_trim(0) }
