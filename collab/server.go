// Package collab serves Automerge whiteboards to stock automerge-repo clients
// over the automerge-repo WebSocket protocol v1 (GET /v1/sync), checks every
// untrusted sync message in a sacrificial worker process before applying it,
// relays presence, and persists board changes to the log in batched chunks
// and snapshots that every node merges.
package collab

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"time"

	"github.com/automerge/automerge-go"
	"github.com/coder/websocket"
	"github.com/hindsight-retro/hindsight/collab/worker"
	"github.com/hindsight-retro/hindsight/eventstore"
)

// Deps is what a Server needs from the rest of the application.
type Deps struct {
	// Authenticate establishes who is connecting, from the request that asks
	// for the upgrade (the API token in ?token= or a cookie: browsers cannot
	// set headers on a WebSocket). An error refuses the upgrade with 401.
	Authenticate func(r *http.Request) (Identity, error)
	// Authorize says whether userID may see and edit the board docID. It is
	// asked for every request, sync and ephemeral message; a refusal is
	// answered exactly like an unknown board (doc-unavailable). It is asked
	// again about every board an open connection syncs (see AccessChanged).
	Authorize func(ctx context.Context, userID, docID string) bool
	// Closed, asked about a document Authorize refused, says why it is
	// closed to userID when that is theirs to know (their private notes
	// after the board's reveal): the peer is told so in an error message
	// with its doc-unavailable, and what it sends for that document on that
	// connection is dropped unread. "" (and a nil Closed) answers as for an
	// unknown document. Nil: never.
	Closed func(ctx context.Context, userID, docID string) string
	// AccessChanged reads every event in the log and says whether it may
	// have taken access away, and whose: a member removed, a token revoked,
	// a board archived. The open
	// connections concerned are then checked again at once (credential and
	// every board), and those refused are closed; Authorize must not answer
	// from a cache that event made stale. Nil: only ReauthorizeInterval.
	AccessChanged func(e eventstore.RecordedEvent) (AccessChange, bool)
	// ReauthorizeInterval bounds how long a connection keeps a board after
	// losing access in a way AccessChanged does not report: every open
	// connection is checked again this often (30 s).
	ReauthorizeInterval time.Duration
	Store               eventstore.Store
	Logger              *slog.Logger

	// WorkerCommand starts one validation worker: a process running
	// WorkerMain. Nil runs this executable as `<exe> collab-worker`.
	WorkerCommand func() *exec.Cmd
	// Workers is the number of validation worker processes; 0 means 2.
	Workers int
	// CheckTimeout bounds one worker check; a worker that takes longer is
	// killed and the message refused. 0 means 10 s.
	CheckTimeout time.Duration
	// Presence carries presence to the other nodes; nil keeps it on this one.
	Presence PresenceBus
	// OriginPatterns lists the other origins whose pages may connect (see
	// websocket.AcceptOptions); the request's own host is always allowed.
	OriginPatterns []string

	// Tuning; zero values pick the defaults in parentheses.
	FlushInterval time.Duration // longest wait before changes are appended (300 ms)
	SyncDelay     time.Duration // least time between two rounds of sync messages to a board's peers (100 ms)
	SnapshotEvery int           // chunks between snapshots (50)
	IdleAfter     time.Duration // evict a board unused this long (2 min)
	MaxDocBytes   int           // largest saved board (512 KiB)
	PingInterval  time.Duration // time between keepalive pings to a peer (30 s; see keepalive)
	PongTimeout   time.Duration // longest wait for a peer's answer to a ping (20 s)
}

// Server is the GET /v1/sync endpoint of one node.
type Server struct {
	store         eventstore.Store
	log           *slog.Logger
	authenticate  func(r *http.Request) (Identity, error)
	authorize     func(ctx context.Context, userID, docID string) bool
	closedTo      func(ctx context.Context, userID, docID string) string
	accessChanged func(e eventstore.RecordedEvent) (AccessChange, bool)
	reauthEvery   time.Duration
	pool          *worker.Pool
	presence      PresenceBus
	origins       []string
	flushInterval time.Duration
	syncDelay     time.Duration
	snapshotEvery int
	idleAfter     time.Duration
	maxDocBytes   int
	pingInterval  time.Duration
	pongTimeout   time.Duration

	storageID string
	peerID    string // this node's peer ID, new on every start
	nodeActor string // marks this node's appends, so it skips them when they come back

	memory memoryReturner

	mu     sync.Mutex
	boards map[string]*liveBoard
	conns  map[*conn]struct{}
	closed bool
}

