package collab

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/automerge/automerge-go"
	"github.com/hindsight-retro/hindsight/collab/wire"
	"github.com/hindsight-retro/hindsight/collab/worker"
	"github.com/hindsight-retro/hindsight/eventstore"
)

// liveBoard is one loaded whiteboard's content: its Automerge document, the
// peers syncing it, and the changes not yet written to the log. (The board's
// metadata, who it belongs to and whether it is archived, is the aggregate
// in domain/board.) mu guards everything but the
// fields set once at creation.
type liveBoard struct {
	id string
	s  *Server

	mu    sync.Mutex
	doc   *automerge.Doc
	found bool // stored in the log, or created by a peer since
	peers map[*conn]*automerge.SyncState
	// sessions holds the last ephemeral counter seen per sender session, so
	// relayed presence that comes back around is dropped.
	sessions map[string]uint64
	// wanting holds peers told doc-unavailable; they get the board as soon
	// as it exists, as the reference server does for peers that asked.
	wanting  map[*conn]bool
	refs     int // connections attached (guarded by Server.mu)
	lastUsed time.Time
	dirty    bool
	timer    *time.Timer
	// unflushed holds incremental bytes taken from the document whose append
	// failed; they go out with the next flush.
	unflushed []byte
	chunks    int // chunks since the last snapshot
	// flushed are the heads whose history is all in the log. Changes are
	// taken by heads rather than with SaveIncremental, because any Save (the
	// worker needs the bytes now and then) would silently restart that.
	flushed []automerge.ChangeHash
	// fromLog holds changes merged from other nodes' chunks while local
	// changes were pending: already in the log, so left out of our chunk.
	fromLog map[automerge.ChangeHash]bool
	// resnapshot is set when a snapshot failed to append: the changes it
	// held are no longer in any incremental save, so only a snapshot has them.
	resnapshot bool

	// toSync holds peers owed a sync message; one timer sends them all, so a
	// burst of messages costs one generated message per peer, not one per
	// peer per message (generating is the Automerge core's costliest call).
	toSync    map[*conn]bool
	owed      map[*conn]bool // peers that said hello and have not heard from us yet
	greeted   map[*conn]bool // peers we have sent a sync message to
	syncTimer *time.Timer
	lastSync  time.Time
	// wantsWhole holds peers that have nothing and read version 2 sync
	// messages: their next sync message is the saved board (see syncmsg.go).
	wantsWhole map[*conn]bool
	// resynced holds, per peer, the heads it named that the board lacked
	// when its sync state last started over (see apply): once per heads.
	resynced map[*conn]string
	// saved is the board saved at savedAt (its heads), kept for the next
	// peer that needs it and for the worker, as long as nothing changes.
	saved   []byte
	savedAt string

	flushMu sync.Mutex // orders this board's appends

	qmu        sync.Mutex // guards inbox and processing
	inbox      []inbound
	processing bool
}

// inbound is a request or sync message waiting to be checked and applied.
type inbound struct {
	c *conn
	m wire.Message
}

const (
	maxBatch = 64 // messages checked by a worker in one go
	// maxQueued bounds one connection's messages waiting to be checked: a
	// peer that sends faster than its board is checked is cut off, and only
	// that peer.
	maxQueued = 256
)

// enqueue hands a request or sync message to the board. Messages are checked
// and applied in arrival order by one goroutine per board, in batches: one
// worker round trip and one save-and-reload check cover a whole burst.
func (b *liveBoard) enqueue(c *conn, m wire.Message) {
	if c.queued.Add(1) > maxQueued {
		c.queued.Add(-1)
		c.fail("too many messages")
		return
	}
	b.qmu.Lock()
	b.inbox = append(b.inbox, inbound{c, m})
	start := !b.processing
	b.processing = true
	b.qmu.Unlock()
	if start {
		go b.process()
	}
}

func (b *liveBoard) process() {
	for {
		b.qmu.Lock()
		n := min(len(b.inbox), maxBatch)
		if n == 0 {
			b.processing = false
			b.qmu.Unlock()
			b.s.memory.soon()
			return
		}
		batch := make([]inbound, n)
		copy(batch, b.inbox)
		b.inbox = append(b.inbox[:0], b.inbox[n:]...)
		b.qmu.Unlock()
		b.receive(batch)
		for _, in := range batch {
			in.c.queued.Add(-1)
		}
	}
}

