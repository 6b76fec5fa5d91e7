package collab

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/automerge/automerge-go"
)

// The Automerge sync message format, as far as the server writes or reads
// it itself. The core behind automerge-go (Rust 0.5) speaks version 1 only:
// every change sent one by one. Automerge 3 peers also take version 2,
// whose changes field may hold a whole saved (compressed) document, and
// announce so by appending their capabilities to a version 1 message. A peer
// that has nothing yet then gets the saved board in one message, as
// Automerge 3 peers send each other: a 10,000-change board costs what its
// save costs, not ten times that.
const (
	syncV1       = 0x42
	syncV2       = 0x43
	capabilityV1 = 0x01
	capabilityV2 = 0x02
	hashLen      = 32
)

// syncHello is what the server reads from a peer's sync message beyond what
// the core tells it.
type syncHello struct {
	hasNothing bool // the peer's heads are empty
	takesWhole bool // the peer reads version 2 messages
}

// readSyncHello reads the parts of a sync message the core keeps to itself.
// It runs on messages a worker has already checked, and still refuses
// anything malformed rather than trusting that.
func readSyncHello(data []byte) (syncHello, error) {
	r := syncReader{b: data}
	switch v := r.byte(); {
	case r.err != nil:
		return syncHello{}, r.err
	case v != syncV1 && v != syncV2:
		return syncHello{}, fmt.Errorf("sync message: type %#x", v)
	}
	heads := r.hashes()
	r.hashes() // need
	for range r.count(1 + 1) {
		r.hashes() // last sync
		r.bytes()  // bloom filter
	}
	for range r.count(1) {
		r.bytes() // a change, or a saved document
	}
	var caps []byte
	if r.err == nil && len(r.b) > 0 {
		caps = r.take(r.count(1))
	}
	if r.err != nil {
		return syncHello{}, r.err
	}
	h := syncHello{hasNothing: heads == 0}
	for _, c := range caps {
		h.takesWhole = h.takesWhole || c == capabilityV2
	}
	return h, nil
}

type syncReader struct {
	b   []byte
	err error
}

var errShortSync = errors.New("sync message: truncated or malformed")

func (r *syncReader) byte() byte {
	if r.err != nil || len(r.b) == 0 {
		r.err = errShortSync
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

// count reads a length that at least `each` bytes per item must follow, so
// a forged length cannot make the reader loop or allocate.
func (r *syncReader) count(each int) int {
	if r.err != nil {
		return 0
	}
	n, k := binary.Uvarint(r.b)
	if k <= 0 || n > uint64(len(r.b)-k)/uint64(each) {
		r.err = errShortSync
		return 0
	}
	r.b = r.b[k:]
	return int(n)
}

func (r *syncReader) take(n int) []byte {
	if r.err != nil || n > len(r.b) {
		r.err = errShortSync
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *syncReader) hashes() int {
	n := r.count(hashLen)
	r.take(n * hashLen)
	return n
}

func (r *syncReader) bytes() []byte { return r.take(r.count(1)) }

// wholeDocMessage is a version 2 sync message carrying the saved document
// (the version of the message is what tells the peer how to read it):
// our heads, nothing needed, and (with an empty bloom filter) a have that
// says we hold everything up to our heads, so the peer, once it has loaded
// the save, has nothing to send back but its heads.
func wholeDocMessage(heads []automerge.ChangeHash, saved []byte) []byte {
	out := make([]byte, 0, len(saved)+3*hashLen*len(heads)+32)
	out = append(out, syncV2)
	out = appendHashes(out, heads)     // heads
	out = appendHashes(out, nil)       // need
	out = binary.AppendUvarint(out, 1) // one have:
	out = appendHashes(out, heads)     //   last sync
	out = binary.AppendUvarint(out, 0) //   empty bloom filter
	out = binary.AppendUvarint(out, 1) // one chunk:
	out = binary.AppendUvarint(out, uint64(len(saved)))
	out = append(out, saved...) //   the saved document
	// No capabilities after it: an Automerge 3.5 peer that sees any answers
	// in version 2 from then on, which the core here cannot read (measured
	// with the stock client; without them it answers in version 1).
	return out
}

func appendHashes(out []byte, hs []automerge.ChangeHash) []byte {
	out = binary.AppendUvarint(out, uint64(len(hs)))
	for _, h := range hs {
		out = append(out, h[:]...)
	}
	return out
}
