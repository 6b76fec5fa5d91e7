package live

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/hindsight-retro/hindsight/api/live/jsonpatch"
	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/domain"
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
	prev   *retro.State // and before it
	// prevPos is the room's position before the commit: prev's.
	prevPos uint64
	// views before and after the commit, per audience, for patch
	// followers: the next commit's item holds this one's after as its
	// before, so each state's view is built once per audience, not twice.
	before, after *viewCache
	data          []byte

	// patches holds the patch message per audience once encoded (see
	// patchFor).
	mu      sync.Mutex
	patches map[string][]byte
}

// sink is a transport: it writes one message, keeps the connection alive,
// and says goodbye.
type sink interface {
	// write sends one message; id is the SSE event ID (0 for none).
	write(ctx context.Context, data []byte, id uint64) error
	// end closes the stream after a resume message (slow, drain) or without
	// one (gone).
	end(e ending)
}

// ending says how a connection ends.
type ending int

const (
	endNone    ending = iota // still open: the queue is merely empty
	endGone                  // the client left or a write failed
	endSlow                  // queue overflow: told to resume
	endDrain                 // node draining: told to resume
	endRevoked               // the viewer lost access: told so, no resume
)

// conn is one client connection, whatever its transport. Its queue is a
// bounded slice rather than a channel, and on WebSocket its writer is a
// goroutine that runs only while there is something to send and for
// writerLinger after: an idle connection costs its reader goroutine and
// little else.
type conn struct {
	hub    *Hub
	room   *room
	viewer retro.Viewer
	// patches: the client asked for changes as patches of its view
	// (?changes=patch) rather than the whole view.
	patches bool
	// principal is who connected, for Authorize to be asked again.
	principal identity.Principal
	ctx       context.Context
	cancel    context.CancelFunc
	out       sink
	// wake starts or signals the writer; set before the connection joins.
	wake func()

	mu       sync.Mutex
	q        []*item
	ready    bool // the transport is up: the writer may start
	kicked   bool // the queue overflowed
	stopping bool // the node drains
	closed   bool // the connection is going: no writer starts again
	revoked  bool // the viewer lost access
	// ended, when set, is why the retro itself ended (End): the message
	// and close reason the client is told instead of revokedMessage.
	ended   *endNotice
	holds   int  // access is being checked again: write nothing meanwhile
	running bool // a writer is active (WebSocket)
	// lingering: the writer waits for more (writerLinger) with nothing to
	// write; spawn kicks it instead of starting another.
	lingering bool
	kick      chan struct{}
	writers   sync.WaitGroup

	// Owned by whichever writer runs (one at a time).
	sent  uint64      // last position sent
	start *startPoint // what to send first; nil once sent
	aud   audienceAt  // the viewer's audience at the last patch sent

	typing, doneFlag bool        // what the client reported; guarded by room.mu
	pingT            *time.Timer // WebSocket keepalive; guarded by mu

	// Presence reports are applied at most every presenceGap, the latest
	// winning (see report).
	pmu    sync.Mutex
	pWant  [2]bool // typing, done
	pLast  time.Time
	pTimer *time.Timer
}

// startPoint is the snapshot a connection starts from and, when resuming,
// the position the client already has.
type startPoint struct {
	state    retro.State
	pos      uint64
	after    uint64
	resuming bool
}

// push queues an item without ever waiting. A connection that cannot take
// it is a slow consumer: its writer tells it to resume and closes it; if the
// writer is stuck in a write, the context is cancelled after WriteTimeout
// to cut it off.
func (c *conn) push(it *item) {
	c.mu.Lock()
	if c.kicked || c.closed {
		c.mu.Unlock()
		return
	}
	if len(c.q) >= c.hub.deps.QueueSize {
		c.kicked, c.q = true, nil
		c.hub.stats.dropped.Add(1)
		c.hub.log.Warn("live: slow consumer dropped", "retro", c.room.id, "user", c.viewer.UserID, "queued", c.hub.deps.QueueSize)
		time.AfterFunc(c.hub.deps.WriteTimeout, c.cancel)
	} else {
		c.q = append(c.q, it)
	}
	c.mu.Unlock()
	c.wake()
}

