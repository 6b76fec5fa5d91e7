package live

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
)

// Presence across nodes. Each node announces, per retro, the users
// connected to it (and whether they type or are done) on a PresenceBus, and
// merges the other nodes' announcements into what its clients see.
// Announcements are renewed every PresenceRenew and expire after three
// periods, so a node that dies without saying goodbye disappears. The bus
// carries user IDs between servers only; what reaches clients is the same
// presence message as on one node (a typing count only in anonymous retros).

// PresentUser is one user connected to a node.
type PresentUser struct {
	UserID string `json:"userId"`
	Typing bool   `json:"typing,omitempty"`
	Done   bool   `json:"done,omitempty"`
}

// PresenceAnnouncement is one node's presence in one retro; an empty Users
// withdraws it.
type PresenceAnnouncement struct {
	Node    string        `json:"node"`
	RetroID string        `json:"retroId"`
	Users   []PresentUser `json:"users"`
	Expires time.Time     `json:"expires"`
}

// PresenceBus carries announcements between nodes.
type PresenceBus interface {
	Publish(ctx context.Context, a PresenceAnnouncement) error
	// Subscribe calls f for every announcement (its own node's included)
	// until ctx ends.
	Subscribe(ctx context.Context, f func(PresenceAnnouncement)) error
}

// DefaultPresenceRenew is how often a node renews its announcements.
const DefaultPresenceRenew = 10 * time.Second

// MemoryPresenceBus connects hubs in one process (tests, or several hubs
// in one binary).
type MemoryPresenceBus struct {
	mu   sync.Mutex
	subs map[int]func(PresenceAnnouncement)
	next int
}

// NewMemoryPresenceBus returns an empty bus.
func NewMemoryPresenceBus() *MemoryPresenceBus {
	return &MemoryPresenceBus{subs: map[int]func(PresenceAnnouncement){}}
}

func (b *MemoryPresenceBus) Publish(_ context.Context, a PresenceAnnouncement) error {
	b.mu.Lock()
	subs := make([]func(PresenceAnnouncement), 0, len(b.subs))
	for _, f := range b.subs {
		subs = append(subs, f)
	}
	b.mu.Unlock()
	for _, f := range subs {
		f(a)
	}
	return nil
}

func (b *MemoryPresenceBus) Subscribe(ctx context.Context, f func(PresenceAnnouncement)) error {
	b.mu.Lock()
	id := b.next
	b.next++
	b.subs[id] = f
	b.mu.Unlock()
	<-ctx.Done()
	b.mu.Lock()
	delete(b.subs, id)
	b.mu.Unlock()
	return nil
}

// NATSPresenceBus carries announcements over NATS core publish/subscribe
// (not JetStream: presence is ephemeral), on subjects <prefix>.<retroID>.
type NATSPresenceBus struct {
	nc     *nats.Conn
	prefix string
}

// NewNATSPresenceBus uses nc; prefix "" means "hindsight.presence".
func NewNATSPresenceBus(nc *nats.Conn, prefix string) *NATSPresenceBus {
	if prefix == "" {
		prefix = "hindsight.presence"
	}
	return &NATSPresenceBus{nc: nc, prefix: prefix}
}

func (b *NATSPresenceBus) Publish(_ context.Context, a PresenceAnnouncement) error {
	data, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("live: encode presence: %w", err)
	}
	if err := b.nc.Publish(b.prefix+"."+a.RetroID, data); err != nil {
		return fmt.Errorf("live: publish presence: %w", err)
	}
	return nil
}

func (b *NATSPresenceBus) Subscribe(ctx context.Context, f func(PresenceAnnouncement)) error {
	sub, err := b.nc.Subscribe(b.prefix+".*", func(m *nats.Msg) {
		var a PresenceAnnouncement
		if json.Unmarshal(m.Data, &a) != nil || a.Node == "" || a.RetroID == "" {
			return // not ours to act on
		}
		f(a)
	})
	if err != nil {
		return fmt.Errorf("live: subscribe to presence: %w", err)
	}
	// The subscription must be in place at the server before Run goes on,
	// or the first announcements of other nodes could be missed.
	if err := b.nc.Flush(); err != nil {
		_ = sub.Unsubscribe()
		return fmt.Errorf("live: subscribe to presence: %w", err)
	}
	<-ctx.Done()
	_ = sub.Unsubscribe()
	return nil
}

// remotePresence is what the other nodes announced, per retro and node.
type remotePresence struct {
	mu    sync.Mutex
	retro map[string]map[string]PresenceAnnouncement
}