// receive checks and applies a batch. A message a worker refuses, or that
// kills it, costs its sender the board (see refuseBoard); the rest are
// applied. The board's lock is not held while a worker checks: presence,
// sync rounds, peers coming and going and other nodes' changes go on
// meanwhile, however long the check takes.
func (b *liveBoard) receive(batch []inbound) {
	b.mu.Lock()
	b.lastUsed = time.Now()
	if b.doc == nil {
		b.mu.Unlock()
		for _, in := range batch {
			in.c.fail("document could not be loaded")
		}
		return
	}
	// A request for a board nobody stored is answered doc-unavailable, and
	// the asker gets the board if it appears.
	items := batch[:0]
	willExist := b.found
	for _, in := range batch {
		if in.c.closed() || in.c.isUnfit(b.id) {
			continue
		}
		if !willExist && in.m.Type == wire.TypeRequest {
			if b.wanting == nil {
				b.wanting = map[*conn]bool{}
			}
			b.wanting[in.c] = true
			in.c.send(wire.Message{Type: wire.TypeDocUnavailable, SenderID: b.s.peerID, TargetID: in.c.peerID, DocumentID: b.id})
			continue
		}
		willExist = true
		delete(b.wanting, in.c)
		if _, ok := b.peers[in.c]; !ok {
			b.peers[in.c] = automerge.NewSyncState(b.doc)
		}
		items = append(items, in)
	}
	if len(items) == 0 {
		b.mu.Unlock()
		return
	}
	before := worker.HeadsKey(b.doc.Heads())
	b.mu.Unlock()

	if !b.checkAndApply(items) && len(items) > 1 {
		// Someone in the batch sent something bad: find out who, one by one.
		for _, in := range items {
			if !in.c.closed() && !in.c.isUnfit(b.id) {
				b.checkAndApply([]inbound{in})
			}
		}
	}

	b.mu.Lock()
	defer b.mu.Unlock()
	b.lastUsed = time.Now()
	b.found = true
	b.serveWanting()
	after := worker.HeadsKey(b.doc.Heads())
	b.s.log.Debug("collab: batch applied", "doc", b.id, "messages", len(items), "changed", after != before)
	if after != before {
		b.syncSoon(nil)
		b.markDirty()
	} else {
		// Each sender always gets an answer, if only our heads: a client that
		// is already in sync learns so.
		for _, in := range items {
			if _, ok := b.peers[in.c]; ok {
				b.syncSoon(in.c)
			}
		}
	}
	for _, in := range items {
		if _, ok := b.peers[in.c]; ok && !b.greeted[in.c] {
			b.owed[in.c] = true
		}
	}
}

// maxCheckTries bounds how often a batch is checked again because the board
// changed (another node's changes merged) while a worker checked it; the
// last try holds the board's lock across the check.
const maxCheckTries = 3

// checkAndApply has a worker check items against the document and, if they
// pass, applies them; it reports whether they passed. The lock is taken
// only to read the board before the check and to apply after it; the
// changes are applied only to the very state the worker checked them
// against, else checked again.
func (b *liveBoard) checkAndApply(items []inbound) bool {
	msgs := make([][]byte, len(items))
	for i, in := range items {
		msgs[i] = in.m.Data
	}
	for try := 1; ; try++ {
		last := try >= maxCheckTries
		b.mu.Lock()
		checked := worker.HeadsKey(b.doc.Heads())
		syncs := make([][]byte, len(items))
		for i, in := range items {
			if ss := b.peers[in.c]; ss != nil {
				syncs[i] = ss.Save()
			}
		}
		if !last {
			b.mu.Unlock()
		}
		// save runs only when the worker lacks this state; what it hands
		// over is what the check is against.
		save := func() []byte {
			if !last {
				b.mu.Lock()
				defer b.mu.Unlock()
			}
			checked = worker.HeadsKey(b.doc.Heads())
			return b.save()
		}
		resp, err := b.s.pool.Check(context.Background(), b.id, checked, save, syncs, msgs, b.s.maxDocBytes)
		if !last {
			b.mu.Lock()
		}
		if err == nil && resp.OK && worker.HeadsKey(b.doc.Heads()) != checked {
			b.mu.Unlock()
			continue // the board moved on meanwhile: check against what it is now
		}
		ok := b.applyChecked(items, resp, err)
		b.mu.Unlock()
		return ok
	}
}

