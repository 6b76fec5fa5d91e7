package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/hindsight-retro/hindsight/api"
	hsapp "github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/web"
)

// node is one `hindsight serve`: Run wires it step by step, each step
// keeping what it started in a field, and Close takes down what was
// started, in the reverse order. Whatever step Run fails at, Close undoes
// the steps before it, and only those.
type node struct {
	cfg         serveConfig
	logger      *slog.Logger
	openStore   storeOpener
	crashpoint  crashpoint
	wrapHandler func(http.Handler) http.Handler
	listening   func(net.Addr)

	ln    net.Listener     // 1
	store eventstore.Store // 2
	svc   *services        // 3
	// stopFollowing ends everything that follows the log (read models,
	// reactions, live hub, whiteboard sync), which outlives ctx so that
	// requests still draining are served.
	stopFollowing context.CancelFunc
	readModels    bool           // 4: started (Close saves them even after a failed start)
	reactions     bool           // 5
	integrations  bool           // 5b
	mail          bool           // 5c
	following     sync.WaitGroup // 6: the live hub and the whiteboard sync
	collabClosed  bool
	metrics       *http.Server // 7
	http          *http.Server // 8
	served        chan error   // the HTTP server's end; nil once received
}

// serve runs the API until ctx is done, then drains and closes. The port is
// bound first, so a busy one is reported at once rather than after a long
// catch-up; requests are served only after the store opened and the read
// models caught up (until then connections wait in the listen queue), so
// /healthz never answers without a log.
func (a *app) serve(ctx context.Context, cfg serveConfig, logger *slog.Logger) error {
	n := &node{cfg: cfg, logger: logger, openStore: a.openStore, crashpoint: newCrashpoint(a.env, logger),
		wrapHandler: a.wrapHandler, listening: a.listening}
	if err := n.Run(ctx); err != nil {
		cerr := n.Close(context.Background())
		if ctx.Err() != nil {
			logger.Info("stopped while starting", "err", err.Error())
			return cerr
		}
		return errors.Join(err, cerr)
	}
	select {
	case err := <-n.served:
		n.served = nil
		return errors.Join(fmt.Errorf("serve HTTP: %w", err), n.Close(context.Background()))
	case <-ctx.Done():
	}
	logger.Info("shutting down: draining requests", "timeout", cfg.ShutdownTimeout.String())
	drainCtx, cancelDrain := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancelDrain()
	if err := n.Close(drainCtx); err != nil {
		return err
	}
	logger.Info("stopped")
	return nil
}

