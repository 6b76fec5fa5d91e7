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

// Decoded is an event and what DecodePipeline's decode made of it.
type Decoded struct {
	Event eventstore.RecordedEvent
	Ev    any
	Err   error
}

// decoders is how many goroutines DecodePipeline decodes on: decoding is
// most of a replay's CPU, and two keep both cores busy when the store's
// reading leaves one idle.
const decoders = 2

// DecodePipeline is Pipeline with decoding as a stage of its own: reading,
// decoding (on several goroutines) and applying overlap, with batches
// handed over in order, so the decoding, most of a replay's cost, runs
// beside both the store's reading and the folding. apply gets a batch at a
// time and must not keep it: spent batches are reused, so a long run
// allocates no new ones. Errors and ErrStop are as in Pipeline.
func DecodePipeline(ctx context.Context, read func(ctx context.Context, h eventstore.Handler) error,
	decode func(eventstore.RecordedEvent) (any, error), apply func([]Decoded) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	freeRaw := make(chan []eventstore.RecordedEvent, 8)
	freeDecoded := make(chan []Decoded, 8)
	// Batch k goes to decoder k%decoders and is taken back from it in turn,
	// which keeps the log's order without any sorting.
	var raw [decoders]chan []eventstore.RecordedEvent
	var decoded [decoders]chan []Decoded
	for i := range decoders {
		raw[i] = make(chan []eventstore.RecordedEvent, 2)
		decoded[i] = make(chan []Decoded, 2)
		go func(in <-chan []eventstore.RecordedEvent, out chan<- []Decoded) {
			defer close(out)
			for b := range in {
				var d []Decoded
				select {
				case d = <-freeDecoded:
				default:
					d = make([]Decoded, 0, pipelineBatch)
				}
				if ctx.Err() == nil { // once stopped, only drain
					for _, e := range b {
						ev, err := decode(e)
						d = append(d, Decoded{Event: e, Ev: ev, Err: err})
					}
				}
				clear(b)
				select {
				case freeRaw <- b[:0]:
				default:
				}
				out <- d // the apply stage drains to the end: never stuck
			}
		}(raw[i], decoded[i])
	}
	applied := make(chan error, 1)
	go func() {
		var err error
		// A decoder's output closes only after its input has: the batch
		// due next was never sent, so neither was any later one.
		for k := 0; ; k++ {
			b, ok := <-decoded[k%decoders]
			if !ok {
				break
			}
			if err == nil && len(b) > 0 {
				if err = apply(b); err != nil {
					cancel(err)
				}
			}
			clear(b)
			select {
			case freeDecoded <- b[:0]:
			default:
			}
		}
		applied <- err
	}()
	sent := 0
	cur := make([]eventstore.RecordedEvent, 0, pipelineBatch)
	readErr := read(ctx, func(ctx context.Context, e eventstore.RecordedEvent) error {
		cur = append(cur, e)
		if len(cur) == pipelineBatch {
			select {
			case raw[sent%decoders] <- cur:
				sent++
			case <-ctx.Done():
				return context.Cause(ctx)
			}
			select {
			case cur = <-freeRaw:
			default:
				cur = make([]eventstore.RecordedEvent, 0, pipelineBatch)
			}
		}
		return nil
	})
	if readErr == nil && len(cur) > 0 {
		raw[sent%decoders] <- cur
	}
	for _, c := range raw {
		close(c)
	}
	applyErr := <-applied
	switch {
	case applyErr != nil && errors.Is(applyErr, ErrStop):
		return nil
	case applyErr != nil:
		return applyErr
	}
	return readErr
}
