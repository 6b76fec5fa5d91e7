package collab_test

import (
	"context"
	"testing"
	"time"

	"github.com/automerge/automerge-go"
	"github.com/coder/websocket"
	"github.com/hindsight-retro/hindsight/collab/wire"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
)

// rawPeer speaks the protocol by hand, to check the server's side of it
// without a JavaScript client.
type rawPeer struct {
	t  testing.TB
	ws *websocket.Conn
	id string
}

func dialRaw(t testing.TB, n *node, token, peerID string) *rawPeer {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, n.url(token), nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { ws.CloseNow() })
	return &rawPeer{t: t, ws: ws, id: peerID}
}

func (p *rawPeer) send(m wire.Message) {
	p.t.Helper()
	if err := p.trySend(m); err != nil {
		p.t.Fatalf("write: %v", err)
	}
}

// trySend sends m and reports a failed write: for an abuser, whom the
// server may drop for flooding it.
func (p *rawPeer) trySend(m wire.Message) error {
	p.t.Helper()
	m.SenderID = p.id
	b, err := wire.Encode(m)
	if err != nil {
		p.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return p.ws.Write(ctx, websocket.MessageBinary, b)
}

// next returns the next message, or ok=false when none comes within wait.
func (p *rawPeer) next(wait time.Duration) (wire.Message, bool) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	_, b, err := p.ws.Read(ctx)
	if err != nil {
		return wire.Message{}, false
	}
	m, err := wire.Decode(b)
	if err != nil {
		p.t.Fatalf("server sent a malformed message: %v", err)
	}
	return m, true
}

func (p *rawPeer) join() wire.Message {
	p.t.Helper()
	p.send(wire.Message{Type: wire.TypeJoin, PeerMetadata: &wire.PeerMetadata{IsEphemeral: true}, SupportedProtocolVersions: []string{"1"}})
	m, ok := p.next(5 * time.Second)
	if !ok || m.Type != wire.TypePeer {
		p.t.Fatalf("want a peer message, got %+v", m)
	}
	return m
}

func TestJoinAdvertisesAStableStorageID(t *testing.T) {
	store := memstore.New(nil)
	n := startNode(t, store, "")
	first := dialRaw(t, n, "alice", "p1").join()
	if first.SelectedProtocolVersion != "1" || first.TargetID != "p1" || first.PeerMetadata == nil || first.PeerMetadata.StorageID == "" || first.PeerMetadata.IsEphemeral {
		t.Fatalf("peer message: %+v", first)
	}
	n.shutdown()
	n2 := startNode(t, store, "")
	again := dialRaw(t, n2, "alice", "p1").join()
	if again.PeerMetadata.StorageID != first.PeerMetadata.StorageID {
		t.Fatalf("storage ID changed across a restart: %q then %q", first.PeerMetadata.StorageID, again.PeerMetadata.StorageID)
	}
}

func TestUpgradeNeedsAToken(t *testing.T) {
	n := startNode(t, memstore.New(nil), "")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, resp, err := websocket.Dial(ctx, n.url("nobody"), nil)
	if err == nil || resp == nil || resp.StatusCode != 401 {
		t.Fatalf("want 401 for an unknown token, got %v (%v)", resp, err)
	}
}

func TestUnsupportedVersionAndGarbageCostTheConnection(t *testing.T) {
	n := startNode(t, memstore.New(nil), "")
	p := dialRaw(t, n, "alice", "p1")
	p.send(wire.Message{Type: wire.TypeJoin, SupportedProtocolVersions: []string{"99"}})
	if m, ok := p.next(5 * time.Second); !ok || m.Type != wire.TypeError {
		t.Fatalf("want an error for protocol 99, got %+v", m)
	}
	if _, ok := p.next(5 * time.Second); ok {
		t.Fatal("the connection stayed open")
	}

	q := dialRaw(t, n, "alice", "p2")
	q.join()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := q.ws.Write(ctx, websocket.MessageBinary, []byte{0xff, 0x00, 0x13}); err != nil {
		t.Fatal(err)
	}
	if m, ok := q.next(5 * time.Second); !ok || m.Type != wire.TypeError {
		t.Fatalf("want an error for garbage, got %+v", m)
	}
}