// stop tells the connection to resume elsewhere (drain).
func (c *conn) stop() {
	c.mu.Lock()
	c.stopping = true
	c.mu.Unlock()
	c.wake()
}

// spawn is the WebSocket wake: start a writer unless one runs, and kick
// one that lingers.
func (c *conn) spawn() {
	c.mu.Lock()
	if c.lingering {
		c.lingering = false
		select {
		case c.kick <- struct{}{}:
		default:
		}
	}
	if c.running || c.closed || !c.ready {
		c.mu.Unlock()
		return
	}
	c.running = true
	c.writers.Add(1)
	c.hub.stats.writers.Add(1)
	c.mu.Unlock()
	go c.writeLoop()
}

// writerLinger is how long a writer with nothing to write waits for more
// before it exits. A retro in use gets a change every second or so: a
// writer started afresh for each grew its stack again in the patch and
// the encoding, and starting and ending 20 goroutines per card cost about
// 4 % of the server's CPU at 100 cards/s (BENCHMARKS.md, "… writers that
// linger …"). A connection idle for longer holds no goroutine.
const writerLinger = 2 * time.Second

// writeLoop writes until the queue is empty and stays empty for
// writerLinger, then exits; spawn starts a new one when the next item
// comes.
func (c *conn) writeLoop() {
	defer c.writers.Done()
	defer c.hub.stats.writers.Add(-1)
	var idle *time.Timer
	defer func() {
		if idle != nil {
			idle.Stop()
		}
	}()
	for {
		if e := c.flush(); e != endNone {
			c.out.end(e)
			return // running stays true: nothing more to write
		}
		c.mu.Lock()
		e, halt := c.haltLocked()
		if halt && e != endNone {
			c.mu.Unlock()
			continue // flush ends it
		}
		if !halt && len(c.q) > 0 {
			c.mu.Unlock()
			continue
		}
		// Held: unhold starts a writer again. Idle: wait a while for more.
		if halt || c.closed {
			c.running = false
			c.mu.Unlock()
			return
		}
		if c.kick == nil {
			c.kick = make(chan struct{}, 1)
		}
		c.lingering = true
		c.mu.Unlock()
		if idle == nil {
			idle = time.NewTimer(writerLinger)
		} else {
			idle.Reset(writerLinger)
		}
		select {
		case <-c.kick:
			idle.Stop()
			continue
		case <-idle.C:
		case <-c.ctx.Done():
		}
		c.mu.Lock()
		if !c.lingering {
			// Kicked as the wait ended: there is more to write.
			c.mu.Unlock()
			continue
		}
		c.lingering = false
		c.running = false
		c.mu.Unlock()
		return
	}
}

// flush sends the start (snapshot, or missed changes then snapshot) if not
// yet sent, then everything queued. It reports endNone when the queue is
// empty, or how the connection must end.
func (c *conn) flush() ending {
	// Even the snapshot waits while access is checked again: it may hold
	// commits from after a removal.
	c.mu.Lock()
	e, halt := c.haltLocked()
	c.mu.Unlock()
	if halt {
		return e
	}
	if c.start != nil {
		if !c.sendStart() {
			return endGone
		}
		c.start = nil
	}
	for {
		c.mu.Lock()
		if e, halt := c.haltLocked(); halt || len(c.q) == 0 {
			c.mu.Unlock()
			return e
		}
		it := c.q[0]
		c.q[0] = nil
		c.q = c.q[1:]
		// A patch follower that fell behind takes every change queued
		// after this one at once: one patch from its view to the newest,
		// so a writer behind a busy retro catches up instead of building
		// views of states nobody will look at (issue 15: one hot retro).
		var behind []*item
		if c.patches && it.kind == kindChange {
			for len(c.q) > 0 && c.q[0].kind == kindChange && len(behind) < maxCoalesced {
				behind = append(behind, c.q[0])
				c.q[0] = nil
				c.q = c.q[1:]
			}
		}
		last := len(c.q) == 0
		if last {
			c.q = nil // an idle connection holds no queue
		}
		c.mu.Unlock()
		if c.ctx.Err() != nil {
			return endGone
		}
		switch it.kind {
		case kindRaw:
			if !c.send(it.data, 0) {
				return endGone
			}
		case kindChange:
			// Those the client had already (resumed ahead of this node) are skipped.
			run := make([]*item, 0, 1+len(behind))
			for _, q := range append([]*item{it}, behind...) {
				if q.pos > c.sent {
					run = append(run, q)
				}
			}
			if len(run) == 0 {
				continue
			}
			it = run[len(run)-1]
			// The view goes only with the last queued change: a burst of
			// commits costs one view per connection. A patch goes with
			// every change: patches compose, views replace.
			var b []byte
			var err error
			if c.patches && len(run) > 1 {
				b, err = patchForRun(run, c.viewer, c.hub.deps.Policy, &c.aud)
			} else if c.patches {
				b, err = it.patchFor(c.viewer, c.hub.deps.Policy, &c.aud)
			} else {
				b, err = encodeChange(it.pos, it.events, *it.state, c.viewer, c.hub.deps.Policy, last)
			}
			if err != nil {
				c.hub.log.Error("live: encode change", "retro", c.room.id, "position", it.pos, "err", err)
				return endGone
			}
			if !c.send(b, it.pos) {
				return endGone
			}
			c.sent = it.pos
		}
	}
}

