package wire

import (
	"encoding/binary"
	"errors"
)

// syncMessageV1 is the first byte of an Automerge sync message.
const syncMessageV1 = 0x42

const hashBytes = 32

var errSyncMessage = errors.New("not an Automerge sync message (v1)")

// SyncChanges reads the changes an Automerge sync message (v1) carries, as
// sent: how many there are and their bytes in all. It reads no further than
// the changes and checks nothing else; the core decodes the rest, in a
// worker. Lengths that run past the end of data are an error.
func SyncChanges(data []byte) (count, bytes int, err error) {
	r := reader{b: data}
	if r.byte() != syncMessageV1 {
		return 0, 0, errSyncMessage
	}
	r.hashes() // heads
	r.hashes() // need
	for range r.count(2) {
		r.hashes()         // lastSync
		r.skip(r.count(1)) // bloom filter
	}
	n := r.count(1)
	for range n {
		l := r.count(1)
		r.skip(l)
		bytes += l
	}
	if r.err != nil {
		return 0, 0, r.err
	}
	return n, bytes, nil
}

type reader struct {
	b   []byte
	err error
}

func (r *reader) fail() {
	if r.err == nil {
		r.err = errSyncMessage
	}
	r.b = nil
}

func (r *reader) byte() byte {
	if len(r.b) == 0 {
		r.fail()
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

// count reads a length and checks that many items of at least minBytes
// each can still follow.
func (r *reader) count(minBytes int) int {
	v, n := binary.Uvarint(r.b)
	if n <= 0 || v > uint64(len(r.b)-n)/uint64(minBytes) {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return int(v)
}

func (r *reader) skip(n int) {
	if n > len(r.b) {
		r.fail()
		return
	}
	r.b = r.b[n:]
}

func (r *reader) hashes() {
	r.skip(r.count(hashBytes) * hashBytes)
}
