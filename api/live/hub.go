package live

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/eventstore"
)

// Defaults for the zero values of Deps' tunables.
const (
	DefaultQueueSize         = 256
	DefaultPingInterval      = 20 * time.Second
	DefaultHeartbeatInterval = 15 * time.Second
	DefaultWriteTimeout      = 10 * time.Second
	DefaultReadLimit         = 4 << 10
	// DefaultReauthorizeInterval bounds how long a revocation the hub does
	// not recognise in the log can go unnoticed.
	DefaultReauthorizeInterval = time.Minute
	loadTimeout                = 30 * time.Second
)

// errUnavailable: the hub is not running yet, draining, or its
// subscription ended; the client should retry, possibly on another node.
var errUnavailable = &domain.Error{Kind: domain.Unavailable, Message: "the live feed is not available on this node; retry"}

// errRefused answers an Authorize error that is neither forbidden nor not
// found (no principal, or a failure while checking): the feed does not
// start, and the client learns no more than that.
var errRefused = &domain.Error{Kind: domain.Forbidden, Message: "the live feed refused the request: not allowed"}

// Deps is what the hub needs from the rest of the server.
type Deps struct {
	Store eventstore.Store
	// Authorize decides whether the principal may watch the retro and as
	// which viewer. Any error refuses the connection before the stream
	// starts: a *domain.Error of kind NotFound with 404, any other with 403. It is asked again while the connection is open (see
	// ReauthorizeInterval); an error then closes the connection as revoked.
	Authorize func(ctx context.Context, p identity.Principal, retroID string) (retro.Viewer, error)
	// AuthorizeJoin, if set, is Authorize for a connection that opens: it
	// may decide on state a moment behind the log (the app's followers)
	// instead of reading the store, since joins come in storms. A
	// connection of a user whom the hub saw removed from the retro's team
	// in the last removalMemory is checked again with Authorize before
	// anything is written to it.
	AuthorizeJoin func(ctx context.Context, p identity.Principal, retroID string) (retro.Viewer, error)
	// Policy is the minimum group under which the views withhold health
	// and ROTI results: the server's one (app's GroupPolicy), so the feed
	// shows what REST and time travel show.
	Policy retro.Policy
	// Logger; nil discards.
	Logger *slog.Logger
	// QueueSize is how many messages may wait for one connection before it
	// is dropped as a slow consumer (DefaultQueueSize when 0).
	QueueSize int
	// PingInterval is the WebSocket keepalive (DefaultPingInterval when 0).
	PingInterval time.Duration
	// HeartbeatInterval is the SSE comment keepalive (DefaultHeartbeatInterval when 0).
	HeartbeatInterval time.Duration
	// WriteTimeout bounds one write to a client, and how long a dropped
	// client's writer may take to notice (DefaultWriteTimeout when 0).
	WriteTimeout time.Duration
	// ReadLimit is the largest client message in bytes (DefaultReadLimit when 0).
	ReadLimit int64
	// OriginPatterns are the other origins whose pages may open the
	// WebSocket (host patterns as in coder/websocket's AcceptOptions); the
	// server's own origin is always allowed.
	OriginPatterns []string
	// Presence shares presence with the other nodes; nil keeps it per node.
	Presence PresenceBus
	// NodeID names this node on the presence bus; "" draws a random one.
	NodeID string
	// PresenceRenew is how often announcements are renewed (DefaultPresenceRenew when 0).
	PresenceRenew time.Duration
	// ReauthorizeInterval is how often every open connection is authorised
	// again, so that any loss of access ends the feed within that time
	// (DefaultReauthorizeInterval when 0). Removals from a team are acted
	// on as soon as the log shows them.
	ReauthorizeInterval time.Duration
	// EndCodes are the codes of Authorize's refusals that mean the retro
	// ended for everyone (a quick retro's expiry): a connection refused
	// with one while open is told it as End tells it, not merely revoked.
	EndCodes []string
}