// haltLocked says whether the writer must stop writing now: to end the
// connection (the ending), or, with endNone, to wait while held.
func (c *conn) haltLocked() (ending, bool) {
	switch {
	case c.revoked:
		return endRevoked, true
	case c.kicked:
		return endSlow, true
	case c.stopping:
		return endDrain, true
	case c.holds > 0:
		return endNone, true
	}
	return endNone, false
}

func (c *conn) send(data []byte, id uint64) bool {
	if err := c.out.write(c.ctx, data, id); err != nil {
		return false
	}
	c.hub.stats.sent.Add(1)
	return true
}

// resumeMessage is what a client is told when it must reconnect.
func (c *conn) resumeMessage() []byte {
	b, _ := json.Marshal(resumeMsg{Type: "resume", After: c.sent})
	return b
}

// sendStart sends the snapshot, or on resume the missed commits (read from
// the store: those after the client's position up to the snapshot's; later
// ones are in the queue) and then the snapshot.
func (c *conn) sendStart() bool {
	s := c.start
	c.sent = s.pos
	if s.resuming {
		c.sent = max(s.after, s.pos)
		if s.after < s.pos && !c.replay(s) {
			return false
		}
		if s.after > s.pos {
			return true // the client is ahead of this node: the queue catches up
		}
	}
	b, err := json.Marshal(snapshotMsg{Type: "snapshot", Position: s.pos, View: retro.View(s.state, c.viewer, c.hub.deps.Policy)})
	return err == nil && c.send(b, s.pos)
}

func (c *conn) replay(s *startPoint) bool {
	recs, err := c.hub.deps.Store.Load(c.ctx, eventstore.StreamID{Category: retro.Category, ID: c.room.id}, 0)
	if err != nil {
		c.hub.log.Warn("live: replay", "retro", c.room.id, "err", err)
		return false
	}
	for i := 0; i < len(recs); {
		j := i
		for j < len(recs) && recs[j].Position == recs[i].Position {
			j++
		}
		if pos := recs[i].Position; pos > s.after && pos <= s.pos {
			b, err := encodeChange(pos, c.hub.decode(recs[i:j]), s.state, c.viewer, c.hub.deps.Policy, false)
			if err != nil || !c.send(b, pos) {
				return false
			}
		}
		i = j
	}
	return true
}

