package worker

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"os/exec"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hindsight-retro/hindsight/internal/procmem"
)

// ErrCrashed says the worker died while checking a message: the message is
// to be treated as hostile.
var ErrCrashed = errors.New("validation worker crashed")

// PoolConfig says how to start workers.
type PoolConfig struct {
	// Command returns a fresh, unstarted command that runs Serve on its
	// stdin and stdout (the hindsight binary as `hindsight collab-worker`,
	// or a test binary re-executing itself).
	Command func() *exec.Cmd
	// Size is the number of long-lived workers; 0 means 2.
	Size int
	// Timeout bounds one check; a worker that takes longer is killed. 0 means 10 s.
	Timeout time.Duration
	// MaxRSS recycles a worker whose resident memory is above it after a
	// check: the core's C memory is freed only by finalizers and the C
	// allocator keeps much of what was freed, so a worker that once checked
	// a large board would hold that memory for good. 0 means 256 MiB.
	MaxRSS int64
	// MaxChecks recycles a worker after that many checks, whatever its
	// size. 0 means 10,000.
	MaxChecks int
	// IdleStop stops a worker that has checked nothing for that long, so
	// once every board has gone quiet the workers' memory is all returned;
	// the next check starts a fresh one. 0 means 30 s.
	IdleStop time.Duration
	Logger   *slog.Logger
}

// Pool spreads checks over long-lived worker processes, by document, so that
// each worker keeps its documents cached.
type Pool struct {
	cfg     PoolConfig
	workers []*proc
	done    chan struct{} // closed by Close
}

// ErrClosed is returned by Check after Close.
var ErrClosed = errors.New("validation pool closed")

// NewPool returns a pool; workers start on first use and restart after a crash.
func NewPool(cfg PoolConfig) *Pool {
	if cfg.Size <= 0 {
		cfg.Size = 2
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.MaxRSS <= 0 {
		cfg.MaxRSS = 256 << 20
	}
	if cfg.MaxChecks <= 0 {
		cfg.MaxChecks = 10_000
	}
	if cfg.IdleStop <= 0 {
		cfg.IdleStop = 30 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	p := &Pool{cfg: cfg, done: make(chan struct{})}
	for i := 0; i < cfg.Size; i++ {
		p.workers = append(p.workers, &proc{cfg: &p.cfg, seen: map[string]string{}})
	}
	go p.stopIdleEvery(cfg.IdleStop / 2)
	return p
}

func (p *Pool) stopIdleEvery(every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-p.done:
			return
		case now := <-t.C:
			p.stopIdle(now)
		}
	}
}

// stopIdle stops the workers that have checked nothing for IdleStop.
func (p *Pool) stopIdle(now time.Time) {
	for _, w := range p.workers {
		if !w.mu.TryLock() {
			continue // checking right now
		}
		if w.cmd != nil && now.Sub(w.lastUsed) >= p.cfg.IdleStop {
			w.cfg.Logger.Debug("collab: idle validation worker stopped", "checks", w.checks)
			w.stop()
		}
		w.mu.Unlock()
	}
}

// Running is the number of worker processes alive now.
func (p *Pool) Running() int {
	n := 0
	for _, w := range p.workers {
		w.mu.Lock()
		if w.cmd != nil {
			n++
		}
		w.mu.Unlock()
	}
	return n
}

// Check asks a worker whether msgs (sent by peers whose sync states are
// syncStates) may be applied, in order, to the document whose state is named
// by heads. save is called for the document's bytes only when the
// worker does not hold that state already. The result is OK, a rejection
// with a reason, or an error (ErrCrashed when the message killed the worker).
func (p *Pool) Check(ctx context.Context, docID, heads string, save func() []byte, syncStates, msgs [][]byte, maxDocBytes int) (Response, error) {
	w := p.take(docID)
	w.busy.Store(true)
	defer func() {
		w.busy.Store(false)
		w.mu.Unlock()
	}()
	return w.check(ctx, Request{DocID: docID, Heads: heads, Syncs: syncStates, Messages: msgs, MaxDocBytes: maxDocBytes}, save)
}

