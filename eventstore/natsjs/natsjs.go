// Package natsjs is the JetStream backend of eventstore.Store. It runs either
// an embedded nats-server writing to a data folder, or against an external
// NATS JetStream cluster.
//
// The log is one JetStream stream (default EVENTS). Each commit is one
// message on the subject <prefix>.<category>.<id>; a commit's global
// position is its message's stream sequence, its recorded time the server's
// time stamp.
//
// Versions and sequences: the store speaks stream versions (events so far),
// JetStream checks the subject's last sequence (Nats-Expected-Last-Subject-
// Sequence). Each commit records the version of its last event, so the
// subject's last message maps the stream's version to the sequence to
// expect. A bounded cache keeps that pair per stream; on a miss, or when the
// writer expects another version than the cache holds, the store asks the
// stream leader for the subject's last message. A stale pair is harmless: the
// server's check fails and the store reads again.
//
// Idempotency: the Nats-Msg-Id is the stream and the command ID, since
// JetStream de-duplicates across the whole log while command IDs are unique
// per stream. JetStream checks the expected sequence before duplicates, so a
// retried command whose first attempt was stored fails that check; the store
// then reads the commit right after the expected version, which is where
// the first attempt must be, and compares its message ID. Appends with Any
// rely on JetStream's duplicate window instead.
//
// Reading: each commit also records the sequences of its stream's previous
// commits (up to 16) and of its first, so Load walks a stream back from its
// last commit with pipelined direct gets, in time that does not grow with
// the log. ReadAll and Subscribe use ordered consumers; subscriptions that
// have caught up share one at the log's end (tail.go).
package natsjs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/hindsight-retro/hindsight/eventstore"
)

// Config selects embedded mode (URL == "") or external mode (URL set).
type Config struct {
	// URL is the external NATS server URL(s), comma-separated; "" runs an
	// embedded server.
	URL string
	// DataDir is the embedded server's folder for JetStream file storage,
	// created if missing.
	DataDir string
	// SyncInterval is the embedded server's fsync policy: 0 means fsync every
	// write (sync_interval: always, the default and the only setting under
	// which an acknowledged write survives power loss); a positive duration
	// batches fsyncs at that interval (faster; acknowledged writes of the last
	// interval can be lost).
	SyncInterval time.Duration
	// Replicas of the stream when this store creates it: 0 means 1 embedded,
	// 3 external. An embedded server is a single node, so only 1 fits there.
	Replicas int
	// Stream is the JetStream stream name, default "EVENTS".
	Stream string
	// SubjectPrefix is the first subject token(s), default "ev": subjects are
	// ev.<category>.<id>.
	SubjectPrefix string
	// DuplicateWindow is how long JetStream remembers message IDs; default
	// and minimum 10 minutes.
	DuplicateWindow time.Duration
	// Logger receives the embedded server's and the store's log; nil discards.
	Logger *slog.Logger
	// ConnectTimeout bounds the first connection to an external server and
	// the embedded server's start; default 10 seconds.
	ConnectTimeout time.Duration
	// jetStreamFsync has JetStream fsync each message itself, as before
	// group commit: the benchmarks' baseline.
	jetStreamFsync bool
	// MinFreeBytes is the space kept free in DataDir (embedded mode):
	// appends are refused with eventstore.ErrStorageFull below it, so
	// JetStream never meets a full disk itself. 0 means 8 MiB; negative
	// keeps no reserve.
	MinFreeBytes int64
}

const (
	defaultStream     = "EVENTS"
	defaultPrefix     = "ev"
	minDuplicates     = 10 * time.Minute
	defaultConnect    = 10 * time.Second
	externalReplicas  = 3
	versionCacheLimit = 100_000
	// maxMsgSize leaves room above MaxCommitBytes for the framing, derived
	// event IDs (36 bytes each, not counted by ValidateCommit) and headers.
	maxMsgSize = 1 << 20
)

// Store is the JetStream backend. It is safe for concurrent use.
type Store struct {
	cfg     Config
	log     *slog.Logger
	srv     *server.Server // nil in external mode
	unlock  func()         // releases the data folder; nil in external mode
	jsCfg   server.JetStreamConfig
	space   *space             // nil in external mode
	group   *groupSync         // nil unless embedded with fsync on every write
	marker  *marker            // nil in external mode
	stopBg  context.CancelFunc // ends the embedded mode's watcher
	bg      sync.WaitGroup
	nc      *nats.Conn
	js      jetstream.JetStream
	subjPre string // prefix plus the trailing dot

	cache versionCache

	tailMu sync.Mutex
	tail   *tail // the log's one live reader; nil when nobody follows

	mu     sync.Mutex
	closed bool
}