// Run starts the node and returns once it serves HTTP. ctx ending stops a
// start under way; a running node stops with Close.
func (n *node) Run(ctx context.Context) error {
	// 1. The port, first: a busy one is reported before a long start.
	ln, err := net.Listen("tcp", n.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", n.cfg.Addr, err)
	}
	n.ln = ln

	// 2. The log, checked for damage.
	n.logger.Info("opening event store", storeDescription(n.cfg)...)
	if n.cfg.EventStore == backendNATS && n.cfg.NATSURL == "" && n.cfg.SyncInterval > 0 {
		n.logger.Warn("fsync is batched: writes acknowledged during the last interval can be lost on power failure or kill",
			"sync", n.cfg.SyncInterval.String())
	}
	openCtx, cancelOpen := context.WithTimeout(ctx, storeOpenTimeout)
	n.store, err = n.openStore(openCtx, n.cfg, n.logger)
	cancelOpen()
	if err != nil {
		return err
	}
	lc, err := checkLogAtStart(ctx, n.cfg, n.store, n.logger)
	if err != nil {
		return err
	}

	// 3. Keys, identity, the app, the live hub, the whiteboard sync.
	if n.svc, err = buildServices(ctx, n.cfg, n.store, lc, n.logger, n.crashpoint); err != nil {
		return err
	}
	followCtx, stop := context.WithCancel(context.Background())
	n.stopFollowing = stop

	// 4. The read models catch up before the listener opens, so a node is
	// ready (/readyz) as soon as it answers at all and never serves an
	// empty history. A signal during the catch-up stops it.
	n.logger.Info("catching up the read models")
	stopOnSignal := context.AfterFunc(ctx, stop)
	n.readModels = true
	err = n.svc.app.StartReadModels(followCtx)
	stopOnSignal()
	if err != nil {
		if errors.Is(err, eventstore.ErrDataLoss) {
			err = fmt.Errorf("refusing to start: %w; %s", err, acceptHint)
		}
		return err
	}

	// 5. Reactions follow the log from their checkpoint: those a stopped
	// or killed node left undone are done now.
	if err := n.svc.app.StartReactions(followCtx); err != nil {
		return err
	}
	n.reactions = true

	// 5b. Webhooks: deliveries queued from the log, the queues left
	// pending by a stopped node worked again.
	if err := n.svc.app.StartIntegrations(followCtx); err != nil {
		return err
	}
	n.integrations = true

	// 5c. Mail: the mails the log calls for, from the mail reactor's
	// checkpoint; without SMTP the server says once that mail is off.
	if err := n.svc.app.StartMail(followCtx); err != nil {
		return err
	}
	n.mail = true
	if !n.svc.app.MailOn() {
		n.logger.Info("mail is off: no --smtp-host, so no invitation, summary or reminder is sent")
	}

	// 6. The live hub, the whiteboard sync and the schedules' timer follow
	// the log. A failure is logged: the API keeps answering, and /readyz
	// reports a store that stopped answering.
	n.following.Go(func() {
		if err := n.svc.live.Run(followCtx); err != nil && followCtx.Err() == nil {
			n.logger.Error("live hub stopped", "err", err)
		}
	})
	n.following.Go(func() { n.svc.app.RunQuickRetroExpiry(followCtx, n.svc.app.QuickRetroSweepEvery()) })
	n.following.Go(func() {
		// Without it, commands read the retro and team from the store again.
		if err := n.svc.app.FollowWriters(followCtx); err != nil && followCtx.Err() == nil {
			n.logger.Error("retro writers stopped following the log", "err", err)
		}
	})
	n.following.Go(func() {
		if err := n.svc.collab.Run(followCtx); err != nil && followCtx.Err() == nil {
			n.logger.Error("whiteboard sync stopped following the log", "err", err)
		}
	})

	// The schedules' timer: every node looks for due occurrences, and the
	// log lets one of them fire each (app/schedules.go).
	n.following.Go(func() {
		tick := time.NewTicker(hsapp.TimerInterval)
		defer tick.Stop()
		n.svc.app.RunTimers(followCtx, tick.C)
	})
	// The mail timers (reminders, survey openings, digests), claimed the
	// same way (app/mail_reminders.go); only a node that sends mail.
	if n.svc.app.MailOn() {
		n.following.Go(func() {
			tick := time.NewTicker(hsapp.TimerInterval)
			defer tick.Stop()
			n.svc.app.RunMailTimers(followCtx, tick.C)
		})
	}

	// 7. The metrics listener, if asked for.
	if n.metrics, err = serveMetrics(n.cfg, n.svc.registry, n.logger); err != nil {
		return err
	}

	// 8. The API.
	rate := api.RateLimit{Requests: n.cfg.RateLimit, Window: time.Minute}
	if n.cfg.RateLimit == 0 {
		rate.Requests = -1 // off
	}
	handler := api.New(api.Deps{
		Store: n.svc.store, App: n.svc.app, Identity: n.svc.identity, Live: n.svc.live, Sync: n.svc.collab, Logger: n.logger,
		Registry: n.svc.registry, Web: web.Dist(), APIDocs: web.APIDocs(), RateLimit: rate, MetricsToken: n.cfg.MetricsToken,
		PublicURL: n.cfg.PublicURL, QuickRetrosPerHour: quickRetrosPerHour(n.cfg.QuickRetrosPerHour),
	})
	if n.wrapHandler != nil {
		handler = n.wrapHandler(handler)
	}
	n.http = &http.Server{
		Handler: handler,
		// No write timeout: live feeds stream for as long as a client watches.
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(n.logger.Handler(), slog.LevelWarn),
	}
	n.served = make(chan error, 1)
	go func() { n.served <- n.http.Serve(ln) }()
	n.logger.Info("listening", "addr", ln.Addr().String())
	if n.listening != nil {
		n.listening(ln.Addr())
	}
	return nil
}

