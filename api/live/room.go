package live

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
	"weak"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/eventstore"
)

// commit is one retro commit as the subscription delivered it, decoded.
type commit struct {
	pos    uint64
	events []retro.Event
}

// room is one watched retro on this node: its folded state, the position of
// the last commit folded in, and the connections watching it.
type room struct {
	hub *Hub
	id  string

	// ready is closed when the load finished; err is then set if it failed.
	ready chan struct{}
	err   error

	refs int // guarded by hub.mu

	mu       sync.Mutex
	loading  bool
	buffered []commit // commits delivered while loading
	state    retro.State
	pos      uint64
	conns    map[*conn]struct{}
	presence []byte        // last presence message sent
	local    []PresentUser // this node's users, as last announced
	// views is the patch followers' views of state, per audience, for the
	// next commit's item to start from. Weak: once every connection wrote
	// the items that hold it, an idle room keeps no views.
	views weak.Pointer[viewCache]
}

func newRoom(h *Hub, id string) *room {
	return &room{hub: h, id: id, ready: make(chan struct{}), loading: true, conns: map[*conn]struct{}{}}
}

// load folds the retro's stream. The room is registered before the read, so
// every commit the read misses arrives through the subscription (buffered
// meanwhile); commits the read already holds are skipped by position.
func (r *room) load(ctx context.Context) {
	defer close(r.ready)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), loadTimeout)
	defer cancel()
	recs, err := r.hub.deps.Store.Load(ctx, eventstore.StreamID{Category: retro.Category, ID: r.id}, 0)
	if err != nil {
		if errors.Is(err, eventstore.ErrStreamNotFound) {
			r.err = fmt.Errorf("live: retro %s holds no events: %w", r.id, domain.ErrNotFound)
		} else {
			r.err = fmt.Errorf("live: load retro %s: %w", r.id, err)
		}
		r.hub.forget(r)
		return
	}
	st, pos := retro.Fold(r.hub.decode(recs)), uint64(0)
	if n := len(recs); n > 0 {
		pos = recs[n-1].Position
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.state, r.pos, r.views = st, pos, weak.Pointer[viewCache]{}
	for _, c := range r.buffered {
		r.applyLocked(c)
	}
	r.buffered, r.loading = nil, false
}

// apply folds a commit in and queues it to every connection; it never waits
// for a connection.
func (r *room) apply(c commit) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.loading {
		r.buffered = append(r.buffered, c)
		return
	}
	r.applyLocked(c)
}

func (r *room) applyLocked(c commit) {
	if c.pos <= r.pos {
		return // the load already held it
	}
	wasAnonymous := r.state.Anonymous
	prev, prevPos := r.state, r.pos
	before := r.views.Value()
	if before == nil {
		before = &viewCache{}
	}
	after := &viewCache{}
	r.state = retro.EvolveAll(r.state, c.events)
	r.pos, r.views = c.pos, weak.Make(after)
	// EvolveAll never changes a state it was given, so connections may
	// read both while the room moves on.
	st := r.state
	it := &item{kind: kindChange, pos: c.pos, events: c.events, state: &st, prev: &prev, prevPos: prevPos,
		before: before, after: after}
	for cn := range r.conns {
		cn.push(it)
	}
	if wasAnonymous != r.state.Anonymous {
		r.broadcastPresenceLocked(nil)
	}
}

// join adds a connection and returns the state and position its snapshot is
// taken at: every later commit reaches the connection's queue.
func (r *room) join(c *conn) (retro.State, uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.conns[c] = struct{}{}
	r.broadcastPresenceLocked(c)
	return r.state, r.pos
}

func (r *room) leave(c *conn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.conns[c]; !ok {
		return
	}
	delete(r.conns, c)
	r.broadcastPresenceLocked(nil)
}

// setPresence records what a connection says about its user.
func (r *room) setPresence(c *conn, typing, done bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.conns[c]; !ok {
		return
	}
	c.typing, c.doneFlag = typing, done
	r.broadcastPresenceLocked(nil)
}

// presenceMsg is the same for every viewer of a room.
type presenceMsg struct {
	Type string   `json:"type"`
	Here []string `json:"here"`
	// Typing names who is typing, only in a retro that is not anonymous.
	Typing      []string `json:"typing,omitempty"`
	TypingCount int      `json:"typingCount"`
	Done        []string `json:"done"`
}

// broadcastPresenceLocked sends presence to everyone when it changed, and
// to newcomer (if any) in any case. A person with several connections, here
// or on other nodes, counts once, typing or done if any of their
// connections says so.
func (r *room) broadcastPresenceLocked(newcomer *conn) {
	here, typing, done := map[string]bool{}, map[string]bool{}, map[string]bool{}
	add := func(u string, t, d bool) {
		here[u] = true
		typing[u] = typing[u] || t
		done[u] = done[u] || d
	}
	for c := range r.conns {
		if u := c.viewer.UserID; u != "" {
			add(u, c.typing, c.doneFlag)
		}
	}
	local := make([]PresentUser, 0, len(here))
	for _, u := range keys(here, nil) {
		local = append(local, PresentUser{UserID: u, Typing: typing[u], Done: done[u]})
	}
	if !slices.Equal(local, r.local) {
		r.local = local
		r.hub.markPresence(r.id)
	}
	if r.hub.deps.Presence != nil {
		for _, p := range r.hub.remote.users(r.id, time.Now()) {
			add(p.UserID, p.Typing, p.Done)
		}
	}
	m := presenceMsg{Type: "presence", Here: keys(here, nil), Done: keys(done, func(u string) bool { return done[u] })}
	typers := keys(typing, func(u string) bool { return typing[u] })
	m.TypingCount = len(typers)
	if !r.state.Anonymous {
		m.Typing = typers
	}
	b, err := json.Marshal(m)
	if err != nil {
		r.hub.log.Error("live: encode presence", "err", err)
		return
	}
	if bytes.Equal(b, r.presence) {
		if newcomer != nil {
			newcomer.push(&item{kind: kindRaw, data: b})
		}
		return
	}
	r.presence = b
	it := &item{kind: kindRaw, data: b}
	for c := range r.conns {
		c.push(it)
	}
}

// keys lists the map's keys that pass keep (all when keep is nil), sorted.
func keys(m map[string]bool, keep func(string) bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		if keep == nil || keep(k) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}
