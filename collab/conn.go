package collab

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/hindsight-retro/hindsight/collab/wire"
	"golang.org/x/time/rate"
)

// sendQueue and sendQueueBytes bound what waits to go out to one peer, in
// messages and in bytes (a client that never reads could otherwise have a
// whole board queued for it again and again); a peer that falls this far
// behind is disconnected and resyncs when it reconnects.
const (
	sendQueue      = 1024
	sendQueueBytes = 32 << 20
)

// conn is one peer's WebSocket.
type conn struct {
	s     *Server
	ws    *websocket.Conn
	raw   net.Conn    // under ws, to end a close handshake a peer never answers
	pingT *time.Timer // the next keepalive ping
	// writing is set while the write loop writes (see keepalive).
	writing atomic.Bool
	userID  string
	valid   func(ctx context.Context) bool // nil: the credential cannot lapse
	peerID  string                         // set by join
	// held stops the write loop while access is checked again after an
	// access event, so nothing of a board reaches a peer that lost it.
	held atomic.Int32
	wake chan struct{}

	// out holds what waits to go out, oldest first; outReady wakes the
	// write loop. A slice, not a channel of sendQueue slots: a connection
	// holds room only for what waits (400 idle peers with channels held
	// ~10 MB of the server's heap between them).
	outMu     sync.Mutex
	out       [][]byte
	outReady  chan struct{}
	outBytes  atomic.Int64 // bytes in out
	closeOnce sync.Once
	failing   sync.WaitGroup // fail is still telling the peer why
	done      chan struct{}

	attachMu sync.Mutex // orders attaching, from the read loop or a re-ask
	boardsMu sync.Mutex
	boards   map[string]*liveBoard // attached boards; nil once the connection ended
	// offered holds boards this peer offered (sent a sync message for)
	// while it could not have them; they are asked for when that changes.
	offered map[string]bool
	// unfit holds boards this peer sent changes for that cannot fit them;
	// nothing more it sends for them is looked at (see refuseUnfit).
	unfit  map[string]bool
	queued atomic.Int64 // messages waiting in boards' inboxes
	// presence limits how fast this peer's ephemeral messages are relayed.
	presence *rate.Limiter
}

// ServeHTTP upgrades GET /v1/sync to the automerge-repo protocol.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	id, err := s.authenticate(r)
	if err != nil || id.UserID == "" {
		http.Error(w, "unauthenticated", http.StatusUnauthorized)
		return
	}
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	var raw net.Conn
	ws, err := websocket.Accept(keepRaw{w, &raw}, r, &websocket.AcceptOptions{OriginPatterns: s.origins})
	if err != nil {
		return // Accept has answered
	}
	ws.SetReadLimit(wire.MaxMessageBytes)
	c := &conn{s: s, ws: ws, raw: raw, userID: id.UserID, valid: id.Valid, outReady: make(chan struct{}, 1), done: make(chan struct{}), boards: map[string]*liveBoard{},
		presence: rate.NewLimiter(presenceRate, presenceBurst), wake: make(chan struct{}, 1)}
	s.mu.Lock()
	s.conns[c] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		c.boardsMu.Lock()
		boards := c.boards
		c.boards = nil
		c.boardsMu.Unlock()
		for _, b := range boards {
			b.detach(c)
			s.release(b)
		}
		s.memory.soon() // the peer's sync states and queues
	}()
	// The request's context ends with the hijacked connection's handler; the
	// peer's life is bounded by the socket instead.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go c.writeLoop(ctx)
	c.keepalive(ctx)
	defer c.pingT.Stop()
	c.readLoop(ctx)
	// The socket's read watcher may still hold ctx: cancelling it while fail
	// is writing its reason would cut the connection before the reason.
	c.failing.Wait()
}

func (c *conn) readLoop(ctx context.Context) {
	for {
		typ, data, err := c.ws.Read(ctx)
		at := time.Now()
		if err != nil {
			c.close(websocket.StatusNormalClosure, "")
			return
		}
		if typ != websocket.MessageBinary {
			c.fail("expected binary CBOR messages")
			return
		}
		m, err := wire.Decode(data)
		if err != nil {
			c.s.log.Info("collab: malformed message", "user", c.userID, "err", err)
			c.fail("malformed message")
			return
		}
		if !c.handle(ctx, m, at) || c.closed() {
			return
		}
	}
}

