package natsjs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// storedMsg is one message read back from the stream.
type storedMsg struct {
	seq     uint64
	subject string
	msgID   string // Nats-Msg-Id: the stream and the command ID
	at      time.Time
	data    []byte
}

// commit is a stored message with its head decoded.
type commit struct {
	storedMsg
	h head
}

func decodeCommit(m storedMsg) (commit, error) {
	c := commit{storedMsg: m}
	if _, err := decodeHead(m.data, m.seq, &c.h); err != nil {
		return commit{}, malformedAt(m.seq, err)
	}
	return c, nil
}

var errNoMsg = errors.New("no message")

// getMsgRequest is JetStream's message-get request; next_by_subj with seq
// finds the subject's first message at or after seq.
type getMsgRequest struct {
	Seq     uint64 `json:"seq,omitempty"`
	LastFor string `json:"last_by_subj,omitempty"`
	NextFor string `json:"next_by_subj,omitempty"`
	Batch   int    `json:"batch,omitempty"`
}

// leaderGet reads one message through the stream leader ($JS.API.STREAM.MSG.GET),
// which has every acknowledged write; direct gets may be answered by a
// replica that lags behind. It returns errNoMsg when nothing matches.
func (s *Store) leaderGet(ctx context.Context, req getMsgRequest) (storedMsg, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return storedMsg{}, err
	}
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	resp, err := s.nc.RequestWithContext(ctx, "$JS.API.STREAM.MSG.GET."+s.cfg.Stream, body)
	if err != nil {
		return storedMsg{}, err
	}
	var r struct {
		Error   *jetstream.APIError `json:"error"`
		Message *struct {
			Subject string    `json:"subject"`
			Seq     uint64    `json:"seq"`
			Header  []byte    `json:"hdrs"`
			Data    []byte    `json:"data"`
			Time    time.Time `json:"time"`
		} `json:"message"`
	}
	if err := json.Unmarshal(resp.Data, &r); err != nil {
		return storedMsg{}, fmt.Errorf("decode message-get reply: %w", err)
	}
	if r.Error != nil {
		if r.Error.ErrorCode == jetstream.JSErrCodeMessageNotFound || r.Error.Code == 404 {
			return storedMsg{}, errNoMsg
		}
		return storedMsg{}, r.Error
	}
	if r.Message == nil {
		return storedMsg{}, errors.New("message-get reply holds no message")
	}
	m := storedMsg{seq: r.Message.Seq, subject: r.Message.Subject, at: r.Message.Time.UTC(), data: r.Message.Data}
	if len(r.Message.Header) > 0 {
		h, err := nats.DecodeHeadersMsg(r.Message.Header)
		if err != nil {
			return storedMsg{}, fmt.Errorf("decode headers of message %d: %w", m.seq, err)
		}
		m.msgID = h.Get(jetstream.MsgIDHeader)
	}
	return m, nil
}

// getter sends direct gets ($JS.API.DIRECT.GET) and reads their replies on
// one inbox, so that several requests can be in flight at once.
//
// The replies wait in a queue of the getter's own rather than in a
// synchronous subscription's channel: the client gives every synchronous
// subscription a channel of 64K slots (512 KiB), and a getter lives for
// every Load, so 400 whiteboard peers authorised at once held 264 MB of
// them (BENCHMARKS.md, issue 12). The queue holds only the replies that
// came, and has no bound: a batch of large commits must not be dropped.
type getter struct {
	s      *Store
	ctx    context.Context
	cancel context.CancelFunc
	sub    *nats.Subscription
	box    string

	mu      sync.Mutex
	replies []*nats.Msg
	arrived chan struct{} // a reply was queued
	gone    chan struct{} // the inbox closed: no reply comes any more
}

// getterTimeout bounds one getter's life when the caller's context has no
// deadline, so a reply lost in a reconnect cannot hang a read forever.
const getterTimeout = time.Minute

func (s *Store) newGetter(ctx context.Context) (*getter, error) {
	g := &getter{s: s, box: s.nc.NewRespInbox(), arrived: make(chan struct{}, 1), gone: make(chan struct{})}
	if _, ok := ctx.Deadline(); ok {
		g.ctx, g.cancel = ctx, func() {}
	} else {
		g.ctx, g.cancel = context.WithTimeout(ctx, getterTimeout)
	}
	sub, err := s.nc.Subscribe(g.box, g.queue)
	if err != nil {
		g.cancel()
		return nil, err
	}
	// A closed connection ends the wait at once, as a synchronous
	// subscription's would.
	sub.SetClosedHandler(func(string) { close(g.gone) })
	// Batches of large commits can exceed the default pending limits.
	_ = sub.SetPendingLimits(-1, -1)
	g.sub = sub
	return g, nil
}

// queue keeps a reply for next.
func (g *getter) queue(m *nats.Msg) {
	g.mu.Lock()
	g.replies = append(g.replies, m)
	g.mu.Unlock()
	select {
	case g.arrived <- struct{}{}:
	default: // next is woken already
	}
}

// next returns the oldest reply not yet read, waiting for one until the
// getter's context ends.
func (g *getter) next() (*nats.Msg, error) {
	for {
		g.mu.Lock()
		if len(g.replies) > 0 {
			m := g.replies[0]
			g.replies[0] = nil
			g.replies = g.replies[1:]
			g.mu.Unlock()
			return m, nil
		}
		g.mu.Unlock()
		select {
		case <-g.arrived:
		case <-g.gone:
			if g.s.nc.IsClosed() {
				return nil, nats.ErrConnectionClosed
			}
			return nil, nats.ErrBadSubscription
		case <-g.ctx.Done():
			return nil, g.ctx.Err()
		}
	}
}

