package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"

	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/projections"
)

// A reactor follows the log with a checkpoint and carries out what events
// call for outside their own stream: a command on another aggregate, a key
// destroyed, a mail or a webhook sent. It is the one way a consequence
// leaves a command: the command's commit is the cause, so a crash between
// the two loses nothing, the reactor finds the cause after its checkpoint
// when it starts again.
//
// Delivery is at least once: a reaction done just before a crash, whose
// checkpoint was not yet saved, is offered again. Reactions must therefore
// be idempotent per cause, which a command on an aggregate is when its
// command ID is derived from the causing event's ID (the aggregate runner
// answers a repeated command ID as a duplicate). The checkpoint is saved
// in the log, right after every commit that called for a reaction, so at
// most one commit is offered again, and every node sharing a log shares it.
//
// A reaction that fails is retried, and the reactor does not pass it:
// skipping would lose it, and later causes may depend on it (an action's
// status after its creation). A reaction that can never succeed must say so
// by returning nil after logging it.

// CheckpointCategory is the stream category of reactors' checkpoints: one
// stream per reactor, named by the reactor.
const CheckpointCategory = "checkpoint"

// TypeCheckpointSaved is the type of a checkpoint's events.
const TypeCheckpointSaved = "runner.CheckpointSaved"

// Crashpoints a test build can stop the process at (ReactorConfig.Crashpoint).
const (
	// CrashBeforeReaction: the cause is in the log, its reaction not done.
	CrashBeforeReaction = "before-reaction"
	// CrashAfterReaction: the reaction is done, the checkpoint not saved.
	CrashAfterReaction = "after-reaction"
)

// ReactorConfig says what a reactor reacts to and how.
type ReactorConfig struct {
	// Name names the reactor's checkpoint stream and its log lines; it must
	// not change once a log holds its checkpoint.
	Name  string
	Store eventstore.Store
	// Reacts reports whether e calls for a reaction; only then is React
	// called and, after its commit, the checkpoint saved.
	Reacts func(e eventstore.RecordedEvent) bool
	// React carries out e's reaction, idempotent per e (see above).
	React  func(ctx context.Context, e eventstore.RecordedEvent) error
	Logger *slog.Logger
	// Crashpoint, when set, is called with CrashBeforeReaction and
	// CrashAfterReaction around every reaction, with its cause. Only test
	// builds set it (cmd/hindsight's crashpoints tag), to kill the process
	// there.
	Crashpoint func(point string, cause eventstore.RecordedEvent)
}

// Reactor runs one ReactorConfig's reactions. It is safe for concurrent use.
type Reactor struct {
	cfg ReactorConfig

	// mu serialises reactions: the live follower's and CatchUp's.
	mu      sync.Mutex
	loaded  bool
	cur     projections.Cursor
	saved   uint64
	pending bool // the commit under way called for a reaction
	failed  atomic.Uint64

	router *message.Router
	sub    *Subscriber
	done   chan error

	closeOnce sync.Once
	closeErr  error
}

