package live

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/coder/websocket"

	"github.com/hindsight-retro/hindsight/api/problem"
	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/domain"
)

// ServeWS serves GET /v1/retros/{id}/live as a WebSocket for a principal the
// HTTP layer has authenticated. A principal Authorize refuses gets 403
// before the upgrade. ?after=N resumes after position N.
func (h *Hub) ServeWS(w http.ResponseWriter, r *http.Request, p identity.Principal, retroID string) {
	after, err := afterParam(r, false)
	if err != nil {
		refuse(w, r, err)
		return
	}
	patches, err := changesParam(r)
	if err != nil {
		refuse(w, r, err)
		return
	}
	// The connection outlives the request: the handler returns once the
	// WebSocket is up (see below), and net/http cancels the request's
	// context then.
	c, err := h.open(r.Context(), context.Background(), p, retroID, after, patches, func(c *conn) func() { return c.spawn })
	if err != nil {
		refuse(w, r, err)
		return
	}
	ws, err := websocket.Accept(smallBuffers{w}, r, &websocket.AcceptOptions{OriginPatterns: h.deps.OriginPatterns})
	if err != nil {
		c.close()
		return // Accept has answered the request
	}
	ws.SetReadLimit(h.deps.ReadLimit)
	// Stopped until a write starts; it closes the socket when a write
	// outlasts the write timeout.
	watch := time.AfterFunc(time.Hour, func() { _ = ws.CloseNow() })
	watch.Stop()
	c.begin(wsSink{ws: ws, c: c, watch: watch})
	h.keepalive(c, ws)
	// The handler returns now, so that an idle connection does not keep
	// what serving the request needed: net/http's goroutine, whose stack
	// the middleware grew, and the request and response with their
	// buffers. A new goroutine, whose stack is only as deep as a read,
	// reads the client's messages until the connection ends.
	go h.readWS(c, ws)
}

// Buffer sizes of a WebSocket once upgraded. A client sends only small
// presence reports, and one card's change fits in the write buffer; a
// larger message is written past the buffer, straight to the socket.
// net/http's own 4 KiB reader and writer would stay with every idle
// connection.
const (
	wsReadBuffer  = 512
	wsWriteBuffer = 1 << 10
)

// smallBuffers hands the WebSocket library the hijacked connection with
// smaller buffers than net/http's (see wsReadBuffer).
type smallBuffers struct{ http.ResponseWriter }

func (s smallBuffers) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func (s smallBuffers) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	nc, brw, err := http.NewResponseController(s.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	// Bytes the client sent after its handshake may already sit in
	// net/http's reader. They move to the new reader's buffer, where the
	// library looks for them (it then reads from nc).
	n := brw.Reader.Buffered()
	early, _ := brw.Reader.Peek(n)
	br := bufio.NewReaderSize(io.MultiReader(bytes.NewReader(bytes.Clone(early)), nc), max(wsReadBuffer, n))
	if _, err := br.Peek(n); err != nil {
		_ = nc.Close()
		return nil, nil, fmt.Errorf("live: keep the bytes read past the handshake: %w", err)
	}
	return nc, bufio.NewReadWriter(br, bufio.NewWriterSize(nc, wsWriteBuffer)), nil
}

// clientMsg is what a client may send.
type clientMsg struct {
	Type   string `json:"type"`
	Typing bool   `json:"typing"`
	Done   bool   `json:"done"`
}

// errClientMsg is a client message the hub does not accept.
var errClientMsg = errors.New(`live: expected {"type":"presence","typing":bool,"done":bool}`)

// decodeClientMsg reads one message from a client: a text frame holding a
// presence report, nothing else.
func decodeClientMsg(typ websocket.MessageType, data []byte) (clientMsg, error) {
	var m clientMsg
	if typ != websocket.MessageText || json.Unmarshal(data, &m) != nil || m.Type != "presence" {
		return clientMsg{}, errClientMsg
	}
	return m, nil
}

// readWS reads the client's messages (presence only), which also answers
// the protocol's pings and close frames, until the connection ends. A
// message the hub cannot accept closes it with 1008 (a too large one with
// 1009, from the library).
func (h *Hub) readWS(c *conn, ws *websocket.Conn) {
	defer c.close()
	// No middleware runs here any more: a panic ends this connection,
	// not the process.
	defer func() {
		if rec := recover(); rec != nil {
			h.log.Error("live: reading a WebSocket panicked", "retro", c.room.id, "panic", rec)
			_ = ws.CloseNow()
		}
	}()
	for {
		typ, data, err := ws.Read(c.ctx)
		if err != nil {
			return
		}
		m, err := decodeClientMsg(typ, data)
		if err != nil {
			_ = ws.Close(websocket.StatusPolicyViolation, `expected {"type":"presence","typing":bool,"done":bool}`)
			return
		}
		c.report(m.Typing, m.Done)
	}
}

