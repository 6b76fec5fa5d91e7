package natsjs

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/hindsight-retro/hindsight/eventstore"
)

// tip is where a stream stood at some point: the sequence and head of its
// last commit (seq 0: no commit yet). Streams only grow, so a tip once true
// stays true of that message forever; a stale one merely makes the server's
// sequence check fail, never a wrong write.
type tip struct {
	seq uint64
	h   head
}

func (t *tip) version() int64 { return t.h.version }

// versionCache maps streams to their last known tip, so an append usually
// needs no read before it.
type versionCache struct {
	mu    sync.Mutex
	limit int
	m     map[eventstore.StreamID]tip
}

func (c *versionCache) get(id eventstore.StreamID) (tip, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.m[id]
	return t, ok
}

// put records t unless a newer tip is already known.
func (c *versionCache) put(id eventstore.StreamID, t tip) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[eventstore.StreamID]tip)
	}
	if old, ok := c.m[id]; ok {
		if old.seq < t.seq {
			c.m[id] = t
		}
		return
	}
	if len(c.m) >= c.limit {
		// Drop an arbitrary entry: a miss only costs one read.
		for k := range c.m {
			delete(c.m, k)
			break
		}
	}
	c.m[id] = t
}

// maxAnyAttempts bounds how often an append with eventstore.Any re-reads the
// stream's tip when other writers keep moving it.
const maxAnyAttempts = 100

// Append writes c as one message with the expected last subject sequence
// that matches c.ExpectedVersion (see the package comment). In embedded mode
// with fsync on every write it answers once the commit is on disk
// (groupsync.go), a commit stored before (a duplicate) too.
func (s *Store) Append(ctx context.Context, c eventstore.Commit) (eventstore.AppendResult, error) {
	res, err := s.append(ctx, c)
	if err != nil {
		return res, err
	}
	if s.group != nil {
		if err := s.group.waitFor(ctx, res.Position); err != nil {
			return eventstore.AppendResult{}, fmt.Errorf("natsjs: append to %s: written but not yet on disk; retry with the same command ID: %w", c.Stream, err)
		}
	}
	if s.marker != nil && !res.Duplicate {
		s.marker.noteAcked(res.Position)
	}
	return res, nil
}

