package natsjs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
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
// replica that lags behind. The writer uses it where a stale answer would
// give a wrong result. It returns errNoMsg when nothing matches.
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

// directBatch is how many messages one direct-get request asks for.
const directBatch = 1024

// scanSubject calls fn for each message on subject from sequence from on, in
// order, using batched direct gets: one round trip per batch, no consumer to
// create. fn returns false to stop early.
func (s *Store) scanSubject(ctx context.Context, subject string, from uint64, fn func(storedMsg) (bool, error)) error {
	if from == 0 {
		from = 1
	}
	inbox := s.nc.NewRespInbox()
	sub, err := s.nc.SubscribeSync(inbox)
	if err != nil {
		return err
	}
	defer sub.Unsubscribe()
	// Batches of large commits can exceed the default pending limits.
	_ = sub.SetPendingLimits(-1, -1)
	for {
		req, _ := json.Marshal(getMsgRequest{Seq: from, NextFor: subject, Batch: directBatch})
		if err := s.nc.PublishRequest("$JS.API.DIRECT.GET."+s.cfg.Stream, inbox, req); err != nil {
			return err
		}
		more, next, err := s.readBatch(ctx, sub, fn)
		if err != nil || !more {
			return err
		}
		from = next
	}
}

// readBatch reads one direct-get batch up to its end-of-batch marker. It
// reports whether messages remain after it and where to continue.
func (s *Store) readBatch(ctx context.Context, sub *nats.Subscription, fn func(storedMsg) (bool, error)) (more bool, next uint64, err error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	stopped := false
	for {
		m, err := sub.NextMsgWithContext(ctx)
		if err != nil {
			return false, 0, err
		}
		if status := m.Header.Get("Status"); status != "" {
			switch status {
			case "404":
				return false, 0, nil
			case "204": // end of batch
				if stopped {
					return false, 0, nil
				}
				pending, _ := strconv.ParseUint(m.Header.Get("Nats-Num-Pending"), 10, 64)
				last, _ := strconv.ParseUint(m.Header.Get("Nats-Last-Sequence"), 10, 64)
				return pending > 0 && last > 0, last + 1, nil
			default:
				return false, 0, fmt.Errorf("direct get: status %s %s", status, m.Header.Get("Description"))
			}
		}
		if stopped {
			continue // drain the rest of the batch so the inbox is clean
		}
		seq, err := strconv.ParseUint(m.Header.Get(jetstream.SequenceHeader), 10, 64)
		if err != nil {
			return false, 0, fmt.Errorf("direct get: bad sequence header %q", m.Header.Get(jetstream.SequenceHeader))
		}
		at, err := time.Parse(time.RFC3339Nano, m.Header.Get(jetstream.TimeStampHeaer))
		if err != nil {
			return false, 0, fmt.Errorf("direct get: bad time stamp of message %d: %w", seq, err)
		}
		ok, err := fn(storedMsg{seq: seq, subject: m.Header.Get(jetstream.SubjectHeader),
			msgID: m.Header.Get(jetstream.MsgIDHeader), at: at.UTC(), data: m.Data})
		if err != nil {
			return false, 0, err
		}
		stopped = !ok
	}
}

// withTimeout gives requests a deadline when the caller's context has none,
// so a lost reply cannot hang a call forever.
func (s *Store) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, 30*time.Second)
}