// applyChecked applies items after a worker's verdict (resp, err) on them,
// or refuses the board to a sole sender. Called with mu held.
func (b *liveBoard) applyChecked(items []inbound, resp worker.Response, err error) bool {
	switch {
	case errors.Is(err, worker.ErrCrashed):
		// A crash or a check that never ended: the message is hostile, or at
		// least more than a worker can take.
		if len(items) == 1 {
			b.refuseBoard(items[0].c, "sync message refused: it could not be checked in time or stopped the check")
		}
		return false
	case err != nil:
		// The server could not check (shutting down, no worker): the peer
		// is not to blame and may send it again after reconnecting.
		for _, in := range items {
			in.c.fail("sync message could not be checked")
		}
		return true
	case !resp.OK:
		if len(items) == 1 {
			b.refuseBoard(items[0].c, "sync message refused: "+resp.Reason)
		}
		return false
	}
	for _, in := range items {
		ss := b.peers[in.c]
		if ss == nil {
			// The peer left while its message was checked: its changes still
			// count, but it is a peer no more.
			ss = automerge.NewSyncState(b.doc)
		}
		ss, err := b.apply(in.c, ss, in.m.Data)
		if err != nil {
			b.s.log.Error("collab: a checked message failed to apply", "doc", b.id, "err", err)
			b.refuseBoard(in.c, "sync message refused: "+err.Error())
			continue
		}
		if _, ok := b.peers[in.c]; !ok {
			delete(b.resynced, in.c)
		} else if ss != nil {
			b.peers[in.c] = ss
		}
		b.noteHello(in.c, in.m.Data)
	}
	return true
}

// refuseBoard answers a peer whose message a worker refused once and for
// the connection's life, as refuseUnfit does; the peer is no longer a peer
// of the board. Called with mu held.
func (b *liveBoard) refuseBoard(c *conn, reason string) {
	c.s.log.Warn("collab: refused a board to a peer", "doc", b.id, "user", c.userID, "reason", reason)
	c.markRefused(b.id, reason)
	b.dropPeer(c)
}

// syncSoon schedules sync messages to one peer, or to all when c is nil.
// Called with mu held.
func (b *liveBoard) syncSoon(c *conn) {
	if b.toSync == nil {
		b.toSync = map[*conn]bool{}
		b.owed = map[*conn]bool{}
		b.greeted = map[*conn]bool{}
	}
	if c != nil {
		b.toSync[c] = true
	} else {
		for p := range b.peers {
			b.toSync[p] = true
		}
	}
	if b.syncTimer == nil {
		// A throttle: the first message after a quiet spell goes out almost
		// at once, later ones at most once per syncDelay.
		wait := max(b.s.syncDelay-time.Since(b.lastSync), 2*time.Millisecond)
		b.syncTimer = time.AfterFunc(wait, b.syncNow)
	}
}

func (b *liveBoard) syncNow() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.syncTimer = nil
	b.lastSync = time.Now()
	for p := range b.toSync {
		if ss, ok := b.peers[p]; ok && b.wantsWhole[p] && b.sendWhole(p, ss) {
			continue
		}
		if ss, ok := b.peers[p]; ok && !b.sendSync(p, ss) && b.owed[p] {
			// The core stays silent to a peer that is in sync, even one that
			// just said hello; a new peer still deserves our heads, once.
			p.send(wire.Message{Type: wire.TypeSync, SenderID: b.s.peerID, TargetID: p.peerID, DocumentID: b.id, Data: headsMessage(b.doc.Heads())})
			b.greeted[p] = true
		}
	}
	clear(b.toSync)
	clear(b.owed)
}

// noteHello remembers whether a peer that just sent us msg should get the
// whole board next. Called with mu held.
func (b *liveBoard) noteHello(c *conn, msg []byte) {
	h, err := readSyncHello(msg)
	if err != nil || !h.hasNothing || !h.takesWhole {
		delete(b.wantsWhole, c)
		return
	}
	if b.wantsWhole == nil {
		b.wantsWhole = map[*conn]bool{}
	}
	b.wantsWhole[c] = true
}