// NewReactor makes a reactor; Start sets it following the log.
func NewReactor(cfg ReactorConfig) (*Reactor, error) {
	if cfg.Name == "" || cfg.Store == nil || cfg.Reacts == nil || cfg.React == nil {
		return nil, errors.New("runner: a reactor needs a name, a store, Reacts and React")
	}
	if err := (eventstore.StreamID{Category: CheckpointCategory, ID: cfg.Name}).Validate(); err != nil {
		return nil, fmt.Errorf("runner: reactor name: %w", err)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Reactor{cfg: cfg}, nil
}

func (r *Reactor) stream() eventstore.StreamID {
	return eventstore.StreamID{Category: CheckpointCategory, ID: r.cfg.Name}
}

type checkpointSaved struct {
	Position uint64 `json:"position"`
}

// load reads the checkpoint once: the highest any node saved, since every
// commit up to it was reacted to by the node that saved it. Called with mu held.
func (r *Reactor) load(ctx context.Context) error {
	if r.loaded {
		return nil
	}
	evs, err := r.cfg.Store.Load(ctx, r.stream(), 0)
	if err != nil && !errors.Is(err, eventstore.ErrStreamNotFound) {
		return fmt.Errorf("runner: reactor %s: load the checkpoint: %w", r.cfg.Name, err)
	}
	var at uint64
	for _, e := range evs {
		var c checkpointSaved
		if e.Type != TypeCheckpointSaved || json.Unmarshal(e.Payload, &c) != nil {
			r.cfg.Logger.Warn("reactor checkpoint: ignoring an unreadable event", "reactor", r.cfg.Name, "position", e.Position)
			continue
		}
		at = max(at, c.Position)
	}
	if at > 0 {
		r.cur = projections.Cursor{Pos: at, Idx: math.MaxInt, Done: at, Any: true}
	}
	r.saved, r.loaded = at, true
	return nil
}

// save writes the checkpoint. Called with mu held.
func (r *Reactor) save(ctx context.Context) error {
	at := r.cur.Done
	if at <= r.saved {
		return nil
	}
	payload, err := json.Marshal(checkpointSaved{Position: at})
	if err != nil {
		return fmt.Errorf("runner: reactor %s: encode the checkpoint: %w", r.cfg.Name, err)
	}
	_, err = r.cfg.Store.Append(ctx, eventstore.Commit{
		Stream: r.stream(), ExpectedVersion: eventstore.Any,
		CommandID: "checkpoint-" + strconv.FormatUint(at, 10),
		Events:    []eventstore.Event{{Type: TypeCheckpointSaved, SchemaVersion: 1, Payload: payload}},
	})
	if err != nil {
		return fmt.Errorf("runner: reactor %s: save the checkpoint at %d: %w", r.cfg.Name, at, err)
	}
	r.saved = at
	return nil
}

// handle reacts to one event unless it was reacted to before. Called with
// mu held. On an error the cursor stays before e, so e is offered again.
func (r *Reactor) handle(ctx context.Context, e eventstore.RecordedEvent) error {
	if r.cur.Seen(e) {
		return nil
	}
	if r.cfg.Reacts(e) {
		r.crashpoint(CrashBeforeReaction, e)
		if err := r.cfg.React(ctx, e); err != nil {
			r.failed.Add(1)
			r.cfg.Logger.Error("reaction failed; it is retried", "reactor", r.cfg.Name,
				"position", e.Position, "index", e.Index, "stream", e.Stream.String(), "type", e.Type, "err", err)
			return fmt.Errorf("reactor %s: react to %s at %d: %w", r.cfg.Name, e.Type, e.Position, err)
		}
		r.crashpoint(CrashAfterReaction, e)
		r.pending = true
	}
	r.advance(ctx, e)
	return nil
}

// passBy moves the cursor past e, in the subscription's goroutine, when e
// calls for no reaction, and reports whether it did: most events call for
// none, and going through Watermill's router cost each of them a message,
// a goroutine and the middleware, for each reactor (BENCHMARKS.md,
// "Reactors past events they do not react to"). An event that does call
// for one goes through the router, with its retries.
func (r *Reactor) passBy(ctx context.Context, e eventstore.RecordedEvent) bool {
	if r.cfg.Reacts(e) {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.cur.Seen(e) {
		r.advance(ctx, e)
	}
	return true
}

// advance moves the cursor past e and saves the checkpoint at the end of a
// commit that was reacted to. Called with mu held.
func (r *Reactor) advance(ctx context.Context, e eventstore.RecordedEvent) {
	r.cur.Advance(e)
	if e.LastInCommit() && r.pending {
		if err := r.save(ctx); err != nil {
			// The reaction is done; it will be offered again after a
			// restart and found done.
			r.cfg.Logger.Warn("reactor checkpoint not saved", "reactor", r.cfg.Name, "err", err)
		}
		r.pending = false
	}
}

func (r *Reactor) crashpoint(point string, cause eventstore.RecordedEvent) {
	if r.cfg.Crashpoint != nil {
		r.cfg.Crashpoint(point, cause)
	}
}

var errPast = errors.New("past the position asked for")

// CatchUp reacts, in the caller's goroutine, to every event up to position
// not reacted to yet: a writer that answers only once its command's
// consequences are done calls it with the command's position. It works
// whether or not Start was called.
func (r *Reactor) CatchUp(ctx context.Context, position uint64) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.load(ctx); err != nil {
		return err
	}
	if r.cur.Done >= position {
		return nil
	}
	err := r.cfg.Store.ReadAll(ctx, r.cur.Done, func(ctx context.Context, e eventstore.RecordedEvent) error {
		if e.Position > position {
			return errPast
		}
		return r.handle(ctx, e)
	})
	if err != nil && !errors.Is(err, errPast) {
		return fmt.Errorf("runner: reactor %s: catch up to %d: %w", r.cfg.Name, position, err)
	}
	return nil
}

// Checkpoint is the position of the last commit reacted to whole.
func (r *Reactor) Checkpoint() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cur.Done
}

// Start loads the checkpoint and follows the log from it until ctx ends or
// Close: a Watermill handler on the runner's Subscriber, retrying a failed
// reaction until it succeeds (never to a poison queue). It returns once
// the follower runs.
func (r *Reactor) Start(ctx context.Context) error {
	r.mu.Lock()
	err := r.load(ctx)
	from := r.cur.Done
	r.mu.Unlock()
	if err != nil {
		return err
	}
	if r.router != nil {
		return errors.New("runner: reactor already started")
	}
	logger := watermillLogger(r.cfg.Logger)
	router, err := message.NewRouter(message.RouterConfig{CloseTimeout: 10 * time.Second}, logger)
	if err != nil {
		return fmt.Errorf("runner: reactor %s: router: %w", r.cfg.Name, err)
	}
	// A handler that still fails after these retries nacks the event, and
	// the subscriber offers it again: the reactor waits, it never skips.
	router.AddMiddleware(middleware.Retry{
		MaxRetries: 3, InitialInterval: 10 * time.Millisecond, MaxInterval: time.Second, Multiplier: 2, Logger: logger,
	}.Middleware, middleware.Recoverer)
	r.sub = NewSubscriber(r.cfg.Store, func(string) uint64 { return from }, r.cfg.Logger)
	r.sub.passBy = r.passBy
	router.AddConsumerHandler(r.cfg.Name, r.cfg.Name, r.sub, func(msg *message.Message) error {
		e, ok := EventOf(msg)
		if !ok {
			return fmt.Errorf("message %s carries no log event", msg.UUID)
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		return r.handle(msg.Context(), e)
	})
	r.router = router
	r.done, err = runRouter(ctx, router)
	if err != nil {
		return fmt.Errorf("runner: reactor %s: %w", r.cfg.Name, err)
	}
	return nil
}

// Close stops following the log and saves the checkpoint, so the next
// start does not read again what needed no reaction. Calling it again
// does nothing more.
func (r *Reactor) Close() error {
	r.closeOnce.Do(func() {
		var errs []error
		if r.router != nil {
			if err := r.router.Close(); err != nil {
				errs = append(errs, fmt.Errorf("runner: reactor %s: close router: %w", r.cfg.Name, err))
			}
			<-r.done
		}
		if r.sub != nil {
			_ = r.sub.Close()
		}
		r.mu.Lock()
		if r.loaded {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			errs = append(errs, r.save(ctx))
			cancel()
		}
		r.mu.Unlock()
		r.closeErr = errors.Join(errs...)
	})
	return r.closeErr
}