func (s *Store) append(ctx context.Context, c eventstore.Commit) (eventstore.AppendResult, error) {
	if err := eventstore.ValidateCommit(c); err != nil {
		return eventstore.AppendResult{}, err
	}
	if err := ctx.Err(); err != nil {
		return eventstore.AppendResult{}, err
	}
	if s.isClosed() {
		return eventstore.AppendResult{}, eventstore.ErrClosed
	}
	var failed context.Context // ends when the embedded server fails a write
	if s.space != nil {
		if err := s.space.check(); err != nil {
			return eventstore.AppendResult{}, fmt.Errorf("append to %s: %w", c.Stream, err)
		}
		failed = s.space.failure()
	}
	subj := s.subject(c.Stream)
	t, ok := s.cache.get(c.Stream)
	switch {
	case !ok && c.ExpectedVersion == eventstore.NoStream:
		// A new stream has nothing to read: expect no message on the subject
		// and let the server say otherwise.
	case !ok || (c.ExpectedVersion != eventstore.Any && c.ExpectedVersion != t.version()):
		// A cached tip that disagrees with the writer may just be old.
		top, err := s.readTip(ctx, c.Stream)
		if err != nil {
			return eventstore.AppendResult{}, s.fail("append to "+c.Stream.String(), err)
		}
		t = tip{seq: top.seq, h: top.h}
	}
	events := encodeEvents(c)
	n := int64(len(c.Events))
	for attempt := 1; ; attempt++ {
		if c.ExpectedVersion != eventstore.Any && c.ExpectedVersion != t.version() {
			return s.conflict(ctx, c, t)
		}
		h := t.h.next(t.seq, t.version()+n, len(c.Events))
		msg := &nats.Msg{Subject: subj, Data: encodeBody(&h, events), Header: nats.Header{}}
		pctx, cancel := s.withTimeout(ctx)
		stopWatching := func() bool { return false }
		if failed != nil {
			stopWatching = context.AfterFunc(failed, cancel)
		}
		ack, err := s.js.PublishMsg(pctx, msg, jetstream.WithMsgID(msgID(c.Stream, c.CommandID)), jetstream.WithExpectLastSequencePerSubject(t.seq))
		stopWatching()
		cancel()
		if err != nil && ctx.Err() == nil && failed != nil && failed.Err() != nil {
			return eventstore.AppendResult{}, fmt.Errorf("natsjs: append to %s: not acknowledged: the server failed to write (disk full?); retry with the same command ID once space is back: %w",
				c.Stream, eventstore.ErrStorageFull)
		}
		if isInsufficientResources(err) {
			return eventstore.AppendResult{}, fmt.Errorf("natsjs: append to %s: the server has no room for it: %w (%w)", c.Stream, eventstore.ErrStorageFull, err)
		}
		if err != nil && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			return eventstore.AppendResult{}, fmt.Errorf("natsjs: append to %s: no acknowledgement within %s; the commit may or may not be stored, retry with the same command ID: %w",
				c.Stream, requestTimeout, err)
		}
		if isDuplicateInProcess(err) {
			// On a cluster a copy of this very command is being replicated
			// right now. Wait for it to land, then publish again: the
			// answer is then this command's duplicate (or a conflict that
			// conflict() recognises as ours).
			if attempt >= maxAnyAttempts {
				return eventstore.AppendResult{}, fmt.Errorf("natsjs: append to %s: a copy of command %s stayed in process for %d attempts", c.Stream, c.CommandID, attempt)
			}
			select {
			case <-ctx.Done():
				return eventstore.AppendResult{}, ctx.Err()
			case <-time.After(time.Duration(attempt) * 5 * time.Millisecond):
			}
			continue
		}
		if isWrongSequence(err) {
			top, err := s.readTip(ctx, c.Stream)
			if err != nil {
				return eventstore.AppendResult{}, s.fail("append to "+c.Stream.String(), err)
			}
			t = tip{seq: top.seq, h: top.h}
			if c.ExpectedVersion == eventstore.Any && attempt >= maxAnyAttempts {
				return eventstore.AppendResult{}, fmt.Errorf("natsjs: append to %s: the stream kept moving for %d attempts", c.Stream, attempt)
			}
			continue
		}
		if err != nil {
			return eventstore.AppendResult{}, s.fail("append to "+c.Stream.String(), err)
		}
		if ack.Duplicate {
			return s.duplicate(ctx, c, ack.Sequence)
		}
		s.cache.put(c.Stream, tip{seq: ack.Sequence, h: h})
		return eventstore.AppendResult{StreamVersion: h.version, Position: ack.Sequence}, nil
	}
}

// isWrongSequence tells JetStream's answer to a failed expected-sequence check.
func isWrongSequence(err error) bool {
	var apiErr *jetstream.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	return apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence ||
		apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant
}

// isDuplicateInProcess tells a clustered stream's answer to a message ID
// whose first copy is still being replicated.
func isDuplicateInProcess(err error) bool {
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode == jsErrCodeDuplicateInProcess
}

// jsErrCodeDuplicateInProcess is nats-server's JSStreamDuplicateMessageConflict,
// which nats.go does not name.
const jsErrCodeDuplicateInProcess jetstream.ErrorCode = 10158

// readTip asks the stream leader for the stream's last commit; a zero
// commit when the stream has none.
func (s *Store) readTip(ctx context.Context, id eventstore.StreamID) (commit, error) {
	m, err := s.leaderGet(ctx, getMsgRequest{LastFor: s.subject(id)})
	if errors.Is(err, errNoMsg) {
		return commit{}, nil
	}
	if err != nil {
		return commit{}, fmt.Errorf("read last commit: %w", err)
	}
	c, err := decodeCommit(m)
	if err != nil {
		return commit{}, err
	}
	s.cache.put(id, tip{seq: c.seq, h: c.h})
	return c, nil
}