// Hub is one node's live feed. Create it with NewHub, start Run, and hand
// it the authenticated requests with ServeWS and ServeSSE.
type Hub struct {
	deps Deps
	log  *slog.Logger

	ready    chan struct{} // closed once Run knows where its subscription starts
	stop     chan struct{} // closed when connections must resume elsewhere
	stopOnce sync.Once
	runOnce  sync.Once

	mu      sync.Mutex
	rooms   map[string]*room
	closing bool
	conns   sync.WaitGroup

	stats stats
	// revocations counts the access-revoking events seen, so that a
	// connection authorised while one was being handled is checked again.
	revocations atomic.Uint64
	// removals are the team removals seen (team ID, user ID), for
	// AuthorizeJoin's grants to be checked against.
	removals removals

	// pending collects the events of the commit being delivered; only the
	// subscription goroutine touches it.
	pending []eventstore.RecordedEvent

	remote        remotePresence
	dirtyMu       sync.Mutex
	dirty         map[string]bool // retros whose local presence changed
	presenceDirty chan struct{}
}

type stats struct {
	connections atomic.Int64
	sent        atomic.Uint64
	dropped     atomic.Uint64
	revoked     atomic.Uint64
	writers     atomic.Int64
}

// NewHub returns a hub; it serves nothing until Run is called.
func NewHub(d Deps) *Hub {
	if d.QueueSize <= 0 {
		d.QueueSize = DefaultQueueSize
	}
	if d.PingInterval <= 0 {
		d.PingInterval = DefaultPingInterval
	}
	if d.HeartbeatInterval <= 0 {
		d.HeartbeatInterval = DefaultHeartbeatInterval
	}
	if d.WriteTimeout <= 0 {
		d.WriteTimeout = DefaultWriteTimeout
	}
	if d.ReadLimit <= 0 {
		d.ReadLimit = DefaultReadLimit
	}
	if d.PresenceRenew <= 0 {
		d.PresenceRenew = DefaultPresenceRenew
	}
	if d.ReauthorizeInterval <= 0 {
		d.ReauthorizeInterval = DefaultReauthorizeInterval
	}
	if d.NodeID == "" {
		d.NodeID = rand.Text()
	}
	log := d.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Hub{
		deps: d, log: log, ready: make(chan struct{}), stop: make(chan struct{}), rooms: map[string]*room{},
		remote:        remotePresence{retro: map[string]map[string]PresenceAnnouncement{}},
		dirty:         map[string]bool{},
		presenceDirty: make(chan struct{}, 1),
	}
}

// Run subscribes to the log from its current end and feeds the rooms until
// ctx ends or the subscription fails. Rooms load what came before with
// Store.Load. When Run returns, every connection is told to resume (on this
// node after a restart of Run, or on another) and closed.
func (h *Hub) Run(ctx context.Context) error {
	started := false
	h.runOnce.Do(func() { started = true })
	if !started {
		return errors.New("live: Run called twice")
	}
	defer h.shutdown()
	if h.deps.Presence != nil {
		pctx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			h.runPresence(pctx)
		}()
		// Deferred calls run last-in first-out: this node withdraws its
		// presence, then its connections are told to go.
		defer func() { stop(); <-done }()
	}
	{
		rctx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			h.reauthorizeEvery(rctx)
		}()
		defer func() { stop(); <-done }()
	}
	from, err := h.deps.Store.LastPosition(ctx)
	if err != nil {
		return fmt.Errorf("live: read the log's last position: %w", err)
	}
	// A room loaded from now on sees every commit up to its load, and the
	// subscription delivers every commit after from: together, no gap.
	close(h.ready)
	err = h.deps.Store.Subscribe(ctx, from, h.handle)
	if ctx.Err() != nil {
		return nil
	}
	return fmt.Errorf("live: subscription: %w", err)
}

// handle receives the node's subscription, one event at a time, and hands
// each whole retro commit to its room, if anyone watches that retro here.
func (h *Hub) handle(_ context.Context, e eventstore.RecordedEvent) error {
	if e.Stream.Category == team.Category {
		h.teamEvent(e)
		return nil
	}
	if e.Stream.Category != retro.Category {
		return nil
	}
	if e.Index == 0 {
		h.pending = h.pending[:0]
	}
	h.pending = append(h.pending, e)
	if !e.LastInCommit() {
		return nil
	}
	h.mu.Lock()
	r := h.rooms[e.Stream.ID]
	h.mu.Unlock()
	if r == nil {
		return nil
	}
	r.apply(commit{pos: e.Position, events: h.decode(h.pending)})
	return nil
}

