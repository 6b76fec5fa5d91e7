package runner

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/projections"
)

// fanOut is the read models' Watermill subscriber: one subscription to the
// log serves every read model, and each event is decoded once for all of
// them, as at catch-up. A subscription per read model read, opened and
// decoded every event once per read model: at 100 cards/s that was a
// tenth of the server's CPU.
//
// Each read model still gets its own message and acks it on its own; the
// next event goes out once every read model acked this one, and a read
// model that nacks gets it again after redeliverDelay while the others
// wait. They are folds in memory: a failing one holds the others for at
// most its retries, then the poison queue moves it on. Reactors, which
// may wait on the world outside for a long time, keep a Subscriber each.
//
// A read model that does not fold an event (most fold a few types: a card
// is folded by team history alone) is moved past it by passBy, in the
// reading goroutine, without a message: through the router each such event
// cost a message, a goroutine and the middleware per read model.
type fanOut struct {
	store  eventstore.Store
	topics int // Subscribe calls to wait for before reading
	from   func(topic string) uint64
	// passBy moves topic's read model past e, decoded as ev, if it does
	// not fold it, and reports whether it did.
	passBy func(topic string, e eventstore.RecordedEvent, ev any) bool
	logger *slog.Logger

	mu      sync.Mutex
	outs    []fanTopic
	started bool // the reader runs (or ran) and closes outs when it ends
	stopped bool
	cancel  context.CancelFunc // ends the reader
	wg      sync.WaitGroup
}

type fanTopic struct {
	name string
	out  chan *message.Message
}

type decodedKey struct{}

// decoded is an event decoded once for every read model; they only read it.
type decoded struct {
	ev  any
	err error
}

// decodedOf returns the decoding a message carries, if it went out through
// a fanOut.
func decodedOf(msg *message.Message) (*decoded, bool) {
	d, ok := msg.Context().Value(decodedKey{}).(*decoded)
	return d, ok
}

func newFanOut(store eventstore.Store, topics int, from func(topic string) uint64,
	passBy func(topic string, e eventstore.RecordedEvent, ev any) bool, logger *slog.Logger) *fanOut {
	return &fanOut{store: store, topics: topics, from: from, passBy: passBy, logger: logger}
}

// Subscribe implements message.Subscriber. Reading starts once every topic
// subscribed, from the lowest of their positions, and ends when the first
// of their contexts ends or at Close.
func (f *fanOut) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.stopped {
		return nil, errClosed
	}
	out := make(chan *message.Message)
	f.outs = append(f.outs, fanTopic{name: topic, out: out})
	context.AfterFunc(ctx, f.stop)
	if len(f.outs) == f.topics {
		readCtx, cancel := context.WithCancel(context.Background())
		f.started, f.cancel = true, cancel
		f.wg.Add(1)
		go f.read(readCtx, slices.Clone(f.outs))
	}
	return out, nil
}

// stop ends the reader, or, if it never started, closes the topics'
// channels itself so their handlers end.
func (f *fanOut) stop() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.stopped {
		return
	}
	f.stopped = true
	if f.started {
		f.cancel()
		return
	}
	for _, t := range f.outs {
		close(t.out)
	}
}

func (f *fanOut) read(ctx context.Context, outs []fanTopic) {
	defer f.wg.Done()
	defer func() {
		for _, t := range outs {
			close(t.out)
		}
	}()
	after := f.from(outs[0].name)
	for _, t := range outs[1:] {
		after = min(after, f.from(t.name))
	}
	folding := make([]fanTopic, 0, len(outs))
	err := f.store.Subscribe(ctx, after, func(ctx context.Context, e eventstore.RecordedEvent) error {
		ev, err := projections.Decode(e)
		folding = folding[:0]
		for _, t := range outs {
			// An event that does not decode goes to every handler, which
			// reports it and, after its retries, skips it.
			if err != nil || !f.passBy(t.name, e, ev) {
				folding = append(folding, t)
			}
		}
		return deliverAll(ctx, folding, e, &decoded{ev: ev, err: err})
	})
	if err != nil && ctx.Err() == nil {
		f.logger.Error("read models' subscription ended", "after", after, "err", err)
	}
}

// deliverAll sends e to every topic until each acked it.
func deliverAll(ctx context.Context, outs []fanTopic, e eventstore.RecordedEvent, d *decoded) error {
	if len(outs) == 0 {
		return nil
	}
	mctx := context.WithValue(ctx, decodedKey{}, d)
	pending := outs
	msgs := make([]*message.Message, len(outs))
	for len(pending) > 0 {
		for i, t := range pending {
			msgs[i] = toMessage(mctx, e)
			select {
			case t.out <- msgs[i]:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		var again []fanTopic
		for i, t := range pending {
			select {
			case <-msgs[i].Acked():
			case <-msgs[i].Nacked():
				again = append(again, t)
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if len(again) > 0 {
			select {
			case <-time.After(redeliverDelay):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		pending = again
	}
	return nil
}

// Close ends the subscription and waits for it.
func (f *fanOut) Close() error {
	f.stop()
	f.wg.Wait()
	return nil
}
