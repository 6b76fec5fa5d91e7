package natsjs

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"
	"unsafe"

	"github.com/hindsight-retro/hindsight/eventstore"
)

// A commit is one JetStream message. Its body is a compact binary framing
// rather than JSON so that reading the log costs little more than receiving
// it; the command ID travels in the Nats-Msg-Id header, where JetStream's
// de-duplication needs it.
//
//	byte    format (1)
//	uvarint stream version of the commit's last event
//	uvarint event count
//	uvarint sequence of the stream's first commit, 0 if this is it
//	uvarint number of links, at most maxLinks
//	links:  the sequences of the stream's previous commits, newest first:
//	        the first as is, each further one as its distance to the one before
//	string  causation ID, correlation ID, actor
//	per event: string ID, string type, uvarint schema version, bytes payload
//
// Strings and byte fields are a uvarint length followed by the bytes.
//
// The links let Load walk a stream backwards from its last commit with
// direct gets by sequence, maxLinks at a time, instead of asking the server
// to search the log for the subject's next message, which costs time in
// proportion to the whole log between two commits of the stream.
const (
	formatV1 = 1
	maxLinks = 16
)

var errMalformed = errors.New("not a hindsight commit")

// head is a commit's framing before its events: what a reader needs to place
// it in its stream, and what a writer needs to link the next commit to it.
type head struct {
	version int64
	count   int
	first   uint64 // 0: the commit is the stream's first
	nlinks  int
	links   [maxLinks]uint64
}

func (h *head) firstVersion() int64 { return h.version - int64(h.count) + 1 }

// encodeEvents frames c's metadata and events: the part of the body that a
// retry does not change.
func encodeEvents(c eventstore.Commit) []byte {
	size := binary.MaxVarintLen64*3 + len(c.CausationID) + len(c.CorrelationID) + len(c.Actor)
	for _, e := range c.Events {
		size += binary.MaxVarintLen64*4 + 36 + len(e.ID) + len(e.Type) + len(e.Payload)
	}
	b := make([]byte, 0, size)
	b = appendString(b, c.CausationID)
	b = appendString(b, c.CorrelationID)
	b = appendString(b, c.Actor)
	for i, e := range c.Events {
		b = appendString(b, eventstore.EventID(c, i))
		b = appendString(b, e.Type)
		b = binary.AppendUvarint(b, uint64(e.SchemaVersion))
		b = binary.AppendUvarint(b, uint64(len(e.Payload)))
		b = append(b, e.Payload...)
	}
	return b
}

// encodeBody puts h before the framed events.
func encodeBody(h *head, events []byte) []byte {
	b := make([]byte, 0, 1+binary.MaxVarintLen64*(4+maxLinks)+len(events))
	b = append(b, formatV1)
	b = binary.AppendUvarint(b, uint64(h.version))
	b = binary.AppendUvarint(b, uint64(h.count))
	b = binary.AppendUvarint(b, h.first)
	b = binary.AppendUvarint(b, uint64(h.nlinks))
	prev := uint64(0)
	for i, l := range h.links[:h.nlinks] {
		if i == 0 {
			b = binary.AppendUvarint(b, l)
		} else {
			b = binary.AppendUvarint(b, prev-l)
		}
		prev = l
	}
	return append(b, events...)
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// decodeHead reads the head of the commit stored at seq and returns the
// offset of what follows it.
func decodeHead(body []byte, seq uint64, h *head) (int, error) {
	if len(body) == 0 || body[0] != formatV1 {
		return 0, errMalformed
	}
	r := reader{b: body, off: 1}
	v, n := r.uvarint(), r.uvarint()
	first, nl := r.uvarint(), r.uvarint()
	if r.err != nil || n == 0 || n > eventstore.MaxEventsPerCommit || v < n || v > 1<<62 || nl > maxLinks || first >= seq {
		return 0, errMalformed
	}
	h.version, h.count, h.first, h.nlinks = int64(v), int(n), first, int(nl)
	prev := seq
	for i := range h.nlinks {
		d := r.uvarint()
		l := d
		if i > 0 {
			l = prev - d
		}
		// Links point strictly backwards and never before the first commit.
		if r.err != nil || l >= prev || l == 0 || l < first || (i > 0 && d == 0) || d > prev {
			return 0, errMalformed
		}
		h.links[i], prev = l, l
	}
	if h.nlinks == 0 && first != 0 || h.nlinks > 0 && first == 0 {
		return 0, errMalformed // only the first commit has no links
	}
	return r.off, nil
}

// next is the head of a commit appended after the one described by h, stored
// at seq. A zero seq means the stream is empty.
func (h *head) next(seq uint64, version int64, count int) head {
	n := head{version: version, count: count}
	if seq == 0 {
		return n
	}
	n.first = h.first
	if n.first == 0 {
		n.first = seq
	}
	n.links[0] = seq
	n.nlinks = 1 + copy(n.links[1:], h.links[:h.nlinks])
	return n
}

// meta is the part of a recorded event that comes from the message rather
// than the body.
type meta struct {
	stream    eventstore.StreamID
	position  uint64
	commandID string
	at        time.Time
}

// decoder turns commit bodies into recorded events. It reuses its slice
// between messages, so the events it returns are valid until the next call.
type decoder struct {
	events []eventstore.RecordedEvent
}

// decode returns the events of one commit. Strings and payloads alias body,
// which must not be modified afterwards: each NATS message has a buffer of
// its own, so this saves one allocation and copy per field. Payloads are
// capped so that a handler appending to one cannot overwrite the next field.
func (d *decoder) decode(body []byte, m *meta) ([]eventstore.RecordedEvent, error) {
	var h head
	off, err := decodeHead(body, m.position, &h)
	if err != nil {
		return nil, err
	}
	r := reader{b: body, off: off}
	causation, correlation, actor := r.str(), r.str(), r.str()
	d.events = d.events[:0]
	version := h.firstVersion()
	for i := 0; i < h.count; i++ {
		id, typ := r.str(), r.str()
		schema := r.uvarint()
		payload := r.bytes()
		if r.err != nil || schema > math.MaxInt32 {
			return nil, errMalformed
		}
		d.events = append(d.events, eventstore.RecordedEvent{
			EventID: id, Type: typ, Stream: m.stream, StreamVersion: version,
			Position: m.position, Index: i, CommitSize: h.count, RecordedAt: m.at,
			CommandID: m.commandID, CausationID: causation, CorrelationID: correlation, Actor: actor,
			SchemaVersion: int(schema), Payload: payload,
		})
		version++
	}
	if r.err != nil || r.off != len(body) {
		return nil, errMalformed
	}
	return d.events, nil
}

type reader struct {
	b   []byte
	off int
	err error
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, k := binary.Uvarint(r.b[r.off:])
	if k <= 0 {
		r.err = errMalformed
		return 0
	}
	r.off += k
	return v
}

func (r *reader) bytes() []byte {
	n := r.uvarint()
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)-r.off) {
		r.err = errMalformed
		return nil
	}
	end := r.off + int(n)
	b := r.b[r.off:end:end]
	r.off = end
	return b
}

func (r *reader) str() string {
	b := r.bytes()
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

func malformedAt(seq uint64, err error) error {
	return &malformedError{seq: seq, err: err}
}

// malformedError is a message that does not decode, at its position.
type malformedError struct {
	seq uint64
	err error
}

func (e *malformedError) Error() string {
	return fmt.Sprintf("natsjs: message at sequence %d: %v", e.seq, e.err)
}

func (e *malformedError) Unwrap() error { return e.err }