// handle acts on one message, which arrived at at; false means the
// connection is finished.
func (c *conn) handle(ctx context.Context, m wire.Message, at time.Time) bool {
	if c.peerID == "" {
		if m.Type != wire.TypeJoin {
			c.fail("the first message must be join")
			return false
		}
		if !m.SupportsV1() {
			c.fail("unsupported protocol version")
			return false
		}
		c.peerID = m.SenderID
		c.send(wire.Message{
			Type: wire.TypePeer, SenderID: c.s.peerID, TargetID: c.peerID,
			PeerMetadata:            &wire.PeerMetadata{StorageID: c.s.storageID, IsEphemeral: false},
			SelectedProtocolVersion: wire.ProtocolV1,
		})
		return true
	}
	if m.SenderID != c.peerID {
		return true // the reference server ignores messages in another peer's name
	}
	switch m.Type {
	case wire.TypeRequest, wire.TypeSync:
		return c.sync(ctx, m, at)
	case wire.TypeEphemeral:
		// Over the rate, presence is dropped, not queued: the next update
		// supersedes it anyway.
		if b := c.attached(m.DocumentID); b != nil && c.presence.Allow() && c.s.authorize(ctx, c.userID, m.DocumentID) {
			if b.relay(c, m) && c.s.presence != nil {
				if raw, err := wire.Encode(m); err == nil {
					if err := c.s.presence.Publish(m.DocumentID, raw); err != nil {
						c.s.log.Warn("collab: presence to other nodes", "err", err)
					}
				}
			}
		}
		return true
	case wire.TypeLeave:
		c.close(websocket.StatusNormalClosure, "")
		return false
	default:
		// doc-unavailable from a client, remote heads messages, and types of
		// later versions carry nothing this server needs.
		return true
	}
}

func (c *conn) sync(ctx context.Context, m wire.Message, at time.Time) bool {
	if c.isUnfit(m.DocumentID) {
		return true
	}
	if !c.s.authorize(ctx, c.userID, m.DocumentID) {
		if reason := c.s.closedReason(ctx, c.userID, m.DocumentID); reason != "" {
			c.s.log.Info("collab: refused a document closed to its user", "doc", m.DocumentID, "user", c.userID)
			c.markRefused(m.DocumentID, reason)
			if b := c.attached(m.DocumentID); b != nil {
				b.detach(c)
			}
			return true
		}
		if m.Type == wire.TypeSync {
			c.offer(m.DocumentID)
		}
		c.refuse(m.DocumentID, at)
		return true
	}
	if reason := c.s.unfit(m.Data); reason != "" {
		c.refuseUnfit(m.DocumentID, reason)
		return true
	}
	b, err := c.attach(ctx, m.DocumentID)
	if errors.Is(err, errTooManyBoards) {
		c.fail("too many documents on one connection")
		return false
	}
	if err != nil {
		c.s.log.Error("collab: load board", "doc", m.DocumentID, "err", err)
		c.refuse(m.DocumentID, at)
		return true
	}
	b.enqueue(c, m)
	return !c.closed()
}

var (
	errTooManyBoards = errors.New("too many documents on one connection")
	errConnClosed    = errors.New("connection closed")
)

// attach returns the board docID, attaching it to c on first use.
func (c *conn) attach(ctx context.Context, docID string) (*liveBoard, error) {
	c.attachMu.Lock()
	defer c.attachMu.Unlock()
	if b := c.attached(docID); b != nil {
		return b, nil
	}
	if c.boardCount() >= maxBoardsPerConn {
		return nil, errTooManyBoards
	}
	b, err := c.s.attach(ctx, docID)
	if err != nil {
		return nil, err
	}
	c.boardsMu.Lock()
	ended := c.boards == nil
	if !ended {
		c.boards[docID] = b
	}
	c.boardsMu.Unlock()
	if ended {
		c.s.release(b)
		return nil, errConnClosed
	}
	return b, nil
}

// perChangeAllowance is what a change may take on the wire beyond what a
// saved board keeps of it (its header, the hashes of its dependencies): a
// history of many small changes is sent in tens of times the bytes it is
// saved in, so only the excess counts against the board's limit.
const perChangeAllowance = 256

// unfit says why the changes in a sync message cannot fit a board of
// MaxDocBytes, or "". It reads lengths only, so a message no board could
// hold costs no worker check, and holds no lock.
func (s *Server) unfit(data []byte) string {
	n, size, err := wire.SyncChanges(data)
	if err != nil {
		n, size = 1, len(data) // the worker refuses it anyway; count it all
	}
	if size-n*perChangeAllowance > s.maxDocBytes {
		return fmt.Sprintf("changes too large for a board: %d bytes in %d changes, a board holds at most %d bytes", size, n, s.maxDocBytes)
	}
	return ""
}

