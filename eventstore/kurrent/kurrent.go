// Package kurrent is the eventstore.Store backend on KurrentDB (formerly
// EventStoreDB), through EventStore-Client-Go v4.
//
// A stream is the KurrentDB stream <category>-<id>; a commit is one
// AppendToStream call whose events carry the envelope fields as JSON
// metadata. Global positions are KurrentDB commit positions in $all: a
// commit's position is that of its first event (see position.go).
package kurrent

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/hindsight-retro/hindsight/eventstore"
)

// Config says where the server is.
type Config struct {
	// URL is a KurrentDB connection string, such as
	// esdb://127.0.0.1:2113?tls=false.
	URL string
	// Logger receives the client's diagnostics; nil means slog.Default().
	Logger *slog.Logger
}

// Store is an eventstore.Store on a KurrentDB server or cluster.
type Store struct {
	cfg *esdb.Configuration
	log *slog.Logger

	mu     sync.Mutex
	client *esdb.Client
	closed bool
	// base is cancelled by Close, which ends the running calls.
	base       context.Context
	cancelBase context.CancelFunc
	ops        sync.WaitGroup
}

var _ eventstore.Store = (*Store)(nil)

// scanLimit bounds how far LastPosition reads $all backwards past events
// that are not ours before it settles for the log's raw end.
const scanLimit = 4096

// Open connects and checks that the server answers before ctx is done.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if strings.TrimSpace(cfg.URL) == "" {
		return nil, errors.New("kurrent: Config.URL is empty; want a connection string such as esdb://127.0.0.1:2113?tls=false")
	}
	conf, err := esdb.ParseConnectionString(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("kurrent: connection string %q: %w", redact(cfg.URL), err)
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	logger = logger.With("component", "kurrent")
	conf.Logger = clientLogger(logger)
	client, err := esdb.NewClient(conf)
	if err != nil {
		return nil, fmt.Errorf("kurrent: %w", err)
	}
	// The client discovers the node on its first call and does not watch
	// the caller's context while doing so, so the probe runs aside and Open
	// gives up when ctx is done.
	probe := make(chan error, 1)
	go func() {
		_, err := rawEnd(ctx, client)
		probe <- err
	}()
	select {
	case err = <-probe:
		if err != nil {
			_ = client.Close()
		}
	case <-ctx.Done():
		// Closing the client under its running discovery races with it;
		// close it once the probe returns.
		go func() {
			<-probe
			_ = client.Close()
		}()
		err = ctx.Err()
	}
	if err != nil {
		return nil, fmt.Errorf("kurrent: connect to %s: %w", redact(cfg.URL), err)
	}
	base, cancelBase := context.WithCancel(context.Background())
	s := &Store{cfg: conf, log: logger, client: client, base: base, cancelBase: cancelBase}
	return s, nil
}

// redact hides a password in a connection string before it is logged.
func redact(url string) string {
	at := strings.Index(url, "@")
	scheme := strings.Index(url, "://")
	if at < 0 || scheme < 0 || at < scheme {
		return url
	}
	return url[:scheme+3] + "***" + url[at:]
}

func clientLogger(l *slog.Logger) esdb.LoggingFunc {
	return func(level esdb.LogLevel, format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		// The client logs every failed call at error level, including the
		// ones the store returns to its caller and the subscriptions it ends
		// on purpose; connection trouble is worth an info line, the rest is
		// for debugging.
		lv := slog.LevelDebug
		if (level == esdb.LogWarn || level == esdb.LogError) && !strings.Contains(msg, "context canceled") {
			lv = slog.LevelInfo
		}
		l.Log(context.Background(), lv, msg)
	}
}

// begin registers a running call; its context ends with ctx or Close.
func (s *Store) begin(ctx context.Context) (context.Context, *esdb.Client, func(), error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, nil, nil, eventstore.ErrClosed
	}
	s.ops.Add(1)
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(s.base, cancel)
	return ctx, s.client, func() { stop(); cancel(); s.ops.Done() }, nil
}