// decode reads events; one the domain cannot read is skipped (and logged)
// rather than stopping the feed: RedactEvent would withhold it anyway.
func (h *Hub) decode(recs []eventstore.RecordedEvent) []retro.Event {
	out := make([]retro.Event, 0, len(recs))
	for _, re := range recs {
		ev, err := retro.DecodeEvent(re.Type, re.SchemaVersion, re.Payload)
		if err != nil {
			h.log.Warn("live: skipping undecodable event", "stream", re.Stream.String(), "version", re.StreamVersion, "err", err)
			continue
		}
		out = append(out, ev)
	}
	return out
}

// acquire returns the retro's room, loading it if this is its first
// connection, with a reference the caller must give back with release.
func (h *Hub) acquire(ctx context.Context, retroID string) (*room, error) {
	h.mu.Lock()
	if h.closing {
		h.mu.Unlock()
		return nil, errUnavailable
	}
	r := h.rooms[retroID]
	created := r == nil
	if created {
		r = newRoom(h, retroID)
		h.rooms[retroID] = r
	}
	r.refs++
	h.mu.Unlock()

	if created {
		r.load(ctx)
	}
	select {
	case <-r.ready:
	case <-ctx.Done():
		h.release(r)
		return nil, ctx.Err()
	}
	if r.err != nil {
		h.release(r)
		return nil, r.err
	}
	return r, nil
}

// release gives back a reference; a room nobody watches is dropped, so the
// hub keeps only watched retros in memory.
func (h *Hub) release(r *room) {
	h.mu.Lock()
	defer h.mu.Unlock()
	r.refs--
	if r.refs == 0 && h.rooms[r.id] == r {
		delete(h.rooms, r.id)
	}
}

// forget removes a room that failed to load, so the next connection tries again.
func (h *Hub) forget(r *room) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.rooms[r.id] == r {
		delete(h.rooms, r.id)
	}
}

// Drain stops accepting connections, tells every client to resume from its
// last position (WebSocket close 1012, SSE resume event) and waits for them
// to be closed, or for ctx.
func (h *Hub) Drain(ctx context.Context) error {
	h.shutdown()
	done := make(chan struct{})
	go func() {
		h.conns.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("live: drain: %w", ctx.Err())
	}
}

// shutdown refuses new connections and tells every open one to resume.
func (h *Hub) shutdown() {
	h.mu.Lock()
	h.closing = true
	rooms := make([]*room, 0, len(h.rooms))
	for _, r := range h.rooms {
		rooms = append(rooms, r)
	}
	h.mu.Unlock()
	h.stopOnce.Do(func() { close(h.stop) })
	for _, r := range rooms {
		r.mu.Lock()
		conns := make([]*conn, 0, len(r.conns))
		for c := range r.conns {
			conns = append(conns, c)
		}
		r.mu.Unlock()
		for _, c := range conns {
			c.stop()
		}
	}
}

// enter registers a connection unless the hub is closing; leave undoes it.
func (h *Hub) enter() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closing {
		return false
	}
	h.conns.Add(1)
	h.stats.connections.Add(1)
	return true
}

func (h *Hub) leave() {
	h.stats.connections.Add(-1)
	h.conns.Done()
}

// Stats are the hub's counters, for tests and metrics.
type Stats struct {
	Connections          int64
	Rooms                int
	MessagesSent         uint64
	SlowConsumersDropped uint64
	// Revoked counts connections closed because their viewer lost access.
	Revoked uint64
	// Writers is how many WebSocket writer goroutines run now, lingering
	// ones included; a quiet feed has none.
	Writers int64
}

// Stats reads the counters.
func (h *Hub) Stats() Stats {
	h.mu.Lock()
	rooms := len(h.rooms)
	h.mu.Unlock()
	return Stats{
		Connections: h.stats.connections.Load(), Rooms: rooms,
		MessagesSent: h.stats.sent.Load(), SlowConsumersDropped: h.stats.dropped.Load(),
		Revoked: h.stats.revoked.Load(), Writers: h.stats.writers.Load(),
	}
}
