package natsjs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/storetest"
)

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func openEmbedded(t *testing.T, dir string) *Store {
	t.Helper()
	st, err := Open(testCtx(t), Config{DataDir: dir})
	if err != nil {
		t.Fatalf("open embedded store in %s: %v", dir, err)
	}
	return st
}

func TestContractEmbedded(t *testing.T) {
	storetest.Run(t, func(t *testing.T) eventstore.Store {
		return openEmbedded(t, t.TempDir())
	})
}

// startServer runs a stand-alone JetStream server on loopback, standing in
// for an external cluster.
func startServer(t *testing.T) *server.Server {
	t.Helper()
	srv, err := server.NewServer(&server.Options{
		Host: "127.0.0.1", Port: server.RANDOM_PORT, NoSigs: true, NoLog: true,
		JetStream: true, StoreDir: t.TempDir(),
	})
	if err != nil {
		t.Fatalf("configure server: %v", err)
	}
	srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("server not ready")
	}
	t.Cleanup(func() { srv.Shutdown(); srv.WaitForShutdown() })
	return srv
}

func TestContractExternal(t *testing.T) {
	srv := startServer(t)
	storetest.Run(t, func(t *testing.T) eventstore.Store {
		st, err := Open(testCtx(t), Config{URL: srv.ClientURL(), Replicas: 1})
		if err != nil {
			t.Fatalf("open external store: %v", err)
		}
		return st
	})
}

func newCommit(stream eventstore.StreamID, expected int64, cmd string, n int) eventstore.Commit {
	c := eventstore.Commit{Stream: stream, ExpectedVersion: expected, CommandID: cmd}
	for i := range n {
		c.Events = append(c.Events, eventstore.Event{Type: "Happened", SchemaVersion: 1,
			Payload: json.RawMessage(fmt.Sprintf(`{"cmd":%q,"i":%d}`, cmd, i))})
	}
	return c
}

func mustAppend(t *testing.T, st eventstore.Store, c eventstore.Commit) eventstore.AppendResult {
	t.Helper()
	r, err := st.Append(testCtx(t), c)
	if err != nil {
		t.Fatalf("append %s to %s at %d: %v", c.CommandID, c.Stream, c.ExpectedVersion, err)
	}
	return r
}

func readAll(t *testing.T, st eventstore.Store) []eventstore.RecordedEvent {
	t.Helper()
	var out []eventstore.RecordedEvent
	err := st.ReadAll(testCtx(t), 0, func(_ context.Context, e eventstore.RecordedEvent) error {
		e.Payload = append(json.RawMessage(nil), e.Payload...)
		out = append(out, e)
		return nil
	})
	if err != nil {
		t.Fatalf("read all: %v", err)
	}
	return out
}