// open authorises the request, joins the retro's room and returns the
// connection, not yet ready to write; the connection's context derives
// from life. On failure it returns the refusal (*domain.Error) to answer
// with.
func (h *Hub) open(ctx, life context.Context, p identity.Principal, retroID string, after *uint64, patches bool, wake func(*conn) func()) (*conn, error) {
	select {
	case <-h.ready:
	case <-h.stop:
		return nil, errUnavailable
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: %w", errUnavailable, ctx.Err())
	}
	if err := (eventstore.StreamID{Category: retro.Category, ID: retroID}).Validate(); err != nil {
		return nil, domain.Errorf(domain.Invalid, "", "the live feed request is malformed: retro ID: %v", err)
	}
	epoch := h.revocations.Load()
	authorize := h.deps.Authorize
	if h.deps.AuthorizeJoin != nil {
		authorize = h.deps.AuthorizeJoin
	}
	viewer, err := authorize(ctx, p, retroID)
	if err != nil {
		return nil, h.refusal(retroID, err)
	}
	if !h.enter() {
		return nil, errUnavailable
	}
	rm, err := h.acquire(ctx, retroID)
	if err != nil {
		h.leave()
		if domain.KindOf(err) == domain.NotFound {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %w", errUnavailable, err)
	}
	cctx, cancel := context.WithCancel(life)
	c := &conn{hub: h, room: rm, viewer: viewer, patches: patches, principal: p, ctx: cctx, cancel: cancel}
	c.wake = wake(c)
	sp := &startPoint{}
	if after != nil {
		sp.after, sp.resuming = *after, true
	}
	sp.state, sp.pos = rm.join(c)
	c.start = sp
	// A revoking event seen since Authorize answered may have missed this
	// connection, which had not joined yet; and AuthorizeJoin may have
	// decided on a state that does not hold a removal the hub has seen:
	// ask Authorize before anything is sent.
	if h.revocations.Load() != epoch ||
		(h.deps.AuthorizeJoin != nil && h.removals.lately(sp.state.TeamID, p.UserID, time.Now())) {
		c.hold()
		go h.reauthorize(context.Background(), []*conn{c}, true)
	}
	// Drain closes stop before it tells the rooms' connections; one that
	// joined after that is told here.
	select {
	case <-h.stop:
		c.stop()
	default:
	}
	return c, nil
}

// begin marks the transport as up and starts writing.
func (c *conn) begin(out sink) {
	c.mu.Lock()
	c.out, c.ready = out, true
	c.mu.Unlock()
	c.wake()
}

// presenceGap bounds how often one connection's presence reports reach the
// room, so that a client toggling "typing" cannot make the node broadcast
// to the whole room at its own pace.
const presenceGap = 250 * time.Millisecond

// report applies a presence report now, or when the gap since the last one
// has passed; reports in between are coalesced into the latest.
func (c *conn) report(typing, done bool) {
	c.pmu.Lock()
	defer c.pmu.Unlock()
	c.pWant = [2]bool{typing, done}
	if c.pTimer != nil {
		return // a pending report will carry the latest state
	}
	wait := presenceGap - time.Since(c.pLast)
	if wait <= 0 {
		c.pLast = time.Now()
		c.room.setPresence(c, typing, done)
		return
	}
	c.pTimer = time.AfterFunc(wait, func() {
		c.pmu.Lock()
		want := c.pWant
		c.pTimer, c.pLast = nil, time.Now()
		c.pmu.Unlock()
		c.room.setPresence(c, want[0], want[1])
	})
}

// close stops the writers and leaves the room and the hub.
func (c *conn) close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.cancel()
	c.writers.Wait()
	if c.pingT != nil {
		c.pingT.Stop()
	}
	c.pmu.Lock()
	if c.pTimer != nil {
		c.pTimer.Stop()
	}
	c.pmu.Unlock()
	c.room.leave(c)
	c.hub.release(c.room)
	c.hub.leave()
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
	// Patch is present (if empty) on every change to a patch follower.
	Patch *[]jsonpatch.Op `json:"patch,omitempty"`
}

