package collab

import (
	"context"
	"time"
)

// Access is checked when a peer asks for a board, and again while it syncs
// it, as the live feed does:
//
//   - when Deps.AccessChanged says an event in the log may have taken access
//     away (a member removed, a token revoked, a board archived), the
//     connections concerned are held (nothing more is written to them) from
//     that point of the log on, their credential and every board they sync
//     are checked again, and a refused one is closed with an error message
//     (1008); the stock client reconnects and is answered doc-unavailable
//     for what it lost, its other boards sync on;
//   - every Deps.ReauthorizeInterval every connection is checked again, which
//     bounds any loss of access the log does not announce.

// Identity is whom a connection speaks for.
type Identity struct {
	UserID string
	// Valid, when set, says whether the credential the connection was opened
	// with still holds (an API token can be revoked while its socket is
	// open); a connection whose credential lapsed is closed.
	Valid func(ctx context.Context) bool
}

// AccessChange names whose access an event may have taken away; an empty
// field matches every user, or every board. Granted says instead that the
// event may have given access to board DocID (a client-made document was
// registered): the connections that offered it are asked for it, so it is
// served with no further edit by its maker.
type AccessChange struct {
	UserID  string
	DocID   string
	Granted bool
}

// reauthorizeTimeout bounds one connection's check; a check that cannot
// finish refuses, as when connecting.
const reauthorizeTimeout = 10 * time.Second

// accessEvent runs on the log's subscription goroutine: holding the
// connections here, before a later change of the board is merged and sent,
// keeps that change from them.
func (s *Server) accessEvent(ctx context.Context, ch AccessChange) {
	if ch.Granted {
		if ch.DocID != "" {
			conns := s.connections(func(c *conn) bool { return c.takeOffer(ch.DocID) })
			go s.askFor(ctx, conns, ch.DocID)
		}
		return
	}
	conns := s.connections(func(c *conn) bool {
		return (ch.UserID == "" || c.userID == ch.UserID) && (ch.DocID == "" || c.attached(ch.DocID) != nil)
	})
	for _, c := range conns {
		c.hold()
	}
	go s.reauthorize(ctx, conns, true)
}

// askFor makes each connection that may now open docID a peer of it, and
// sends it our state of the board, which asks for what it holds.
func (s *Server) askFor(ctx context.Context, conns []*conn, docID string) {
	for _, c := range conns {
		if c.closed() || ctx.Err() != nil {
			continue
		}
		actx, cancel := context.WithTimeout(ctx, reauthorizeTimeout)
		ok := s.authorize(actx, c.userID, docID)
		cancel()
		if !ok {
			c.offer(docID) // perhaps a later event
			continue
		}
		b, err := c.attach(ctx, docID)
		if err != nil {
			s.log.Warn("collab: ask a peer for a board it offered", "doc", docID, "err", err)
			continue
		}
		b.ask(c)
	}
}

func (s *Server) connections(match func(*conn) bool) []*conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		if match == nil || match(c) {
			out = append(out, c)
		}
	}
	return out
}

// reauthorize checks each connection again and closes those refused; held
// ones are released afterwards.
func (s *Server) reauthorize(ctx context.Context, conns []*conn, held bool) {
	for _, c := range conns {
		if reason := s.refusal(ctx, c); reason != "" {
			s.log.Info("collab: access withdrawn; closing the connection", "user", c.userID, "reason", reason)
			c.fail(reason)
		}
		if held {
			c.unhold()
		}
	}
}

// closedReason is Deps.Closed's answer, "" without one.
func (s *Server) closedReason(ctx context.Context, userID, docID string) string {
	if s.closedTo == nil {
		return ""
	}
	return s.closedTo(ctx, userID, docID)
}

// refusal is why c may no longer sync, or "".
func (s *Server) refusal(ctx context.Context, c *conn) string {
	if c.closed() || ctx.Err() != nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(ctx, reauthorizeTimeout)
	defer cancel()
	if c.valid != nil && !c.valid(ctx) {
		return "access withdrawn: the credential no longer holds"
	}
	for _, id := range c.boardIDs() {
		if !s.authorize(ctx, c.userID, id) {
			if reason := s.closedReason(ctx, c.userID, id); reason != "" {
				return "access withdrawn: " + reason
			}
			return "access withdrawn: a board is no longer available to this user"
		}
	}
	return ""
}

func (s *Server) reauthorizeEvery(ctx context.Context) {
	t := time.NewTicker(s.reauthEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.reauthorize(ctx, s.connections(nil), false)
		}
	}
}

func (c *conn) attached(docID string) *liveBoard {
	c.boardsMu.Lock()
	defer c.boardsMu.Unlock()
	return c.boards[docID]
}

func (c *conn) boardCount() int {
	c.boardsMu.Lock()
	defer c.boardsMu.Unlock()
	return len(c.boards)
}

func (c *conn) boardIDs() []string {
	c.boardsMu.Lock()
	defer c.boardsMu.Unlock()
	ids := make([]string, 0, len(c.boards))
	for id := range c.boards {
		ids = append(ids, id)
	}
	return ids
}

// hold stops writing to the peer until unhold; what is sent meanwhile is
// queued as usual.
func (c *conn) hold() { c.held.Add(1) }

func (c *conn) unhold() {
	c.held.Add(-1)
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// waitHeld waits while the connection is held; false means it closed.
func (c *conn) waitHeld(ctx context.Context) bool {
	for c.held.Load() > 0 {
		select {
		case <-c.wake:
		case <-c.done:
			return false
		case <-ctx.Done():
			return false
		}
	}
	return !c.closed()
}

// End closes at once every connection syncing one of docIDs, telling its
// client reason (an error message, then close 1008), for documents that
// ended for everyone: a quick retro's boards and notes erased at its
// expiry. The stock client reconnects and is answered doc-unavailable for
// them (Authorize refuses them from then on); its other boards sync on.
func (s *Server) End(docIDs []string, reason string) {
	if len(docIDs) == 0 {
		return
	}
	ended := make(map[string]bool, len(docIDs))
	for _, id := range docIDs {
		ended[id] = true
	}
	conns := s.connections(func(c *conn) bool {
		for _, id := range c.boardIDs() {
			if ended[id] {
				return true
			}
		}
		return false
	})
	for _, c := range conns {
		c.fail(reason)
	}
	if len(conns) > 0 {
		s.log.Info("collab: boards ended; their connections closed", "boards", len(docIDs), "connections", len(conns), "reason", reason)
	}
}