// Closing and reopening the data folder keeps the log, its positions and the
// stream versions, and writing goes on where it stopped, although the
// reopened store knows nothing of the streams yet.
func TestReopenKeepsLog(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	a := eventstore.StreamID{Category: "retro", ID: "a"}
	b := eventstore.StreamID{Category: "team", ID: "b"}

	st := openEmbedded(t, dir)
	mustAppend(t, st, newCommit(a, eventstore.NoStream, "a1", 2))
	mustAppend(t, st, newCommit(b, eventstore.NoStream, "b1", 1))
	ra := mustAppend(t, st, newCommit(a, 2, "a2", 3))
	before := readAll(t, st)
	if err := st.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}

	st = openEmbedded(t, dir)
	defer st.Close()
	after := readAll(t, st)
	if len(after) != len(before) || len(after) != 6 {
		t.Fatalf("after reopening: %d events, before: %d, want 6", len(after), len(before))
	}
	for i := range before {
		x, y := before[i], after[i]
		if x.Position != y.Position || x.StreamVersion != y.StreamVersion || x.EventID != y.EventID ||
			!x.RecordedAt.Equal(y.RecordedAt) || string(x.Payload) != string(y.Payload) {
			t.Errorf("event %d changed across reopening:\nbefore %+v\nafter  %+v", i, x, y)
		}
	}
	if p, err := st.LastPosition(testCtx(t)); err != nil || p != ra.Position+0 && p < ra.Position {
		t.Errorf("last position after reopening: %d, %v; last commit was at %d", p, err, ra.Position)
	}

	// The version cache is cold: a stale version is still a conflict, the
	// right one still appends.
	_, err := st.Append(testCtx(t), newCommit(a, 2, "a3-stale", 1))
	var ce *eventstore.ConflictError
	if !errors.As(err, &ce) || ce.Actual != 5 {
		t.Fatalf("append at stale version 2 of a stream at 5 after reopening: %v, want a conflict with actual 5", err)
	}
	r := mustAppend(t, st, newCommit(a, 5, "a3", 1))
	if r.StreamVersion != 6 || r.Position <= ra.Position || r.Duplicate {
		t.Errorf("append at version 5 after reopening: %+v, want version 6 after position %d", r, ra.Position)
	}
	evs, err := st.Load(testCtx(t), a, 4)
	if err != nil || len(evs) != 2 || evs[0].StreamVersion != 5 || evs[0].CommitSize != 3 || evs[0].Index != 2 {
		t.Fatalf("load after version 4: %+v, %v; want versions 5 (last of a 3-event commit) and 6", evs, err)
	}
}

// A retried command whose first attempt was stored succeeds without writing,
// even after other commits landed on its stream and even when the retrying
// store has never seen the stream (a restart or another node).
func TestRetryAfterLaterCommits(t *testing.T) {
	dir := t.TempDir()
	st := openEmbedded(t, dir)
	s := eventstore.StreamID{Category: "retro", ID: "r1"}
	mustAppend(t, st, newCommit(s, eventstore.NoStream, "c1", 1))
	first := mustAppend(t, st, newCommit(s, 1, "c2", 2))
	mustAppend(t, st, newCommit(s, 3, "c3", 1))
	mustAppend(t, st, newCommit(s, 4, "c4", 1))

	check := func(name string, st *Store, c eventstore.Commit, want eventstore.AppendResult) {
		t.Helper()
		r, err := st.Append(testCtx(t), c)
		if err != nil {
			t.Fatalf("%s: retry of %s: %v", name, c.CommandID, err)
		}
		if r != want {
			t.Fatalf("%s: retry of %s: %+v, want %+v", name, c.CommandID, r, want)
		}
	}
	dup := eventstore.AppendResult{StreamVersion: first.StreamVersion, Position: first.Position, Duplicate: true}
	check("warm cache", st, newCommit(s, 1, "c2", 2), dup)
	check("first commit", st, newCommit(s, eventstore.NoStream, "c1", 1),
		eventstore.AppendResult{StreamVersion: 1, Position: first.Position - 1, Duplicate: true})

	// Another command at the same stale version is a real conflict.
	_, err := st.Append(testCtx(t), newCommit(s, 1, "c-other", 1))
	var ce *eventstore.ConflictError
	if !errors.As(err, &ce) || ce.Expected != 1 || ce.Actual != 5 {
		t.Fatalf("other command at version 1 of a stream at 5: %v, want a conflict 1 vs 5", err)
	}
	st.Close()

	st = openEmbedded(t, dir)
	defer st.Close()
	check("cold cache", st, newCommit(s, 1, "c2", 2), dup)
	evs, err := st.Load(testCtx(t), s, 0)
	if err != nil || len(evs) != 5 {
		t.Fatalf("load after retries: %d events, %v; want the 5 written once", len(evs), err)
	}
}

