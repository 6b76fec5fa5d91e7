package collab_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/automerge/automerge-go"
	"github.com/coder/websocket"
	"github.com/hindsight-retro/hindsight/collab"
	"github.com/hindsight-retro/hindsight/collab/wire"
)

// member is an honest client of one board over the raw protocol, behaving
// as a stock client does: it answers every sync message of the server with
// what its sync state generates, and keeps what else it hears.
type member struct {
	t     testing.TB
	p     *rawPeer
	board string

	mu     sync.Mutex
	doc    *automerge.Doc
	ss     *automerge.SyncState
	heard  []wire.Message // everything but sync messages for the board
	closed bool
	// resyncedFor are the server's heads the member last started its sync
	// state over for (answerAsTheCurrentCore).
	resyncedFor string
	// leaveOut, when set, is a change the member's next sync message names
	// in its heads but does not carry (leftOut, in missed_test.go).
	leaveOut automerge.ChangeHash
	// beforeAnswer, when set, runs (mu held) after each sync message for
	// the board is received, before the answer is made.
	beforeAnswer func()
	change       chan struct{} // closed and replaced whenever something arrives
}

// join connects as token and starts syncing board (sending our state, a
// request for it).
func join(t testing.TB, n *node, token, peerID, board string) *member {
	t.Helper()
	m, err := joinE(t, n, token, peerID, board)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// joinE is join for other goroutines than the test's: it fails with an error.
func joinE(t testing.TB, n *node, token, peerID, board string) (*member, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, n.url(token), nil)
	if err != nil {
		return nil, fmt.Errorf("dial: %w", err)
	}
	t.Cleanup(func() { ws.CloseNow() })
	ws.SetReadLimit(wire.MaxMessageBytes)
	raw, _ := wire.Encode(wire.Message{Type: wire.TypeJoin, SenderID: peerID, PeerMetadata: &wire.PeerMetadata{IsEphemeral: true}, SupportedProtocolVersions: []string{"1"}})
	if err := ws.Write(ctx, websocket.MessageBinary, raw); err != nil {
		return nil, fmt.Errorf("join: %w", err)
	}
	if _, b, err := ws.Read(ctx); err != nil {
		return nil, fmt.Errorf("no peer message: %w", err)
	} else if m, err := wire.Decode(b); err != nil || m.Type != wire.TypePeer {
		return nil, fmt.Errorf("want a peer message, got %+v (%v)", m, err)
	}
	doc := automerge.New()
	m := &member{t: t, p: &rawPeer{t: t, ws: ws, id: peerID}, board: board, doc: doc, ss: automerge.NewSyncState(doc), change: make(chan struct{})}
	go m.readLoop()
	m.mu.Lock()
	m.sendSyncLocked(wire.TypeRequest)
	m.mu.Unlock()
	return m, nil
}

func (m *member) readLoop() {
	for {
		_, b, err := m.p.ws.Read(context.Background())
		m.mu.Lock()
		if err != nil {
			m.closed = true
			m.notifyLocked()
			m.mu.Unlock()
			return
		}
		msg, err := wire.Decode(b)
		switch {
		case err != nil:
			m.heard = append(m.heard, wire.Message{Type: "malformed"})
		case msg.Type == wire.TypeSync && msg.DocumentID == m.board:
			if sm, err := m.ss.ReceiveMessage(msg.Data); err != nil {
				m.heard = append(m.heard, wire.Message{Type: "bad sync", ErrorMessage: err.Error()})
			} else {
				m.answerAsTheCurrentCore(sm.Heads(), msg.Data)
			}
			if m.beforeAnswer != nil {
				m.beforeAnswer()
			}
			m.sendSyncLocked(wire.TypeSync)
		default:
			m.heard = append(m.heard, msg)
		}
		m.notifyLocked()
		m.mu.Unlock()
	}
}

// answerAsTheCurrentCore makes the member's old core (automerge-go's) answer
// as the current one does, which browsers run: it asks for what the server's
// heads need even while it thinks its own last message unanswered, as the
// server does for its peers. Without it a change the server's Bloom filter
// check left out would never reach the member. Once per heads, as the
// server does. Called with mu held.
func (m *member) answerAsTheCurrentCore(heads []automerge.ChangeHash, data []byte) {
	key := fmt.Sprint(heads)
	if key == m.resyncedFor {
		return
	}
	if ss, err := collab.StartOverIfUnknown(m.doc, m.ss, heads, data); err == nil && ss != m.ss {
		m.ss, m.resyncedFor = ss, key
	}
}

func (m *member) notifyLocked() {
	close(m.change)
	m.change = make(chan struct{})
}

// sendSyncLocked sends what the sync state generates, if anything.
func (m *member) sendSyncLocked(typ string) {
	if sm, ok := m.ss.GenerateMessage(); ok {
		data := sm.Bytes()
		if m.leaveOut != (automerge.ChangeHash{}) {
			data = m.leftOut(sm.Heads())
		}
		raw, _ := wire.Encode(wire.Message{Type: typ, SenderID: m.p.id, TargetID: "server", DocumentID: m.board, Data: data})
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = m.p.ws.Write(ctx, websocket.MessageBinary, raw)
	}
}

// edit sets key to value on the board and sends the change.
func (m *member) edit(key string, value any) {
	m.t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.doc.Path(key).Set(value); err != nil {
		m.t.Fatal(err)
	}
	if _, err := m.doc.Commit("edit"); err != nil {
		m.t.Fatal(err)
	}
	m.sendSyncLocked(wire.TypeSync)
}

// presence sends an ephemeral message for the board.
func (m *member) presence(count uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.p.send(wire.Message{Type: wire.TypeEphemeral, TargetID: "server", DocumentID: m.board, SessionID: "s-" + m.p.id, Count: count, Data: []byte{0xa0}})
}

// until waits up to wait for cond, asked with the member's state locked
// whenever something arrives; it reports whether cond came true.
func (m *member) until(wait time.Duration, cond func() bool) bool {
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	for {
		m.mu.Lock()
		ok, closed, ch := cond(), m.closed, m.change
		m.mu.Unlock()
		if ok {
			return true
		}
		if closed {
			return false
		}
		select {
		case <-ch:
		case <-deadline.C:
			return false
		}
	}
}

// has reports whether the member's copy of the board holds key (mu held).
func (m *member) has(key string) bool {
	v, err := m.doc.Path(key).Get()
	return err == nil && v.Kind() != automerge.KindVoid
}

// waitKey waits up to wait until the member's copy holds key.
func (m *member) waitKey(key string, wait time.Duration) error {
	if !m.until(wait, func() bool { return m.has(key) }) {
		return fmt.Errorf("%s did not receive %q on %s within %s (heard %v)", m.p.id, key, m.board, wait, m.heardTypes())
	}
	return nil
}

// heardOf returns the messages heard that match pick.
func (m *member) heardOf(pick func(wire.Message) bool) []wire.Message {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []wire.Message
	for _, h := range m.heard {
		if pick(h) {
			out = append(out, h)
		}
	}
	return out
}

func (m *member) heardTypes() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]string, 0, len(m.heard))
	for _, h := range m.heard {
		out = append(out, h.Type)
	}
	return out
}

// roundTrip has from edit key and waits until to holds it: an honest edit
// as the other members see it.
func roundTrip(from, to *member, key string, value any, wait time.Duration) error {
	from.edit(key, value)
	return to.waitKey(key, wait)
}
