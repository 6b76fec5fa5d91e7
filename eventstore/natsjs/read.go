package natsjs

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/hindsight-retro/hindsight/eventstore"
)

// Load reads the stream's commits with batched direct gets on its subject.
func (s *Store) Load(ctx context.Context, id eventstore.StreamID, afterVersion int64) ([]eventstore.RecordedEvent, error) {
	if err := id.Validate(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s.isClosed() {
		return nil, eventstore.ErrClosed
	}
	if afterVersion < 0 {
		afterVersion = 0
	}
	subj := s.subject(id)
	var (
		out  []eventstore.RecordedEvent
		dec  decoder
		last tip
		any  bool
	)
	visit := func(m storedMsg) (bool, error) {
		any = true
		cmd, err := commandOf(id, m.msgID)
		if err != nil {
			return false, malformedAt(m.seq, err)
		}
		evs, err := dec.decode(m.data, &meta{stream: id, position: m.seq, commandID: cmd, at: m.at})
		if err != nil {
			return false, malformedAt(m.seq, err)
		}
		last = tip{version: evs[len(evs)-1].StreamVersion, seq: m.seq}
		for _, e := range evs {
			if e.StreamVersion > afterVersion {
				out = append(out, e)
			}
		}
		return true, nil
	}
	// A known tip at exactly afterVersion lets the read start past it.
	from := uint64(1)
	cached, known := s.cache.get(id)
	if known && cached.version == afterVersion && afterVersion > 0 {
		from = cached.seq + 1
		last, any = cached, true
	}
	if err := s.scanSubject(ctx, subj, from, visit); err != nil {
		return nil, s.fail("load "+id.String(), err)
	}
	// Direct gets may be answered by a replica that lags behind. If this
	// store knows of a later commit (it wrote it), read the rest from the
	// leader, so a writer always sees its own writes.
	for known && cached.seq > last.seq {
		m, err := s.leaderGet(ctx, getMsgRequest{Seq: last.seq + 1, NextFor: subj})
		if errors.Is(err, errNoMsg) {
			break
		}
		if err != nil {
			return nil, s.fail("load "+id.String(), err)
		}
		if _, err := visit(m); err != nil {
			return nil, fmt.Errorf("natsjs: load %s: %w", id, err)
		}
	}
	if !any {
		return nil, eventstore.ErrStreamNotFound
	}
	s.cache.put(id, last)
	if out == nil {
		out = []eventstore.RecordedEvent{}
	}
	return out, nil
}

// LastPosition asks the stream for its last sequence.
func (s *Store) LastPosition(ctx context.Context) (uint64, error) {
	if s.isClosed() {
		return 0, eventstore.ErrClosed
	}
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	st, err := s.js.Stream(ctx, s.cfg.Stream)
	if err != nil {
		return 0, s.fail("last position", err)
	}
	return st.CachedInfo().State.LastSeq, nil
}

// ReadAll reads the log with an ordered consumer up to the last position at
// the time of the call.
func (s *Store) ReadAll(ctx context.Context, after uint64, h eventstore.Handler) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	end, err := s.LastPosition(ctx)
	if err != nil {
		return err
	}
	if end <= after {
		return nil
	}
	return s.consume(ctx, after, end, h)
}

// Subscribe reads the log with an ordered consumer and keeps reading as
// commits arrive: the consumer delivers stored and new messages as one
// sequence, and recreates itself from the last delivered sequence after a
// disconnect, so there is no gap and no duplicate.
func (s *Store) Subscribe(ctx context.Context, after uint64, h eventstore.Handler) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.consume(ctx, after, 0, h)
}

// consume delivers the events of commits after position after, up to end
// (0: forever), to h.
func (s *Store) consume(ctx context.Context, after, end uint64, h eventstore.Handler) error {
	if s.isClosed() {
		return eventstore.ErrClosed
	}
	cfg := jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{s.cfg.SubjectPrefix + ".>"},
		DeliverPolicy:  jetstream.DeliverAllPolicy,
	}
	if after > 0 {
		cfg.DeliverPolicy = jetstream.DeliverByStartSequencePolicy
		cfg.OptStartSeq = after + 1
	}
	cctx, cancel := s.withTimeout(ctx)
	cons, err := s.js.OrderedConsumer(cctx, s.cfg.Stream, cfg)
	cancel()
	if err != nil {
		return s.fail("read log", err)
	}
	it, err := cons.Messages(jetstream.PullMaxMessages(1024))
	if err != nil {
		return s.fail("read log", err)
	}
	defer it.Stop()
	if ci := cons.CachedInfo(); end > 0 && ci != nil && ci.NumPending == 0 {
		return nil // nothing of ours up to end
	}
	// Next does not take a context; stopping the iterator wakes it.
	stop := context.AfterFunc(ctx, it.Stop)
	defer stop()

	var dec decoder
	md := meta{}
	for {
		msg, err := it.Next()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return s.fail("read log", err)
		}
		info, err := msg.Metadata()
		if err != nil {
			return s.fail("read log", err)
		}
		seq := info.Sequence.Stream
		if end > 0 && seq > end {
			return nil
		}
		md.position, md.at = seq, info.Timestamp.UTC()
		if md.stream, err = s.streamOf(msg.Subject()); err != nil {
			return malformedAt(seq, err)
		}
		if md.commandID, err = commandOf(md.stream, msg.Headers().Get(jetstream.MsgIDHeader)); err != nil {
			return malformedAt(seq, err)
		}
		evs, err := dec.decode(msg.Data(), &md)
		if err != nil {
			return malformedAt(seq, err)
		}
		for i := range evs {
			if err := h(ctx, evs[i]); err != nil {
				return err
			}
		}
		if end > 0 && (seq >= end || info.NumPending == 0) {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// streamOf parses <prefix>.<category>.<id> back into a stream ID.
func (s *Store) streamOf(subject string) (eventstore.StreamID, error) {
	rest, ok := cutPrefix(subject, s.subjPre)
	if !ok {
		return eventstore.StreamID{}, fmt.Errorf("subject %q is outside %s.>", subject, s.cfg.SubjectPrefix)
	}
	for i := 0; i < len(rest); i++ {
		if rest[i] == '.' {
			return eventstore.StreamID{Category: rest[:i], ID: rest[i+1:]}, nil
		}
	}
	return eventstore.StreamID{}, fmt.Errorf("subject %q has no <category>.<id> form", subject)
}

func cutPrefix(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || s[:len(prefix)] != prefix {
		return s, false
	}
	return s[len(prefix):], true
}
