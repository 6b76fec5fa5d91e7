package collab

import (
	"runtime"
	"runtime/debug"
	"sync"
	"time"
)

// Automerge documents and sync states live in C memory that only finalizers
// free, and glibc keeps freed memory for reuse: left alone, the serving
// process stays as large as its busiest moment (500 peers joining one board
// once took it from 173 to 688 MB, for good). So after a burst of work (a
// board's queue emptied, peers gone, boards evicted) the server collects,
// lets the finalizers run and trims, once the burst is over or at the
// latest returnMemoryMaxWait after it began.
const (
	returnMemoryQuiet   = time.Second
	returnMemoryMaxWait = 10 * time.Second
	finalizersRun       = 100 * time.Millisecond
)

// memoryReturner gives memory back after bursts of work.
type memoryReturner struct {
	mu    sync.Mutex
	timer *time.Timer
	since time.Time // when the pending return was first asked for
}

// soon asks for memory to be given back after the current burst.
func (r *memoryReturner) soon() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.timer == nil {
		r.since = time.Now()
		r.timer = time.AfterFunc(returnMemoryQuiet, r.run)
		return
	}
	if time.Since(r.since) < returnMemoryMaxWait {
		r.timer.Reset(returnMemoryQuiet)
	}
}

func (r *memoryReturner) run() {
	r.mu.Lock()
	r.timer = nil
	r.mu.Unlock()
	runtime.GC()
	time.Sleep(finalizersRun) // finalizers run after the collection
	// The Go heap keeps what the collection freed for reuse, and gives it
	// back to the OS only slowly: 59 MB of it lay idle in a burst of 200
	// boards edited at once (BENCHMARKS.md, issue 12).
	debug.FreeOSMemory()
	returnMemory()
}

func (r *memoryReturner) stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.timer != nil {
		r.timer.Stop()
		r.timer = nil
	}
}