// With Any, JetStream's duplicate window catches the retry wherever the
// stream stands.
func TestRetryWithAny(t *testing.T) {
	st := openEmbedded(t, t.TempDir())
	defer st.Close()
	s := eventstore.StreamID{Category: "whiteboard", ID: "w1"}
	first := mustAppend(t, st, newCommit(s, eventstore.Any, "chunk-1", 3))
	mustAppend(t, st, newCommit(s, eventstore.Any, "chunk-2", 1))
	r := mustAppend(t, st, newCommit(s, eventstore.Any, "chunk-1", 3))
	if want := (eventstore.AppendResult{StreamVersion: 3, Position: first.Position, Duplicate: true}); r != want {
		t.Fatalf("retry with Any: %+v, want %+v", r, want)
	}
	// De-duplication is per stream, although JetStream's is per log.
	r = mustAppend(t, st, newCommit(eventstore.StreamID{Category: "whiteboard", ID: "w2"}, eventstore.Any, "chunk-1", 1))
	if r.Duplicate || r.StreamVersion != 1 {
		t.Fatalf("a command ID of another stream: %+v, want a new commit", r)
	}
}

// An existing stream is reused when it fits and refused, clearly, when its
// subjects miss ours.
func TestExternalExistingStream(t *testing.T) {
	srv := startServer(t)
	ctx := testCtx(t)
	st, err := Open(ctx, Config{URL: srv.ClientURL(), Replicas: 1, Stream: "LOG", SubjectPrefix: "hs"})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	r := mustAppend(t, st, newCommit(eventstore.StreamID{Category: "retro", ID: "x"}, eventstore.NoStream, "c1", 1))
	st.Close()

	st, err = Open(ctx, Config{URL: srv.ClientURL(), Stream: "LOG", SubjectPrefix: "hs"})
	if err != nil {
		t.Fatalf("reopen with default replicas on an existing R1 stream: %v", err)
	}
	if p, err := st.LastPosition(ctx); err != nil || p != r.Position {
		t.Fatalf("last position of the reused stream: %d, %v; want %d", p, err, r.Position)
	}
	st.Close()

	_, err = Open(ctx, Config{URL: srv.ClientURL(), Replicas: 1, Stream: "LOG", SubjectPrefix: "other"})
	if err == nil {
		t.Fatal("opened a stream whose subjects do not cover the prefix")
	}
	t.Logf("refused as expected: %v", err)
}

func TestOpenRejectsBadConfig(t *testing.T) {
	for name, cfg := range map[string]Config{
		"no data folder":     {},
		"replicas embedded":  {DataDir: t.TempDir(), Replicas: 3},
		"wildcard prefix":    {DataDir: t.TempDir(), SubjectPrefix: "ev.*"},
		"dotted stream name": {DataDir: t.TempDir(), Stream: "A.B"},
		"negative sync":      {DataDir: t.TempDir(), SyncInterval: -time.Second},
	} {
		if st, err := Open(testCtx(t), cfg); err == nil {
			st.Close()
			t.Errorf("%s: Open accepted %+v", name, cfg)
		} else if !errors.Is(err, eventstore.ErrInvalidArgument) {
			t.Errorf("%s: %v, want an invalid-argument error", name, err)
		}
	}
}