func (g *getter) close() {
	_ = g.sub.Unsubscribe()
	g.cancel()
}

func (g *getter) send(req getMsgRequest) error {
	b, err := json.Marshal(req)
	if err != nil {
		return err
	}
	return g.s.nc.PublishRequest("$JS.API.DIRECT.GET."+g.s.cfg.Stream, g.box, b)
}

// reply reads the next reply. status is "" for a message, else the status
// code ("404": no message, "204": end of a batch).
func (g *getter) reply() (m storedMsg, status string, hdr nats.Header, err error) {
	raw, err := g.next()
	if err != nil {
		return storedMsg{}, "", nil, err
	}
	if st := raw.Header.Get("Status"); st != "" {
		if st != "404" && st != "204" {
			return storedMsg{}, "", nil, fmt.Errorf("direct get: status %s %s", st, raw.Header.Get("Description"))
		}
		return storedMsg{}, st, raw.Header, nil
	}
	seq, err := strconv.ParseUint(raw.Header.Get(jetstream.SequenceHeader), 10, 64)
	if err != nil {
		return storedMsg{}, "", nil, fmt.Errorf("direct get: bad sequence header %q", raw.Header.Get(jetstream.SequenceHeader))
	}
	at, err := time.Parse(time.RFC3339Nano, raw.Header.Get(jetstream.TimeStampHeaer))
	if err != nil {
		return storedMsg{}, "", nil, fmt.Errorf("direct get: bad time stamp of message %d: %w", seq, err)
	}
	return storedMsg{seq: seq, subject: raw.Header.Get(jetstream.SubjectHeader),
		msgID: raw.Header.Get(jetstream.MsgIDHeader), at: at.UTC(), data: raw.Data}, "", raw.Header, nil
}

// last reads the subject's last message; errNoMsg if it has none.
func (g *getter) last(subject string) (storedMsg, error) {
	if err := g.send(getMsgRequest{LastFor: subject}); err != nil {
		return storedMsg{}, err
	}
	m, status, _, err := g.reply()
	if err == nil && status != "" {
		err = errNoMsg
	}
	return m, err
}

// seqs reads the messages at the given sequences, all requests in flight at
// once, and returns them in the order asked. A sequence a lagging replica
// does not have yet is asked of the stream leader.
func (g *getter) seqs(seqs []uint64) ([]storedMsg, error) {
	for _, q := range seqs {
		if err := g.send(getMsgRequest{Seq: q}); err != nil {
			return nil, err
		}
	}
	out := make([]storedMsg, len(seqs))
	for range seqs {
		m, status, _, err := g.reply()
		if err != nil {
			return nil, err
		}
		if status != "" {
			continue // found missing below
		}
		for i, q := range seqs {
			if q == m.seq {
				out[i] = m
			}
		}
	}
	for i, q := range seqs {
		if out[i].seq != 0 {
			continue
		}
		m, err := g.s.leaderGet(g.ctx, getMsgRequest{Seq: q})
		if errors.Is(err, errNoMsg) {
			return nil, fmt.Errorf("message %d is missing", q)
		}
		if err != nil {
			return nil, err
		}
		out[i] = m
	}
	return out, nil
}

// directBatch is how many messages one batched direct get asks for.
const directBatch = 1024

// scan calls fn for each message on subject from sequence from on, in
// order, with batched direct gets: one round trip per batch. fn returns
// false to stop early.
func (g *getter) scan(subject string, from uint64, fn func(storedMsg) (bool, error)) error {
	for {
		if err := g.send(getMsgRequest{Seq: max(from, 1), NextFor: subject, Batch: directBatch}); err != nil {
			return err
		}
		more, next, err := g.readBatch(fn)
		if err != nil || !more {
			return err
		}
		from = next
	}
}

// readBatch reads one batch up to its end marker. It reports whether
// messages remain after it and where to continue.
func (g *getter) readBatch(fn func(storedMsg) (bool, error)) (more bool, next uint64, err error) {
	stopped := false
	for {
		m, status, hdr, err := g.reply()
		if err != nil {
			return false, 0, err
		}
		switch status {
		case "404":
			return false, 0, nil
		case "204":
			if stopped {
				return false, 0, nil
			}
			pending, _ := strconv.ParseUint(hdr.Get("Nats-Num-Pending"), 10, 64)
			last, _ := strconv.ParseUint(hdr.Get("Nats-Last-Sequence"), 10, 64)
			return pending > 0 && last > 0, last + 1, nil
		}
		if stopped {
			continue // drain the batch so the inbox is clean
		}
		ok, err := fn(m)
		if err != nil {
			return false, 0, err
		}
		stopped = !ok
	}
}

// requestTimeout bounds one request to the server. A reply can be lost when
// the connection drops or the server restarts in between; waiting longer than
// this for it only hides the failure from the caller, who can retry (with the
// same command ID, an append is idempotent).
const requestTimeout = 10 * time.Second

// withTimeout bounds a request by requestTimeout as well as by ctx.
func (s *Store) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, requestTimeout)
}