// sendWhole sends a peer that has nothing the saved board in one message,
// and tells its sync state so: the core then sends it only what changes
// after this. It reports whether it sent anything. Called with mu held.
func (b *liveBoard) sendWhole(c *conn, ss *automerge.SyncState) (sent bool) {
	delete(b.wantsWhole, c)
	heads := b.doc.Heads()
	if len(heads) == 0 {
		return false // nothing to send but our (empty) heads
	}
	defer func() {
		if r := recover(); r != nil {
			b.s.log.Error("collab: record a whole board sent", "doc", b.id, "panic", r)
			b.peers[c] = automerge.NewSyncState(b.doc) // start over with this peer
			sent = false
		}
	}()
	// As if the peer had answered "I have your heads": what it will say
	// once it has loaded the save.
	if _, err := ss.ReceiveMessage(headsMessage(heads)); err != nil {
		b.s.log.Error("collab: record a whole board sent", "doc", b.id, "err", err)
		return false
	}
	c.send(wire.Message{Type: wire.TypeSync, SenderID: b.s.peerID, TargetID: c.peerID, DocumentID: b.id, Data: wholeDocMessage(heads, b.save())})
	b.greeted[c] = true
	return true
}

// save is the board's saved form, made once per state. Called with mu held.
func (b *liveBoard) save() []byte {
	if key := worker.HeadsKey(b.doc.Heads()); key != b.savedAt || b.saved == nil {
		b.saved, b.savedAt = b.doc.Save(), key
	}
	return b.saved
}

// headsMessage encodes an Automerge sync message (v1) that carries only our
// heads, and says we have everything up to them: what the core would send
// if it answered a peer that is in sync.
func headsMessage(heads []automerge.ChangeHash) []byte {
	out := []byte{syncV1}
	out = appendHashes(out, heads)     // heads
	out = appendHashes(out, nil)       // need
	out = binary.AppendUvarint(out, 1) // one have:
	out = appendHashes(out, heads)     //   last sync
	out = binary.AppendUvarint(out, 0) //   empty bloom filter: nothing after it
	out = binary.AppendUvarint(out, 0) // no changes
	return out
}

// apply receives a checked message from c into ss, and returns the sync
// state to keep for c: ss, one started over (below), or nil when the board
// was reloaded and its peers' states with it (dropQueued). automerge-go reports
// some core errors as panics, which must not take the server down.
//
// A peer whose heads we lack after its message holds a change it did not
// send: its Bloom filter check of our summary can say we have a change we do
// not (about one time in a hundred), or it had not heard our summary yet.
// The core behind automerge-go (Rust of 2023) would then never ask for it:
// it stays silent while a message of its own is unanswered, and counts a
// message as the answer only when it knows all the message's heads. (The
// current core, which browsers run, counts any message.) So the message is
// received again into a state started from the heads we share: not waiting
// for an answer, it asks for what the peer's heads need. Once per heads, so
// a peer that will not send a change cannot make us ask at network speed.
func (b *liveBoard) apply(c *conn, ss *automerge.SyncState, data []byte) (next *automerge.SyncState, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("automerge panicked: %v", r)
		}
	}()
	sm, err := ss.ReceiveMessage(data)
	if err != nil {
		return nil, err
	}
	for _, ch := range sm.Changes() {
		if _, err := b.doc.Change(ch.Hash()); err != nil {
			b.dropQueued() // which gives every peer a new sync state
			return nil, nil
		}
	}
	heads := sm.Heads()
	if knowsAll(b.doc, heads) {
		delete(b.resynced, c)
		return ss, nil
	}
	key := worker.HeadsKey(heads)
	if b.resynced[c] == key {
		return ss, nil
	}
	fresh, err := startOver(b.doc, ss, data)
	if err != nil {
		return nil, err
	}
	if b.resynced == nil {
		b.resynced = map[*conn]string{}
	}
	b.resynced[c] = key
	return fresh, nil
}

// startOver returns a sync state started from the heads ss shares with doc,
// into which data, the message ss just received, is received again.
func startOver(doc *automerge.Doc, ss *automerge.SyncState, data []byte) (*automerge.SyncState, error) {
	fresh, err := automerge.LoadSyncState(doc, ss.Save())
	if err != nil {
		return nil, fmt.Errorf("start a peer's sync state over: %w", err)
	}
	if _, err := fresh.ReceiveMessage(data); err != nil {
		return nil, fmt.Errorf("start a peer's sync state over: %w", err)
	}
	return fresh, nil
}

