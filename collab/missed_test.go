package collab_test

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/automerge/automerge-go"

	"github.com/hindsight-retro/hindsight/collab"
	"github.com/hindsight-retro/hindsight/collab/wire"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
)

// A peer checks our summary of the board with a Bloom filter, which about
// one time in a hundred says the server has a change it lacks; the peer's
// message then names the change in its heads but does not carry it. Here
// that message answers the server's last one with a change made on top of
// it: the core behind automerge-go, knowing neither the heads nor whether
// its own last change arrived, would stay silent for good, as would the
// peer. The server asks for the change, and it reaches the board's other
// members.
func TestAChangeAPeerLeftOutOfItsMessageIsAskedForAndReachesTheOthers(t *testing.T) {
	board := wire.NewDocumentID()
	n := startNode(t, memstore.New(nil), "")
	alice := join(t, n, "alice", "alice", board)
	carol := join(t, n, "carol", "carol", board)
	for _, k := range []string{"alice", "carol"} {
		if err := roundTrip(alice, carol, k, int64(0), 10*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	if err := roundTrip(carol, alice, "carol-0", int64(0), 10*time.Second); err != nil {
		t.Fatal(err)
	}

	// Alice edits as soon as carol's next change reaches her, and her answer
	// to it names her edit and leaves it out.
	alice.mu.Lock()
	alice.beforeAnswer = func() {
		if !alice.has("carol-1") {
			return
		}
		alice.beforeAnswer = nil
		if err := alice.doc.Path("alice-1").Set(int64(1)); err != nil {
			t.Error(err)
			return
		}
		edit, err := alice.doc.Commit("edit")
		if err != nil {
			t.Error(err)
			return
		}
		alice.leaveOut = edit
	}
	alice.mu.Unlock()
	carol.edit("carol-1", int64(1))

	if err := alice.waitKey("carol-1", 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := carol.waitKey("alice-1", 10*time.Second); err != nil {
		t.Fatalf("a change named but not sent was never asked for: %v", err)
	}
	alice.mu.Lock()
	defer alice.mu.Unlock()
	if alice.leaveOut != (automerge.ChangeHash{}) {
		t.Fatal("alice never sent the message that left her change out")
	}
}

// leftOut is the sync message a false positive of the member's Bloom filter
// check makes: its heads, no change, and a summary that says it has all it
// shares with the server (its heads but the change left out) and nothing
// after. The member's sync state forgets it sent the change, as it did not.
// Called with mu held.
func (m *member) leftOut(heads []automerge.ChangeHash) []byte {
	out := []byte{0x42} // a version 1 sync message
	out = collab.AppendSyncHashes(out, heads)
	out = binary.AppendUvarint(out, 0) // need
	out = binary.AppendUvarint(out, 1) // one have:
	var shared []automerge.ChangeHash
	for _, h := range heads {
		if h != m.leaveOut {
			shared = append(shared, h)
		}
	}
	out = collab.AppendSyncHashes(out, shared) //   last sync
	out = binary.AppendUvarint(out, 0)         //   an empty Bloom filter
	out = binary.AppendUvarint(out, 0)         // no changes
	m.leaveOut = automerge.ChangeHash{}
	if fresh, err := automerge.LoadSyncState(m.doc, m.ss.Save()); err == nil {
		m.ss = fresh
	}
	return out
}
