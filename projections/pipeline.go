package projections

import (
	"context"
	"errors"

	"github.com/hindsight-retro/hindsight/eventstore"
)

// pipelineBatch is how many events cross between the two stages at once:
// enough to make the hand-over cheap, small enough to keep memory flat.
const pipelineBatch = 512

// Pipeline runs read (a ReadAll or Subscribe over a handler) and apply on
// two goroutines, handing events over in batches and in order: the store's
// reading and the decoding and folding overlap on two cores instead of
// taking turns on one. It returns read's error, or apply's first, after
// which read is stopped. ErrStop returned by apply ends the run early
// without an error.
func Pipeline(ctx context.Context, read func(ctx context.Context, h eventstore.Handler) error, apply func(eventstore.RecordedEvent) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	batches := make(chan []eventstore.RecordedEvent, 4)
	applied := make(chan error, 1)
	go func() {
		var err error
		for b := range batches {
			if err != nil {
				continue // drain, so the reader is never stuck on a send
			}
			for _, e := range b {
				if err = apply(e); err != nil {
					cancel(err)
					break
				}
			}
		}
		applied <- err
	}()
	cur := make([]eventstore.RecordedEvent, 0, pipelineBatch)
	readErr := read(ctx, func(ctx context.Context, e eventstore.RecordedEvent) error {
		cur = append(cur, e)
		if len(cur) == pipelineBatch {
			select {
			case batches <- cur:
			case <-ctx.Done():
				return context.Cause(ctx)
			}
			cur = make([]eventstore.RecordedEvent, 0, pipelineBatch)
		}
		return nil
	})
	if readErr == nil && len(cur) > 0 {
		batches <- cur
	}
	close(batches)
	applyErr := <-applied
	switch {
	case applyErr != nil && errors.Is(applyErr, ErrStop):
		return nil
	case applyErr != nil:
		return applyErr
	}
	return readErr
}

// ErrStop, returned by a Pipeline's apply, ends it early and cleanly.
var ErrStop = errors.New("projections: stop")