// knowsAll reports whether doc holds every change in heads.
func knowsAll(doc *automerge.Doc, heads []automerge.ChangeHash) bool {
	for _, h := range heads {
		if _, err := doc.Change(h); err != nil {
			return false
		}
	}
	return true
}

// dropQueued reloads the document from its own save when a message left
// changes waiting for missing dependencies. Those were never checked as part
// of a loadable document, and a worker that loads the saved bytes would not
// see them; the peer sends them again once it learns they are needed.
// Called with mu held.
func (b *liveBoard) dropQueued() {
	b.s.log.Debug("collab: dropping queued changes", "doc", b.id)
	doc, err := automerge.Load(b.doc.Save())
	if err != nil {
		b.s.log.Error("collab: reload board", "doc", b.id, "err", err)
		return
	}
	b.doc = doc
	for p := range b.peers {
		b.peers[p] = automerge.NewSyncState(doc)
	}
}

// sendSync sends c what the core generates for it, if anything; it reports
// whether a message went out.
func (b *liveBoard) sendSync(c *conn, ss *automerge.SyncState) bool {
	var msg []byte
	func() {
		defer func() {
			if r := recover(); r != nil {
				b.s.log.Error("collab: generate sync message", "doc", b.id, "panic", r)
			}
		}()
		if m, ok := ss.GenerateMessage(); ok {
			msg = m.Bytes()
		}
	}()
	b.s.log.Debug("collab: generated", "doc", b.id, "peer", c.peerID, "bytes", len(msg))
	if msg == nil {
		return false
	}
	c.send(wire.Message{Type: wire.TypeSync, SenderID: b.s.peerID, TargetID: c.peerID, DocumentID: b.id, Data: msg})
	if b.greeted != nil {
		b.greeted[c] = true
	}
	return true
}

// relay passes presence on to the board's other peers, once per sender
// session and counter; from is nil for presence from another node.
// It reports whether the message was new.
func (b *liveBoard) relay(from *conn, m wire.Message) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.doc == nil {
		return false
	}
	key := m.SenderID + "\x00" + m.SessionID
	if last, ok := b.sessions[key]; ok && m.Count <= last {
		return false
	}
	if len(b.sessions) > 4096 {
		clear(b.sessions) // bounded: at worst a stale message is relayed once more
	}
	b.sessions[key] = m.Count
	for p := range b.peers {
		if p == from {
			continue
		}
		out := m
		out.TargetID = p.peerID
		p.send(out)
	}
	return true
}

// merge applies bytes another node appended to the log, and syncs them on.
func (b *liveBoard) merge(data []byte) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.doc == nil {
		return
	}
	if err := b.doc.LoadIncremental(data); err != nil {
		b.s.log.Error("collab: merge a chunk from the log", "doc", b.id, "err", err)
		return
	}
	if !b.dirty && b.unflushed == nil && !b.resnapshot {
		b.flushed = b.doc.Heads() // all of it is in the log already
	} else if chs, err := automerge.LoadChanges(data); err == nil {
		// Local changes are pending, so the flushed mark cannot move; note
		// these so the next chunk does not write them to the log again.
		if b.fromLog == nil {
			b.fromLog = map[automerge.ChangeHash]bool{}
		}
		for _, ch := range chs {
			b.fromLog[ch.Hash()] = true
		}
	}
	b.found = true
	b.serveWanting()
	b.s.log.Debug("collab: merged from log", "doc", b.id, "bytes", len(data), "peers", len(b.peers))
	b.syncSoon(nil)
}

// serveWanting makes the peers that asked for the board before it existed
// its peers now that it does. Called with mu held.
func (b *liveBoard) serveWanting() {
	for c := range b.wanting {
		if _, ok := b.peers[c]; !ok {
			b.peers[c] = automerge.NewSyncState(b.doc)
		}
	}
	b.wanting = nil
}

