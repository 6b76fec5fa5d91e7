package collab

import (
	"fmt"
	"os"

	"github.com/hindsight-retro/hindsight/collab/worker"
)

// workerMemory caps a worker's address space: far above what checking a
// board within MaxDocBytes needs, far below what would starve the server.
const workerMemory = 4 << 30

// WorkerMain is the whole of a validation worker process (`hindsight
// collab-worker`): it checks sync messages sent on stdin and answers on
// stdout until stdin closes, then exits. It never returns.
func WorkerMain() {
	if err := worker.LimitSelf(workerMemory); err != nil {
		fmt.Fprintln(os.Stderr, err) // still safe to serve: the server survives a dead worker
	}
	if err := worker.Serve(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}