// Load gives the same events as the log, from every version, whether the
// stream's commits lie close together (read forward in one batch) or are
// spread through the log (found by walking back from the last commit), and
// whether the store has just written the stream or has never seen it.
func TestLoadMatchesLog(t *testing.T) {
	dir := t.TempDir()
	st := openEmbedded(t, dir)
	dense := eventstore.StreamID{Category: "retro", ID: "dense"}
	spread := eventstore.StreamID{Category: "retro", ID: "spread"}
	var dv, sv int64
	// The dense stream's commits sit next to each other; the spread one
	// has many other streams' commits between its own.
	for i := range 40 {
		r := mustAppend(t, st, newCommit(dense, dv, fmt.Sprint("d", i), 1+i%3))
		dv = r.StreamVersion
	}
	for i := range 40 {
		for j := range 12 {
			mustAppend(t, st, newCommit(eventstore.StreamID{Category: "noise", ID: fmt.Sprint(i, "-", j)}, eventstore.NoStream, "n", 1))
		}
		r := mustAppend(t, st, newCommit(spread, sv, fmt.Sprint("s", i), 1+i%4))
		sv = r.StreamVersion
	}
	check := func(name string, st *Store) {
		t.Helper()
		all := readAll(t, st)
		for _, id := range []eventstore.StreamID{dense, spread} {
			var want []eventstore.RecordedEvent
			for _, e := range all {
				if e.Stream == id {
					want = append(want, e)
				}
			}
			for after := int64(0); after <= int64(len(want)); after++ {
				got, err := st.Load(testCtx(t), id, after)
				if err != nil {
					t.Fatalf("%s: load %s after %d: %v", name, id, after, err)
				}
				if len(got) != len(want)-int(after) {
					t.Fatalf("%s: load %s after %d: %d events, want %d", name, id, after, len(got), len(want)-int(after))
				}
				for i, e := range got {
					w := want[int(after)+i]
					if e.StreamVersion != w.StreamVersion || e.Position != w.Position || e.EventID != w.EventID ||
						e.Index != w.Index || e.CommitSize != w.CommitSize || e.CommandID != w.CommandID ||
						!e.RecordedAt.Equal(w.RecordedAt) || string(e.Payload) != string(w.Payload) {
						t.Fatalf("%s: load %s after %d, event %d:\ngot  %+v\nwant %+v", name, id, after, i, e, w)
					}
				}
			}
		}
	}
	check("warm", st)
	st.Close()
	st = openEmbedded(t, dir)
	defer st.Close()
	check("cold", st)

	// Retries are found by walking back too.
	r, err := st.Append(testCtx(t), newCommit(spread, 0, "s0", 1))
	if err != nil || !r.Duplicate || r.StreamVersion != 1 {
		t.Fatalf("retry of the spread stream's first commit: %+v, %v", r, err)
	}
	// s20 was appended at the version before it: 1..20 of sizes 1+i%4.
	var before int64
	for i := range 20 {
		before += int64(1 + i%4)
	}
	r, err = st.Append(testCtx(t), newCommit(spread, before, "s20", 1+20%4))
	if err != nil || !r.Duplicate || r.StreamVersion != before+int64(1+20%4) {
		t.Fatalf("retry of the spread stream's 21st commit: %+v, %v", r, err)
	}
}

// The embedded server's writes are fsynced before they are acknowledged,
// by the store's group commit, unless it is told to batch by interval.
func TestEmbeddedSyncPolicy(t *testing.T) {
	for _, tc := range []struct {
		interval time.Duration
		group    bool
	}{{0, true}, {5 * time.Second, false}} {
		st, err := Open(testCtx(t), Config{DataDir: t.TempDir(), SyncInterval: tc.interval})
		if err != nil {
			t.Fatalf("open with sync interval %s: %v", tc.interval, err)
		}
		cfg := st.srv.JetStreamConfig()
		group := st.group != nil
		st.Close()
		if group != tc.group {
			t.Errorf("sync interval %s: group commit %v, want %v", tc.interval, group, tc.group)
		}
		if cfg == nil || cfg.SyncAlways || !tc.group && cfg.SyncInterval != tc.interval {
			t.Errorf("sync interval %s: server runs with %+v, want no sync always, interval %s", tc.interval, cfg, tc.interval)
		}
	}
}