// refuseUnfit answers changes that cannot fit board docID once and for the
// connection's life (see markRefused), before any worker sees them.
func (c *conn) refuseUnfit(docID, reason string) {
	c.s.log.Warn("collab: refused changes that cannot fit the board", "doc", docID, "user", c.userID, "reason", reason)
	c.markRefused(docID, reason)
	if b := c.attached(docID); b != nil {
		b.detach(c)
	}
}

// markRefused answers a board's refused changes once and for the
// connection's life: an error message saying why and doc-unavailable; what
// the peer sends for that board afterwards is dropped unread. The stock
// client, answered nothing more, stops sending it; its other boards sync
// on. A reconnected client that sends the same is refused the same way. A
// connection refused more boards than it may attach is closed. The caller
// stops the peer being a peer of the board.
func (c *conn) markRefused(docID, reason string) {
	c.boardsMu.Lock()
	if c.unfit == nil {
		c.unfit = map[string]bool{}
	}
	c.unfit[docID] = true
	tooMany := len(c.unfit) > maxBoardsPerConn
	c.boardsMu.Unlock()
	if tooMany {
		c.fail("too many refused documents on one connection")
		return
	}
	c.send(wire.Message{Type: wire.TypeError, SenderID: c.s.peerID, TargetID: c.peerID, ErrorMessage: reason})
	c.send(wire.Message{Type: wire.TypeDocUnavailable, SenderID: c.s.peerID, TargetID: c.peerID, DocumentID: docID})
}

func (c *conn) isUnfit(docID string) bool {
	c.boardsMu.Lock()
	defer c.boardsMu.Unlock()
	return c.unfit[docID]
}

// offer notes that the peer has docID, which it may not sync yet.
func (c *conn) offer(docID string) {
	c.boardsMu.Lock()
	defer c.boardsMu.Unlock()
	if c.offered == nil {
		c.offered = map[string]bool{}
	}
	if len(c.offered) < maxBoardsPerConn {
		c.offered[docID] = true
	}
}

// takeOffer reports whether the peer offered docID, and forgets it.
func (c *conn) takeOffer(docID string) bool {
	c.boardsMu.Lock()
	defer c.boardsMu.Unlock()
	if !c.offered[docID] {
		return false
	}
	delete(c.offered, docID)
	return true
}

const maxBoardsPerConn = 256

// refusalDelay is when, after the asking message arrived, a refused board
// is answered doc-unavailable. Finding out takes longer for some boards than
// others (another team's board costs a load of that team, an unknown one
// does not); answering every refusal at the same moment keeps that from
// telling anyone what exists.
const refusalDelay = 20 * time.Millisecond

// refuse answers doc-unavailable for docID refusalDelay after at.
func (c *conn) refuse(docID string, at time.Time) {
	m := wire.Message{Type: wire.TypeDocUnavailable, SenderID: c.s.peerID, TargetID: c.peerID, DocumentID: docID}
	if wait := time.Until(at.Add(refusalDelay)); wait > 0 {
		time.AfterFunc(wait, func() { c.send(m) })
		return
	}
	c.send(m)
}

// Presence (cursors, selections) per connection: a steady 30 updates a
// second with bursts of 60, plenty for a cursor and nothing to flood with.
const (
	presenceRate  = 30
	presenceBurst = 60
)

// send queues a message for the peer, dropping the peer if it is too far behind.
func (c *conn) send(m wire.Message) {
	b, err := wire.Encode(m)
	if err != nil {
		c.s.log.Error("collab: encode", "err", err)
		return
	}
	if c.outBytes.Add(int64(len(b))) > sendQueueBytes {
		c.outBytes.Add(-int64(len(b)))
		go c.close(websocket.StatusTryAgainLater, "too far behind")
		return
	}
	c.outMu.Lock()
	full := len(c.out) >= sendQueue
	if !full && !c.closed() {
		c.out = append(c.out, b)
	} else {
		c.outBytes.Add(-int64(len(b)))
	}
	c.outMu.Unlock()
	if full {
		go c.close(websocket.StatusTryAgainLater, "too far behind")
		return
	}
	select {
	case c.outReady <- struct{}{}:
	default: // the write loop is woken already
	}
}