var _ eventstore.Store = (*Store)(nil)

// ErrDataDirInUse: the embedded server's data folder is locked by another
// store, such as a running `hindsight serve`.
var ErrDataDirInUse = errors.New("natsjs: data folder in use")

// Open starts the embedded server or connects to the external one, creates or
// checks the stream, and returns when the store is ready for use.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	cfg, err := withDefaults(cfg)
	if err != nil {
		return nil, err
	}
	s := &Store{cfg: cfg, log: cfg.Logger, subjPre: cfg.SubjectPrefix + "."}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s.cache.limit = versionCacheLimit
	if cfg.URL == "" {
		if err := s.startEmbedded(); err != nil {
			return nil, err
		}
	} else if err := s.connectExternal(ctx); err != nil {
		return nil, err
	}
	if err := s.ensureStream(ctx); err != nil {
		s.shutdown()
		return nil, err
	}
	if s.srv != nil && cfg.SyncInterval == 0 && !cfg.jetStreamFsync {
		if err := s.startGroupSync(ctx); err != nil {
			s.shutdown()
			return nil, err
		}
	}
	return s, nil
}

// startGroupSync puts on disk whatever JetStream's files hold now (a
// process killed earlier may have left writes the disk has not got yet)
// and starts group commit from the log's end.
func (s *Store) startGroupSync(ctx context.Context) error {
	files := newFileSyncer(s.cfg.DataDir, s.cfg.Stream)
	if _, err := os.Stat(files.log); err != nil {
		return fmt.Errorf("natsjs: group commit needs JetStream's stream files under %s: %w", files.root, err)
	}
	for _, dir := range []string{filepath.Dir(filepath.Dir(files.root)), filepath.Dir(files.root)} {
		if err := fsyncDir(dir); err != nil {
			return fmt.Errorf("natsjs: %w", err)
		}
	}
	if err := files.sync(); err != nil {
		return fmt.Errorf("natsjs: %w", err)
	}
	cctx, cancel := s.withTimeout(ctx)
	defer cancel()
	st, err := s.js.Stream(cctx, s.cfg.Stream)
	if err != nil {
		return s.fail("start group commit", err)
	}
	s.group = newGroupSync(files, st.CachedInfo().State.LastSeq, s.space.writeFailed)
	return nil
}

// Sync returns once everything written to the embedded server's streams
// before the call is on disk; in external mode, or with an fsync interval,
// it does nothing. Stores sharing the embedded server (the key store's
// buckets) call it after each write, as the log does.
func (s *Store) Sync(ctx context.Context) error {
	if s.group == nil {
		return nil
	}
	return s.group.waitNext(ctx)
}

func withDefaults(cfg Config) (Config, error) {
	if cfg.Stream == "" {
		cfg.Stream = defaultStream
	}
	if strings.ContainsAny(cfg.Stream, ".*> \t\r\n/\\") {
		return cfg, fmt.Errorf("natsjs: stream name %q: %w: no dots, wildcards, slashes or spaces allowed", cfg.Stream, eventstore.ErrInvalidArgument)
	}
	if cfg.SubjectPrefix == "" {
		cfg.SubjectPrefix = defaultPrefix
	}
	for _, tok := range strings.Split(cfg.SubjectPrefix, ".") {
		if tok == "" || tok == "*" || tok == ">" || strings.ContainsAny(tok, " \t\r\n*>") {
			return cfg, fmt.Errorf("natsjs: subject prefix %q: %w: need dot-separated literal tokens", cfg.SubjectPrefix, eventstore.ErrInvalidArgument)
		}
	}
	if cfg.DuplicateWindow < minDuplicates {
		cfg.DuplicateWindow = minDuplicates
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = defaultConnect
	}
	if cfg.SyncInterval < 0 {
		return cfg, fmt.Errorf("natsjs: negative sync interval %s: %w", cfg.SyncInterval, eventstore.ErrInvalidArgument)
	}
	if cfg.Replicas < 0 || cfg.Replicas > 5 {
		return cfg, fmt.Errorf("natsjs: %d replicas: %w: JetStream allows 1 to 5", cfg.Replicas, eventstore.ErrInvalidArgument)
	}
	if cfg.URL == "" {
		if cfg.DataDir == "" {
			return cfg, fmt.Errorf("natsjs: embedded mode needs a data folder: %w", eventstore.ErrInvalidArgument)
		}
		if cfg.Replicas > 1 {
			return cfg, fmt.Errorf("natsjs: %d replicas: %w: the embedded server is a single node", cfg.Replicas, eventstore.ErrInvalidArgument)
		}
		cfg.Replicas = 1
	} else if cfg.Replicas == 0 {
		cfg.Replicas = externalReplicas
	}
	return cfg, nil
}

