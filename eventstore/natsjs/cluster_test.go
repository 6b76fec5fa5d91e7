package natsjs_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/natsjs"
	"github.com/hindsight-retro/hindsight/eventstore/storetest"
)

// freePorts finds n free loopback ports. Route URLs must be known before the
// servers start, so the ports are chosen ahead; another process could take
// one in between, which would show as a failed start, not a wrong result.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ports []int
	var ls []net.Listener
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		l.Close()
	}
	return ports
}

// startCluster runs three JetStream servers in this process, routed to each
// other, and waits until they have elected a meta leader.
func startCluster(t *testing.T) []*server.Server {
	t.Helper()
	ports := freePorts(t, 3)
	var servers []*server.Server
	for i, p := range ports {
		var routes []string
		for j, q := range ports {
			if j != i {
				routes = append(routes, fmt.Sprintf("nats://127.0.0.1:%d", q))
			}
		}
		opts := &server.Options{
			ServerName: fmt.Sprintf("n%d", i+1),
			Host:       "127.0.0.1",
			Port:       server.RANDOM_PORT,
			NoLog:      true,
			NoSigs:     true,
			MaxPayload: 1 << 20,
			JetStream:  true,
			StoreDir:   t.TempDir(),
			Cluster:    server.ClusterOpts{Name: "hindsight-test", Host: "127.0.0.1", Port: p},
			Routes:     server.RoutesFromStr(strings.Join(routes, ",")),
		}
		s, err := server.NewServer(opts)
		if err != nil {
			t.Fatalf("server n%d: %v", i+1, err)
		}
		s.Start()
		t.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
		servers = append(servers, s)
	}
	for _, s := range servers {
		if !s.ReadyForConnections(10 * time.Second) {
			t.Fatalf("server %s not ready after 10s", s.Name())
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		leaders, current, online := 0, 0, 0
		for _, s := range servers {
			if s.JetStreamIsLeader() {
				leaders++
				// The peers the leader may place a stream on: online, with
				// JetStream, their statistics received. A leader elected
				// before it heard from all three refused an R3 stream with
				// "no suitable peers for placement" (once in 20 runs, loaded).
				online = len(s.JetStreamClusterPeers())
			}
			if s.JetStreamIsCurrent() {
				current++
			}
		}
		if leaders == 1 && current == len(servers) && online == len(servers) {
			return servers
		}
		if time.Now().After(deadline) {
			t.Fatalf("no JetStream meta leader with every peer online after 30s (%d leaders, %d current, %d online)", leaders, current, online)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// committed is a commit a writer saw acknowledged.
type committed struct {
	stream  eventstore.StreamID
	res     eventstore.AppendResult
	events  int
	afterKo bool // acknowledged after a server was killed
}

// clusterWriter appends through one store and records what was acknowledged.
type clusterWriter struct {
	name  string
	store *natsjs.Store

	mu    sync.Mutex
	acked map[string]committed
	// killed is closed when a server has been shut down.
	killed <-chan struct{}
	notes  []string
}

func (w *clusterWriter) record(id string, c committed) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if prev, ok := w.acked[id]; ok {
		if prev.res.Position != c.res.Position {
			return fmt.Errorf("command %s acknowledged at %d and again at %d", id, prev.res.Position, c.res.Position)
		}
		return nil
	}
	select {
	case <-w.killed:
		c.afterKo = true
	default:
	}
	w.acked[id] = c
	return nil
}

func (w *clusterWriter) note(format string, args ...any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.notes) < 20 {
		w.notes = append(w.notes, fmt.Sprintf(format, args...))
	}
}

// appendRetrying sends c until it is acknowledged, it conflicts, or the
// deadline passes. Retries keep the command ID and expected version, as a
// client that lost an answer would; a retry of a stored commit must come
// back as a duplicate of it.
func (w *clusterWriter) appendRetrying(ctx context.Context, c eventstore.Commit) (eventstore.AppendResult, error) {
	backoff := 20 * time.Millisecond
	for {
		actx, cancel := context.WithTimeout(ctx, 3*time.Second)
		res, err := w.store.Append(actx, c)
		cancel()
		if err == nil || errors.Is(err, eventstore.ErrConflict) || errors.Is(err, eventstore.ErrInvalidArgument) || errors.Is(err, eventstore.ErrClosed) {
			return res, err
		}
		if ctx.Err() != nil {
			return res, fmt.Errorf("gave up on %s: %w (last error: %v)", c.CommandID, ctx.Err(), err)
		}
		w.note("%s: retry %s after %v", w.name, c.CommandID, err)
		select {
		case <-ctx.Done():
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, time.Second)
	}
}

func event(name string, i int) []eventstore.Event {
	return []eventstore.Event{{Type: "Written", SchemaVersion: 1, Payload: fmt.Appendf(nil, `{"by":%q,"i":%d}`, name, i)}}
}

// own writes to a stream only this writer writes, with exact expected
// versions, until stop is closed.
func (w *clusterWriter) own(ctx context.Context, stop <-chan struct{}, stream eventstore.StreamID) error {
	var version int64
	for i := 0; ; i++ {
		select {
		case <-stop:
			return nil
		default:
		}
		c := eventstore.Commit{Stream: stream, ExpectedVersion: version, CommandID: fmt.Sprintf("%s-%s-%d", w.name, stream.ID, i), Events: event(w.name, i)}
		cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		res, err := w.appendRetrying(cctx, c)
		cancel()
		var ce *eventstore.ConflictError
		switch {
		case errors.As(err, &ce):
			// Nobody else writes here: only our own earlier attempt can
			// have moved the stream, and the store should have said so.
			return fmt.Errorf("own stream %s: %w", stream, err)
		case err != nil:
			return err
		}
		if err := w.record(c.CommandID, committed{stream: stream, res: res, events: 1}); err != nil {
			return err
		}
		version = res.StreamVersion
	}
}

// shared writes to a stream both writers write: load, decide, append with
// the loaded version, and on a conflict load again.
func (w *clusterWriter) shared(ctx context.Context, stop <-chan struct{}, stream eventstore.StreamID) error {
	for i := 0; ; i++ {
		select {
		case <-stop:
			return nil
		default:
		}
		lctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		evs, err := w.store.Load(lctx, stream, 0)
		cancel()
		var version int64
		switch {
		case errors.Is(err, eventstore.ErrStreamNotFound):
		case err != nil:
			w.note("%s: load %s: %v", w.name, stream, err)
			time.Sleep(50 * time.Millisecond)
			continue
		default:
			version = evs[len(evs)-1].StreamVersion
		}
		c := eventstore.Commit{Stream: stream, ExpectedVersion: version, CommandID: fmt.Sprintf("%s-shared-%d", w.name, i), Events: event(w.name, i)}
		cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		res, err := w.appendRetrying(cctx, c)
		cancel()
		switch {
		case errors.Is(err, eventstore.ErrConflict):
			continue // decided on a stale version: load and decide again
		case err != nil:
			return err
		}
		if err := w.record(c.CommandID, committed{stream: stream, res: res, events: 1}); err != nil {
			return err
		}
	}
}

func TestClusterFailover(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a three-node JetStream cluster")
	}
	servers := startCluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	open := func(s *server.Server) *natsjs.Store {
		// One URL only: the client learns the others from the cluster
		// and fails over to them.
		st, err := natsjs.Open(ctx, natsjs.Config{URL: s.ClientURL(), Replicas: 3, ConnectTimeout: 25 * time.Second})
		if err != nil {
			t.Fatalf("open store through %s: %v", s.Name(), err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	killed := make(chan struct{})
	writers := []*clusterWriter{
		{name: "a", store: open(servers[0]), acked: map[string]committed{}, killed: killed},
		{name: "b", store: open(servers[1]), acked: map[string]committed{}, killed: killed},
	}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	sharedStream := eventstore.StreamID{Category: "cluster", ID: "shared"}
	for _, w := range writers {
		for k := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := w.own(ctx, stop, eventstore.StreamID{Category: "cluster", ID: fmt.Sprintf("%s-%d", w.name, k)}); err != nil {
					errs <- fmt.Errorf("writer %s: %w", w.name, err)
				}
			}()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := w.shared(ctx, stop, sharedStream); err != nil {
				errs <- fmt.Errorf("writer %s: %w", w.name, err)
			}
		}()
	}

	// Kill the stream's leader mid-load: the hardest node to lose.
	time.Sleep(2 * time.Second)
	victim := servers[rand.IntN(len(servers))]
	for _, s := range servers {
		if s.JetStreamIsStreamLeader(server.DEFAULT_GLOBAL_ACCOUNT, "EVENTS") {
			victim = s
		}
	}
	t.Logf("shutting down %s", victim.Name())
	victim.Shutdown()
	close(killed)
	time.Sleep(6 * time.Second)
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for _, w := range writers {
		for _, n := range w.notes {
			t.Log(n)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	// Writes went on after the kill, for both writers.
	acked := map[string]committed{}
	for _, w := range writers {
		after := 0
		for id, c := range w.acked {
			acked[id] = c
			if c.afterKo {
				after++
			}
		}
		t.Logf("writer %s: %d commits acknowledged, %d after the shutdown", w.name, len(w.acked), after)
		if after == 0 {
			t.Errorf("writer %s got no acknowledgement after %s was shut down", w.name, victim.Name())
		}
	}

	// Read the log back through a survivor.
	var survivor *server.Server
	for _, s := range servers {
		if s != victim {
			survivor = s
			break
		}
	}
	reader := open(survivor)
	seen := map[string]uint64{}
	err := reader.ReadAll(ctx, 0, func(_ context.Context, e eventstore.RecordedEvent) error {
		if e.Index > 0 {
			return nil
		}
		if pos, dup := seen[e.CommandID]; dup {
			return fmt.Errorf("command %s stored twice: at %d and %d", e.CommandID, pos, e.Position)
		}
		seen[e.CommandID] = e.Position
		return nil
	})
	if err != nil {
		t.Fatalf("read the log through %s: %v", survivor.Name(), err)
	}
	for id, c := range acked {
		pos, ok := seen[id]
		if !ok {
			t.Errorf("acknowledged commit %s (%s at %d) is missing", id, c.stream, c.res.Position)
		} else if pos != c.res.Position {
			t.Errorf("acknowledged commit %s at %d is stored at %d", id, c.res.Position, pos)
		}
	}
	t.Logf("log holds %d commits, %d of them acknowledged", len(seen), len(acked))

	// Every stream holds versions 1..n, and acknowledged commits sit at the
	// version their acknowledgement gave.
	streams := []eventstore.StreamID{sharedStream}
	for _, w := range writers {
		for k := range 2 {
			streams = append(streams, eventstore.StreamID{Category: "cluster", ID: fmt.Sprintf("%s-%d", w.name, k)})
		}
	}
	for _, s := range streams {
		evs, err := reader.Load(ctx, s, 0)
		if err != nil {
			t.Fatalf("load %s: %v", s, err)
		}
		for i, e := range evs {
			if e.StreamVersion != int64(i+1) {
				t.Fatalf("%s: event %d has version %d", s, i, e.StreamVersion)
			}
			if c, ok := acked[e.CommandID]; ok && c.res.StreamVersion != e.StreamVersion {
				t.Errorf("%s: acknowledged %s at version %d, stored at %d", s, e.CommandID, c.res.StreamVersion, e.StreamVersion)
			}
		}
	}
}

// The contract holds on a real cluster too: an R3 stream on three servers,
// each subtest's store connected through a different server, so reads and
// conflicts cross the cluster's replication.
func TestContractCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a three-node JetStream cluster")
	}
	servers := startCluster(t)
	next := 0
	storetest.Run(t, func(t *testing.T) eventstore.Store {
		s := servers[next%len(servers)]
		next++
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		// A stream lookup on a busy three-node cluster can take over the
		// 10 s default (it did, at a load of 25 on 2 cores).
		st, err := natsjs.Open(ctx, natsjs.Config{URL: s.ClientURL(), Replicas: 3, ConnectTimeout: 25 * time.Second})
		if err != nil {
			t.Fatalf("open store through %s: %v", s.Name(), err)
		}
		return st
	})
}