// check inspects a call's error: after the client gives up discovering the
// server it stays closed for good, so the store replaces it and the next
// call connects anew.
func (s *Store) check(c *esdb.Client, err error) {
	if !clientGaveUp(err) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.client != c {
		return
	}
	fresh, nerr := esdb.NewClient(s.cfg)
	if nerr != nil {
		s.log.Warn("reconnect failed", "err", nerr)
		return
	}
	// The old client's connection loop has ended; closing it would race
	// with its own goroutines, and it holds no connection.
	s.client = fresh
}

// closeWait bounds how long Close waits for running calls to end after
// cancelling them.
const closeWait = 5 * time.Second

// clientGaveUp says whether err means the client closed itself for good: it
// failed to rediscover the server, or already had.
func clientGaveUp(err error) bool {
	code, ok := esdbCode(err)
	return ok && (code == esdb.ErrorCodeConnectionClosed || strings.Contains(err.Error(), "maximum discovery attempt count reached"))
}

// Close ends running reads and subscriptions and closes the connection.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.cancelBase()
	client := s.client
	s.mu.Unlock()
	ended := make(chan struct{})
	go func() {
		s.ops.Wait()
		close(ended)
	}()
	select {
	case <-ended:
		return client.Close()
	case <-time.After(closeWait):
		// A call can be stuck inside the client (it blocks reporting a lost
		// connection once its reconnect loop has given up). Closing the
		// client under it would panic, so it is left to the collector.
		s.log.Warn("closing with calls still running inside the KurrentDB client; its connection is abandoned")
		return nil
	}
}

// Append writes the commit in one AppendToStream call.
func (s *Store) Append(ctx context.Context, c eventstore.Commit) (eventstore.AppendResult, error) {
	if err := eventstore.ValidateCommit(c); err != nil {
		return eventstore.AppendResult{}, err
	}
	expected, err := expectedRevision(c.ExpectedVersion)
	if err != nil {
		return eventstore.AppendResult{}, err
	}
	writeID := uuid.NewString()
	events, err := toEventData(c, writeID)
	if err != nil {
		return eventstore.AppendResult{}, err
	}
	ctx, client, end, err := s.begin(ctx)
	if err != nil {
		return eventstore.AppendResult{}, err
	}
	defer end()

	name := streamName(c.Stream)
	if c.ExpectedVersion == eventstore.Any {
		// KurrentDB de-duplicates appends with Any only through a cache of
		// recent event IDs, empty after a restart. The likeliest retry, of
		// the stream's last commit, is caught here whatever the cache holds.
		if res, dup, err := s.lastCommitIs(ctx, client, c); err != nil {
			if ctx.Err() != nil {
				return eventstore.AppendResult{}, s.ctxErr(ctx)
			}
			return eventstore.AppendResult{}, fmt.Errorf("kurrent: append to %s: read its last commit: %w", c.Stream, err)
		} else if dup {
			return res, nil
		}
	}
	wr, err := client.AppendToStream(ctx, name, esdb.AppendToStreamOptions{ExpectedRevision: expected}, events...)
	if err != nil {
		s.check(client, err)
		if ctx.Err() != nil {
			return eventstore.AppendResult{}, s.ctxErr(ctx)
		}
		appendErr := translateAppendError(err, c)
		var conflict *eventstore.ConflictError
		if errors.As(appendErr, &conflict) && c.ExpectedVersion != eventstore.Any {
			// KurrentDB takes a retry for a replay only when its event IDs
			// match the stored ones. A retry that carries other IDs (its
			// caller generated fresh ones) ends up here: as on JetStream,
			// the command is recognised by the event right after the
			// version it was decided on.
			if res, dup, derr := s.storedCommit(ctx, client, c, firstRevisionAfter(c.ExpectedVersion)); derr == nil && dup {
				return res, nil
			}
		}
		return eventstore.AppendResult{}, appendErr
	}

	// Read the first event back: its position is the commit's, and its
	// write ID says whether KurrentDB stored this call's events or answered
	// an idempotent replay of an earlier attempt.
	if wr.NextExpectedVersion+1 < uint64(len(events)) {
		return eventstore.AppendResult{}, fmt.Errorf("kurrent: append to %s: server reported revision %d after writing %d events", c.Stream, wr.NextExpectedVersion, len(events))
	}
	first := wr.NextExpectedVersion + 1 - uint64(len(events))
	res, err := s.readBack(ctx, client, name, first)
	if err != nil {
		if ctx.Err() != nil {
			return eventstore.AppendResult{}, s.ctxErr(ctx)
		}
		return eventstore.AppendResult{}, fmt.Errorf("kurrent: append to %s succeeded, but reading its position back failed: %w", c.Stream, err)
	}
	if res.meta.CommandID != c.CommandID {
		return eventstore.AppendResult{}, fmt.Errorf("kurrent: append to %s succeeded, but event %d belongs to command %q", c.Stream, first, res.meta.CommandID)
	}
	return eventstore.AppendResult{
		StreamVersion: versionOf(wr.NextExpectedVersion),
		Position:      res.raw,
		Duplicate:     res.meta.WriteID != writeID,
	}, nil
}

