package natsjs_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"

	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/natsjs"
)

// Every benchmark here measures the Store and a raw JetStream baseline in the
// same run, alternating them (A B A B) so that a noisy neighbour slows both,
// and reports the ratio. Bare times on a shared machine mean little.

// benchPayload is a typical event body: a card added to a retro board.
var benchPayload = []byte(`{"cardId":"0190f6b2-7c1e-7a3b-9d4e-5f6a7b8c9d0f","column":"went-well","text":"The new deploy pipeline saved us hours this sprint","author":"0190f6b2-7c1e-7a3b-9d4e-5f6a7b8c9d10","at":"2026-11-27T10:00:00Z"}`)

func benchCommit(stream eventstore.StreamID, expected int64, id string) eventstore.Commit {
	return eventstore.Commit{Stream: stream, ExpectedVersion: expected, CommandID: id, Actor: "0190f6b2-7c1e-7a3b-9d4e-5f6a7b8c9d10",
		Events: []eventstore.Event{{Type: "CardAdded", SchemaVersion: 1, Payload: benchPayload}}}
}

// rawJS connects a plain JetStream client to the store's own server, so the
// baseline writes to the same stream on the same disk.
func rawJS(b testing.TB, url string) (*nats.Conn, jetstream.JetStream) {
	b.Helper()
	if url == "" {
		b.Fatal("store has no client URL")
	}
	nc, err := nats.Connect(url)
	if err != nil {
		b.Fatalf("connect raw client: %v", err)
	}
	b.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		b.Fatal(err)
	}
	return nc, js
}

// runWriters runs n operations spread over w goroutines; op(w, i) is writer
// w's i-th operation.
func runWriters(n, w int, op func(w, i int) error) (time.Duration, error) {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, w)
	start := time.Now()
	for g := range w {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; next.Add(1) <= int64(n); i++ {
				if err := op(g, i); err != nil {
					errs[g] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	return time.Since(start), errors.Join(errs...)
}

// abba runs a and b on n operations each, in up to 20 rounds of at least 100
// operations, alternating which goes first (A B, B A, ...), and returns their
// total times: the load of the machine's other users, which changes from one
// second to the next, and any advantage of going first hit both alike.
func abba(n int, a, b func(n int) (time.Duration, error)) (ta, tb time.Duration, err error) {
	rounds := min(20, max(2, n/100))
	for r := range rounds {
		part := n/rounds + btoi(r < n%rounds)
		if part == 0 {
			continue
		}
		first, second, t1, t2 := a, b, &ta, &tb
		if r%2 == 1 {
			first, second, t1, t2 = b, a, &tb, &ta
		}
		d, err := first(part)
		if err != nil {
			return 0, 0, err
		}
		*t1 += d
		if d, err = second(part); err != nil {
			return 0, 0, err
		}
		*t2 += d
	}
	return ta, tb, nil
}

func btoi(v bool) int {
	if v {
		return 1
	}
	return 0
}

// BenchmarkAppend compares Store.Append with a raw JetStream publish carrying
// what the Store's publish carries (message ID, expected last subject
// sequence, a body of the same bytes), on the Store's own embedded server
// with fsync on every write. Each writer has a stream of its own.
func BenchmarkAppend(b *testing.B) {
	for _, writers := range []int{1, 8, 64} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			ctx := context.Background()
			st, err := natsjs.Open(ctx, natsjs.Config{DataDir: b.TempDir()})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			_, js := rawJS(b, st.ClientURL())
			// The raw body is a copy of what the Store stored for one commit.
			warm := eventstore.StreamID{Category: "warm", ID: "up"}
			res, err := st.Append(ctx, benchCommit(warm, eventstore.NoStream, "warm-up"))
			if err != nil {
				b.Fatal(err)
			}
			stream, err := js.Stream(ctx, "EVENTS")
			if err != nil {
				b.Fatal(err)
			}
			stored, err := stream.GetMsg(ctx, res.Position)
			if err != nil {
				b.Fatal(err)
			}
			body := stored.Data

			run := 0
			storeRun := func(n int) (time.Duration, error) {
				run++
				versions := make([]int64, writers)
				return runWriters(n, writers, func(w, i int) error {
					s := eventstore.StreamID{Category: "bench", ID: fmt.Sprintf("r%d-w%d", run, w)}
					res, err := st.Append(ctx, benchCommit(s, versions[w], fmt.Sprintf("s%d-%d-%d", run, w, i)))
					versions[w] = res.StreamVersion
					return err
				})
			}
			rawRun := func(n int) (time.Duration, error) {
				run++
				seqs := make([]uint64, writers)
				return runWriters(n, writers, func(w, i int) error {
					m := &nats.Msg{Subject: fmt.Sprintf("ev.raw.r%d-w%d", run, w), Data: body, Header: nats.Header{}}
					ack, err := js.PublishMsg(ctx, m, jetstream.WithMsgID(fmt.Sprintf("p%d-%d-%d", run, w, i)),
						jetstream.WithExpectLastSequencePerSubject(seqs[w]))
					if err != nil {
						return err
					}
					seqs[w] = ack.Sequence
					return nil
				})
			}
			b.ResetTimer()
			ts, tr, err := abba(b.N, storeRun, rawRun)
			if err != nil {
				b.Fatal(err)
			}
			sr, rr := float64(b.N)/ts.Seconds(), float64(b.N)/tr.Seconds()
			b.ReportMetric(sr, "store_msgs/s")
			b.ReportMetric(rr, "raw_msgs/s")
			b.ReportMetric(sr/rr, "store/raw")
		})
	}
}

