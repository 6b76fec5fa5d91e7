//go:build linux && cgo

package collab

// #include <malloc.h>
import "C"

// returnMemory hands freed C memory (evicted Automerge documents) back to the
// OS; glibc would otherwise keep it for reuse and the process stays as large
// as its busiest moment.
func returnMemory() { C.malloc_trim(0) }