// readBack reads the first event of a commit KurrentDB just acknowledged.
// An idempotent replay is acknowledged as soon as the original write is in
// the log, which can be a moment before that write is readable, so a missing
// event is read again for a short while.
func (s *Store) readBack(ctx context.Context, client *esdb.Client, name string, rev uint64) (decoded, error) {
	wait := 5 * time.Millisecond
	for attempt := 0; ; attempt++ {
		d, found, err := s.readFirst(ctx, client, name, rev)
		if err != nil {
			return decoded{}, err
		}
		if found {
			return d, nil
		}
		if attempt == 8 {
			return decoded{}, fmt.Errorf("event %d of %s is not readable", rev, name)
		}
		select {
		case <-ctx.Done():
			return decoded{}, ctx.Err()
		case <-time.After(wait):
		}
		wait *= 2
	}
}

// storedCommit tells whether the event at revision rev opens a commit of c's
// command; if so, it reports where that commit landed, as a duplicate.
func (s *Store) storedCommit(ctx context.Context, client *esdb.Client, c eventstore.Commit, rev uint64) (eventstore.AppendResult, bool, error) {
	d, found, err := s.readFirst(ctx, client, streamName(c.Stream), rev)
	if err != nil || !found {
		return eventstore.AppendResult{}, false, err
	}
	firstID, _ := eventUUID(eventstore.EventID(c, 0))
	if d.meta.Index != 0 || (d.meta.CommandID != c.CommandID && d.ev.EventID != firstID) {
		return eventstore.AppendResult{}, false, nil
	}
	return eventstore.AppendResult{
		StreamVersion: versionOf(rev) + int64(d.meta.CommitSize) - 1,
		Position:      d.raw,
		Duplicate:     true,
	}, true, nil
}

// lastCommitIs tells whether the stream's last commit is one of c's
// command; if so, it reports where that commit landed, as a duplicate.
func (s *Store) lastCommitIs(ctx context.Context, client *esdb.Client, c eventstore.Commit) (eventstore.AppendResult, bool, error) {
	rs, err := client.ReadStream(ctx, streamName(c.Stream), esdb.ReadStreamOptions{
		Direction: esdb.Backwards, From: esdb.End{}, RequiresLeader: true}, 1)
	if err != nil {
		s.check(client, err)
		return eventstore.AppendResult{}, false, err
	}
	defer rs.Close()
	ev, err := rs.Recv()
	if errors.Is(err, io.EOF) {
		return eventstore.AppendResult{}, false, nil
	}
	if err != nil {
		if code, ok := esdbCode(err); ok && code == esdb.ErrorCodeResourceNotFound {
			return eventstore.AppendResult{}, false, nil
		}
		return eventstore.AppendResult{}, false, err
	}
	d, ok, err := decodeRecorded(ev.OriginalEvent())
	if err != nil || !ok || d.meta.CommandID != c.CommandID || d.revision < uint64(d.meta.Index) {
		return eventstore.AppendResult{}, false, err
	}
	return s.storedCommit(ctx, client, c, d.revision-uint64(d.meta.Index))
}

