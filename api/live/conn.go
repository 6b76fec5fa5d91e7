package live

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hindsight-retro/hindsight/api/identity"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/eventstore"
)

type itemKind int

const (
	kindChange itemKind = iota // a commit, redacted by each connection's writer
	kindRaw                    // bytes that are the same for every viewer (presence)
)

// item is one queued message. Items are shared by all connections of a room
// and never changed after they are queued.
type item struct {
	kind   itemKind
	pos    uint64
	events []retro.Event
	state  *retro.State // the room's state after the commit
	data   []byte
}

// conn is one client connection, whatever its transport.
type conn struct {
	hub    *Hub
	room   *room
	viewer retro.Viewer
	q      chan *item

	kick     chan struct{} // closed when the queue overflowed
	kickOnce sync.Once
	cancel   context.CancelFunc

	typing, done bool // guarded by room.mu
}

// push queues an item without ever waiting. A connection that cannot take
// it is a slow consumer: it is told to resume and closed by its writer; if
// the writer is stuck in a write, the context is cancelled after
// WriteTimeout to cut it off.
func (c *conn) push(it *item) {
	select {
	case c.q <- it:
	default:
		c.kickOnce.Do(func() {
			c.hub.stats.dropped.Add(1)
			close(c.kick)
			time.AfterFunc(c.hub.deps.WriteTimeout, c.cancel)
		})
	}
}

// sink is a transport: it writes one message, keeps the connection alive,
// and says goodbye.
type sink interface {
	// write sends one message; id is the SSE event ID (0 for none).
	write(ctx context.Context, data []byte, id uint64) error
	keepalive(ctx context.Context) error
	interval() time.Duration
}

// ending tells the transport how to close.
type ending int

const (
	endGone  ending = iota // the client left or a write failed
	endSlow                // queue overflow: told to resume
	endDrain               // node draining: told to resume
)

// session is what open prepared for a connection: the snapshot it starts
// from and, when resuming, the position the client already has.
type session struct {
	c        *conn
	ctx      context.Context
	state    retro.State
	pos      uint64
	after    uint64
	resuming bool
}

