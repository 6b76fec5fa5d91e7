package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/hindsight-retro/hindsight/api"
	"github.com/hindsight-retro/hindsight/api/live"
	hsapp "github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/app/keys"
	"github.com/hindsight-retro/hindsight/app/sealedlog"
	"github.com/hindsight-retro/hindsight/app/sso"
	"github.com/hindsight-retro/hindsight/app/webhooks"
	"github.com/hindsight-retro/hindsight/collab"
	"github.com/hindsight-retro/hindsight/domain/board"
	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/kurrent"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
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

// services are what the API serves from, built over the open store.
type services struct {
	store    eventstore.Store // instrumented (appends are timed) and sealing
	keys     keys.Store
	identity *identity.Service
	app      *hsapp.App
	live     *live.Hub
	collab   *collab.Server
	registry *prometheus.Registry
}

// buildServices wires keys, identity, the catalogue, the app, the live hub and
// the metrics registry over the store, once the key store holds every key
// the log needs (lc, from checkLogAtStart).
func buildServices(ctx context.Context, cfg serveConfig, store eventstore.Store, lc logCheck, logger *slog.Logger, crash crashpoint) (*services, error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	timed, err := api.InstrumentStore(store, reg)
	if err != nil {
		return nil, err
	}
	if err := registerGroupCommit(store, reg); err != nil {
		return nil, err
	}
	ks, err := openKeys(ctx, cfg, store, logger)
	if err != nil {
		return nil, err
	}
	if err := checkKeysAtStart(ctx, cfg, ks, lc, logger); err != nil {
		return nil, err
	}
	// Everything reads and writes the log through the sealing layer, so a
	// quick retro's texts are sealed on the way in and opened on every way
	// out (app/sealedlog).
	istore := sealedlog.New(timed, ks)
	id, err := identity.New(identity.Deps{Store: istore, Keys: ks, Logger: logger, GuestJoin: cfg.guestJoin()})
	if err != nil {
		return nil, fmt.Errorf("start identity: %w", err)
	}
	cat, err := catalog.Load()
	if err != nil {
		return nil, fmt.Errorf("load the template catalogue: %w", err)
	}
	allowed, err := cfg.webhookCIDRs()
	if err != nil {
		return nil, err
	}
	var ssoConfig hsapp.SSOConfig
	if name, p, ok, err := cfg.oidcProvider(); err != nil {
		return nil, err
	} else if ok {
		ssoConfig.Providers = map[string]sso.Provider{name: p}
	}
	mailConfig, err := cfg.SMTP.mailConfig(cfg.PublicURL)
	if err != nil {
		return nil, err
	}
	// The sync server starts after the app it asks about access; the reveal
	// reaction reaches it through this once it exists.
	var liveSync atomic.Pointer[collab.Server]
	application := hsapp.New(hsapp.Deps{Store: istore, Keys: ks, Identity: id, Catalog: cat, Logger: logger, Crashpoint: crash, SSO: ssoConfig,
		Mail: mailConfig, QuickRetroTTL: cfg.QuickRetroTTL,
		Integrations: hsapp.IntegrationsConfig{Guard: webhooks.Guard{AllowPrivate: cfg.WebhookAllowPrivate, Allow: allowed},
			MaxFailures: cfg.WebhookMaxFailures, GitHubAPI: cfg.GitHubAPI},
		ReadModels: hsapp.ReadModelConfig{SnapshotDir: snapshotDir(cfg, store), MinGroupSize: cfg.MinGroupSize,
			AcceptDataLoss: cfg.AcceptDataLoss},
		SeedWhiteboard: func(ctx context.Context, docID, title string, tpl board.Template) error {
			return collab.SeedBoard(ctx, istore, docID, title, tpl.Prompts, tpl.Layout)
		},
		SeedNotes: func(ctx context.Context, docID, title string) error {
			return collab.SeedNotes(ctx, istore, docID, title)
		},
		RevealNotes: func(ctx context.Context, r collab.Reveal) error {
			// What this node accepted into the notes and has not appended
			// yet goes to the log first, so the merge reads it.
			ids := make([]string, len(r.Notes))
			for i, n := range r.Notes {
				ids[i] = n.DocID
			}
			if srv := liveSync.Load(); srv != nil {
				if err := srv.Flush(ctx, ids...); err != nil {
					return err
				}
			}
			_, err := collab.MergeNotes(ctx, istore, r)
			return err
		},
		RevealOutcome: func(ctx context.Context, boardID string) (collab.Merged, bool, error) {
			return collab.RevealOutcome(ctx, istore, boardID)
		}})
	liveDeps := live.Deps{Store: istore, Authorize: application.RetroViewer, AuthorizeJoin: application.RetroJoinViewer, Policy: application.GroupPolicy(), Logger: logger,
		EndCodes: []string{hsapp.CodeQuickRetroExpired}}
	if js, ok := store.(jetStreamer); ok {
		// Nodes sharing a NATS log share presence over NATS core subjects,
		// so a participant on one node sees who is here on the others.
		liveDeps.Presence = live.NewNATSPresenceBus(js.JetStream().Conn(), "")
	}
	hub := live.NewHub(liveDeps)
	// Whiteboards: validation workers re-run this binary as
	// `hindsight collab-worker` (collab's default WorkerCommand).
	syncAuth := api.SyncAuthenticator(id)
	collabDeps := collab.Deps{
		Authenticate: func(r *http.Request) (collab.Identity, error) {
			userID, valid, err := syncAuth(r)
			return collab.Identity{UserID: userID, Valid: valid}, err
		},
		Authorize: application.CanAccessBoard,
		Closed:    application.NotesClosedReason,
		AccessChanged: func(e eventstore.RecordedEvent) (collab.AccessChange, bool) {
			ch, ok := application.BoardAccessChanged(e)
			return collab.AccessChange{UserID: ch.UserID, DocID: ch.DocID, Granted: ch.Granted}, ok
		},
		Store:  istore,
		Logger: logger.With("component", "collab"),
	}
	if js, ok := store.(jetStreamer); ok {
		collabDeps.Presence = collab.NATSPresence(js.JetStream().Conn(), "")
	}
	syncSrv, err := collab.New(ctx, collabDeps)
	if err != nil {
		return nil, fmt.Errorf("start whiteboard sync: %w", err)
	}
	liveSync.Store(syncSrv)
	// Connections open on an expired quick retro are cut as its sweep
	// erases it, not kept serving what was erased.
	application.OnQuickRetroErased(func(e hsapp.ErasedQuickRetro) {
		for _, id := range e.RetroIDs {
			hub.End(id, hsapp.CodeQuickRetroExpired, hsapp.QuickRetroExpiredDetail)
		}
		syncSrv.End(e.DocIDs, hsapp.QuickRetroExpiredReason)
	})
	return &services{store: istore, keys: ks, identity: id, app: application, live: hub, collab: syncSrv, registry: reg}, nil
}