// benchEvents is the size of the log the read benchmarks run on.
func benchEvents(b *testing.B) int {
	n := 1_000_000
	if v := os.Getenv("HINDSIGHT_BENCH_EVENTS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1000 {
			b.Fatalf("HINDSIGHT_BENCH_EVENTS=%q: want a number of at least 1000", v)
		}
	}
	return n
}

// seedLog appends n one-event commits: 100 of them, spread evenly through the
// log, to target, the rest round-robin to 10,000 other streams.
func seedLog(ctx context.Context, st *natsjs.Store, n int, target eventstore.StreamID) error {
	every := n / 100
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, 64)
	for g := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				s := eventstore.StreamID{Category: "seed", ID: strconv.Itoa(i % 10_000)}
				if i%every == every/2 && i/every < 100 {
					s = target
				}
				if _, err := st.Append(ctx, benchCommit(s, eventstore.Any, "seed-"+strconv.Itoa(i))); err != nil {
					errs[g] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// BenchmarkLargeLog seeds one log (HINDSIGHT_BENCH_EVENTS events, default one
// million) and compares, on it, loading a 100-event stream and reading the
// whole log with raw ordered consumers on the same server.
//
// The seeding runs with SyncInterval 1 minute instead of fsync on every
// write, to build the log in seconds rather than minutes; reads do not
// depend on the fsync policy.
func BenchmarkLargeLog(b *testing.B) {
	n := benchEvents(b)
	ctx := context.Background()
	st, err := natsjs.Open(ctx, natsjs.Config{DataDir: b.TempDir(), SyncInterval: time.Minute})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	target := eventstore.StreamID{Category: "bench", ID: "target"}
	start := time.Now()
	if err := seedLog(ctx, st, n, target); err != nil {
		b.Fatalf("seed: %v", err)
	}
	b.Logf("seeded %d events in %s", n, time.Since(start).Round(time.Millisecond))
	_, js := rawJS(b, st.ClientURL())

	// rawRead reads the messages of filter with an ordered consumer, the
	// way a plain JetStream client would, until none is pending.
	rawRead := func(filter string) (int, error) {
		cons, err := js.OrderedConsumer(ctx, "EVENTS", jetstream.OrderedConsumerConfig{FilterSubjects: []string{filter}})
		if err != nil {
			return 0, err
		}
		it, err := cons.Messages(jetstream.PullMaxMessages(1024))
		if err != nil {
			return 0, err
		}
		// Drop the consumer at once: an ordered consumer otherwise lingers
		// for its inactivity threshold and counts against the stream's
		// consumer limit (1,000 by default).
		defer func() {
			it.Stop()
			if ci := cons.CachedInfo(); ci != nil {
				_ = js.DeleteConsumer(ctx, "EVENTS", ci.Name)
			}
		}()
		count := 0
		for {
			m, err := it.Next()
			if err != nil {
				return count, err
			}
			md, err := m.Metadata()
			if err != nil {
				return count, err
			}
			count++
			if md.NumPending == 0 {
				return count, nil
			}
		}
	}

	// Each operation is loadsPerOp pairs of loads, so that one operation
	// (-benchtime 1x, as the read-all needs) already averages many.
	const loadsPerOp = 50
	b.Run("load-100-of-log", func(b *testing.B) {
		var ts, tr time.Duration
		storeLoad := func() {
			t0 := time.Now()
			evs, err := st.Load(ctx, target, 0)
			if err != nil || len(evs) != 100 {
				b.Fatalf("load: %d events, %v", len(evs), err)
			}
			ts += time.Since(t0)
		}
		rawLoad := func() {
			t0 := time.Now()
			got, err := rawRead("ev.bench.target")
			if err != nil || got != 100 {
				b.Fatalf("raw read: %d messages, %v", got, err)
			}
			tr += time.Since(t0)
		}
		for i := range b.N * loadsPerOp {
			if i%2 == 0 {
				storeLoad()
				rawLoad()
			} else {
				rawLoad()
				storeLoad()
			}
		}
		b.ReportMetric(float64(ts.Microseconds())/float64(b.N*loadsPerOp)/1000, "store_ms/load")
		b.ReportMetric(float64(tr.Microseconds())/float64(b.N*loadsPerOp)/1000, "raw_ms/load")
		b.ReportMetric(tr.Seconds()/ts.Seconds(), "store/raw_speed")
	})

	b.Run("readall", func(b *testing.B) {
		var ts, tr time.Duration
		storeRead := func() {
			t0 := time.Now()
			count := 0
			err := st.ReadAll(ctx, 0, func(context.Context, eventstore.RecordedEvent) error {
				count++
				return nil
			})
			if err != nil || count < n {
				b.Fatalf("read all: %d events, %v", count, err)
			}
			ts += time.Since(t0)
		}
		rawReadAll := func() {
			t0 := time.Now()
			got, err := rawRead("ev.>")
			if err != nil || got < n {
				b.Fatalf("raw read: %d messages, %v", got, err)
			}
			tr += time.Since(t0)
		}
		for i := range 2 * b.N {
			if i%2 == 0 {
				storeRead()
				rawReadAll()
			} else {
				rawReadAll()
				storeRead()
			}
		}
		sr, rr := float64(2*n*b.N)/ts.Seconds(), float64(2*n*b.N)/tr.Seconds()
		b.ReportMetric(sr, "store_events/s")
		b.ReportMetric(rr, "raw_msgs/s")
		b.ReportMetric(sr/rr, "store/raw")
	})

	// The damage check serve runs at every start, against the Store's own
	// ReadAll of the same log.
	b.Run("verify", func(b *testing.B) {
		var tv, tr time.Duration
		verify := func() {
			t0 := time.Now()
			rep, err := st.Verify(ctx, nil)
			if err != nil || rep.Err() != nil {
				b.Fatalf("verify: %v %v", err, rep.Err())
			}
			tv += time.Since(t0)
		}
		readAll := func() {
			t0 := time.Now()
			if err := st.ReadAll(ctx, 0, func(context.Context, eventstore.RecordedEvent) error { return nil }); err != nil {
				b.Fatalf("read all: %v", err)
			}
			tr += time.Since(t0)
		}
		for i := range 2 * b.N {
			if i%2 == 0 {
				verify()
				readAll()
			} else {
				readAll()
				verify()
			}
		}
		b.ReportMetric(float64(2*n*b.N)/tv.Seconds(), "verify_events/s")
		b.ReportMetric(tr.Seconds()/tv.Seconds(), "verify/readall_speed")
	})
}

// The group-commit exploration: can concurrent commits share an fsync
// without weakening what an acknowledgement means? nats-server 2.12+ stores
// an atomic batch on an R1 file stream with sync always and fsyncs once at
// its commit (v2.15.2 stream.go, processJetStreamAtomicBatchMsg:
// coalesceSync), and checks each message's Nats-Expected-Last-Subject-Sequence
// inside the batch (jetstream_batching.go,
// checkMsgHeadersPreClusteredProposal). A batch fails as a whole, so a
// rejected batch is retried commit by commit to learn each one's outcome.
// Plain publishes, even many in flight at once, each get their own fsync
// (filestore.go: writeMsgRecordLocked flushes in place and syncs per message).

// startSyncServer runs a JetStream server that fsyncs every write, with a
// stream that allows atomic batches (the Store's stream does not).
func startSyncServer(b testing.TB) *nats.Conn {
	b.Helper()
	s, err := server.NewServer(&server.Options{
		ServerName: "bench", Host: "127.0.0.1", Port: server.RANDOM_PORT, NoLog: true, NoSigs: true,
		JetStream: true, StoreDir: b.TempDir(), SyncAlways: true, SyncInterval: 2 * time.Minute,
	})
	if err != nil {
		b.Fatal(err)
	}
	s.Start()
	b.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
	if !s.ReadyForConnections(10 * time.Second) {
		b.Fatal("server not ready")
	}
	nc, js := rawJS(b, s.ClientURL())
	_, err = js.CreateStream(context.Background(), jetstream.StreamConfig{
		Name: "EVENTS", Subjects: []string{"ev.>"}, Storage: jetstream.FileStorage, Replicas: 1,
		Duplicates: 10 * time.Minute, AllowDirect: true, AllowAtomicPublish: true,
	})
	if err != nil {
		b.Fatal(err)
	}
	return nc
}

type pubAckReply struct {
	Seq       uint64 `json:"seq"`
	Duplicate bool   `json:"duplicate"`
	Count     int    `json:"count"`
	Error     *struct {
		ErrCode     int    `json:"err_code"`
		Description string `json:"description"`
	} `json:"error"`
}

type gcResult struct {
	seq uint64
	dup bool
	err error
}

type gcCommit struct {
	subj, msgID string
	expected    uint64
	data        []byte
	done        chan gcResult
}

// groupCommitter collects the commits that arrive while the previous group
// is being written and writes them as the next group: as one atomic batch
// when there are at least min of them, else as single publishes in flight
// together (staging an atomic batch costs a few fsyncs of its own).
type groupCommitter struct {
	nc       *nats.Conn
	in       chan *gcCommit
	min, max int

	groups, msgs, batches, fallbacks atomic.Int64
}

func newGroupCommitter(nc *nats.Conn, smallest, largest int) *groupCommitter {
	g := &groupCommitter{nc: nc, in: make(chan *gcCommit, 1024), min: max(smallest, 2), max: largest}
	go g.loop()
	return g
}

func (g *groupCommitter) close() { close(g.in) }

func (g *groupCommitter) submit(subj, msgID string, expected uint64, data []byte) gcResult {
	c := &gcCommit{subj: subj, msgID: msgID, expected: expected, data: data, done: make(chan gcResult, 1)}
	g.in <- c
	return <-c.done
}

func (g *groupCommitter) loop() {
	var carry []*gcCommit
	for {
		var group, later []*gcCommit
		subjects := map[string]bool{}
		// A subject goes at most once into a group: its expected sequence
		// is checked against the stream as it was before the group.
		add := func(c *gcCommit) {
			if subjects[c.subj] || len(group) == g.max {
				later = append(later, c)
				return
			}
			subjects[c.subj] = true
			group = append(group, c)
		}
		for _, c := range carry {
			add(c)
		}
		if len(group) == 0 {
			c, ok := <-g.in
			if !ok {
				return
			}
			add(c)
		}
	drain:
		for len(group) < g.max {
			select {
			case c, ok := <-g.in:
				if !ok {
					break drain
				}
				add(c)
			default:
				break drain
			}
		}
		carry = later
		g.write(group)
	}
}

func (g *groupCommitter) msg(c *gcCommit) *nats.Msg {
	m := nats.NewMsg(c.subj)
	m.Data = c.data
	m.Header.Set(jetstream.MsgIDHeader, c.msgID)
	m.Header.Set(jetstream.ExpectedLastSubjSeqHeader, strconv.FormatUint(c.expected, 10))
	return m
}

func parsePubAck(resp *nats.Msg, err error) (pubAckReply, error) {
	var ack pubAckReply
	if err != nil {
		return ack, err
	}
	if err := json.Unmarshal(resp.Data, &ack); err != nil {
		return ack, fmt.Errorf("pub ack %q: %w", resp.Data, err)
	}
	if ack.Error != nil {
		return ack, fmt.Errorf("publish: %d %s", ack.Error.ErrCode, ack.Error.Description)
	}
	return ack, nil
}

func (g *groupCommitter) single(c *gcCommit) gcResult {
	ack, err := parsePubAck(g.nc.RequestMsg(g.msg(c), 10*time.Second))
	return gcResult{seq: ack.Seq, dup: ack.Duplicate, err: err}
}

func (g *groupCommitter) singles(group []*gcCommit) {
	var wg sync.WaitGroup
	for _, c := range group {
		wg.Add(1)
		go func() { defer wg.Done(); c.done <- g.single(c) }()
	}
	wg.Wait()
}

func (g *groupCommitter) write(group []*gcCommit) {
	g.groups.Add(1)
	g.msgs.Add(int64(len(group)))
	if len(group) < g.min {
		g.singles(group)
		return
	}
	g.batches.Add(1)
	id := nuid.Next()
	var resp *nats.Msg
	var err error
	for i, c := range group {
		m := g.msg(c)
		m.Header.Set("Nats-Batch-Id", id)
		m.Header.Set("Nats-Batch-Sequence", strconv.Itoa(i+1))
		if i < len(group)-1 {
			if err = g.nc.PublishMsg(m); err != nil {
				break
			}
			continue
		}
		m.Header.Set("Nats-Batch-Commit", "1")
		resp, err = g.nc.RequestMsg(m, 10*time.Second)
	}
	ack, err := parsePubAck(resp, err)
	if err == nil && ack.Count == len(group) {
		// Stored contiguously in batch order, acknowledged after the fsync.
		first := ack.Seq - uint64(len(group)) + 1
		for i, c := range group {
			c.done <- gcResult{seq: first + uint64(i)}
		}
		return
	}
	// Rejected as a whole (a conflict, a duplicate, a limit): nothing of it
	// was stored, so each commit goes alone to learn its own outcome.
	g.fallbacks.Add(1)
	g.singles(group)
}

// BenchmarkGroupCommit compares one fsync per commit (concurrent writers,
// each publishing its commits like the Store does) with the group committer,
// on the same server, fsync on every write.
func BenchmarkGroupCommit(b *testing.B) {
	for _, c := range []struct{ writers, min int }{{8, 2}, {64, 2}, {8, 16}, {64, 16}} {
		b.Run(fmt.Sprintf("writers=%d/minbatch=%d", c.writers, c.min), func(b *testing.B) {
			nc := startSyncServer(b)
			js, err := jetstream.New(nc)
			if err != nil {
				b.Fatal(err)
			}
			g := newGroupCommitter(nc, c.min, 256)
			defer g.close()
			ctx := context.Background()
			data := make([]byte, 300)
			run := 0
			direct := func(n int) (time.Duration, error) {
				run++
				seqs := make([]uint64, c.writers)
				return runWriters(n, c.writers, func(w, i int) error {
					m := &nats.Msg{Subject: fmt.Sprintf("ev.direct.r%d-w%d", run, w), Data: data, Header: nats.Header{}}
					ack, err := js.PublishMsg(ctx, m, jetstream.WithMsgID(fmt.Sprintf("d%d-%d-%d", run, w, i)),
						jetstream.WithExpectLastSequencePerSubject(seqs[w]))
					if err != nil {
						return err
					}
					seqs[w] = ack.Sequence
					return nil
				})
			}
			group := func(n int) (time.Duration, error) {
				run++
				seqs := make([]uint64, c.writers)
				return runWriters(n, c.writers, func(w, i int) error {
					r := g.submit(fmt.Sprintf("ev.group.r%d-w%d", run, w), fmt.Sprintf("g%d-%d-%d", run, w, i), seqs[w], data)
					if r.err != nil {
						return r.err
					}
					if r.dup {
						return fmt.Errorf("fresh commit %d-%d reported as duplicate", w, i)
					}
					seqs[w] = r.seq
					return nil
				})
			}
			b.ResetTimer()
			td, tg, err := abba(b.N, direct, group)
			if err != nil {
				b.Fatal(err)
			}
			dr, gr := float64(b.N)/td.Seconds(), float64(b.N)/tg.Seconds()
			b.ReportMetric(dr, "direct_msgs/s")
			b.ReportMetric(gr, "group_msgs/s")
			b.ReportMetric(gr/dr, "group/direct")
			if n := g.groups.Load(); n > 0 {
				b.ReportMetric(float64(g.msgs.Load())/float64(n), "commits/group")
			}
			b.ReportMetric(float64(g.batches.Load()), "atomic_batches")
			b.ReportMetric(float64(g.fallbacks.Load()), "fallbacks")
		})
	}
}

// TestGroupCommitterKeepsEachOutcome checks that the exploration's
// committer tells each commit what a single publish would: a conflict for the
// one that expected a wrong sequence, distinct sequences for the others of
// the same group, and a duplicate for a retried command.
func TestGroupCommitterKeepsEachOutcome(t *testing.T) {
	nc := startSyncServer(t)
	g := newGroupCommitter(nc, 2, 64)
	defer g.close()
	res := make([]gcResult, 16)
	var wg sync.WaitGroup
	for i := range res {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var expected uint64
			if i == 5 {
				expected = 99 // the subject is empty: a conflict
			}
			res[i] = g.submit(fmt.Sprintf("ev.t.s%d", i), fmt.Sprintf("m%d", i), expected, []byte("x"))
		}()
	}
	wg.Wait()
	seen := map[uint64]bool{}
	for i, r := range res {
		if i == 5 {
			if r.err == nil {
				t.Errorf("commit expecting sequence 99 on an empty subject succeeded at %d", r.seq)
			}
			continue
		}
		if r.err != nil || r.dup || r.seq == 0 || seen[r.seq] {
			t.Errorf("commit %d: %+v", i, r)
		}
		seen[r.seq] = true
	}
	retry := g.submit("ev.t.s1", "m1", res[1].seq, []byte("x"))
	if retry.err != nil || !retry.dup || retry.seq != res[1].seq {
		t.Errorf("retry of m1 (stored at %d): %+v", res[1].seq, retry)
	}
	if g.batches.Load() == 0 {
		t.Log("no group reached an atomic batch this time; only single publishes were exercised")
	}
}
