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
//	8 bytes stream version of the commit's last event, big-endian (fixed
//	        width, so a retry can patch it without re-encoding)
//	uvarint event count
//	string  causation ID, correlation ID, actor
//	per event: string ID, string type, uvarint schema version, bytes payload
//
// Strings and byte fields are a uvarint length followed by the bytes.
const (
	formatV1      = 1
	versionOffset = 1
	headerLen     = 1 + 8
)

var errMalformed = errors.New("not a hindsight commit")

// encodeCommit frames c's events; the stream version is patched in later by
// setVersion, once the writer knows it.
func encodeCommit(c eventstore.Commit) []byte {
	size := headerLen + binary.MaxVarintLen64*4 + len(c.CausationID) + len(c.CorrelationID) + len(c.Actor)
	for _, e := range c.Events {
		size += binary.MaxVarintLen64*4 + 36 + len(e.ID) + len(e.Type) + len(e.Payload)
	}
	b := make([]byte, headerLen, size)
	b[0] = formatV1
	b = binary.AppendUvarint(b, uint64(len(c.Events)))
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

func setVersion(body []byte, version int64) {
	binary.BigEndian.PutUint64(body[versionOffset:], uint64(version))
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// commitHead is what a writer needs of a stored commit: where its stream
// stood after it and how many events it holds.
type commitHead struct {
	version int64
	count   int
}

func (h commitHead) firstVersion() int64 { return h.version - int64(h.count) + 1 }

func decodeHead(body []byte) (commitHead, error) {
	if len(body) < headerLen || body[0] != formatV1 {
		return commitHead{}, errMalformed
	}
	v := binary.BigEndian.Uint64(body[versionOffset:])
	n, k := binary.Uvarint(body[headerLen:])
	if k <= 0 || n == 0 || n > eventstore.MaxEventsPerCommit || v < n || v > 1<<62 {
		return commitHead{}, errMalformed
	}
	return commitHead{version: int64(v), count: int(n)}, nil
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
	head, err := decodeHead(body)
	if err != nil {
		return nil, err
	}
	r := reader{b: body, off: headerLen}
	r.uvarint() // the count, already read by decodeHead
	causation, correlation, actor := r.str(), r.str(), r.str()
	d.events = d.events[:0]
	version := head.firstVersion()
	for i := 0; i < head.count; i++ {
		id, typ := r.str(), r.str()
		schema := r.uvarint()
		payload := r.bytes()
		if r.err != nil || schema > math.MaxInt32 {
			return nil, errMalformed
		}
		d.events = append(d.events, eventstore.RecordedEvent{
			EventID: id, Type: typ, Stream: m.stream, StreamVersion: version,
			Position: m.position, Index: i, CommitSize: head.count, RecordedAt: m.at,
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
	return fmt.Errorf("natsjs: message at sequence %d: %w", seq, err)
}
