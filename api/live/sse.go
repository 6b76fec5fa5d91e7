package live

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/hindsight-retro/hindsight/app/identity"
)

// ServeSSE serves the same feed as Server-Sent Events, for networks that
// block WebSockets. Snapshots and changes carry their position as the event
// ID, so a reconnecting EventSource resumes through Last-Event-ID. SSE is
// one-way: such clients count as here but cannot report typing.
func (h *Hub) ServeSSE(w http.ResponseWriter, r *http.Request, p identity.Principal, retroID string) {
	after, err := afterParam(r, true)
	if err != nil {
		refuse(w, r, err)
		return
	}
	patches, err := changesParam(r)
	if err != nil {
		refuse(w, r, err)
		return
	}
	wake := make(chan struct{}, 1)
	c, err := h.open(r.Context(), r.Context(), p, retroID, after, patches, func(*conn) func() {
		return func() {
			select {
			case wake <- struct{}{}:
			default:
			}
		}
	})
	if err != nil {
		refuse(w, r, err)
		return
	}
	defer c.close()
	hd := w.Header()
	hd.Set("Content-Type", "text/event-stream")
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Accel-Buffering", "no") // proxies must not hold events back
	w.WriteHeader(http.StatusOK)
	out := &sseSink{w: w, rc: http.NewResponseController(w), c: c}
	if err := out.raw([]byte("retry: 2000\n\n")); err != nil {
		return
	}
	c.begin(out)
	// The handler is the writer: an SSE response lives as long as it runs.
	tick := time.NewTicker(h.deps.HeartbeatInterval)
	defer tick.Stop()
	for {
		if e := c.flush(); e != endNone {
			out.end(e)
			return
		}
		select {
		case <-c.ctx.Done():
			return
		case <-wake:
		case <-tick.C:
			if err := out.raw([]byte(": keepalive\n\n")); err != nil {
				return
			}
		}
	}
}

type sseSink struct {
	w  http.ResponseWriter
	rc *http.ResponseController
	c  *conn
}

func (s *sseSink) write(_ context.Context, data []byte, id uint64) error {
	var b []byte
	if id > 0 {
		b = fmt.Appendf(b, "id: %d\n", id)
	}
	// JSON from encoding/json holds no raw newline, so one data line suffices.
	b = append(b, "data: "...)
	b = append(b, data...)
	b = append(b, "\n\n"...)
	return s.raw(b)
}

// end sends the resume or revoked event; returning from the handler ends
// the response.
func (s *sseSink) end(e ending) {
	if e == endRevoked {
		msg, _ := s.c.revokedNotice()
		_ = s.write(s.c.ctx, msg, 0)
		return
	}
	if e == endSlow || e == endDrain {
		_ = s.write(s.c.ctx, s.c.resumeMessage(), s.c.sent)
	}
}

// raw writes and flushes under a deadline, so a stalled reader costs its
// writer at most the write timeout.
func (s *sseSink) raw(b []byte) error {
	if err := s.rc.SetWriteDeadline(time.Now().Add(s.c.hub.deps.WriteTimeout)); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return err
	}
	if _, err := s.w.Write(b); err != nil {
		return err
	}
	return s.rc.Flush()
}