// duplicate answers a commit JetStream's duplicate window recognised: the
// result of the commit stored first, at sequence seq.
func (s *Store) duplicate(ctx context.Context, c eventstore.Commit, seq uint64) (eventstore.AppendResult, error) {
	m, err := s.leaderGet(ctx, getMsgRequest{Seq: seq})
	if err != nil {
		return eventstore.AppendResult{}, s.fail(fmt.Sprintf("append to %s: read the commit stored first at %d", c.Stream, seq), err)
	}
	if m.subject != s.subject(c.Stream) {
		// Message IDs name the stream, so this takes a foreign writer.
		return eventstore.AppendResult{}, fmt.Errorf("natsjs: append to %s: JetStream reports message %d on %s as the same message", c.Stream, seq, m.subject)
	}
	first, err := decodeCommit(m)
	if err != nil {
		return eventstore.AppendResult{}, err
	}
	return eventstore.AppendResult{StreamVersion: first.h.version, Position: seq, Duplicate: true}, nil
}

// conflict decides between a real conflict and a retry of a command that was
// stored. JetStream checks the expected sequence before de-duplicating, so a
// retry of a stored commit fails the check. Its first attempt was appended
// at the same expected version, so if it was stored it is the stream's
// commit right after that version: compare that commit's message ID.
func (s *Store) conflict(ctx context.Context, c eventstore.Commit, t tip) (eventstore.AppendResult, error) {
	cerr := &eventstore.ConflictError{Stream: c.Stream, Expected: c.ExpectedVersion, Actual: t.version()}
	if c.ExpectedVersion >= t.version() {
		return eventstore.AppendResult{}, cerr
	}
	m, err := s.commitAfter(ctx, c.Stream, t, c.ExpectedVersion)
	if err != nil {
		return eventstore.AppendResult{}, s.fail("append to "+c.Stream.String()+": look for an earlier attempt", err)
	}
	if m.h.firstVersion() != c.ExpectedVersion+1 || m.msgID != msgID(c.Stream, c.CommandID) {
		return eventstore.AppendResult{}, cerr
	}
	return eventstore.AppendResult{StreamVersion: m.h.version, Position: m.seq, Duplicate: true}, nil
}

// commitAfter finds the commit of the stream whose first event has version
// after+1, walking back from the tip t.
func (s *Store) commitAfter(ctx context.Context, id eventstore.StreamID, t tip, after int64) (commit, error) {
	subj := s.subject(id)
	if after == 0 {
		first := t.h.first
		if first == 0 {
			first = t.seq
		}
		m, err := s.leaderGet(ctx, getMsgRequest{Seq: first})
		if err != nil {
			return commit{}, err
		}
		return decodeCommit(m)
	}
	top, err := s.leaderGet(ctx, getMsgRequest{Seq: t.seq})
	if err != nil {
		return commit{}, err
	}
	tc, err := decodeCommit(top)
	if err != nil {
		return commit{}, err
	}
	g, err := s.newGetter(ctx)
	if err != nil {
		return commit{}, err
	}
	defer g.close()
	chain, err := g.walkBack(subj, tc, after)
	if err != nil {
		return commit{}, err
	}
	return chain[0], nil
}

// msgID is the Nats-Msg-Id of a commit. JetStream de-duplicates message IDs
// across the whole stream, while a command ID is unique only within its
// event stream, so the ID names the stream too.
func msgID(id eventstore.StreamID, commandID string) string {
	return id.Category + "." + id.ID + ":" + commandID
}

// commandOf takes the command ID back out of a message ID.
func commandOf(id eventstore.StreamID, msgID string) (string, error) {
	n := len(id.Category) + len(id.ID) + 2
	if len(msgID) < n || msgID[:len(id.Category)] != id.Category || msgID[len(id.Category)] != '.' ||
		msgID[len(id.Category)+1:n-1] != id.ID || msgID[n-1] != ':' {
		return "", fmt.Errorf("%w: message ID %q does not name stream %s", errMalformed, msgID, id)
	}
	return msgID[n:], nil
}
