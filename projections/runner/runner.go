// Package runner keeps read models up to date from the log. Each read model
// is a Watermill handler, with Watermill's retry, poison-queue and
// panic-recovery middleware, fed from one subscription for all of them
// (fanOut, over the eventstore.Store port, resumed from the lowest
// checkpoint, each event decoded once): an event a read model keeps failing
// on is logged, counted and skipped by that read model alone; the others
// wait for its retries and go on.
//
// Checkpoints live inside the read models' state (projections.Cursor) and
// are saved with it as snapshots (SnapshotDir), so a restart resumes where
// the saved state is, and an event is applied once in effect: delivery is
// at least once, apply is idempotent by (position, index).
//
// A read model can be rebuilt from position zero while the old one keeps
// answering queries, then swapped in atomically (Rebuild).
//
// Reactors (reactor.go) follow the log the same way, each on a Subscriber
// of its own (a reaction may wait on the world outside), but act outside it: their checkpoint is kept in the log
// itself and saved after every reaction, and a failing reaction is retried,
// never skipped.
package runner

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"

	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/projections"
)

// PoisonTopic is where events a read model gave up on are published (to
// the runner's own publisher, which logs, counts and skips them).
const PoisonTopic = "hindsight.projections.poison"

// Slot holds the live instance of one read model, of type P; queries go
// through Current, which a rebuild swaps atomically.
type Slot[P projections.Projection] struct {
	name    string
	newP    func() P
	current atomic.Pointer[P]
	// applyMu serialises the live handler with a rebuild's final catch-up,
	// so no event falls between the old instance and the new.
	applyMu sync.Mutex
	poison  atomic.Uint64
	// invalid counts Invalidate calls, valid the count the last rebuild
	// swapped in after: while they differ the instance may hold what the
	// log no longer reads (an erased text), so it is not saved.
	invalid, valid atomic.Uint64
}

// NewSlot makes a slot for the read model newP builds.
func NewSlot[P projections.Projection](newP func() P) *Slot[P] {
	p := newP()
	s := &Slot[P]{name: p.Name(), newP: newP}
	s.current.Store(&p)
	return s
}

// Current is the instance serving queries now.
func (s *Slot[P]) Current() P { return *s.current.Load() }

// AnySlot is a Slot of any read model type, as the runner takes them. Only
// Slot implements it.
type AnySlot interface {
	Name() string
	projection() projections.Projection
	fresh() projections.Projection
	swap(p projections.Projection)
	lock() func()
	poisoned() *atomic.Uint64
	generations() (invalid, valid *atomic.Uint64)
}

func (s *Slot[P]) Name() string                       { return s.name }
func (s *Slot[P]) projection() projections.Projection { return s.Current() }
func (s *Slot[P]) fresh() projections.Projection      { return s.newP() }
func (s *Slot[P]) swap(p projections.Projection) {
	typed := p.(P)
	s.current.Store(&typed)
}
func (s *Slot[P]) lock() func()             { s.applyMu.Lock(); return s.applyMu.Unlock }
func (s *Slot[P]) poisoned() *atomic.Uint64 { return &s.poison }
func (s *Slot[P]) generations() (invalid, valid *atomic.Uint64) {
	return &s.invalid, &s.valid
}

// Config of a runner.
type Config struct {
	Store  eventstore.Store
	Logger *slog.Logger
	// SnapshotDir, when set, is where snapshots are read at Start and
	// written by SaveSnapshots and Close: one file per read model.
	SnapshotDir string
	// MaxRetries of a failing event before it goes to the poison queue;
	// 0 means 3.
	MaxRetries int
	// AcceptDataLoss lets Start go on when a snapshot is past the end of
	// the log (the log lost commits the read model had applied): that read
	// model is rebuilt from what the log holds. Without it Start refuses
	// with an error wrapping eventstore.ErrDataLoss.
	AcceptDataLoss bool
}

// Runner feeds read models from the log.
type Runner struct {
	cfg    Config
	slots  []AnySlot
	byName map[string]AnySlot
	router *message.Router
	sub    *fanOut
	done   chan error

	closeOnce sync.Once
	closeErr  error
}