// readFirst reads the event at revision rev of a stream, from the leader so
// that a write just acknowledged is visible.
func (s *Store) readFirst(ctx context.Context, client *esdb.Client, name string, rev uint64) (decoded, bool, error) {
	rs, err := client.ReadStream(ctx, name, esdb.ReadStreamOptions{From: esdb.Revision(rev), RequiresLeader: true}, 1)
	if err != nil {
		s.check(client, err)
		return decoded{}, false, err
	}
	defer rs.Close()
	ev, err := rs.Recv()
	if errors.Is(err, io.EOF) {
		return decoded{}, false, nil
	}
	if err != nil {
		if code, ok := esdbCode(err); ok && code == esdb.ErrorCodeResourceNotFound {
			return decoded{}, false, nil
		}
		return decoded{}, false, err
	}
	d, ok, err := decodeRecorded(ev.OriginalEvent())
	if err != nil || !ok || d.revision != rev {
		return decoded{}, false, err
	}
	return d, true, nil
}

// lookupFirst is the positionTracker's lookup on this store.
func (s *Store) lookupFirst(client *esdb.Client) firstEventLookup {
	return func(ctx context.Context, stream string, rev uint64) (uint64, string, error) {
		d, found, err := s.readFirst(ctx, client, stream, rev)
		if err != nil {
			return 0, "", err
		}
		if !found {
			return 0, "", fmt.Errorf("event %d of %s not found", rev, stream)
		}
		return d.raw, d.meta.WriteID, nil
	}
}

// Load reads a stream's events after a version.
func (s *Store) Load(ctx context.Context, stream eventstore.StreamID, afterVersion int64) ([]eventstore.RecordedEvent, error) {
	if err := stream.Validate(); err != nil {
		return nil, err
	}
	ctx, client, end, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer end()
	name := streamName(stream)
	from := esdb.StreamPosition(esdb.Start{})
	if afterVersion > 0 {
		from = esdb.Revision(firstRevisionAfter(afterVersion))
	}
	rs, err := client.ReadStream(ctx, name, esdb.ReadStreamOptions{From: from}, math.MaxInt64)
	if err != nil {
		s.check(client, err)
		if ctx.Err() != nil {
			return nil, s.ctxErr(ctx)
		}
		return nil, translateReadError(err, stream)
	}
	defer rs.Close()
	tr := positionTracker{lookup: s.lookupFirst(client)}
	out := []eventstore.RecordedEvent{}
	for {
		ev, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			s.check(client, err)
			if ctx.Err() != nil {
				return nil, s.ctxErr(ctx)
			}
			return nil, translateReadError(err, stream)
		}
		d, ok, err := decodeRecorded(ev.OriginalEvent())
		if err != nil {
			return nil, fmt.Errorf("kurrent: load %s: %w", stream, err)
		}
		if !ok {
			continue
		}
		pos, err := tr.position(ctx, d)
		if err != nil {
			return nil, err
		}
		out = append(out, d.envelope(pos))
	}
	if len(out) == 0 && afterVersion <= 0 {
		// A stream whose events were all deleted reads as empty.
		return nil, fmt.Errorf("kurrent: load %s: %w", stream, eventstore.ErrStreamNotFound)
	}
	return out, nil
}