// open authorises the request and joins the retro's room. On failure it
// returns the HTTP status to refuse with.
func (h *Hub) open(ctx context.Context, p identity.Principal, retroID string, after *uint64) (*session, int, error) {
	select {
	case <-h.ready:
	case <-h.stop:
		return nil, 503, ErrUnavailable
	case <-ctx.Done():
		return nil, 503, fmt.Errorf("%w: %w", ErrUnavailable, ctx.Err())
	}
	if err := (eventstore.StreamID{Category: Category, ID: retroID}).Validate(); err != nil {
		return nil, 400, fmt.Errorf("%w: retro ID: %w", ErrBadRequest, err)
	}
	viewer, err := h.deps.Authorize(ctx, p, retroID)
	if err != nil {
		return nil, 403, err
	}
	if !h.enter() {
		return nil, 503, ErrUnavailable
	}
	rm, err := h.acquire(ctx, retroID)
	if err != nil {
		h.leave()
		switch {
		case errors.Is(err, ErrNoRetro):
			return nil, 404, err
		case errors.Is(err, ErrUnavailable):
			return nil, 503, err
		}
		return nil, 503, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	cctx, cancel := context.WithCancel(ctx)
	c := &conn{hub: h, room: rm, viewer: viewer, q: make(chan *item, h.deps.QueueSize), kick: make(chan struct{}), cancel: cancel}
	s := &session{c: c, ctx: cctx}
	s.state, s.pos = rm.join(c)
	if after != nil {
		s.after, s.resuming = *after, true
	}
	return s, 0, nil
}

// close leaves the room and the hub.
func (s *session) close() {
	s.c.cancel()
	s.c.room.leave(s.c)
	s.c.hub.release(s.c.room)
	s.c.hub.leave()
}

// serve writes the feed until the client leaves, overflows or the node
// drains, and says which.
func (s *session) serve(out sink) ending {
	c, ctx := s.c, s.ctx
	send := func(data []byte, id uint64) bool {
		if err := out.write(ctx, data, id); err != nil {
			return false
		}
		c.hub.stats.sent.Add(1)
		return true
	}
	sent := s.pos
	if s.resuming {
		var ok bool
		if sent, ok = s.replay(send); !ok {
			return endGone
		}
	}
	if !s.resuming || s.after <= s.pos {
		b, err := json.Marshal(snapshotMsg{Type: "snapshot", Position: s.pos, View: retro.View(s.state, c.viewer)})
		if err != nil || !send(b, s.pos) {
			return endGone
		}
	}
	resume := func(why ending) ending {
		b, _ := json.Marshal(resumeMsg{Type: "resume", After: sent})
		_ = out.write(ctx, b, sent)
		return why
	}
	tick := time.NewTicker(out.interval())
	defer tick.Stop()
	for {
		// Overflow and drain come before whatever is still queued.
		select {
		case <-c.kick:
			return resume(endSlow)
		case <-c.hub.stop:
			return resume(endDrain)
		default:
		}
		select {
		case <-ctx.Done():
			return endGone
		case <-c.kick:
			return resume(endSlow)
		case <-c.hub.stop:
			return resume(endDrain)
		case <-tick.C:
			if err := out.keepalive(ctx); err != nil {
				return endGone
			}
		case it := <-c.q:
			switch it.kind {
			case kindRaw:
				if !send(it.data, 0) {
					return endGone
				}
			case kindChange:
				if it.pos <= sent {
					continue // the client had it already (resumed ahead of this node)
				}
				b, err := encodeChange(it.pos, it.events, *it.state, c.viewer, len(c.q) == 0)
				if err != nil {
					c.hub.log.Error("live: encode change", "retro", c.room.id, "position", it.pos, "err", err)
					return endGone
				}
				if !send(b, it.pos) {
					return endGone
				}
				sent = it.pos
			}
		}
	}
}

// replay sends the commits the client missed: those after s.after up to
// the snapshot position, read from the store. Later ones are in the queue.
func (s *session) replay(send func([]byte, uint64) bool) (uint64, bool) {
	c := s.c
	sent := max(s.after, s.pos)
	if s.after >= s.pos {
		return sent, true
	}
	recs, err := c.hub.deps.Store.Load(s.ctx, eventstore.StreamID{Category: Category, ID: c.room.id}, 0)
	if err != nil {
		c.hub.log.Warn("live: replay", "retro", c.room.id, "err", err)
		return 0, false
	}
	for i := 0; i < len(recs); {
		j := i
		for j < len(recs) && recs[j].Position == recs[i].Position {
			j++
		}
		pos := recs[i].Position
		if pos > s.after && pos <= s.pos {
			b, err := encodeChange(pos, c.hub.decode(recs[i:j]), s.state, c.viewer, false)
			if err != nil || !send(b, pos) {
				return 0, false
			}
		}
		i = j
	}
	return sent, true
}

type snapshotMsg struct {
	Type     string          `json:"type"`
	Position uint64          `json:"position"`
	View     retro.RetroView `json:"view"`
}

type changeMsg struct {
	Type     string           `json:"type"`
	Position uint64           `json:"position"`
	Events   []wireEvent      `json:"events"`
	View     *retro.RetroView `json:"view,omitempty"`
}

type wireEvent struct {
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

type resumeMsg struct {
	Type  string `json:"type"`
	After uint64 `json:"after"`
}

// encodeChange is the only way a commit leaves the hub: each event through
// retro.RedactEvent for the viewer, the view through retro.View.
func encodeChange(pos uint64, events []retro.Event, st retro.State, v retro.Viewer, withView bool) ([]byte, error) {
	m := changeMsg{Type: "change", Position: pos, Events: make([]wireEvent, 0, len(events))}
	for _, e := range events {
		red, ok := retro.RedactEvent(st, e, v)
		if !ok {
			continue
		}
		typ, _, payload, err := retro.EncodeEvent(red)
		if err != nil {
			return nil, err
		}
		m.Events = append(m.Events, wireEvent{Type: typ, Data: payload})
	}
	if withView {
		view := retro.View(st, v)
		m.View = &view
	}
	return json.Marshal(m)
}