// New returns a server; it reads (or on the first start assigns) the storage
// ID kept in the log. Run must be running for other nodes' changes to arrive
// and idle boards to be evicted.
func New(ctx context.Context, d Deps) (*Server, error) {
	if d.Authenticate == nil || d.Authorize == nil || d.Store == nil {
		return nil, errors.New("collab: Authenticate, Authorize and Store are required")
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.WorkerCommand == nil {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("collab: find own executable for workers: %w", err)
		}
		d.WorkerCommand = func() *exec.Cmd { return exec.Command(exe, "collab-worker") }
	}
	sid, err := storageID(ctx, d.Store)
	if err != nil {
		return nil, fmt.Errorf("collab: %w", err)
	}
	s := &Server{
		store: d.Store, log: d.Logger, authenticate: d.Authenticate, authorize: d.Authorize, closedTo: d.Closed,
		accessChanged: d.AccessChanged,
		reauthEvery:   orDuration(d.ReauthorizeInterval, 30*time.Second),
		pool:          worker.NewPool(worker.PoolConfig{Command: d.WorkerCommand, Size: d.Workers, Timeout: d.CheckTimeout, Logger: d.Logger}),
		origins:       d.OriginPatterns,
		presence:      d.Presence,
		flushInterval: orDuration(d.FlushInterval, 300*time.Millisecond),
		syncDelay:     orDuration(d.SyncDelay, 100*time.Millisecond),
		snapshotEvery: orInt(d.SnapshotEvery, 50),
		idleAfter:     orDuration(d.IdleAfter, 2*time.Minute),
		maxDocBytes:   orInt(d.MaxDocBytes, DefaultMaxDocBytes),
		pingInterval:  orDuration(d.PingInterval, 30*time.Second),
		pongTimeout:   orDuration(d.PongTimeout, 20*time.Second),
		storageID:     sid,
		peerID:        "hindsight-" + randomID(),
		boards:        map[string]*liveBoard{},
		conns:         map[*conn]struct{}{},
	}
	s.nodeActor = "collab-node-" + s.peerID[len("hindsight-"):]
	s.log = s.log.With("node", s.peerID[len("hindsight-"):len("hindsight-")+4])
	return s, nil
}

func orDuration(v, def time.Duration) time.Duration {
	if v > 0 {
		return v
	}
	return def
}

func orInt(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

// StorageID is the storage ID this server advertises to peers.
func (s *Server) StorageID() string { return s.storageID }

// Run follows the log from its current end, merging boards that other nodes
// changed, and evicts idle boards. It returns when ctx is done.
func (s *Server) Run(ctx context.Context) error {
	from, err := s.store.LastPosition(ctx)
	if err != nil {
		return fmt.Errorf("collab: log position: %w", err)
	}
	go s.evictLoop(ctx)
	go s.reauthorizeEvery(ctx)
	if s.presence != nil {
		go func() {
			if err := s.presence.Subscribe(ctx, s.fromBus); err != nil {
				s.log.Error("collab: presence from other nodes", "err", err)
			}
		}()
	}
	err = s.store.Subscribe(ctx, from, func(_ context.Context, e eventstore.RecordedEvent) error {
		if s.accessChanged != nil {
			if ch, ok := s.accessChanged(e); ok {
				s.accessEvent(ctx, ch)
			}
		}
		if e.Stream.Category != docCategory || e.Actor == s.nodeActor || (e.Type != eventChunk && e.Type != eventSnapshot) {
			return nil
		}
		s.mu.Lock()
		b := s.boards[e.Stream.ID]
		s.mu.Unlock()
		if b == nil {
			return nil // loaded from the log when first asked for
		}
		data, err := decodeChunk(e)
		if err != nil {
			s.log.Error("collab: unreadable chunk in the log", "err", err)
			return nil
		}
		b.merge(data)
		return nil
	})
	if ctx.Err() != nil {
		return nil
	}
	return fmt.Errorf("collab: follow the log: %w", err)
}

func (s *Server) evictLoop(ctx context.Context) {
	t := time.NewTicker(min(s.idleAfter/2, 30*time.Second))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			s.evictIdle(now)
		}
	}
}

// evictIdle drops boards nobody used for IdleAfter; their memory goes back
// when the garbage collector frees the Automerge documents.
func (s *Server) evictIdle(now time.Time) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for id, b := range s.boards {
		if b.idle(now, s.idleAfter) {
			delete(s.boards, id)
			n++
		}
	}
	if n > 0 {
		s.memory.soon()
	}
	return n
}

// LoadedBoards is the number of boards in memory.
func (s *Server) LoadedBoards() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.boards)
}

// Connections is the number of open peer connections.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// Close disconnects every peer, writes out pending changes and stops the
// workers.
func (s *Server) Close(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	boards := make([]*liveBoard, 0, len(s.boards))
	for _, b := range s.boards {
		boards = append(boards, b)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.close(websocket.StatusServiceRestart, "server shutting down")
	}
	// Let batches already being checked finish, so what they apply is flushed.
	for _, b := range boards {
		for b.busy() && ctx.Err() == nil {
			time.Sleep(5 * time.Millisecond)
		}
	}
	var errs []error
	for _, b := range boards {
		b.mu.Lock()
		if b.timer != nil {
			b.timer.Stop()
			b.timer = nil
		}
		b.mu.Unlock()
		if err := b.flush(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	s.pool.Close()
	s.memory.stop()
	return errors.Join(errs...)
}

// attach returns the board docID, loading it from the log on first use, and
// counts c as attached until detach.
func (s *Server) attach(ctx context.Context, docID string) (*liveBoard, error) {
	s.mu.Lock()
	b, ok := s.boards[docID]
	if !ok {
		b = &liveBoard{id: docID, s: s, peers: map[*conn]*automerge.SyncState{}, sessions: map[string]uint64{}, lastUsed: time.Now()}
		s.boards[docID] = b
		// Held across the load, so no message reaches a half-loaded board;
		// taken before s.mu is released, so nobody else sees it unlocked.
		b.mu.Lock()
		b.refs++
		s.mu.Unlock()
		doc, chunks, found, err := loadDoc(ctx, s.store, docID)
		if err != nil {
			b.mu.Unlock()
			s.mu.Lock()
			b.refs--
			delete(s.boards, docID)
			s.mu.Unlock()
			return nil, err
		}
		b.doc, b.chunks, b.found = doc, chunks, found
		b.flushed = doc.Heads()
		b.mu.Unlock()
		return b, nil
	}
	b.refs++
	s.mu.Unlock()
	return b, nil
}

func (s *Server) release(b *liveBoard) {
	s.mu.Lock()
	b.refs--
	s.mu.Unlock()
}
