package natsjs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/hindsight-retro/hindsight/eventstore"
)

// denseSpan decides how Load reads a whole stream: when the stream's
// commits lie within this many log positions per event, one batched direct
// get of the subject is cheapest; otherwise walking the links back from the
// last commit is, since the server's search for a subject's next message
// costs time in proportion to the log it passes over.
const denseSpan = 4

// Load reads the stream's last commit, then the commits before it. In a
// cluster a replica that lags behind may answer, so a Load can miss the
// newest commits unless this store wrote them; appends are checked by the
// stream leader, so a stale Load costs a conflict, never a lost write.
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
	afterVersion = max(afterVersion, 0)
	chain, err := s.loadCommits(ctx, id, afterVersion)
	if err != nil {
		if errors.Is(err, eventstore.ErrStreamNotFound) {
			return nil, err
		}
		return nil, s.fail("load "+id.String(), err)
	}
	last := chain[len(chain)-1]
	s.cache.put(id, tip{seq: last.seq, h: last.h})
	if last.h.version <= afterVersion {
		return []eventstore.RecordedEvent{}, nil
	}
	// Size the result by the events read, not by the versions they claim.
	n := 0
	for _, c := range chain {
		n += c.h.count
	}
	out := make([]eventstore.RecordedEvent, 0, n)
	var dec decoder
	for _, c := range chain {
		if c.h.version <= afterVersion {
			continue
		}
		cmd, err := commandOf(id, c.msgID)
		if err != nil {
			return nil, malformedAt(c.seq, err)
		}
		evs, err := dec.decode(c.data, &meta{stream: id, position: c.seq, commandID: cmd, at: c.at})
		if err != nil {
			return nil, malformedAt(c.seq, err)
		}
		for _, e := range evs {
			if e.StreamVersion > afterVersion {
				out = append(out, e)
			}
		}
	}
	return out, nil
}

// loadCommits returns the stream's commits from the one holding version
// after+1 (or its last, if none does) to its last, oldest first.
func (s *Store) loadCommits(ctx context.Context, id eventstore.StreamID, after int64) ([]commit, error) {
	subj := s.subject(id)
	g, err := s.newGetter(ctx)
	if err != nil {
		return nil, err
	}
	defer g.close()
	m, err := g.last(subj)
	if err != nil && !errors.Is(err, errNoMsg) {
		return nil, err
	}
	// Direct gets may be answered by a replica that lags behind. If this
	// store knows of a later commit (it wrote it), ask the leader, so a
	// writer always sees its own writes.
	if cached, ok := s.cache.get(id); ok && cached.seq > m.seq {
		if m, err = s.leaderGet(ctx, getMsgRequest{Seq: cached.seq}); err != nil {
			return nil, fmt.Errorf("read last commit: %w", err)
		}
	}
	if m.seq == 0 {
		return nil, eventstore.ErrStreamNotFound
	}
	top, err := decodeCommit(m)
	if err != nil {
		return nil, err
	}
	if top.h.version <= after {
		return []commit{top}, nil
	}
	first := top.h.first
	if after == 0 && first != 0 && top.seq-first < denseSpan*uint64(top.h.version) {
		return g.forward(subj, first, top)
	}
	return g.walkBack(subj, top, after)
}

// forward reads the commits of subject from sequence first up to top with
// batched direct gets.
func (g *getter) forward(subject string, first uint64, top commit) ([]commit, error) {
	var out []commit
	err := g.scan(subject, first, func(m storedMsg) (bool, error) {
		if m.seq > top.seq {
			return false, nil
		}
		c, err := decodeCommit(m)
		if err != nil {
			return false, err
		}
		if n := len(out); n > 0 && c.h.firstVersion() != out[n-1].h.version+1 || n == 0 && c.h.firstVersion() != 1 {
			return false, fmt.Errorf("natsjs: commit at %d has version %d out of order", c.seq, c.h.version)
		}
		out = append(out, c)
		return m.seq < top.seq, nil
	})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 || out[len(out)-1].seq != top.seq {
		// A lagging replica answered: fill in the rest by walking back.
		after := int64(0)
		if len(out) > 0 {
			after = out[len(out)-1].h.version
		}
		rest, err := g.walkBack(subject, top, after)
		if err != nil {
			return nil, err
		}
		if len(rest) > 0 && len(out) > 0 && rest[0].seq == out[len(out)-1].seq {
			rest = rest[1:]
		}
		out = append(out, rest...)
	}
	return out, nil
}