// fail tells the peer why, then closes. It returns at once: the connection
// counts as closed from here on, and the reason goes out before the close.
func (c *conn) fail(reason string) {
	c.closeOnce.Do(func() {
		close(c.done)
		c.failing.Add(1)
		go func() {
			defer c.failing.Done()
			if b, err := wire.Encode(wire.Message{Type: wire.TypeError, SenderID: c.s.peerID, TargetID: c.peerID, ErrorMessage: reason}); err == nil {
				ctx, cancel := context.WithTimeout(context.Background(), time.Second)
				_ = c.ws.Write(ctx, websocket.MessageBinary, b)
				cancel()
			}
			c.closeSocket(websocket.StatusPolicyViolation, reason)
		}()
	})
}

func (c *conn) close(code websocket.StatusCode, reason string) {
	c.closeOnce.Do(func() {
		close(c.done)
		go c.closeSocket(code, reason)
	})
}

// closeGrace bounds a close handshake. The library waits for the peer's
// close frame, and a peer that never reads never sends it: under load the
// wait was seen to outlast a minute, the socket open all along.
const closeGrace = 5 * time.Second

// closeSocket closes the WebSocket with a handshake of at most closeGrace,
// then aborts it.
func (c *conn) closeSocket(code websocket.StatusCode, reason string) {
	t := time.AfterFunc(closeGrace, c.abort)
	defer t.Stop()
	_ = c.ws.Close(code, reason)
}

// abort closes the socket at once and has the kernel drop what it still
// holds for the peer, answering it with a reset. A plain close would leave
// the kernel sending that to a peer that does not read, for minutes after
// the server let the connection go, and the peer, its own buffer full of
// what it sent, would never learn it was cut off (seen in
// TestAClientThatNeverReadsIsCutOffWhileHonestEditsGoThrough).
func (c *conn) abort() {
	if tc, ok := c.raw.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = c.ws.CloseNow()
	if c.raw != nil {
		_ = c.raw.Close() // CloseNow leaves it open while a close handshake runs
	}
}

// keepalive pings the peer every Deps.PingInterval and cuts it off if it
// does not answer within Deps.PongTimeout. Browsers answer pings
// themselves; a peer that does not is gone (a laptop closed mid-session) or
// does not read, and either way holds a socket, its kernel buffers and its
// sync states for nothing. The writes' own timeout does not see such a peer
// while what is sent to it still fits in the kernel's buffers. While a
// write is under way the peer is not pinged, nor cut off for a ping: the
// write timeout bounds it, and the library fails a ping that waits 5 s
// behind a write, which would cut off a slow link taking a large board.
// The timer is stopped when the connection ends.
func (c *conn) keepalive(ctx context.Context) {
	c.pingT = time.AfterFunc(time.Hour, func() {
		if c.closed() {
			return
		}
		var err error
		if !c.writing.Load() {
			pctx, cancel := context.WithTimeout(ctx, c.s.pongTimeout)
			err = c.ws.Ping(pctx)
			cancel()
		}
		switch {
		case c.closed():
		case err != nil && !c.writing.Load():
			// No close handshake: the peer would not read it.
			c.s.log.Info("collab: cut off a peer that did not answer a ping", "user", c.userID, "err", err)
			c.closeOnce.Do(func() {
				close(c.done)
				go c.abort()
			})
		default:
			c.pingT.Reset(c.s.pingInterval)
		}
	})
	c.pingT.Stop()
	c.pingT.Reset(c.s.pingInterval) // armed once c.pingT is set for the callback
}

// keepRaw hands the WebSocket library the response writer and keeps the
// connection it hijacks.
type keepRaw struct {
	http.ResponseWriter
	raw *net.Conn
}

func (k keepRaw) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	nc, brw, err := http.NewResponseController(k.ResponseWriter).Hijack()
	*k.raw = nc
	return nc, brw, err
}

func (c *conn) closed() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

func (c *conn) writeLoop(ctx context.Context) {
	for {
		select {
		case <-c.done:
			return
		case <-ctx.Done():
			return
		case <-c.outReady:
		}
		for {
			c.outMu.Lock()
			if len(c.out) == 0 {
				c.out = nil // give back the room a burst took
				c.outMu.Unlock()
				break
			}
			b := c.out[0]
			c.out[0] = nil
			c.out = c.out[1:]
			c.outMu.Unlock()
			c.outBytes.Add(-int64(len(b)))
			if c.closed() || !c.waitHeld(ctx) {
				return
			}
			wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			c.writing.Store(true)
			err := c.ws.Write(wctx, websocket.MessageBinary, b)
			c.writing.Store(false)
			cancel()
			if err != nil {
				c.close(websocket.StatusGoingAway, "write failed")
				return
			}
		}
	}
}