// take locks the worker for docID: the one it hashes to, which likely holds
// it already, unless that one is busy and another is idle. One board's slow
// check then delays only the boards that have no idle worker to go to.
func (p *Pool) take(docID string) *proc {
	h := fnv.New32a()
	h.Write([]byte(docID))
	w := p.workers[int(h.Sum32()%uint32(len(p.workers)))]
	if w.mu.TryLock() {
		return w
	}
	for _, o := range p.workers {
		if o != w && o.mu.TryLock() {
			return o
		}
	}
	w.mu.Lock()
	return w
}

// Close stops every worker.
func (p *Pool) Close() {
	select {
	case <-p.done:
	default:
		close(p.done)
	}
	for _, w := range p.workers {
		w.mu.Lock()
		w.closed = true
		w.stop()
		w.mu.Unlock()
	}
}

type proc struct {
	cfg *PoolConfig

	mu     sync.Mutex
	busy   atomic.Bool // a check is under way
	closed bool
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	out    *bufio.Reader
	// seen maps a document to the heads this worker last reported for it.
	seen map[string]string
	// checks counts the checks this process has made.
	checks int
	// lastUsed is when the last check ended.
	lastUsed time.Time
}

func (w *proc) start() error {
	cmd := w.cfg.Command()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return fmt.Errorf("worker stdin: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return fmt.Errorf("worker stdout: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start validation worker: %w", err)
	}
	w.cmd, w.stdin, w.out = cmd, stdin, bufio.NewReader(stdout)
	w.seen = map[string]string{}
	w.checks = 0
	return nil
}

func (w *proc) stop() {
	if w.cmd == nil {
		return
	}
	w.stdin.Close()
	_ = w.cmd.Process.Kill()
	_ = w.cmd.Wait()
	w.cmd = nil
}

// check runs one check; w.mu is held.
func (w *proc) check(ctx context.Context, req Request, save func() []byte) (Response, error) {
	if w.closed {
		return Response{}, ErrClosed
	}
	if w.cmd == nil {
		if err := w.start(); err != nil {
			return Response{}, err
		}
	}
	if w.seen[req.DocID] != req.Heads {
		req.Doc, req.HasDoc = save(), true
	}
	resp, err := w.roundTrip(ctx, req)
	if err == nil && resp.Miss && !req.HasDoc {
		req.Doc, req.HasDoc = save(), true
		resp, err = w.roundTrip(ctx, req)
	}
	if err != nil {
		return Response{}, err
	}
	if resp.OK {
		w.seen[req.DocID] = resp.Heads
	} else {
		delete(w.seen, req.DocID)
	}
	w.recycleIfSpent()
	return resp, nil
}

// recycleIfSpent stops a worker that has made its checks or grown past its
// bound; the next check starts a fresh one. w.mu is held.
func (w *proc) recycleIfSpent() {
	w.checks++
	w.lastUsed = time.Now()
	rss := procmem.RSS(w.cmd.Process.Pid) << 10 // 0 where there is no /proc: recycled by count only
	if w.checks < w.cfg.MaxChecks && rss <= w.cfg.MaxRSS {
		return
	}
	w.cfg.Logger.Info("collab: validation worker recycled", "checks", w.checks, "rss", rss)
	w.stop()
}

func (w *proc) roundTrip(ctx context.Context, req Request) (Response, error) {
	type result struct {
		resp Response
		err  error
	}
	done := make(chan result, 1)
	go func() {
		var r result
		if r.err = writeFrame(w.stdin, req); r.err == nil {
			r.err = readFrame(w.out, &r.resp)
		}
		done <- r
	}()
	timer := time.NewTimer(w.cfg.Timeout)
	defer timer.Stop()
	var r result
	pending := true
	select {
	case r = <-done:
		pending = false
	case <-timer.C:
		r.err = fmt.Errorf("%w: no answer within %s", ErrCrashed, w.cfg.Timeout)
	case <-ctx.Done():
		r.err = ctx.Err()
	}
	if r.err != nil {
		// Whatever happened, this process's state is unknown now: replace it.
		w.stop()
		if pending {
			<-done // the kill ends the blocked read or write
		}
		if !errors.Is(r.err, ErrCrashed) && ctx.Err() == nil {
			r.err = fmt.Errorf("%w: %v", ErrCrashed, r.err)
		}
		w.cfg.Logger.Warn("collab: validation worker replaced", "doc", req.DocID, "err", r.err)
		return Response{}, r.err
	}
	return r.resp, nil
}