// startAt is where a read of $all after position after begins: after
// itself when it is the position of an event, else the newest event before
// it. KurrentDB refuses to read from a position that is not an event's, and
// callers may pass any number (such as a position minus one). Reads are
// inclusive of the start and subscriptions exclusive; feed filters either.
func (s *Store) startAt(ctx context.Context, client *esdb.Client, after uint64) (esdb.AllPosition, error) {
	if after == 0 {
		return esdb.Start{}, nil
	}
	at := esdb.Position{Commit: after, Prepare: after}
	rs, err := client.ReadAll(ctx, esdb.ReadAllOptions{From: at}, 1)
	if err != nil {
		return nil, err
	}
	_, err = rs.Recv()
	rs.Close()
	if err == nil || errors.Is(err, io.EOF) {
		return at, nil
	}
	if status.Code(err) != codes.InvalidArgument {
		return nil, err
	}
	// Not an event's position: walk back from the end to the newest event
	// at or before it. Cursors handed out by the store are valid, so this
	// is for the odd caller, and costs about what the read itself will.
	back, err := client.ReadAll(ctx, esdb.ReadAllOptions{Direction: esdb.Backwards, From: esdb.End{}}, math.MaxInt64)
	if err != nil {
		return nil, err
	}
	defer back.Close()
	for {
		ev, err := back.Recv()
		if errors.Is(err, io.EOF) {
			return esdb.Start{}, nil
		}
		if err != nil {
			return nil, err
		}
		if p := ev.OriginalEvent().Position; p.Commit <= after {
			return p, nil
		}
	}
}

// rawEnd is the raw commit position of the newest event in $all, 0 if none.
func rawEnd(ctx context.Context, client *esdb.Client) (uint64, error) {
	rs, err := client.ReadAll(ctx, esdb.ReadAllOptions{Direction: esdb.Backwards, From: esdb.End{}}, 1)
	if err != nil {
		return 0, err
	}
	defer rs.Close()
	ev, err := rs.Recv()
	if errors.Is(err, io.EOF) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return ev.OriginalEvent().Position.Commit, nil
}

// ReadAll delivers our events after a position, up to the log's end when the
// call began.
func (s *Store) ReadAll(ctx context.Context, after uint64, h eventstore.Handler) error {
	ctx, client, end, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer end()
	last, err := rawEnd(ctx, client)
	if err != nil {
		s.check(client, err)
		if ctx.Err() != nil {
			return s.ctxErr(ctx)
		}
		return fmt.Errorf("kurrent: read all: find the log's end: %w", err)
	}
	if last <= after {
		return nil
	}
	from, err := s.startAt(ctx, client, after)
	if err != nil {
		s.check(client, err)
		if ctx.Err() != nil {
			return s.ctxErr(ctx)
		}
		return fmt.Errorf("kurrent: read all: find where to start: %w", err)
	}
	rs, err := client.ReadAll(ctx, esdb.ReadAllOptions{From: from}, math.MaxInt64)
	if err != nil {
		s.check(client, err)
		return fmt.Errorf("kurrent: read all: %w", err)
	}
	defer rs.Close()
	f := feed{after: after, tr: positionTracker{lookup: s.lookupFirst(client)}, log: s.log}
	for {
		ev, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			if ctx.Err() != nil {
				return s.ctxErr(ctx)
			}
			return fmt.Errorf("kurrent: read all: %w", err)
		}
		rec := ev.OriginalEvent()
		d, ok := f.recognise(rec)
		if readEnd(last, rec.Position.Commit, ok, d.meta.Index) {
			return nil
		}
		if !ok {
			continue
		}
		re, deliver, err := f.deliver(ctx, d)
		if err != nil {
			return err
		}
		if !deliver {
			continue
		}
		if err := h(ctx, re); err != nil {
			return err
		}
	}
}

// feed turns events of $all into deliveries: it skips what is not ours,
// assigns commit positions and drops commits at or before after.
type feed struct {
	after uint64
	tr    positionTracker
	log   *slog.Logger
}

func (f *feed) recognise(ev *esdb.RecordedEvent) (decoded, bool) {
	d, ok, err := decodeRecorded(ev)
	if err != nil {
		// Another writer's event in a stream named like ours must not stop
		// every reader of the log.
		f.log.Warn("skipping an event that is not a hindsight envelope", "err", err)
		return decoded{}, false
	}
	return d, ok
}

