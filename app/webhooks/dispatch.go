package webhooks

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Job is a webhook's oldest pending delivery.
type Job struct {
	Team, Webhook, Delivery string
	// Attempts made so far and when the last was.
	Attempts    int
	LastAttempt time.Time
}

// Queue is where the dispatcher finds work and records it: the log, in
// the app.
type Queue interface {
	// Teams lists the teams that may have pending deliveries (at start).
	Teams(ctx context.Context) ([]string, error)
	// Busy lists the team's live webhooks with pending deliveries.
	Busy(ctx context.Context, team string) ([]string, error)
	// Next is the webhook's oldest pending delivery; false if none or the
	// webhook is not live.
	Next(ctx context.Context, team, webhook string) (Job, bool, error)
	// Attempt sends the delivery once and records the outcome.
	Attempt(ctx context.Context, j Job) error
}

// Backoff is the wait before attempt n+1 after n failed ones: Base doubled
// per failure, at most Max.
type Backoff struct {
	Base, Max time.Duration
}

// After is the wait after n failed attempts.
func (b Backoff) After(n int) time.Duration {
	if n <= 0 {
		return 0
	}
	d := b.Base
	for i := 1; i < n && d < b.Max; i++ {
		d *= 2
	}
	return min(d, b.Max)
}

// Dispatcher works every webhook's queue in its own goroutine, in order,
// waiting out the backoff after a failure; a webhook whose receiver fails
// delays only its own deliveries.
type Dispatcher struct {
	q       Queue
	backoff Backoff
	clock   func() time.Time
	logger  *slog.Logger

	mu      sync.Mutex
	ctx     context.Context
	cancel  context.CancelFunc
	running map[[2]string]chan struct{}
	wg      sync.WaitGroup
}

// NewDispatcher makes a dispatcher; Start sets it working.
func NewDispatcher(q Queue, b Backoff, clock func() time.Time, logger *slog.Logger) *Dispatcher {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if clock == nil {
		clock = time.Now
	}
	return &Dispatcher{q: q, backoff: b, clock: clock, logger: logger, running: map[[2]string]chan struct{}{}}
}

// Start works the pending deliveries of every team that has webhooks, and
// then whatever Nudge points at, until ctx ends or Close.
func (d *Dispatcher) Start(ctx context.Context) error {
	d.mu.Lock()
	if d.ctx != nil {
		d.mu.Unlock()
		return fmt.Errorf("webhooks: dispatcher already started")
	}
	d.ctx, d.cancel = context.WithCancel(ctx)
	d.mu.Unlock()
	teams, err := d.q.Teams(ctx)
	if err != nil {
		return fmt.Errorf("webhooks: list the teams with webhooks: %w", err)
	}
	for _, t := range teams {
		d.Nudge(t)
	}
	return nil
}

// Nudge tells the dispatcher the team may have new deliveries.
func (d *Dispatcher) Nudge(team string) {
	d.mu.Lock()
	ctx := d.ctx
	d.mu.Unlock()
	if ctx == nil || ctx.Err() != nil {
		return
	}
	hooks, err := d.q.Busy(ctx, team)
	if err != nil {
		d.logger.Warn("webhooks: could not read a team's queue; it is read again at the next nudge or start", "team", team, "err", err)
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if ctx.Err() != nil {
		// Closed meanwhile: Close cancels under mu, so no worker starts
		// after it waits.
		return
	}
	for _, h := range hooks {
		key := [2]string{team, h}
		if wake, ok := d.running[key]; ok {
			select {
			case wake <- struct{}{}:
			default:
			}
			continue
		}
		wake := make(chan struct{}, 1)
		d.running[key] = wake
		d.wg.Add(1)
		go d.work(ctx, key, wake)
	}
}

// work delivers one webhook's queue until it is empty.
func (d *Dispatcher) work(ctx context.Context, key [2]string, wake chan struct{}) {
	defer d.wg.Done()
	for ctx.Err() == nil {
		j, ok, err := d.q.Next(ctx, key[0], key[1])
		if err != nil {
			d.logger.Warn("webhooks: could not read a webhook's queue", "webhook", key[1], "err", err)
			if !d.sleep(ctx, time.Second) {
				break
			}
			continue
		}
		if !ok {
			d.mu.Lock()
			select {
			case <-wake:
				d.mu.Unlock()
				continue
			default:
			}
			delete(d.running, key)
			d.mu.Unlock()
			return
		}
		if j.Attempts > 0 {
			if wait := j.LastAttempt.Add(d.backoff.After(j.Attempts)).Sub(d.clock()); wait > 0 && !d.sleep(ctx, wait) {
				break
			}
		}
		if err := d.q.Attempt(ctx, j); err != nil && ctx.Err() == nil {
			d.logger.Warn("webhooks: an attempt was not recorded; it is tried again", "webhook", key[1], "delivery", j.Delivery, "err", err)
			if !d.sleep(ctx, time.Second) {
				break
			}
		}
	}
	d.mu.Lock()
	delete(d.running, key)
	d.mu.Unlock()
}

func (d *Dispatcher) sleep(ctx context.Context, wait time.Duration) bool {
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// Close stops every worker and waits for them; an attempt under way is
// cut off and, unrecorded, made again after the next start.
func (d *Dispatcher) Close() {
	d.mu.Lock()
	if d.cancel != nil {
		d.cancel()
	}
	d.mu.Unlock()
	d.wg.Wait()
}
