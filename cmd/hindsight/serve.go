package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/hindsight-retro/hindsight/api"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/kurrent"
	"github.com/hindsight-retro/hindsight/eventstore/natsjs"
)

// storeOpenTimeout bounds opening the event store, so a node pointed at an
// unreachable cluster fails and is restarted by its supervisor instead of
// hanging without a listener.
const storeOpenTimeout = 30 * time.Second

// storeOpener opens the event store the configuration names.
type storeOpener func(ctx context.Context, cfg serveConfig, logger *slog.Logger) (eventstore.Store, error)

// openStore is the production storeOpener.
func openStore(ctx context.Context, cfg serveConfig, logger *slog.Logger) (eventstore.Store, error) {
	switch cfg.EventStore {
	case backendKurrent:
		s, err := kurrent.Open(ctx, kurrent.Config{URL: cfg.KurrentURL, Logger: logger})
		if err != nil {
			return nil, fmt.Errorf("open KurrentDB event store at %s: %w", redactURLs(cfg.KurrentURL), err)
		}
		return s, nil
	case backendNATS:
		s, err := natsjs.Open(ctx, natsjs.Config{
			URL:          cfg.NATSURL,
			DataDir:      cfg.DataDir,
			SyncInterval: cfg.SyncInterval,
			Replicas:     cfg.NATSReplicas,
			Logger:       logger,
		})
		if err != nil {
			if cfg.NATSURL == "" {
				return nil, fmt.Errorf("open embedded NATS event store in %s: %w", cfg.DataDir, err)
			}
			return nil, fmt.Errorf("open NATS event store at %s: %w", redactURLs(cfg.NATSURL), err)
		}
		return s, nil
	default:
		return nil, fmt.Errorf("unknown event store %q", cfg.EventStore)
	}
}

// storeDescription says in a log line which log this node writes to.
func storeDescription(cfg serveConfig) []any {
	switch {
	case cfg.EventStore == backendKurrent:
		return []any{"eventstore", backendKurrent, "url", redactURLs(cfg.KurrentURL)}
	case cfg.NATSURL != "":
		return []any{"eventstore", backendNATS, "mode", "external", "url", redactURLs(cfg.NATSURL), "replicas", cfg.NATSReplicas}
	default:
		sync := "always"
		if cfg.SyncInterval > 0 {
			sync = cfg.SyncInterval.String()
		}
		return []any{"eventstore", backendNATS, "mode", "embedded", "data_dir", cfg.DataDir, "sync", sync}
	}
}

// serve runs the API until ctx is done, then drains and closes. The listener
// opens only after the store did, so /healthz never answers without a log.
func (a *app) serve(ctx context.Context, cfg serveConfig, logger *slog.Logger) error {
	logger.Info("opening event store", storeDescription(cfg)...)
	if cfg.EventStore == backendNATS && cfg.NATSURL == "" && cfg.SyncInterval > 0 {
		logger.Warn("fsync is batched: writes acknowledged during the last interval can be lost on power failure or kill",
			"sync", cfg.SyncInterval.String())
	}
	openCtx, cancelOpen := context.WithTimeout(ctx, storeOpenTimeout)
	store, err := a.openStore(openCtx, cfg, logger)
	cancelOpen()
	if err != nil {
		if ctx.Err() != nil {
			logger.Info("stopped before the event store opened")
			return nil
		}
		return err
	}
	closeStore := func() error {
		if err := store.Close(); err != nil {
			return fmt.Errorf("close event store: %w", err)
		}
		logger.Info("event store closed")
		return nil
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return errors.Join(fmt.Errorf("listen on %s: %w", cfg.Addr, err), closeStore())
	}
	handler := api.New(api.Deps{Store: store, Logger: logger})
	if a.wrapHandler != nil {
		handler = a.wrapHandler(handler)
	}
	srv := &http.Server{
		Handler: handler,
		// No write timeout: live feeds stream for as long as a client watches.
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	logger.Info("listening", "addr", ln.Addr().String())
	if a.listening != nil {
		a.listening(ln.Addr())
	}

	select {
	case err := <-served:
		return errors.Join(fmt.Errorf("serve HTTP: %w", err), closeStore())
	case <-ctx.Done():
	}

	logger.Info("shutting down: draining requests", "timeout", cfg.ShutdownTimeout.String())
	drainCtx, cancelDrain := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancelDrain()
	if err := srv.Shutdown(drainCtx); err != nil {
		logger.Warn("requests still running after the shutdown timeout were cut off", "err", err)
		_ = srv.Close()
	}
	<-served
	if err := closeStore(); err != nil {
		return err
	}
	logger.Info("stopped")
	return nil
}