// Close takes the node down in the reverse order of Run, waiting for
// requests until ctx ends. It is called once.
func (n *node) Close(ctx context.Context) error {
	var errs []error
	// 8. The API. Live connections first: they never end on their own, so
	// Shutdown would wait for them until the timeout; Drain tells each
	// client to resume (on another node, or this one after a restart).
	// Then whiteboard sockets, which are hijacked and so not ended by
	// Shutdown either.
	if n.http != nil {
		if err := n.svc.live.Drain(ctx); err != nil {
			n.logger.Warn("live connections still open after the shutdown timeout", "err", err)
		}
		n.closeCollab(ctx)
		if err := n.http.Shutdown(ctx); err != nil {
			n.logger.Warn("requests still running after the shutdown timeout were cut off", "err", err)
			_ = n.http.Close()
		}
		if n.served != nil {
			<-n.served
		}
	} else if n.ln != nil {
		_ = n.ln.Close()
	}
	// 7. The metrics listener.
	if n.metrics != nil {
		_ = n.metrics.Close()
	}
	// 6. The followers of the log; the whiteboard sync writes out the
	// boards' pending changes as it closes.
	if n.stopFollowing != nil {
		n.closeCollab(context.Background())
		n.stopFollowing()
		n.following.Wait()
	}
	// 5c. Mail: a send under way is cut off (sent again after the next
	// start, under the same Message-ID).
	if n.mail {
		if err := n.svc.app.CloseMail(); err != nil {
			n.logger.Error("mail reactor's checkpoint not saved", "err", err)
		}
	}
	// 5b. Webhooks: attempts under way are cut off (made again after the
	// next start, under the same delivery ID).
	if n.integrations {
		if err := n.svc.app.CloseIntegrations(); err != nil {
			n.logger.Error("integrations' checkpoint not saved", "err", err)
		}
	}
	// 5. Reactions: their checkpoint is saved.
	if n.reactions {
		if err := n.svc.app.CloseReactions(); err != nil {
			n.logger.Error("reactions' checkpoint not saved", "err", err)
		}
	}
	// 4. Read models: their snapshots are saved.
	if n.readModels {
		if err := n.svc.app.CloseReadModels(); err != nil {
			n.logger.Error("read models not saved", "err", err)
		}
	}
	// 3. The services: the whiteboard sync, if it never followed the log.
	if n.svc != nil {
		n.closeCollab(context.Background())
	}
	// 2. The log, last of what writes to it.
	if n.store != nil {
		if err := n.store.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close event store: %w", err))
		} else {
			n.logger.Info("event store closed")
		}
	}
	return errors.Join(errs...)
}

// closeCollab closes the whiteboard sync once: before the HTTP server
// stops when it served, and always before the store closes.
func (n *node) closeCollab(ctx context.Context) {
	if n.collabClosed {
		return
	}
	n.collabClosed = true
	if err := n.svc.collab.Close(ctx); err != nil {
		n.logger.Warn("whiteboard changes not all written out", "err", err)
	}
}

// quickRetrosPerHour maps the flag (0 is off) to the API's setting (0 is
// the default, negative is off).
func quickRetrosPerHour(n int) int {
	if n == 0 {
		return -1
	}
	return n
}