func (s *Store) startEmbedded() error {
	if err := os.MkdirAll(s.cfg.DataDir, 0o750); err != nil {
		return fmt.Errorf("natsjs: create data folder: %w", err)
	}
	unlock, err := lockDir(s.cfg.DataDir)
	if err != nil {
		return err
	}
	s.unlock = unlock
	if s.marker, err = loadMarker(s.cfg.DataDir, s.cfg.Stream); err != nil {
		s.shutdown()
		return err
	}
	opts := &server.Options{
		ServerName: "hindsight",
		Host:       "127.0.0.1",
		Port:       server.RANDOM_PORT,
		HTTPPort:   0, // no monitoring endpoint
		NoSigs:     true,
		NoLog:      true,
		JetStream:  true,
		StoreDir:   s.cfg.DataDir,
		MaxPayload: maxMsgSize,
		// See noJetStreamCap.
		JetStreamMaxStore: noJetStreamCap,
	}
	if s.cfg.SyncInterval == 0 {
		// Every write is fsynced before it is acknowledged, by the store's
		// group commit (groupsync.go) rather than by JetStream's "sync
		// always"; the interval is JetStream's own background flush.
		opts.SyncAlways = s.cfg.jetStreamFsync
		opts.SyncInterval = 2 * time.Minute
	} else {
		opts.SyncInterval = s.cfg.SyncInterval
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		s.shutdown()
		return fmt.Errorf("natsjs: configure embedded server: %w", err)
	}
	s.space = newSpace(s.cfg.DataDir, s.cfg.MinFreeBytes)
	// Always: the store learns of failed writes from the server's log.
	srv.SetLogger(serverLogger{l: s.log.With("component", "nats-server"), writeFailed: s.space.writeFailed}, false, false)
	srv.Start()
	if !srv.ReadyForConnections(s.cfg.ConnectTimeout) {
		srv.Shutdown()
		srv.WaitForShutdown()
		s.shutdown()
		return fmt.Errorf("natsjs: embedded server in %s not ready after %s", s.cfg.DataDir, s.cfg.ConnectTimeout)
	}
	s.srv = srv
	if !srv.JetStreamEnabled() {
		s.shutdown()
		return fmt.Errorf("natsjs: JetStream did not start on data folder %s (give a Logger to see why)", s.cfg.DataDir)
	}
	s.jsCfg = *srv.JetStreamConfig()
	bgCtx, stop := context.WithCancel(context.Background())
	s.stopBg = stop
	s.bg.Go(func() { s.watchSpace(bgCtx) })
	// In process, not over loopback TCP: every publish, acknowledgement and
	// delivery of the log crossed the kernel twice (the client's and the
	// server's system calls), a tenth of the server's CPU at 100 cards/s.
	nc, err := nats.Connect("", nats.InProcessServer(srv), nats.Name("hindsight-embedded"), nats.MaxReconnects(-1),
		nats.ReconnectWait(50*time.Millisecond))
	if err != nil {
		s.shutdown()
		return fmt.Errorf("natsjs: connect to embedded server: %w", err)
	}
	s.nc = nc
	return s.initJS()
}

func (s *Store) connectExternal(ctx context.Context) error {
	opts := []nats.Option{
		nats.Name("hindsight"),
		nats.MaxReconnects(-1),
		nats.RetryOnFailedConnect(false),
		nats.Timeout(s.cfg.ConnectTimeout),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				s.log.Warn("natsjs: disconnected", "err", err)
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) { s.log.Info("natsjs: reconnected", "url", nc.ConnectedUrlRedacted()) }),
	}
	type result struct {
		nc  *nats.Conn
		err error
	}
	// nats.Connect takes no context, so honour ctx by not waiting for it.
	done := make(chan result, 1)
	go func() {
		nc, err := nats.Connect(s.cfg.URL, opts...)
		done <- result{nc, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return fmt.Errorf("natsjs: connect to %s: %w", redact(s.cfg.URL), r.err)
		}
		s.nc = r.nc
	case <-ctx.Done():
		go func() {
			if r := <-done; r.nc != nil {
				r.nc.Close()
			}
		}()
		return fmt.Errorf("natsjs: connect to %s: %w", redact(s.cfg.URL), ctx.Err())
	}
	if mp := s.nc.MaxPayload(); mp < maxMsgSize {
		s.nc.Close()
		return fmt.Errorf("natsjs: server max_payload is %d bytes; a commit may need %d", mp, maxMsgSize)
	}
	return s.initJS()
}