// snapshotDir is where the read models keep their snapshots: a node-local
// cache under --data-dir (also with an external log: a missing snapshot only
// means folding from zero). None beside a memory log: a snapshot would
// outlive the log it describes.
func snapshotDir(cfg serveConfig, store eventstore.Store) string {
	if _, ok := store.(*memstore.Store); ok || cfg.DataDir == "" {
		return ""
	}
	return filepath.Join(cfg.DataDir, "projections")
}

// jetStreamer is a store that shares its JetStream connection, so the keys
// live in the same NATS cluster as the log and every node sees the same ones.
type jetStreamer interface {
	JetStream() jetstream.JetStream
}

// syncer is a store whose server leaves fsyncs to it (natsjs.Store.Sync).
type syncer interface {
	Sync(ctx context.Context) error
}

// openKeys opens the key store: a NATS KV bucket beside a NATS log, a folder
// under --data-dir otherwise, memory beside a memory log.
func openKeys(ctx context.Context, cfg serveConfig, store eventstore.Store, logger *slog.Logger) (keys.Store, error) {
	if _, ok := store.(*memstore.Store); ok {
		// A log that vanishes with the process needs no keys that outlive it.
		return keys.NewMemory(), nil
	}
	if js, ok := store.(jetStreamer); ok {
		var opts []keys.NATSOption
		replicas := cfg.NATSReplicas
		if replicas == 0 && cfg.NATSURL != "" {
			replicas = 3 // as the EVENTS stream on a cluster
		}
		if replicas > 1 {
			opts = append(opts, keys.WithReplicas(replicas))
		}
		if sy, ok := store.(syncer); ok {
			// The embedded server fsyncs in groups: the key store waits
			// for the log's rounds as the log's appends do.
			opts = append(opts, keys.WithSync(sy.Sync))
		}
		k, err := keys.NewNATS(ctx, js.JetStream(), keys.DefaultBucket, opts...)
		if err != nil {
			return nil, fmt.Errorf("open key store (NATS KV bucket %s): %w", keys.DefaultBucket, err)
		}
		logger.Info("key store opened", "kind", "nats-kv", "bucket", keys.DefaultBucket)
		return k, nil
	}
	dir := filepath.Join(cfg.DataDir, "keys")
	k, err := keys.NewFile(dir)
	if err != nil {
		return nil, fmt.Errorf("open key store in %s: %w", dir, err)
	}
	if cfg.EventStore == backendNATS && cfg.NATSURL != "" || cfg.EventStore == backendKurrent {
		logger.Warn("keys are kept in a local folder: nodes sharing this log must share this folder", "dir", dir)
	}
	logger.Info("key store opened", "kind", "file", "dir", dir)
	return k, nil
}