// keepalive pings the client every PingInterval from a timer, so an idle
// connection has no goroutine for it; a client that does not answer within
// the write timeout is cut off.
//
// While a writer runs (and does not merely linger), the connection is not pinged: the write is bounded
// by the write timeout already, and a ping would wait behind it. The
// library gives a ping 5 s to start writing, then fails it, which cut off
// a stalled client before its writer could tell it where to resume.
func (h *Hub) keepalive(c *conn, ws *websocket.Conn) {
	writing := func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.running && !c.lingering
	}
	var ping func()
	ping = func() {
		if !writing() {
			ctx, cancel := context.WithTimeout(c.ctx, h.deps.WriteTimeout)
			err := ws.Ping(ctx)
			cancel()
			if err != nil && !writing() {
				_ = ws.CloseNow()
				return
			}
		}
		c.mu.Lock()
		if !c.closed {
			c.pingT.Reset(h.deps.PingInterval)
		}
		c.mu.Unlock()
	}
	c.mu.Lock()
	c.pingT = time.AfterFunc(h.deps.PingInterval, ping)
	c.mu.Unlock()
}

type wsSink struct {
	ws    *websocket.Conn
	c     *conn
	watch *time.Timer
}

// write bounds each write by the write timeout with the connection's watch
// timer rather than a context with a deadline: a context per message, its
// timer and the library's watch on it cost 4 % of the server's CPU at 100
// cards/s. The context given still stops a write that has not begun.
func (s wsSink) write(ctx context.Context, data []byte, _ uint64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.watch.Reset(s.c.hub.deps.WriteTimeout)
	err := s.ws.Write(context.WithoutCancel(ctx), websocket.MessageText, data)
	s.watch.Stop()
	return err
}

// end tells a client that must go where to resume, then closes: 1013 (try
// again later) for a slow consumer, 1012 (service restart) on drain. A
// revoked viewer is told so and closed with 1008 (policy violation).
func (s wsSink) end(e ending) {
	code, reason := websocket.StatusTryAgainLater, "slow consumer: resume"
	switch e {
	case endRevoked:
		msg, reason := s.c.revokedNotice()
		_ = s.write(s.c.ctx, msg, 0)
		_ = s.ws.Close(websocket.StatusPolicyViolation, reason)
		return
	case endDrain:
		code, reason = websocket.StatusServiceRestart, "node draining: resume"
	case endSlow:
	default:
		_ = s.ws.CloseNow()
		return
	}
	_ = s.write(s.c.ctx, s.c.resumeMessage(), 0)
	_ = s.ws.Close(code, reason)
}

// afterParam reads the resume position: ?after=N, or on SSE the
// Last-Event-ID header, which wins because a browser's EventSource sends it
// on reconnecting while the URL still carries the first ?after.
func afterParam(r *http.Request, sse bool) (*uint64, error) {
	raw := r.URL.Query().Get("after")
	if sse {
		if id := r.Header.Get("Last-Event-ID"); id != "" {
			raw = id
		}
	}
	if raw == "" {
		return nil, nil
	}
	n, err := strconv.ParseUint(raw, 10, 64)
	if err != nil {
		return nil, domain.Errorf(domain.Invalid, "", "the live feed request is malformed: resume position %q is not a non-negative integer", raw)
	}
	return &n, nil
}

// Values of the changes parameter: what a change message carries besides
// the redacted events.
const (
	// ChangesView: the whole view, on the last change of a burst (the default).
	ChangesView = "view"
	// ChangesPatch: on every change, a JSON Patch (RFC 6902) of the view
	// the client holds (the last snapshot with every patch since applied).
	ChangesPatch = "patch"
)

// changesParam reads ?changes=, which says whether the client follows
// patches of its view rather than whole views.
func changesParam(r *http.Request) (bool, error) {
	switch v := r.URL.Query().Get("changes"); v {
	case "", ChangesView:
		return false, nil
	case ChangesPatch:
		return true, nil
	default:
		return false, domain.Errorf(domain.Invalid, "", "the live feed request is malformed: changes %q is neither %q nor %q", v, ChangesView, ChangesPatch)
	}
}

// refuse answers a request the hub will not serve, as every other error
// of the API is answered: an RFC 9457 problem, through the same map.
func refuse(w http.ResponseWriter, r *http.Request, err error) {
	p, _ := problem.From(err)
	if errors.Is(err, errUnavailable) {
		p.RetryAfter = 1
	}
	problem.Write(w, r, p)
}

// refusal is what a client refused by Authorize is told: the refusal
// itself when it is one of not found or forbidden, else errRefused. The
// rest (no principal, a failure to check) is logged, not shown.
func (h *Hub) refusal(retroID string, err error) error {
	switch domain.KindOf(err) {
	case domain.NotFound, domain.Forbidden:
		return err
	case 0:
		h.log.Warn("live: authorising a connection failed", "retro", retroID, "err", err)
	}
	return fmt.Errorf("%w: %w", errRefused, err)
}