// users merges the live announcements of a retro.
func (rp *remotePresence) users(retroID string, now time.Time) []PresentUser {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	var out []PresentUser
	for _, a := range rp.retro[retroID] {
		if now.Before(a.Expires) {
			out = append(out, a.Users...)
		}
	}
	return out
}

// put records an announcement and reports whether it changed anything.
func (rp *remotePresence) put(a PresenceAnnouncement) bool {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	nodes := rp.retro[a.RetroID]
	prev, had := nodes[a.Node]
	if len(a.Users) == 0 {
		if !had {
			return false
		}
		delete(nodes, a.Node)
		if len(nodes) == 0 {
			delete(rp.retro, a.RetroID)
		}
		return true
	}
	if nodes == nil {
		nodes = map[string]PresenceAnnouncement{}
		rp.retro[a.RetroID] = nodes
	}
	nodes[a.Node] = a
	return !had || !slices.Equal(prev.Users, a.Users)
}

// expire drops announcements that were not renewed and returns the retros
// whose presence changed.
func (rp *remotePresence) expire(now time.Time) []string {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	var changed []string
	for id, nodes := range rp.retro {
		for n, a := range nodes {
			if !now.Before(a.Expires) {
				delete(nodes, n)
				changed = append(changed, id)
			}
		}
		if len(nodes) == 0 {
			delete(rp.retro, id)
		}
	}
	return changed
}

// runPresence publishes this node's presence changes and renewals, and
// applies the other nodes' announcements, until ctx ends; then it
// withdraws this node's presence everywhere.
func (h *Hub) runPresence(ctx context.Context) {
	bus := h.deps.Presence
	go func() {
		err := bus.Subscribe(ctx, h.onRemotePresence)
		if err != nil && ctx.Err() == nil {
			h.log.Error("live: presence subscription ended", "err", err)
		}
	}()
	renew := time.NewTicker(h.deps.PresenceRenew)
	defer renew.Stop()
	published := map[string]bool{} // retros this node announced users in
	publish := func(ctx context.Context, retroID string) {
		users := h.localPresence(retroID)
		if len(users) == 0 && !published[retroID] {
			return
		}
		a := PresenceAnnouncement{Node: h.deps.NodeID, RetroID: retroID, Users: users, Expires: time.Now().Add(3 * h.deps.PresenceRenew)}
		if err := bus.Publish(ctx, a); err != nil {
			h.log.Warn("live: publish presence", "retro", retroID, "err", err)
			return
		}
		if len(users) == 0 {
			delete(published, retroID)
		} else {
			published[retroID] = true
		}
	}
	for {
		select {
		case <-ctx.Done():
			// Withdraw, so other nodes need not wait for the expiry.
			wctx, cancel := context.WithTimeout(context.Background(), time.Second)
			for id := range published {
				_ = bus.Publish(wctx, PresenceAnnouncement{Node: h.deps.NodeID, RetroID: id, Expires: time.Now()})
			}
			cancel()
			return
		case <-h.presenceDirty:
			for _, id := range h.takeDirty() {
				publish(ctx, id)
			}
		case <-renew.C:
			for id := range published {
				publish(ctx, id)
			}
			for _, id := range h.remote.expire(time.Now()) {
				h.refreshPresence(id)
			}
		}
	}
}

func (h *Hub) onRemotePresence(a PresenceAnnouncement) {
	if a.Node == h.deps.NodeID {
		return
	}
	if h.remote.put(a) {
		h.refreshPresence(a.RetroID)
	}
}

// refreshPresence re-sends a room's presence if the room is open here.
func (h *Hub) refreshPresence(retroID string) {
	h.mu.Lock()
	r := h.rooms[retroID]
	h.mu.Unlock()
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.broadcastPresenceLocked(nil)
}

// markPresence asks the presence loop to announce a retro's local presence.
func (h *Hub) markPresence(retroID string) {
	if h.deps.Presence == nil {
		return
	}
	h.dirtyMu.Lock()
	h.dirty[retroID] = true
	h.dirtyMu.Unlock()
	select {
	case h.presenceDirty <- struct{}{}:
	default:
	}
}

func (h *Hub) takeDirty() []string {
	h.dirtyMu.Lock()
	defer h.dirtyMu.Unlock()
	out := make([]string, 0, len(h.dirty))
	for id := range h.dirty {
		out = append(out, id)
	}
	clear(h.dirty)
	return out
}

// localPresence is the users connected to a retro through this node.
func (h *Hub) localPresence(retroID string) []PresentUser {
	h.mu.Lock()
	r := h.rooms[retroID]
	h.mu.Unlock()
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.local
}