// serveMetrics opens the separate metrics listener (--metrics-addr), if
// any, and returns its server (nil without one).
func serveMetrics(cfg serveConfig, reg *prometheus.Registry, logger *slog.Logger) (*http.Server, error) {
	if cfg.MetricsAddr == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", cfg.MetricsAddr)
	if err != nil {
		return nil, fmt.Errorf("listen on --metrics-addr %s: %w", cfg.MetricsAddr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", api.MetricsHandler(reg, cfg.MetricsToken, logger))
	if cfg.Pprof {
		guard := func(h http.HandlerFunc) http.Handler { return api.RequireMetricsToken(cfg.MetricsToken, h) }
		mux.Handle("GET /debug/pprof/", guard(pprof.Index))
		mux.Handle("GET /debug/pprof/cmdline", guard(pprof.Cmdline))
		mux.Handle("GET /debug/pprof/profile", guard(pprof.Profile))
		mux.Handle("GET /debug/pprof/symbol", guard(pprof.Symbol))
		mux.Handle("POST /debug/pprof/symbol", guard(pprof.Symbol))
		mux.Handle("GET /debug/pprof/trace", guard(pprof.Trace))
		logger.Warn("profiles served on the metrics listener (--pprof)", "path", "/debug/pprof/")
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("metrics listener stopped", "err", err)
		}
	}()
	logger.Info("metrics listening", "addr", ln.Addr().String())
	return srv, nil
}

// registerGroupCommit exposes the embedded log's group commit (natsjs):
// the fsync time per round beside hindsight_eventstore_append_duration_seconds
// is the disk's share of an append.
func registerGroupCommit(store eventstore.Store, reg *prometheus.Registry) error {
	gs, ok := store.(interface {
		GroupCommitStats() (natsjs.GroupCommitStats, bool)
	})
	if !ok {
		return nil
	}
	if _, ok := gs.GroupCommitStats(); !ok {
		return nil
	}
	stat := func(f func(natsjs.GroupCommitStats) float64) func() float64 {
		return func() float64 {
			st, _ := gs.GroupCommitStats()
			return f(st)
		}
	}
	for _, c := range []struct {
		name, help string
		f          func(natsjs.GroupCommitStats) float64
	}{
		{"hindsight_eventstore_fsync_rounds_total", "Group commit's fsync rounds on the embedded log.",
			func(s natsjs.GroupCommitStats) float64 { return float64(s.Rounds) }},
		{"hindsight_eventstore_fsync_waits_total", "Appends, reads and key writes that waited for a group commit fsync round.",
			func(s natsjs.GroupCommitStats) float64 { return float64(s.Waits) }},
		{"hindsight_eventstore_fsync_seconds_total", "Time group commit's fsync rounds took.",
			func(s natsjs.GroupCommitStats) float64 { return s.Seconds }},
	} {
		if err := reg.Register(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: c.name, Help: c.help}, stat(c.f))); err != nil {
			return fmt.Errorf("register %s: %w", c.name, err)
		}
	}
	return nil
}