// LastPosition asks the stream for its last sequence, which is the
// position of its last commit.
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
	state := st.CachedInfo().State
	if state.Msgs == 0 {
		return 0, nil
	}
	if state.NumDeleted == 0 && state.Msgs == state.LastSeq-state.FirstSeq+1 {
		return state.LastSeq, nil
	}
	// Commits lost at the end of the log (a loss the operator accepted)
	// still count in the stream's last sequence, but no reader will ever
	// see them: the log ends at its last message.
	m, err := s.leaderGet(ctx, getMsgRequest{LastFor: s.cfg.SubjectPrefix + ".>"})
	if errors.Is(err, errNoMsg) {
		return 0, nil
	}
	if err != nil {
		return 0, s.fail("last position", err)
	}
	return m.seq, nil
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
	_, err = s.consume(ctx, &after, end, h)
	return err
}

// Pauses before a subscription starts over.
const (
	minResubscribe = 100 * time.Millisecond
	maxResubscribe = 5 * time.Second
)

// A reader's read-ahead is bounded in messages and in bytes. In bytes alone
// (PullMaxBytes) the client sizes the reader's channel for a million
// messages: 8 MB per reader for as long as it reads, every follower of the
// log and every catch-up read (in a burst of 200 whiteboards edited at once
// they held ~90 MB of the server's heap, BENCHMARKS.md). In messages alone a
// thousand commits near the size limit would be close to a gigabyte. With
// both, each pull request asks for at most pullRequestBytes, and the client
// asks again only once half its messages are taken or a request has ended:
// at most two requests' worth, 16 MiB, wait ahead of the handler.
const (
	pullBufferMessages = 1000
	pullRequestBytes   = 8 << 20 // above the largest commit (maxMsgSize), or the read stalls
)

