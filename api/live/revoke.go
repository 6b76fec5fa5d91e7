package live

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/eventstore"
)

// Access is checked when a connection opens, and again while it is open:
//
//   - when the log shows a team event that can take someone's access away
//     (a member removed; a guest promoted, whose guest session no longer
//     admits them), the connections of that user in that team's retros are
//     held (nothing more is written to them) from that point of the log on,
//     Deps.Authorize is asked again, and a refused one is closed as revoked:
//     it never receives a commit that came after its removal;
//   - every Deps.ReauthorizeInterval, every connection is asked about again,
//     which bounds any other way of losing access (a retro's guest list, a
//     change the hub does not recognise) to that interval.
//
// Authorize loads the team through the app's aggregate runner, which reads
// the stream's events after its cached snapshot on every call, so it sees a
// removal the subscription has delivered. A connection that opens is let in
// by AuthorizeJoin when set, which reads no store and may not hold such a
// removal yet: the hub notes each removal it sees (removals) and asks
// Authorize again for a join of a user it noted.

// removalMemory is how long a removal is remembered for joins: far longer
// than the app's followers take to apply an event of the log, after which
// the state AuthorizeJoin decides on holds the removal itself.
const removalMemory = time.Hour

// removals remembers recent team removals by team and user.
type removals struct {
	mu   sync.Mutex
	seen map[[2]string]time.Time
}

func (r *removals) note(teamID, userID string, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seen == nil {
		r.seen = map[[2]string]time.Time{}
	}
	for k, at := range r.seen {
		if now.Sub(at) > removalMemory {
			delete(r.seen, k)
		}
	}
	r.seen[[2]string{teamID, userID}] = now
}

// lately reports whether the user was removed from the team within
// removalMemory.
func (r *removals) lately(teamID, userID string, now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	at, ok := r.seen[[2]string{teamID, userID}]
	return ok && now.Sub(at) <= removalMemory
}

// revokedUser names the user whose access a team event may have taken away.
func (h *Hub) revokedUser(e eventstore.RecordedEvent) (string, bool) {
	switch e.Type {
	case team.TypeMemberRemoved, team.TypeGuestPromoted:
	default:
		return "", false
	}
	ev, err := team.DecodeEvent(e.Type, e.SchemaVersion, e.Payload)
	if err != nil {
		h.log.Warn("live: undecodable team event", "stream", e.Stream.String(), "version", e.StreamVersion, "err", err)
		return "", false
	}
	switch ev := ev.(type) {
	case team.MemberRemoved:
		return ev.UserID, true
	case team.GuestPromoted:
		return ev.GuestUserID, true
	}
	return "", false
}

// teamEvent runs on the subscription goroutine: holding the affected
// connections here, before any later retro commit is queued, is what keeps
// those commits from them. Authorize runs on another goroutine so that the
// feed never waits for it.
func (h *Hub) teamEvent(e eventstore.RecordedEvent) {
	userID, ok := h.revokedUser(e)
	if !ok {
		return
	}
	teamID := e.Stream.ID
	// Noted before the connections are looked for: a join either finds
	// the removal noted (open) or is among the connections found here.
	h.removals.note(teamID, userID, time.Now())
	h.revocations.Add(1)
	conns := h.connections(func(r *room, c *conn) bool {
		return r.state.TeamID == teamID && c.principal.UserID == userID
	})
	if len(conns) == 0 {
		return
	}
	for _, c := range conns {
		c.hold()
	}
	go h.reauthorize(context.Background(), conns, true)
}

// connections lists the open connections match selects; match runs under
// the room's lock.
func (h *Hub) connections(match func(*room, *conn) bool) []*conn {
	h.mu.Lock()
	rooms := make([]*room, 0, len(h.rooms))
	for _, r := range h.rooms {
		rooms = append(rooms, r)
	}
	h.mu.Unlock()
	var out []*conn
	for _, r := range rooms {
		r.mu.Lock()
		for c := range r.conns {
			if match == nil || match(r, c) {
				out = append(out, c)
			}
		}
		r.mu.Unlock()
	}
	return out
}

// reauthorize asks Authorize about each connection and closes those it
// refuses; held ones are released afterwards. Any error refuses, as when
// connecting: a connection closed by a passing failure reconnects.
func (h *Hub) reauthorize(ctx context.Context, conns []*conn, held bool) {
	for _, c := range conns {
		if ctx.Err() == nil && c.ctx.Err() == nil {
			actx, cancel := context.WithTimeout(c.ctx, loadTimeout)
			_, err := h.deps.Authorize(actx, c.principal, c.room.id)
			cancel()
			if err != nil && c.ctx.Err() == nil {
				h.log.Info("live: access revoked", "retro", c.room.id, "user", c.principal.UserID, "err", err)
				c.revokeWith(h.endedBy(err))
			}
		}
		if held {
			c.unhold()
		}
	}
}

// reauthorizeEvery checks every connection each ReauthorizeInterval.
func (h *Hub) reauthorizeEvery(ctx context.Context) {
	t := time.NewTicker(h.deps.ReauthorizeInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			h.reauthorize(ctx, h.connections(nil), false)
		}
	}
}

// hold stops writing to the connection until unhold; what arrives
// meanwhile is queued as usual.
func (c *conn) hold() {
	c.mu.Lock()
	c.holds++
	c.mu.Unlock()
}

func (c *conn) unhold() {
	c.mu.Lock()
	c.holds--
	c.mu.Unlock()
	c.wake()
}

// revoke ends the connection with a policy close; nothing queued is sent.
func (c *conn) revoke() { c.revokeWith(nil) }

// revokeWith is revoke telling the client why (nil: access revoked).
func (c *conn) revokeWith(n *endNotice) {
	c.mu.Lock()
	if c.revoked || c.closed {
		c.mu.Unlock()
		return
	}
	c.revoked, c.q, c.ended = true, nil, n
	c.mu.Unlock()
	c.hub.stats.revoked.Add(1)
	c.wake()
}

// End closes every connection to the retro at once, as revoked, telling
// each client code and detail (a problem's code and the words for a person)
// in the revoked message and as the WebSocket close reason; nothing queued
// is sent. The retro's folded state is dropped with its last connection.
// For a retro that ended for everyone: a quick retro erased at its expiry.
// New connections are the app's to refuse (Authorize).
func (h *Hub) End(retroID, code, detail string) {
	n := newEndNotice(code, detail)
	conns := h.connections(func(r *room, _ *conn) bool { return r.id == retroID })
	for _, c := range conns {
		c.revokeWith(n)
	}
	if len(conns) > 0 {
		h.log.Info("live: retro ended; its connections closed", "retro", retroID, "code", code, "connections", len(conns))
	}
}

// endedBy is what a connection refused with err is told: End's notice when
// err's code is one of Deps.EndCodes, nil (revoked) otherwise.
func (h *Hub) endedBy(err error) *endNotice {
	var de *domain.Error
	if !errors.As(err, &de) || !slices.Contains(h.deps.EndCodes, de.Code) {
		return nil
	}
	return newEndNotice(de.Code, de.Message)
}
