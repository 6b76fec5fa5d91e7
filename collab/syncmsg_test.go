package collab

import (
	"encoding/binary"
	"testing"

	"github.com/automerge/automerge-go"
)

func TestTheSyncHelloOfAFreshAutomerge3PeerAsksForTheWholeBoard(t *testing.T) {
	m, _ := automerge.NewSyncState(automerge.New()).GenerateMessage()
	for _, tc := range []struct {
		name string
		msg  []byte
		want syncHello
	}{
		{"fresh, v1 only", m.Bytes(), syncHello{hasNothing: true}},
		{"fresh, v1 and v2", append(m.Bytes(), 2, capabilityV1, capabilityV2), syncHello{hasNothing: true, takesWhole: true}},
		{"holding something", headsMessage([]automerge.ChangeHash{{1}}), syncHello{}},
		{"our whole board", wholeDocMessage([]automerge.ChangeHash{{1}, {2}}, []byte("saved")), syncHello{}},
	} {
		got, err := readSyncHello(tc.msg)
		if err != nil || got != tc.want {
			t.Errorf("%s: got %+v, %v; want %+v", tc.name, got, err, tc.want)
		}
	}
	for _, bad := range [][]byte{nil, {0x41}, {syncV1, 5}, {syncV1, 0, 0, 1, 0}, append(headsMessage(nil), 9)} {
		if _, err := readSyncHello(bad); err == nil {
			t.Errorf("%x was read as a sync message", bad)
		}
	}
}

// FuzzReadSyncHello: the reader of peers' sync messages never panics or
// runs past its input, and what it reports is what the bytes say.
func FuzzReadSyncHello(f *testing.F) {
	m, _ := automerge.NewSyncState(automerge.New()).GenerateMessage()
	f.Add(m.Bytes())
	f.Add(append(m.Bytes(), 2, capabilityV1, capabilityV2))
	f.Add(headsMessage([]automerge.ChangeHash{{1}}))
	f.Add(wholeDocMessage([]automerge.ChangeHash{{1}}, []byte("x")))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := readSyncHello(data)
		if err != nil {
			return
		}
		if data[0] != syncV1 && data[0] != syncV2 {
			t.Fatalf("accepted a message of type %#x", data[0])
		}
		if heads, _ := binary.Uvarint(data[1:]); h.hasNothing != (heads == 0) {
			t.Fatalf("hasNothing %v, but the message has %d heads", h.hasNothing, heads)
		}
	})
}
