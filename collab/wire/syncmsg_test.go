package wire_test

import (
	"fmt"
	"testing"

	"github.com/automerge/automerge-go"
	"github.com/hindsight-retro/hindsight/collab/wire"
)

// syncWithChanges is the first sync message a peer holding n changes of
// value sends to a peer that has nothing.
func syncWithChanges(t testing.TB, n int, value string) []byte {
	t.Helper()
	doc := automerge.New()
	for i := range n {
		if err := doc.Path(fmt.Sprint("k", i)).Set(value); err != nil {
			t.Fatal(err)
		}
		if _, err := doc.Commit("change"); err != nil {
			t.Fatal(err)
		}
	}
	theirs := automerge.NewSyncState(automerge.New())
	ours := automerge.NewSyncState(doc)
	hello, _ := theirs.GenerateMessage()
	if _, err := ours.ReceiveMessage(hello.Bytes()); err != nil {
		t.Fatal(err)
	}
	m, ok := ours.GenerateMessage()
	if !ok {
		t.Fatal("no sync message")
	}
	return m.Bytes()
}

func TestSyncChangesCountsWhatAMessageCarries(t *testing.T) {
	msg := syncWithChanges(t, 5, "hello")
	doc := automerge.New()
	n, size, err := wire.SyncChanges(msg)
	if err != nil || n != 5 {
		t.Fatalf("SyncChanges = %d changes, %d bytes, %v; want 5 changes", n, size, err)
	}
	if size <= 0 || size >= len(msg) {
		t.Fatalf("%d bytes of changes in a %d-byte message", size, len(msg))
	}
	hello, _ := automerge.NewSyncState(doc).GenerateMessage()
	if n, size, err := wire.SyncChanges(hello.Bytes()); err != nil || n != 0 || size != 0 {
		t.Fatalf("a message with no changes: %d, %d, %v", n, size, err)
	}
	for _, bad := range [][]byte{nil, {0x43}, msg[:len(msg)-1], {0x42, 0xff, 0xff, 0xff, 0xff, 0x0f}} {
		if _, _, err := wire.SyncChanges(bad); err == nil {
			t.Errorf("SyncChanges(% x) took a malformed message", bad)
		}
	}
}

func FuzzSyncChanges(f *testing.F) {
	f.Add(syncWithChanges(f, 2, "x"))
	f.Add([]byte{0x42, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		n, size, err := wire.SyncChanges(data)
		if err != nil {
			return
		}
		if n < 0 || size < 0 || size > len(data) || n > len(data) {
			t.Fatalf("%d changes of %d bytes in %d bytes", n, size, len(data))
		}
	})
}