// A peer that is already in sync with the server still hears back, with the
// server's heads.
func TestInSyncClientGetsTheServersHeads(t *testing.T) {
	n := startNode(t, memstore.New(nil), "")
	p := dialRaw(t, n, "alice", "p1")
	p.join()
	docID := wire.NewDocumentID()
	doc := automerge.New()
	ss := automerge.NewSyncState(doc)
	exchange := func() (wire.Message, bool) {
		m, ok := ss.GenerateMessage()
		if !ok {
			return wire.Message{}, false
		}
		p.send(wire.Message{Type: wire.TypeSync, TargetID: "server", DocumentID: docID, Data: m.Bytes()})
		reply, got := p.next(5 * time.Second)
		if got && reply.Type == wire.TypeSync {
			if _, err := ss.ReceiveMessage(reply.Data); err != nil {
				t.Fatal(err)
			}
		}
		return reply, got
	}
	if err := doc.RootMap().Set("title", "retro"); err != nil {
		t.Fatal(err)
	}
	if _, err := doc.Commit("title"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		if _, ok := exchange(); !ok {
			break
		}
	}
	// In sync now. A fresh connection with a fresh sync state says hello.
	p2 := dialRaw(t, n, "alice", "p2")
	p2.join()
	ss2 := automerge.NewSyncState(doc)
	m, _ := ss2.GenerateMessage()
	p2.send(wire.Message{Type: wire.TypeSync, TargetID: "server", DocumentID: docID, Data: m.Bytes()})
	reply, ok := p2.next(5 * time.Second)
	if !ok || reply.Type != wire.TypeSync {
		t.Fatalf("an in-sync client got no reply: %+v", reply)
	}
	sm, err := ss2.ReceiveMessage(reply.Data)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sm.Heads(), doc.Heads(); len(got) != 1 || got[0] != want[0] {
		t.Fatalf("server's heads %v, want %v", got, want)
	}
}

// Presence reaches the other peers once per session and counter, and a
// peer that may not see the board neither sends nor receives it.
func TestPresenceIsRelayedOnceAndOnlyToPeersOfTheBoard(t *testing.T) {
	n := startNode(t, memstore.New(nil), "")
	docID := wire.NewDocumentID()
	open := func(token, id string) *rawPeer {
		p := dialRaw(t, n, token, id)
		p.join()
		d := automerge.New()
		m, _ := automerge.NewSyncState(d).GenerateMessage()
		p.send(wire.Message{Type: wire.TypeSync, TargetID: "server", DocumentID: docID, Data: m.Bytes()})
		for {
			// A deadline, not a pause: the first check starts a worker,
			// which takes seconds on a loaded machine under -race, and a
			// read that times out closes the socket.
			r, ok := p.next(15 * time.Second)
			if !ok || r.Type == wire.TypeSync || r.Type == wire.TypeDocUnavailable {
				return p
			}
		}
	}
	a, b, m := open("alice", "a"), open("bob", "b"), open("mallory", "m")
	for i := 0; i < 2; i++ { // the same counter twice: relayed once
		a.send(wire.Message{Type: wire.TypeEphemeral, TargetID: "server", DocumentID: docID, Data: []byte{0xa1}, Count: 1, SessionID: "s1"})
	}
	got := 0
	for {
		r, ok := b.next(500 * time.Millisecond)
		if !ok {
			break
		}
		if r.Type == wire.TypeEphemeral {
			got++
			if r.SenderID != "a" || r.TargetID != "b" || r.SessionID != "s1" {
				t.Fatalf("relayed as %+v", r)
			}
		}
	}
	if got != 1 {
		t.Fatalf("b got the presence %d times, want once", got)
	}
	if r, ok := m.next(300 * time.Millisecond); ok && r.Type == wire.TypeEphemeral {
		t.Fatal("a peer refused the board got its presence")
	}
}
