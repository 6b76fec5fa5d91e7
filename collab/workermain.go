package collab

import (
	"fmt"
	"os"

	"github.com/hindsight-retro/hindsight/collab/worker"
)

// WorkerMain is the whole of a validation worker process (`hindsight
// collab-worker`): it checks sync messages sent on stdin and answers on
// stdout until stdin closes, then exits. It never returns.
func WorkerMain() {
	if err := worker.Serve(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}
