package runner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/hindsight-retro/hindsight/eventstore"
)

// Metadata keys of a log event carried as a Watermill message. The event
// itself travels in the message's context (see EventOf), so nothing is
// encoded twice; the metadata lets middleware and logs name it.
const (
	MetaPosition      = "hindsight_position"
	MetaIndex         = "hindsight_index"
	MetaCommitSize    = "hindsight_commit_size"
	MetaStream        = "hindsight_stream"
	MetaType          = "hindsight_type"
	MetaStreamVersion = "hindsight_stream_version"
)

// redeliverDelay is how long a nacked event waits before it is sent again.
const redeliverDelay = 50 * time.Millisecond

type eventKey struct{}

// EventOf returns the log event a message carries.
func EventOf(msg *message.Message) (eventstore.RecordedEvent, bool) {
	e, ok := msg.Context().Value(eventKey{}).(eventstore.RecordedEvent)
	return e, ok
}

// Subscriber is a Watermill subscriber over the eventstore.Store port:
// Subscribe(topic) follows the whole log from the position from(topic)
// returns, one message per event, in log order, sending the next only once
// the previous is acked (a nacked one is sent again). It works on every
// backend (natsjs, kurrent, memstore), since it asks only the port.
type Subscriber struct {
	store  eventstore.Store
	from   func(topic string) uint64
	logger *slog.Logger
	// passBy, if set, takes an event itself when it reports true: the
	// event never becomes a message.
	passBy func(ctx context.Context, e eventstore.RecordedEvent) bool

	mu     sync.Mutex
	cancel []context.CancelFunc
	wg     sync.WaitGroup
	closed bool
}

// NewSubscriber makes a subscriber that starts each topic after from(topic).
func NewSubscriber(store eventstore.Store, from func(topic string) uint64, logger *slog.Logger) *Subscriber {
	return &Subscriber{store: store, from: from, logger: logger}
}

var errClosed = errors.New("runner: subscriber closed")

// Subscribe implements message.Subscriber.
func (s *Subscriber) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errClosed
	}
	ctx, cancel := context.WithCancel(ctx)
	s.cancel = append(s.cancel, cancel)
	out := make(chan *message.Message)
	after := s.from(topic)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer close(out)
		err := s.store.Subscribe(ctx, after, func(ctx context.Context, e eventstore.RecordedEvent) error {
			if s.passBy != nil && s.passBy(ctx, e) {
				return nil
			}
			return deliver(ctx, out, e)
		})
		if err != nil && ctx.Err() == nil {
			s.logger.Error("projection subscription ended", "topic", topic, "after", after, "err", err)
		}
	}()
	return out, nil
}

// deliver sends e until it is acked.
func deliver(ctx context.Context, out chan<- *message.Message, e eventstore.RecordedEvent) error {
	for {
		msg := toMessage(ctx, e)
		select {
		case out <- msg:
		case <-ctx.Done():
			return ctx.Err()
		}
		select {
		case <-msg.Acked():
			return nil
		case <-msg.Nacked():
		case <-ctx.Done():
			return ctx.Err()
		}
		select {
		case <-time.After(redeliverDelay):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func toMessage(ctx context.Context, e eventstore.RecordedEvent) *message.Message {
	id := e.EventID
	if id == "" {
		id = fmt.Sprintf("%d-%d", e.Position, e.Index)
	}
	msg := message.NewMessageWithContext(context.WithValue(ctx, eventKey{}, e), id, message.Payload(e.Payload))
	msg.Metadata.Set(MetaPosition, strconv.FormatUint(e.Position, 10))
	msg.Metadata.Set(MetaIndex, strconv.Itoa(e.Index))
	msg.Metadata.Set(MetaCommitSize, strconv.Itoa(e.CommitSize))
	msg.Metadata.Set(MetaStream, e.Stream.String())
	msg.Metadata.Set(MetaType, e.Type)
	msg.Metadata.Set(MetaStreamVersion, strconv.FormatInt(e.StreamVersion, 10))
	return msg
}

// Close ends every subscription and waits for them.
func (s *Subscriber) Close() error {
	s.mu.Lock()
	s.closed = true
	for _, c := range s.cancel {
		c()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return nil
}