// redact drops credentials from URLs before they reach an error message.
func redact(urls string) string {
	parts := strings.Split(urls, ",")
	for i, p := range parts {
		if at := strings.LastIndex(p, "@"); at >= 0 {
			if scheme := strings.Index(p, "://"); scheme >= 0 && scheme < at {
				parts[i] = p[:scheme+3] + "***" + p[at:]
			}
		}
	}
	return strings.Join(parts, ",")
}

func (s *Store) initJS() error {
	js, err := jetstream.New(s.nc)
	if err != nil {
		s.shutdown()
		return fmt.Errorf("natsjs: jetstream context: %w", err)
	}
	s.js = js
	return nil
}

// ClientURL is the embedded server's loopback URL, for tools that want to
// look at the stream; "" in external mode.
func (s *Store) ClientURL() string {
	if s.srv == nil {
		return ""
	}
	return s.srv.ClientURL()
}

// Close closes the connection and, in embedded mode, shuts the server down
// and waits until it has released the data folder, so a new Open on the same
// folder can follow at once.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	s.shutdown()
	return nil
}

func (s *Store) shutdown() {
	if s.marker != nil && s.js != nil {
		// The log's end as it closes, so the next start can tell if it lost any.
		ctx, cancel := context.WithTimeout(context.Background(), s.cfg.ConnectTimeout)
		if err := s.Sync(ctx); err != nil {
			s.log.Error("natsjs: the last writes were not put on disk at close", "err", err)
		} else if st, err := s.js.Stream(ctx, s.cfg.Stream); err == nil {
			s.marker.noteAcked(st.CachedInfo().State.LastSeq)
		}
		cancel()
		if err := s.marker.raise(); err != nil {
			s.log.Error("natsjs: the log's mark was not written", "err", err)
		}
	}
	s.tailMu.Lock()
	if s.tail != nil {
		s.tail.cancel() // its followers end with ErrClosed
	}
	s.tailMu.Unlock()
	if s.stopBg != nil {
		s.stopBg()
		s.bg.Wait()
	}
	if s.nc != nil {
		s.nc.Close()
	}
	if s.srv != nil {
		s.srv.Shutdown()
		s.srv.WaitForShutdown()
	}
	if s.unlock != nil {
		s.unlock()
	}
}

func (s *Store) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// fail maps errors seen after Close to eventstore.ErrClosed, and wraps the
// rest with what was being done.
func (s *Store) fail(what string, err error) error {
	if s.isClosed() && (errors.Is(err, nats.ErrConnectionClosed) || errors.Is(err, jetstream.ErrMsgIteratorClosed) ||
		errors.Is(err, nats.ErrBadSubscription) || errors.Is(err, nats.ErrConnectionDraining)) {
		return fmt.Errorf("natsjs: %s: %w", what, eventstore.ErrClosed)
	}
	return fmt.Errorf("natsjs: %s: %w", what, err)
}

func (s *Store) subject(id eventstore.StreamID) string {
	return s.subjPre + id.Category + "." + id.ID
}

// serverLogger forwards nats-server's log lines to slog, and tells the store
// of failed writes.
type serverLogger struct {
	l           *slog.Logger
	writeFailed func()
}

func (g serverLogger) Noticef(f string, v ...any) { g.l.Info(fmt.Sprintf(f, v...)) }
func (g serverLogger) Warnf(f string, v ...any)   { g.l.Warn(fmt.Sprintf(f, v...)) }
func (g serverLogger) Fatalf(f string, v ...any)  { g.error(fmt.Sprintf(f, v...)) }
func (g serverLogger) Errorf(f string, v ...any)  { g.error(fmt.Sprintf(f, v...)) }

func (g serverLogger) error(line string) {
	if isWriteFailure(line) {
		g.writeFailed()
	}
	g.l.Error(line)
}
func (g serverLogger) Debugf(f string, v ...any) { g.l.Debug(fmt.Sprintf(f, v...)) }
func (g serverLogger) Tracef(f string, v ...any) { g.l.Debug(fmt.Sprintf(f, v...)) }