func (f *feed) deliver(ctx context.Context, d decoded) (eventstore.RecordedEvent, bool, error) {
	pos, err := f.tr.position(ctx, d)
	if err != nil {
		return eventstore.RecordedEvent{}, false, err
	}
	if pos <= f.after {
		return eventstore.RecordedEvent{}, false, nil
	}
	return d.envelope(pos), true, nil
}

// Subscribe delivers our events after a position, then new ones as they are
// appended. KurrentDB's catch-up subscription switches from history to live
// events without gap or duplicate.
func (s *Store) Subscribe(ctx context.Context, after uint64, h eventstore.Handler) error {
	ctx, client, end, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer end()
	from, err := s.startAt(ctx, client, after)
	if err != nil {
		s.check(client, err)
		if ctx.Err() != nil {
			return s.ctxErr(ctx)
		}
		return fmt.Errorf("kurrent: subscribe: find where to start: %w", err)
	}
	sub, err := client.SubscribeToAll(ctx, esdb.SubscribeToAllOptions{
		From:   from,
		Filter: &esdb.SubscriptionFilter{Type: esdb.StreamFilterType, Regex: streamFilterRegex},
	})
	if err != nil {
		s.check(client, err)
		if ctx.Err() != nil {
			return s.ctxErr(ctx)
		}
		return fmt.Errorf("kurrent: subscribe: %w", err)
	}
	defer sub.Close()
	f := feed{after: after, tr: positionTracker{lookup: s.lookupFirst(client)}, log: s.log}
	for {
		e := sub.Recv()
		switch {
		case e.SubscriptionDropped != nil:
			if ctx.Err() != nil {
				return s.ctxErr(ctx)
			}
			s.check(client, e.SubscriptionDropped.Error)
			return fmt.Errorf("kurrent: subscription dropped: %w", e.SubscriptionDropped.Error)
		case e.EventAppeared != nil:
			d, ok := f.recognise(e.EventAppeared.OriginalEvent())
			if !ok {
				continue
			}
			re, deliver, err := f.deliver(ctx, d)
			if err != nil {
				return err
			}
			if !deliver {
				continue
			}
			if err := h(ctx, re); err != nil {
				return err
			}
		}
	}
}

// ctxErr is the error a call ended by its context returns: ErrClosed when
// Close ended it.
func (s *Store) ctxErr(ctx context.Context) error {
	if s.base.Err() != nil {
		return eventstore.ErrClosed
	}
	return ctx.Err()
}

// LastPosition is the position of the newest commit of ours. Past scanLimit
// events of others at the log's end, it settles for the raw end, which is as
// good a place to resume from.
func (s *Store) LastPosition(ctx context.Context) (uint64, error) {
	ctx, client, end, err := s.begin(ctx)
	if err != nil {
		return 0, err
	}
	defer end()
	rs, err := client.ReadAll(ctx, esdb.ReadAllOptions{Direction: esdb.Backwards, From: esdb.End{}}, scanLimit)
	if err != nil {
		s.check(client, err)
		return 0, fmt.Errorf("kurrent: last position: %w", err)
	}
	defer rs.Close()
	var newest uint64
	seen := 0
	for {
		ev, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			s.check(client, err)
			if ctx.Err() != nil {
				return 0, s.ctxErr(ctx)
			}
			return 0, fmt.Errorf("kurrent: last position: %w", err)
		}
		rec := ev.OriginalEvent()
		if seen == 0 {
			newest = rec.Position.Commit
		}
		seen++
		d, ok, _ := decodeRecorded(rec)
		if !ok {
			continue
		}
		if d.meta.Index == 0 {
			return d.raw, nil
		}
		// The newest commit is longer than one event: its first event is
		// found by its stream revision.
		raw, _, err := s.lookupFirst(client)(ctx, streamName(d.stream), d.revision-uint64(d.meta.Index))
		if err != nil {
			return 0, fmt.Errorf("kurrent: last position: %w", err)
		}
		return raw, nil
	}
	if seen < scanLimit {
		return 0, nil
	}
	return newest, nil
}