type wireEvent struct {
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

// revokedMessage tells a client its viewer may no longer see the retro.
var revokedMessage = []byte(`{"type":"revoked"}`)

// endNotice is what a connection to a retro that ended for everyone is
// told: a revoked message with the problem's code and detail, and a close
// reason its client can show.
type endNotice struct {
	msg    []byte
	reason string
}

// maxCloseReason is the longest close reason a WebSocket close frame holds.
const maxCloseReason = 123

func newEndNotice(code, detail string) *endNotice {
	msg, _ := json.Marshal(struct { // cannot fail: strings
		Type   string `json:"type"`
		Code   string `json:"code"`
		Detail string `json:"detail"`
	}{"revoked", code, detail})
	reason := code + ": " + detail
	if len(reason) > maxCloseReason {
		reason = reason[:maxCloseReason]
		for !utf8.ValidString(reason) {
			reason = reason[:len(reason)-1]
		}
	}
	return &endNotice{msg: msg, reason: reason}
}

// revokedNotice is the message and close reason of a revoked connection.
func (c *conn) revokedNotice() ([]byte, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ended != nil {
		return c.ended.msg, c.ended.reason
	}
	return revokedMessage, "access revoked"
}

type resumeMsg struct {
	Type  string `json:"type"`
	After uint64 `json:"after"`
}

// encodeChange is the only way a commit leaves the hub: each event through
// retro.RedactEvent for the viewer, the view through retro.View under p.
func encodeChange(pos uint64, events []retro.Event, st retro.State, v retro.Viewer, p retro.Policy, withView bool) ([]byte, error) {
	m, err := redactedChange(pos, events, st, v)
	if err != nil {
		return nil, err
	}
	if withView {
		view := retro.View(st, v, p)
		m.View = &view
	}
	return json.Marshal(m)
}

// patchFor is the change message for a viewer who follows patches: the
// redacted events and what changed in the viewer's view, both only through
// retro.RedactEvent and retro.View. Viewers of one retro.Audience before
// and after the commit are sent the same (the domain's property tests hold
// Audience to View and RedactEvent), so it is built and encoded once per
// audience and the bytes are shared. The lock is held while encoding: the
// room's other writers want the same bytes, most of them.
//
// last is the viewer's audience at the previous commit, as this writer
// found it (the state before this commit, if nothing came between): the
// audience walks the retro's cards, so it is computed once per commit and
// viewer, not twice. patchFor sets it to the audience after this commit.
func (it *item) patchFor(v retro.Viewer, p retro.Policy, last *audienceAt) ([]byte, error) {
	before := last.key
	if before == "" || last.pos != it.prevPos {
		before = retro.Audience(*it.prev, v)
	}
	after := retro.Audience(*it.state, v)
	*last = audienceAt{key: after, pos: it.pos}
	key := before + "\x01" + after
	it.mu.Lock()
	defer it.mu.Unlock()
	if b, ok := it.patches[key]; ok {
		return b, nil
	}
	m, err := redactedChange(it.pos, it.events, *it.state, v)
	if err != nil {
		return nil, err
	}
	from := it.before.view(before, it.prev, v, p)
	to, ops := it.after.viewFrom(after, it.state, v, p, from, fromKey(it.prevPos, before), it.events)
	return it.keepPatch(key, m, from, to, ops)
}

// fromKey names the view of a room's state at pos for an audience.
func fromKey(pos uint64, aud string) string { return strconv.FormatUint(pos, 10) + "\x00" + aud }

// keepPatch encodes m with the patch from one view to the other (ops when
// known, else their diff) and keeps the bytes under key for the item's
// other writers; it.mu is held.
func (it *item) keepPatch(key string, m changeMsg, from, to retro.RetroView, ops []jsonpatch.Op) ([]byte, error) {
	patch := ops
	if patch == nil {
		patch = jsonpatch.Diff(from, to)
	}
	if patch == nil {
		patch = []jsonpatch.Op{} // "nothing changed for you" still says so
	}
	m.Patch = &patch
	b, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	if it.patches == nil {
		it.patches = map[string][]byte{}
	}
	it.patches[key] = b
	return b, nil
}

// maxCoalesced bounds how many queued changes one message may carry.
const maxCoalesced = 1024

// patchForRun is one change message for consecutive commits run (at least
// one; their items follow each other in the room): every commit's events as
// the viewer may see them and one patch from the viewer's view before the
// first to its view after the last, at the last one's position. Viewers
// who reach the same run from the same audience share the bytes only when
// their redacted events are the same bytes too: between the ends a viewer's
// audience may have changed in ways the ends do not show (a card of theirs
// added and removed), and the events are what would tell.
func patchForRun(run []*item, v retro.Viewer, p retro.Policy, last *audienceAt) ([]byte, error) {
	if len(run) == 1 {
		return run[0].patchFor(v, p, last)
	}
	first, end := run[0], run[len(run)-1]
	before := last.key
	if before == "" || last.pos != first.prevPos {
		before = retro.Audience(*first.prev, v)
	}
	after := retro.Audience(*end.state, v)
	*last = audienceAt{key: after, pos: end.pos}
	m := changeMsg{Type: "change", Position: end.pos, Events: []wireEvent{}}
	for _, it := range run {
		one, err := redactedChange(it.pos, it.events, *it.state, v)
		if err != nil {
			return nil, err
		}
		m.Events = append(m.Events, one.Events...)
	}
	events, err := json.Marshal(m.Events)
	if err != nil {
		return nil, err
	}
	key := strconv.FormatUint(first.prevPos, 10) + "\x02" + before + "\x01" + after + "\x01" + string(events)
	end.mu.Lock()
	defer end.mu.Unlock()
	if b, ok := end.patches[key]; ok {
		return b, nil
	}
	var raw []retro.Event
	for _, it := range run {
		raw = append(raw, it.events...)
	}
	from := first.before.view(before, first.prev, v, p)
	to, ops := end.after.viewFrom(after, end.state, v, p, from, fromKey(first.prevPos, before), raw)
	return end.keepPatch(key, m, from, to, ops)
}

// audienceAt is a viewer's retro.Audience in the room's state at pos.
type audienceAt struct {
	key string
	pos uint64
}

// viewCache holds the views of one state of a room, one per audience, as
// the patch followers' writers built them. A nil cache holds nothing.
type viewCache struct {
	mu    sync.Mutex
	views map[string]cachedView
}

// cachedView is one audience's view; made from another (viewFrom), from
// names that one and ops are the patch from it.
type cachedView struct {
	view retro.RetroView
	from string
	ops  []jsonpatch.Op
}

// view is v's view of st, whose audience is aud: built, or the view
// another viewer of that audience was given with v's user ID in it (views
// of one audience differ only there, see retro.Audience). The view's
// slices and maps are shared: only read them.
func (vc *viewCache) view(aud string, st *retro.State, v retro.Viewer, p retro.Policy) retro.RetroView {
	view, _ := vc.viewFrom(aud, st, v, p, retro.RetroView{}, "", nil) // no events: built whole
	return view
}

// viewFrom is view, but a view not built yet is made from from, the
// viewer's view of the state before events, when retro.ViewAfter can (cards
// added): a card then costs its feeds what it changed, not a walk of every
// card of the retro per audience. fromKey names from (its position and
// audience); when the view was made from that same view, ops are the
// patch from it, and no diff is needed (nil otherwise).
func (vc *viewCache) viewFrom(aud string, st *retro.State, v retro.Viewer, p retro.Policy, from retro.RetroView, fromKey string, events []retro.Event) (retro.RetroView, []jsonpatch.Op) {
	if vc == nil {
		return retro.View(*st, v, p), nil
	}
	vc.mu.Lock()
	defer vc.mu.Unlock()
	e, ok := vc.views[aud]
	if !ok {
		view, added, derived := retro.ViewAfter(from, *st, events, v, p)
		if !derived {
			view = retro.View(*st, v, p)
		}
		e = cachedView{view: view}
		if derived {
			e.from, e.ops = fromKey, make([]jsonpatch.Op, len(added))
			for i, a := range added {
				e.ops[i] = jsonpatch.Op{Op: "add", Path: a.Path, Value: a.Value}
			}
		}
		if vc.views == nil {
			vc.views = map[string]cachedView{}
		}
		vc.views[aud] = e
	}
	view := e.view
	view.You.UserID = v.UserID
	if e.ops != nil && e.from == fromKey {
		return view, e.ops
	}
	return view, nil
}

// redactedChange is a change message with the commit's events as the
// viewer may see them.
func redactedChange(pos uint64, events []retro.Event, st retro.State, v retro.Viewer) (changeMsg, error) {
	m := changeMsg{Type: "change", Position: pos, Events: make([]wireEvent, 0, len(events))}
	for _, e := range events {
		red, ok := retro.RedactEvent(st, e, v)
		if !ok {
			continue
		}
		typ, _, payload, err := retro.EncodeEvent(red)
		if err != nil {
			return changeMsg{}, err
		}
		m.Events = append(m.Events, wireEvent{Type: typ, Data: payload})
	}
	return m, nil
}