// New makes a runner for the slots. Slot names must be unique.
func New(cfg Config, slots ...AnySlot) (*Runner, error) {
	if cfg.Store == nil {
		return nil, errors.New("runner: no store")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxRetries == 0 {
		cfg.MaxRetries = 3
	}
	r := &Runner{cfg: cfg, slots: slots, byName: map[string]AnySlot{}}
	for _, s := range slots {
		if _, dup := r.byName[s.Name()]; dup {
			return nil, fmt.Errorf("runner: two read models named %q", s.Name())
		}
		r.byName[s.Name()] = s
	}
	return r, nil
}

// Start restores snapshots, catches every read model up to the log's end
// in one pass (each event read and decoded once for all of them), then
// subscribes each from its checkpoint to follow the log live, and returns
// once the router runs. WaitCaughtUp waits for anything written meanwhile.
func (r *Runner) Start(ctx context.Context) error {
	if r.router != nil {
		return errors.New("runner: already started")
	}
	if err := r.restore(ctx); err != nil {
		return err
	}
	if err := r.catchUp(ctx); err != nil {
		return err
	}
	logger := watermillLogger(r.cfg.Logger)
	router, err := message.NewRouter(message.RouterConfig{CloseTimeout: 10 * time.Second}, logger)
	if err != nil {
		return fmt.Errorf("runner: router: %w", err)
	}
	poison, err := middleware.PoisonQueue(&poisonPublisher{r: r}, PoisonTopic)
	if err != nil {
		return fmt.Errorf("runner: poison queue: %w", err)
	}
	// Outermost first: a panic becomes an error, errors are retried, and
	// what still fails goes to the poison queue instead of stalling.
	router.AddMiddleware(poison, middleware.Retry{
		MaxRetries: r.cfg.MaxRetries, InitialInterval: 5 * time.Millisecond, MaxInterval: 200 * time.Millisecond,
		Multiplier: 2, Logger: logger,
	}.Middleware, middleware.Recoverer)
	r.sub = newFanOut(r.cfg.Store, len(r.slots), func(topic string) uint64 { return r.byName[topic].projection().Checkpoint() },
		r.passBy, r.cfg.Logger)
	for _, s := range r.slots {
		router.AddConsumerHandler(s.Name(), s.Name(), r.sub, handler(s))
	}
	r.router = router
	r.done, err = runRouter(ctx, router)
	if err != nil {
		return fmt.Errorf("runner: %w", err)
	}
	return nil
}

// watermillLogger is Watermill's logger over ours, its chatter at debug.
func watermillLogger(l *slog.Logger) watermill.LoggerAdapter {
	return watermill.NewSlogLoggerWithLevelMapping(l, map[slog.Level]slog.Level{slog.LevelInfo: slog.LevelDebug})
}

// runRouter runs router until ctx ends or it is closed, and returns once
// it runs, with the channel its end is reported on.
func runRouter(ctx context.Context, router *message.Router) (chan error, error) {
	done := make(chan error, 1)
	go func() { done <- router.Run(ctx) }()
	select {
	case <-router.Running():
		return done, nil
	case err := <-done:
		return done, fmt.Errorf("router stopped at start: %w", err)
	case <-ctx.Done():
		return done, ctx.Err()
	}
}

// passBy moves the read model of topic past e when it does not fold it (as
// handler would, without the router's message, goroutine and middleware),
// and reports whether it did.
func (r *Runner) passBy(topic string, e eventstore.RecordedEvent, ev any) bool {
	s := r.byName[topic]
	unlock := s.lock()
	defer unlock()
	p := s.projection()
	if p.Folds(e, ev) {
		return false
	}
	p.Skip(e)
	return true
}

func handler(s AnySlot) message.NoPublishHandlerFunc {
	return func(msg *message.Message) error {
		e, ok := EventOf(msg)
		if !ok {
			return fmt.Errorf("message %s carries no log event", msg.UUID)
		}
		unlock := s.lock()
		defer unlock()
		p := s.projection()
		if d, ok := decodedOf(msg); ok && d.err == nil {
			return p.ApplyDecoded(e, d.ev)
		}
		// Not decodable (or not decoded): Apply says so unless the read
		// model is past it already.
		return p.Apply(e)
	}
}

// catchUp folds the log from the lowest checkpoint to its end into every
// read model: one read, one decode per event. Read models already past an
// event skip it (idempotent apply). An event that does not decode is
// skipped and counted as poison, as the live handlers would after retries.
func (r *Runner) catchUp(ctx context.Context) error {
	if len(r.slots) == 0 {
		return nil
	}
	from := r.slots[0].projection().Checkpoint()
	for _, s := range r.slots[1:] {
		from = min(from, s.projection().Checkpoint())
	}
	err := projections.DecodePipeline(ctx, func(ctx context.Context, h eventstore.Handler) error {
		return r.cfg.Store.ReadAll(ctx, from, h)
	}, projections.Decode, func(batch []projections.Decoded) error {
		for i := range batch {
			e, ev, err := batch[i].Event, batch[i].Ev, batch[i].Err
			for _, s := range r.slots {
				p := s.projection()
				if err != nil {
					if p.Checkpoint() < e.Position {
						r.cfg.Logger.Error("read model skips an event it cannot decode", "projection", s.Name(), "position", e.Position, "err", err)
						s.poisoned().Add(1)
						p.Skip(e)
					}
					continue
				}
				if aErr := p.ApplyDecoded(e, ev); aErr != nil {
					return fmt.Errorf("runner: catch up %s: %w", s.Name(), aErr)
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("runner: catch up: %w", err)
	}
	return nil
}

// poisonPublisher receives the events a read model gave up on: it logs
// them, counts them per read model, and moves that read model past them.
type poisonPublisher struct{ r *Runner }

func (p *poisonPublisher) Publish(topic string, msgs ...*message.Message) error {
	for _, msg := range msgs {
		name := msg.Metadata.Get(middleware.PoisonedHandlerKey)
		s, ok := p.r.byName[name]
		e, hasEvent := EventOf(msg)
		if !ok || !hasEvent {
			return fmt.Errorf("poison message %s names no read model or event", msg.UUID)
		}
		p.r.cfg.Logger.Error("read model skips an event it cannot apply", "projection", name,
			"position", e.Position, "index", e.Index, "stream", e.Stream.String(), "type", e.Type,
			"reason", msg.Metadata.Get(middleware.ReasonForPoisonedKey))
		s.poisoned().Add(1)
		unlock := s.lock()
		s.projection().Skip(e)
		unlock()
	}
	return nil
}

func (p *poisonPublisher) Close() error { return nil }

// Close stops the handlers and saves snapshots when SnapshotDir is set.
// Calling it again does nothing more.
func (r *Runner) Close() error {
	r.closeOnce.Do(func() { r.closeErr = r.close() })
	return r.closeErr
}

func (r *Runner) close() error {
	var errs []error
	if r.router != nil {
		if err := r.router.Close(); err != nil {
			errs = append(errs, fmt.Errorf("runner: close router: %w", err))
		}
		<-r.done
	}
	if r.sub != nil {
		_ = r.sub.Close()
	}
	if r.cfg.SnapshotDir != "" {
		if err := r.SaveSnapshots(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Positions is each read model's checkpoint.
func (r *Runner) Positions() map[string]uint64 {
	out := map[string]uint64{}
	for _, s := range r.slots {
		out[s.Name()] = s.projection().Checkpoint()
	}
	return out
}

// Lag is, per read model, how many positions it is behind the log's end.
func (r *Runner) Lag(ctx context.Context) (map[string]uint64, error) {
	last, err := r.cfg.Store.LastPosition(ctx)
	if err != nil {
		return nil, fmt.Errorf("runner: lag: %w", err)
	}
	out := map[string]uint64{}
	for name, pos := range r.Positions() {
		if last > pos {
			out[name] = last - pos
		} else {
			out[name] = 0
		}
	}
	return out, nil
}

// WaitCaughtUp returns once every read model has applied the log up to
// the end it had when called (serve's readiness), or with ctx's error.
func (r *Runner) WaitCaughtUp(ctx context.Context) error {
	last, err := r.cfg.Store.LastPosition(ctx)
	if err != nil {
		return fmt.Errorf("runner: wait: %w", err)
	}
	return r.WaitFor(ctx, last)
}

// WaitFor returns once every read model's checkpoint is at least position.
func (r *Runner) WaitFor(ctx context.Context, position uint64) error {
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for {
		behind := ""
		for _, s := range r.slots {
			if s.projection().Checkpoint() < position {
				behind = s.Name()
				break
			}
		}
		if behind == "" {
			return nil
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return fmt.Errorf("runner: %s not at position %d: %w", behind, position, ctx.Err())
		}
	}
}

// Rebuild folds a new instance of the named read model from position zero
// while the current one keeps serving, then swaps it in: the last stretch
// is read with the live handler paused, so the new instance misses nothing.
func (r *Runner) Rebuild(ctx context.Context, name string) error {
	s, ok := r.byName[name]
	if !ok {
		return fmt.Errorf("runner: rebuild: no read model %q", name)
	}
	invalid, valid := s.generations()
	gen := invalid.Load()
	fresh := s.fresh()
	feed := func(ctx context.Context, e eventstore.RecordedEvent) error {
		if err := fresh.Apply(e); err != nil {
			r.cfg.Logger.Error("rebuild skips an event it cannot apply", "projection", name, "position", e.Position, "err", err)
			s.poisoned().Add(1)
			fresh.Skip(e)
		}
		return nil
	}
	if err := r.cfg.Store.ReadAll(ctx, 0, feed); err != nil {
		return fmt.Errorf("runner: rebuild %s: %w", name, err)
	}
	unlock := s.lock()
	defer unlock()
	if err := r.cfg.Store.ReadAll(ctx, fresh.Checkpoint(), feed); err != nil {
		return fmt.Errorf("runner: rebuild %s, final catch-up: %w", name, err)
	}
	s.swap(fresh)
	for v := valid.Load(); v < gen && !valid.CompareAndSwap(v, gen); v = valid.Load() {
	}
	r.cfg.Logger.Info("read model rebuilt and swapped in", "projection", name, "position", fresh.Checkpoint())
	return nil
}

// saveSnapshot writes s's snapshot unless it was invalidated; under the
// slot's lock, so an Invalidate either deletes what it wrote or stops it.
func (r *Runner) saveSnapshot(s AnySlot) error {
	unlock := s.lock()
	defer unlock()
	if invalid, valid := s.generations(); invalid.Load() > valid.Load() {
		return nil // Invalidate: not saved until rebuilt
	}
	b, err := s.projection().Snapshot()
	if err != nil {
		return err
	}
	path := filepath.Join(r.cfg.SnapshotDir, s.Name()+".json")
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return fmt.Errorf("runner: write snapshot %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("runner: write snapshot %s: %w", path, err)
	}
	return nil
}

// Invalidate says that the read model name may hold what the log no longer
// reads the same (texts whose keys were destroyed): its snapshot is
// deleted now, and none is saved until a Rebuild that started after this
// call swapped a fresh instance in. A node that stops before that starts
// the read model from the log.
func (r *Runner) Invalidate(name string) error {
	s, ok := r.byName[name]
	if !ok {
		return fmt.Errorf("runner: invalidate: no read model %q", name)
	}
	unlock := s.lock()
	defer unlock()
	invalid, _ := s.generations()
	invalid.Add(1)
	if r.cfg.SnapshotDir == "" {
		return nil
	}
	path := filepath.Join(r.cfg.SnapshotDir, s.Name()+".json")
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("runner: invalidate %s: %w", name, err)
	}
	return nil
}

// SaveSnapshots writes every read model's snapshot to SnapshotDir.
func (r *Runner) SaveSnapshots() error {
	if r.cfg.SnapshotDir == "" {
		return errors.New("runner: no snapshot folder configured")
	}
	if err := os.MkdirAll(r.cfg.SnapshotDir, 0o755); err != nil {
		return fmt.Errorf("runner: snapshot folder: %w", err)
	}
	for _, s := range r.slots {
		if err := r.saveSnapshot(s); err != nil {
			return err
		}
	}
	return nil
}

// restore loads snapshots that exist; a missing one starts from zero, a
// damaged one is logged and ignored (the read model rebuilds from zero). One
// past the end of the log means the log lost commits the read model had
// applied: serving it would show what the log no longer holds, so Start
// refuses, unless the loss is accepted and the read model rebuilds from the
// log.
func (r *Runner) restore(ctx context.Context) error {
	if r.cfg.SnapshotDir == "" {
		return nil
	}
	last, ahead, damaged, err := r.loadSnapshots(ctx, func(s AnySlot) projections.Projection { return s.projection() })
	if err != nil {
		return err
	}
	for _, s := range damaged {
		s.swap(s.fresh())
	}
	if len(ahead) == 0 {
		return nil
	}
	if !r.cfg.AcceptDataLoss {
		err := aheadError(ahead, last)
		for _, s := range ahead {
			s.swap(s.fresh()) // never served, even by mistake
		}
		return err
	}
	for _, s := range ahead {
		r.cfg.Logger.Error("DATA LOSS ACCEPTED: a read model's snapshot is past the end of the log; rebuilding it from the log",
			"projection", s.Name(), "checkpoint", s.projection().Checkpoint(), "log_end", last)
		s.swap(s.fresh())
	}
	return nil
}

// CheckSnapshots reads the snapshots in SnapshotDir into fresh read models,
// leaving the running ones alone, and returns an error wrapping
// eventstore.ErrDataLoss when one is past the end of the log.
func (r *Runner) CheckSnapshots(ctx context.Context) error {
	if r.cfg.SnapshotDir == "" {
		return nil
	}
	fresh := map[string]projections.Projection{}
	last, ahead, _, err := r.loadSnapshots(ctx, func(s AnySlot) projections.Projection {
		p := s.fresh()
		fresh[s.Name()] = p
		return p
	})
	if err != nil {
		return err
	}
	if len(ahead) == 0 {
		return nil
	}
	parts := make([]string, 0, len(ahead))
	for _, s := range ahead {
		parts = append(parts, fmt.Sprintf("%s at %d", s.Name(), fresh[s.Name()].Checkpoint()))
	}
	return fmt.Errorf("runner: %w: read-model snapshots past the end of the log (position %d): %s",
		eventstore.ErrDataLoss, last, strings.Join(parts, ", "))
}

// loadSnapshots restores each slot's snapshot into the read model into
// returns, and lists the slots whose snapshot is past the log's end last,
// and those whose snapshot does not restore (logged).
func (r *Runner) loadSnapshots(ctx context.Context, into func(AnySlot) projections.Projection) (last uint64, ahead, damaged []AnySlot, err error) {
	asked := false
	for _, s := range r.slots {
		path := filepath.Join(r.cfg.SnapshotDir, s.Name()+".json")
		b, err := os.ReadFile(path)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return 0, nil, nil, fmt.Errorf("runner: read snapshot %s: %w", path, err)
		}
		p := into(s)
		if err := p.Restore(b); err != nil {
			r.cfg.Logger.Warn("ignoring a snapshot that does not restore; rebuilding from zero", "path", path, "err", err)
			damaged = append(damaged, s)
			continue
		}
		if !asked {
			if last, err = r.cfg.Store.LastPosition(ctx); err != nil {
				return 0, nil, nil, fmt.Errorf("runner: check snapshot %s against the log: %w", path, err)
			}
			asked = true
		}
		if p.Checkpoint() > last {
			ahead = append(ahead, s)
		}
	}
	return last, ahead, damaged, nil
}

// aheadError names the read models whose snapshots are past the log's end.
func aheadError(ahead []AnySlot, last uint64) error {
	parts := make([]string, 0, len(ahead))
	top := uint64(0)
	for _, s := range ahead {
		cp := s.projection().Checkpoint()
		top = max(top, cp)
		parts = append(parts, fmt.Sprintf("%s at %d", s.Name(), cp))
	}
	return fmt.Errorf("runner: %w: the log ends at position %d, but the read models' snapshots hold it up to %d (%s): "+
		"the commits at positions %d to %d are missing; restore the log, or accept the loss to rebuild the read models from it",
		eventstore.ErrDataLoss, last, top, strings.Join(parts, ", "), last+1, top)
}