// consume delivers the events of commits after position *after, up to end
// (0: forever), to h, and moves *after past each commit delivered whole. It
// reports whether the error is the connection's or the server's, so that
// reading again from *after may succeed.
func (s *Store) consume(ctx context.Context, after *uint64, end uint64, h eventstore.Handler) (retry bool, err error) {
	return s.consumeCommits(ctx, after, end, func(ctx context.Context, _ uint64, evs []eventstore.RecordedEvent) error {
		for i := range evs {
			if err := h(ctx, evs[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

// commitHandler takes the events of one commit at log position seq. The
// slice is the decoder's and is reused for the next commit.
type commitHandler func(ctx context.Context, seq uint64, evs []eventstore.RecordedEvent) error

// consumeCommits is consume with a handler per commit.
func (s *Store) consumeCommits(ctx context.Context, after *uint64, end uint64, h commitHandler) (retry bool, err error) {
	if s.isClosed() {
		return false, eventstore.ErrClosed
	}
	transient := func(err error) (bool, error) {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		err = s.fail("read log", err)
		return !errors.Is(err, eventstore.ErrClosed), err
	}
	cfg := jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{s.cfg.SubjectPrefix + ".>"},
		DeliverPolicy:  jetstream.DeliverAllPolicy,
		// A safety net only: every read deletes its consumer when it ends
		// (below). A stream holds at most 1,000 consumers, and the client's
		// default of five minutes let the 1,001st read within that time fail.
		InactiveThreshold: consumerInactiveThreshold,
	}
	if *after > 0 {
		cfg.DeliverPolicy = jetstream.DeliverByStartSequencePolicy
		cfg.OptStartSeq = *after + 1
	}
	if err := ctx.Err(); err != nil {
		return false, err
	}
	// Not cancelled with ctx: the server makes the consumer even when the
	// client stops waiting for its answer, and a consumer nobody knows of
	// stays until its inactive threshold (seen when a subscription ends
	// while its reader starts).
	cctx, cancel := s.withTimeout(context.WithoutCancel(ctx))
	cons, err := s.js.OrderedConsumer(cctx, s.cfg.Stream, cfg)
	cancel()
	if err != nil {
		return transient(err)
	}
	defer s.deleteConsumer(cons)
	it, err := cons.Messages(jetstream.PullMaxMessagesWithBytesLimit(pullBufferMessages, pullRequestBytes))
	if err != nil {
		return transient(err)
	}
	defer it.Stop()
	if ci := cons.CachedInfo(); end > 0 && ci != nil && ci.NumPending == 0 {
		if more, err := s.oursAfter(ctx, *after); err != nil || !more {
			return transientIf(err, transient) // nothing of ours up to end
		}
	}
	// Next does not take a context; stopping the iterator wakes it.
	stop := context.AfterFunc(ctx, it.Stop)
	defer stop()

	var dec decoder
	md := meta{}
	for {
		msg, err := it.Next()
		if err != nil {
			return transient(err)
		}
		info, ok := parseAck(msg.Reply())
		if !ok {
			return false, fmt.Errorf("natsjs: read log: message on %s has no JetStream ack subject (%q)", msg.Subject(), msg.Reply())
		}
		seq := info.seq
		if end > 0 && seq > end {
			return false, nil
		}
		md.position, md.at = seq, time.Unix(0, info.ts).UTC()
		if md.stream, err = s.streamOf(msg.Subject()); err != nil {
			return false, malformedAt(seq, err)
		}
		if md.commandID, err = commandOf(md.stream, msg.Headers().Get(jetstream.MsgIDHeader)); err != nil {
			return false, malformedAt(seq, err)
		}
		evs, err := dec.decode(msg.Data(), &md)
		if err != nil {
			return false, malformedAt(seq, err)
		}
		if s.group != nil {
			// No reader acts on a commit before it is on disk.
			if err := s.group.waitFor(ctx, seq); err != nil {
				return transient(err)
			}
		}
		if err := h(ctx, seq, evs); err != nil {
			return false, err
		}
		*after = seq
		if end > 0 && seq >= end {
			return false, nil
		}
		if end > 0 && info.pending == 0 {
			if more, err := s.oursAfter(ctx, seq); err != nil || !more {
				return transientIf(err, transient)
			}
		}
		if err := ctx.Err(); err != nil {
			return false, err
		}
	}
}

// oursAfter reports whether the stream leader holds a commit of this store
// after seq. A reader's consumer may run on a replica that is behind the
// leader, and its pending count of zero then means only that the replica
// has nothing more yet: the reader must go on until it has read what the
// leader had when the read began, or it ends early (seen on a three-node
// cluster: a ReadAll missing the last commits). The messages still come
// once the replica catches up.
func (s *Store) oursAfter(ctx context.Context, seq uint64) (bool, error) {
	m, err := s.leaderGet(ctx, getMsgRequest{LastFor: s.cfg.SubjectPrefix + ".>"})
	if errors.Is(err, errNoMsg) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return m.seq > seq, nil
}

// transientIf returns (false, nil) for a nil error, else the error as
// transient says.
func transientIf(err error, transient func(error) (bool, error)) (bool, error) {
	if err == nil {
		return false, nil
	}
	return transient(err)
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

// consumerInactiveThreshold is how long the server keeps a reader's consumer
// that nobody pulls from, should deleteConsumer not reach it.
const consumerInactiveThreshold = 30 * time.Second

// deleteConsumer removes a finished read's ordered consumer from the server
// at once. Best effort: the inactive threshold removes it otherwise.
func (s *Store) deleteConsumer(cons jetstream.Consumer) {
	ci := cons.CachedInfo()
	if ci == nil || s.isClosed() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := s.js.DeleteConsumer(ctx, s.cfg.Stream, ci.Name); err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) {
		s.log.Debug("could not delete a finished reader's consumer; the server drops it when idle", "consumer", ci.Name, "err", err)
	}
}