// A message on our subjects that this store did not write is reported, with
// where it is, by every path that meets it.
func TestForeignMessage(t *testing.T) {
	st := openEmbedded(t, t.TempDir())
	defer st.Close()
	ctx := testCtx(t)
	bad := eventstore.StreamID{Category: "retro", ID: "bad"}
	if _, err := st.js.Publish(ctx, "ev.retro.bad", []byte(`{"hello":"world"}`)); err != nil {
		t.Fatalf("publish a foreign message: %v", err)
	}
	if _, err := st.Load(ctx, bad, 0); err == nil || errors.Is(err, eventstore.ErrStreamNotFound) {
		t.Errorf("load of a stream holding a foreign message: %v, want an error", err)
	}
	if _, err := st.Append(ctx, newCommit(bad, eventstore.Any, "c", 1)); err == nil {
		t.Error("append after a foreign message: accepted")
	}
	err := st.ReadAll(ctx, 0, func(context.Context, eventstore.RecordedEvent) error { return nil })
	if err == nil {
		t.Error("read all over a foreign message: no error")
	}
	t.Logf("load/read all report: %v", err)
}

// An existing stream gets what the store relies on (duplicate window, direct
// gets) and keeps its own subjects; one that would delete events is refused.
func TestExternalAdjustsStream(t *testing.T) {
	srv := startServer(t)
	ctx := testCtx(t)
	st, err := Open(ctx, Config{URL: srv.ClientURL(), Replicas: 1, Stream: "OTHER", SubjectPrefix: "x"})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer st.Close()
	js := st.js
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "OPS", Subjects: []string{"ops.>", "audit"},
		Duplicates: time.Minute, Storage: jetstream.FileStorage}); err != nil {
		t.Fatalf("create stream: %v", err)
	}
	st2, err := Open(ctx, Config{URL: srv.ClientURL(), Stream: "OPS", SubjectPrefix: "ops.events"})
	if err != nil {
		t.Fatalf("open on an existing stream that covers the subjects: %v", err)
	}
	mustAppend(t, st2, newCommit(eventstore.StreamID{Category: "retro", ID: "r"}, eventstore.NoStream, "c", 1))
	st2.Close()
	info, err := js.Stream(ctx, "OPS")
	if err != nil {
		t.Fatal(err)
	}
	cfg := info.CachedInfo().Config
	if cfg.Duplicates < 10*time.Minute || !cfg.AllowDirect || len(cfg.Subjects) != 2 {
		t.Errorf("existing stream after open: duplicates %s, direct %v, subjects %v", cfg.Duplicates, cfg.AllowDirect, cfg.Subjects)
	}

	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "AGED", Subjects: []string{"aged.>"}, MaxAge: time.Hour}); err != nil {
		t.Fatalf("create stream: %v", err)
	}
	if st3, err := Open(ctx, Config{URL: srv.ClientURL(), Stream: "AGED", SubjectPrefix: "aged"}); err == nil {
		st3.Close()
		t.Error("opened a stream whose max age would delete events")
	}
}

