package live

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/coder/websocket"

	"github.com/hindsight-retro/hindsight/api/identity"
)

// ServeWS serves GET /v1/retros/{id}/live as a WebSocket for a principal the
// HTTP layer has authenticated. A principal Authorize refuses gets 403
// before the upgrade. ?after=N resumes after position N.
func (h *Hub) ServeWS(w http.ResponseWriter, r *http.Request, p identity.Principal, retroID string) {
	after, err := afterParam(r, false)
	if err != nil {
		h.refuse(w, r, http.StatusBadRequest, err)
		return
	}
	s, status, err := h.open(r.Context(), p, retroID, after)
	if err != nil {
		h.refuse(w, r, status, err)
		return
	}
	defer s.close()
	ws, err := websocket.Accept(w, r, nil)
	if err != nil {
		return // Accept has answered the request
	}
	ws.SetReadLimit(h.deps.ReadLimit)
	go h.readWS(s, ws)
	switch s.serve(wsSink{ws: ws, timeout: h.deps.WriteTimeout, every: h.deps.PingInterval}) {
	case endSlow:
		_ = ws.Close(websocket.StatusTryAgainLater, "slow consumer: resume")
	case endDrain:
		_ = ws.Close(websocket.StatusServiceRestart, "node draining: resume")
	default:
		_ = ws.CloseNow()
	}
}

// clientMsg is what a client may send.
type clientMsg struct {
	Type   string `json:"type"`
	Typing bool   `json:"typing"`
	Done   bool   `json:"done"`
}

// readWS reads the client's messages (presence only) and answers the
// protocol's pings; a message the hub cannot accept closes the connection
// with 1008 (a too large one, with 1009 from the library).
func (h *Hub) readWS(s *session, ws *websocket.Conn) {
	defer s.c.cancel()
	for {
		typ, data, err := ws.Read(s.ctx)
		if err != nil {
			return
		}
		var m clientMsg
		if typ != websocket.MessageText || json.Unmarshal(data, &m) != nil || m.Type != "presence" {
			_ = ws.Close(websocket.StatusPolicyViolation, `expected {"type":"presence","typing":bool,"done":bool}`)
			return
		}
		s.c.room.setPresence(s.c, m.Typing, m.Done)
	}
}

type wsSink struct {
	ws      *websocket.Conn
	timeout time.Duration
	every   time.Duration
}

func (s wsSink) write(ctx context.Context, data []byte, _ uint64) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	return s.ws.Write(ctx, websocket.MessageText, data)
}

// keepalive pings without holding up the writer; a client that does not
// answer within the write timeout is cut off.
func (s wsSink) keepalive(ctx context.Context) error {
	go func() {
		ctx, cancel := context.WithTimeout(ctx, s.timeout)
		defer cancel()
		if err := s.ws.Ping(ctx); err != nil {
			_ = s.ws.CloseNow()
		}
	}()
	return nil
}

func (s wsSink) interval() time.Duration { return s.every }

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
		return nil, fmt.Errorf("%w: resume position %q is not a non-negative integer", ErrBadRequest, raw)
	}
	return &n, nil
}

func (h *Hub) refuse(w http.ResponseWriter, r *http.Request, status int, err error) {
	if h.deps.Refuse != nil {
		h.deps.Refuse(w, r, status, err)
		return
	}
	http.Error(w, err.Error(), status)
}