// ask makes c a peer of the board and sends it our state: to a peer that
// holds a board we lack, that is a request for its content.
func (b *liveBoard) ask(c *conn) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.doc == nil || c.closed() || c.isUnfit(b.id) {
		return
	}
	if _, ok := b.peers[c]; !ok {
		b.peers[c] = automerge.NewSyncState(b.doc)
	}
	delete(b.wanting, c)
	b.syncSoon(c)
	if !b.greeted[c] {
		b.owed[c] = true
	}
}

func (b *liveBoard) detach(c *conn) {
	b.mu.Lock()
	b.dropPeer(c)
	b.mu.Unlock()
}

// dropPeer forgets c as a peer. Called with mu held.
func (b *liveBoard) dropPeer(c *conn) {
	delete(b.peers, c)
	delete(b.wanting, c)
	delete(b.toSync, c)
	delete(b.owed, c)
	delete(b.greeted, c)
	delete(b.wantsWhole, c)
	delete(b.resynced, c)
	b.lastUsed = time.Now()
}

// markDirty schedules a flush; under load a board is appended to at most
// once per flush interval. Called with mu held.
func (b *liveBoard) markDirty() {
	b.dirty = true
	if b.timer == nil {
		b.timer = time.AfterFunc(b.s.flushInterval, func() { b.flush(context.Background()) })
	}
}

// flush appends what changed since the last flush: a chunk, or every so
// many chunks a snapshot of the whole board that later loads start from.
func (b *liveBoard) flush(ctx context.Context) error {
	b.flushMu.Lock()
	defer b.flushMu.Unlock()
	b.mu.Lock()
	b.timer = nil
	if !b.dirty && b.unflushed == nil && !b.resnapshot {
		b.mu.Unlock()
		return nil
	}
	b.dirty = false
	heads := b.doc.Heads()
	changes, err := b.doc.Changes(b.flushed...)
	if err != nil {
		b.mu.Unlock()
		return fmt.Errorf("board %s: changes since last flush: %w", b.id, err)
	}
	if len(b.fromLog) > 0 {
		own := changes[:0]
		for _, ch := range changes {
			if !b.fromLog[ch.Hash()] {
				own = append(own, ch)
			}
		}
		changes = own
		clear(b.fromLog)
	}
	data := append(b.unflushed, automerge.SaveChanges(changes)...)
	b.unflushed = nil
	b.flushed = heads
	typ := eventChunk
	if len(data) == 0 && !b.resnapshot && b.chunks+1 < b.s.snapshotEvery {
		b.mu.Unlock()
		return nil // everything new came from the log
	}
	if b.resnapshot || b.chunks+1 >= b.s.snapshotEvery || len(data) > maxChunkBytes {
		typ, data = eventSnapshot, b.save()
	}
	b.mu.Unlock()

	_, err = b.s.store.Append(ctx, eventstore.Commit{
		Stream: docStream(b.id), ExpectedVersion: eventstore.Any,
		CommandID: randomID(), Actor: b.s.nodeActor,
		Events: []eventstore.Event{chunkEvent(typ, data)},
	})
	b.mu.Lock()
	defer b.mu.Unlock()
	if err != nil {
		if typ == eventChunk {
			b.unflushed = append(data, b.unflushed...)
		} else {
			b.resnapshot = true
		}
		if b.timer == nil {
			b.timer = time.AfterFunc(b.s.flushInterval, func() { b.flush(context.Background()) })
		}
		b.s.log.Error("collab: append board changes", "doc", b.id, "err", err)
		return fmt.Errorf("append board %s: %w", b.id, err)
	}
	b.s.log.Debug("collab: flushed", "doc", b.id, "type", typ, "bytes", len(data))
	if typ == eventSnapshot {
		b.chunks, b.resnapshot = 0, false
	} else {
		b.chunks++
	}
	return nil
}

// idle reports whether the board can be evicted. Called with Server.mu held.
func (b *liveBoard) idle(now time.Time, after time.Duration) bool {
	if !b.mu.TryLock() {
		return false // in use (or loading) right now
	}
	defer b.mu.Unlock()
	return b.refs == 0 && len(b.peers) == 0 && b.syncTimer == nil && !b.busy() && !b.dirty && b.unflushed == nil && !b.resnapshot && b.timer == nil && now.Sub(b.lastUsed) >= after
}

func (b *liveBoard) busy() bool {
	b.qmu.Lock()
	defer b.qmu.Unlock()
	return b.processing
}