// A subscription lives through a restart of the server it reads from, and
// delivers every commit once, in order.
func TestSubscribeSurvivesServerRestart(t *testing.T) {
	dir := t.TempDir()
	start := func(port int) *server.Server {
		srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: port, NoSigs: true, NoLog: true,
			JetStream: true, StoreDir: dir})
		if err != nil {
			t.Fatalf("configure server: %v", err)
		}
		srv.Start()
		if !srv.ReadyForConnections(10 * time.Second) {
			t.Fatal("server not ready")
		}
		return srv
	}
	srv := start(server.RANDOM_PORT)
	port := srv.Addr().(*net.TCPAddr).Port
	defer func() { srv.Shutdown(); srv.WaitForShutdown() }()

	ctx, cancelAll := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancelAll()
	st, err := Open(ctx, Config{URL: srv.ClientURL(), Replicas: 1})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer st.Close()
	id := eventstore.StreamID{Category: "retro", ID: "live"}
	appendRetrying := func(i int) {
		for {
			_, err := st.Append(ctx, newCommit(id, eventstore.Any, fmt.Sprint("c", i), 1))
			if err == nil {
				return
			}
			if ctx.Err() != nil {
				t.Fatalf("append %d: %v", i, err)
			}
			t.Logf("append %d: %v", i, err)
			time.Sleep(50 * time.Millisecond)
		}
	}
	for i := range 3 {
		appendRetrying(i)
	}
	got := make(chan eventstore.RecordedEvent, 100)
	subCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- st.Subscribe(subCtx, 0, func(_ context.Context, e eventstore.RecordedEvent) error {
			got <- e
			return nil
		})
	}()
	var seen []eventstore.RecordedEvent
	receive := func(n int) {
		for len(seen) < n {
			select {
			case e := <-got:
				seen = append(seen, e)
			case err := <-done:
				t.Fatalf("subscription ended after %d events: %v", len(seen), err)
			case <-ctx.Done():
				t.Fatalf("got %d events, want %d", len(seen), n)
			}
		}
	}
	receive(3)

	srv.Shutdown()
	srv.WaitForShutdown()
	srv = start(port)
	for i := 3; i < 6; i++ {
		appendRetrying(i)
	}
	receive(6)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("subscription ended with %v, want context.Canceled", err)
	}
	for i, e := range seen {
		if e.StreamVersion != int64(i+1) || e.CommandID != fmt.Sprint("c", i) {
			t.Errorf("event %d: version %d of command %s", i, e.StreamVersion, e.CommandID)
		}
	}
	select {
	case e := <-got:
		t.Errorf("a seventh event arrived: %+v", e)
	default:
	}
}

// Two stores on one data folder would corrupt it: the second is refused
// until the first closes.
func TestDataDirLocked(t *testing.T) {
	dir := t.TempDir()
	first := openEmbedded(t, dir)
	if st, err := Open(testCtx(t), Config{DataDir: dir}); err == nil {
		st.Close()
		t.Fatal("a second store opened a data folder in use")
	} else if !errors.Is(err, ErrDataDirInUse) {
		t.Errorf("refused with %v, want ErrDataDirInUse", err)
	}
	first.Close()
	openEmbedded(t, dir).Close()
}

// The embedded server logs to the Logger it is given.
func TestEmbeddedLogsToLogger(t *testing.T) {
	var buf syncBuffer
	st, err := Open(testCtx(t), Config{DataDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(&buf, nil))})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	st.Close()
	if !strings.Contains(buf.String(), "component=nats-server") {
		t.Errorf("the server's log did not reach the logger; got %q", buf.String())
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Every read creates a consumer on the server, and a stream holds at most
// 1,000: reads must remove theirs when they end, or a busy node (the live
// feed resuming clients, projections catching up) stops reading at all.
func TestReadsLeaveNoConsumersBehind(t *testing.T) {
	ctx := context.Background()
	s := openEmbedded(t, t.TempDir())
	if _, err := s.Append(ctx, newCommit(eventstore.StreamID{Category: "leak", ID: "a"}, eventstore.NoStream, "c1", 1)); err != nil {
		t.Fatal(err)
	}
	seen := 0
	for i := 0; i < 1100; i++ {
		if err := s.ReadAll(ctx, 0, func(context.Context, eventstore.RecordedEvent) error { seen++; return nil }); err != nil {
			t.Fatalf("read %d: %v", i, err)
		}
	}
	if seen != 1100 {
		t.Fatalf("1,100 reads delivered %d events, want 1,100", seen)
	}
	sub, cancel := context.WithCancel(ctx)
	for i := 0; i < 50; i++ {
		done := make(chan error, 1)
		c, stop := context.WithCancel(sub)
		go func() {
			done <- s.Subscribe(c, 0, func(context.Context, eventstore.RecordedEvent) error { stop(); return nil })
		}()
		<-done
	}
	cancel()
	info, err := s.JetStream().Stream(ctx, "EVENTS")
	if err != nil {
		t.Fatal(err)
	}
	if n := info.CachedInfo().State.Consumers; n != 0 {
		t.Errorf("%d consumers left on the stream after the reads ended, want 0", n)
	}
}
