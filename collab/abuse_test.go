package collab_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/automerge/automerge-go"
	"github.com/coder/websocket"
	"github.com/hindsight-retro/hindsight/collab"
	"github.com/hindsight-retro/hindsight/collab/wire"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
)

// Issue 12's abuse cases: while each goes on, two honest members of a board
// keep editing it (every edit must reach the other member), the server's
// memory stays bounded in the way each case names, and afterwards the board
// in the log holds every honest edit and nothing of the abuser's. Timing
// goals are in the benchmarks (abuse_bench_test.go, flood_bench_test.go).

// abused is one board of the team (alice, bob, carol; mallory belongs to
// another team) on a node that, like the application, refuses any other
// document, with alice and carol syncing it.
type abused struct {
	n            *node
	store        eventstore.Store
	board        string
	alice, carol *member
	workers      atomic.Int32 // worker processes started
}

func abusedBoard(t *testing.T, tune func(*collab.Deps)) *abused {
	t.Helper()
	a := &abused{store: memstore.New(nil), board: wire.NewDocumentID()}
	a.n = startNodeWith(t, a.store, "", func(d *collab.Deps) {
		d.Authorize = func(_ context.Context, userID, docID string) bool { return userID != "mallory" && docID == a.board }
		d.WorkerCommand = func() *exec.Cmd { a.workers.Add(1); return workerCommand() }
		if tune != nil {
			tune(d)
		}
	})
	a.alice = join(t, a.n, "alice", "alice", a.board)
	a.carol = join(t, a.n, "carol", "carol", a.board)
	if err := roundTrip(a.alice, a.carol, "start", int64(0), 30*time.Second); err != nil {
		t.Fatal(err)
	}
	return a
}

const honestRounds = 10

// honestEdits has alice and carol edit the board in turn, each edit reaching
// the other; every one must get through.
func (a *abused) honestEdits(t *testing.T) {
	t.Helper()
	for i := range honestRounds {
		from, to := a.alice, a.carol
		if i%2 == 1 {
			from, to = to, from
		}
		// A liveness bound only (the race detector on a loaded machine is
		// slow); how fast is in the benchmarks.
		if err := roundTrip(from, to, fmt.Sprint("honest-", i), int64(i), 2*time.Minute); err != nil {
			t.Fatalf("honest edit %d during the abuse: %v; %s", i, err, a.whereStopped(fmt.Sprint("honest-", i)))
		}
	}
}

// whereStopped says whether an edit that never reached the other member
// reached the board on the server: which half of the round trip failed.
// It stops the node.
func (a *abused) whereStopped(key string) string {
	a.n.shutdown()
	doc, err := collab.StoredBoard(context.Background(), a.store, a.board)
	if err != nil {
		return fmt.Sprintf("the stored board did not load: %v", err)
	}
	if v, err := doc.Path(key).Get(); err == nil && v.Kind() != automerge.KindVoid {
		return "the server's board holds it: it stopped on the way out"
	}
	return "the server's board lacks it: it stopped on the way in"
}

// intact stops the node and checks the board in the log: every honest edit
// is there, nothing under the keys in foreign, and it loads.
func (a *abused) intact(t *testing.T, foreign ...string) {
	t.Helper()
	a.n.shutdown()
	keys := []string{"start"}
	for i := range honestRounds {
		keys = append(keys, fmt.Sprint("honest-", i))
	}
	expectKeys(t, a.store, a.board, keys...)
	doc, err := collab.StoredBoard(context.Background(), a.store, a.board)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range foreign {
		if v, err := doc.Path(k).Get(); err == nil && v.Kind() != automerge.KindVoid {
			t.Fatalf("the abuser's %q reached the board", k)
		}
	}
}

// within waits until cond holds, failing after wait.
func within(t *testing.T, wait time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition never held within %s", wait)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// runUntil runs abuse in the background until stop is closed.
func runUntil(abuse func(stop chan struct{})) (stop func()) {
	ch := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { abuse(ch) })
	return func() { close(ch); wg.Wait() }
}

func TestHonestEditsGoThroughWhileAMemberSendsChangesTooLargeForTheBoard(t *testing.T) {
	const limit = 64 << 10
	a := abusedBoard(t, func(d *collab.Deps) { d.MaxDocBytes = limit })
	big := make([]byte, 3*limit)
	if _, err := rand.Read(big); err != nil {
		t.Fatal(err)
	}
	tooBig := firstSync(t, func(d *automerge.Doc) error { return d.Path("pasted").Set(base64.StdEncoding.EncodeToString(big)) })
	refused := 0
	stop := runUntil(func(stop chan struct{}) { refused = abuse(a.n, a.board, tooBig, stop) })
	a.honestEdits(t)
	stop()
	if refused == 0 {
		t.Fatal("the oversize changes were never refused")
	}
	// Memory: none of it reached a worker (only the honest edits started one).
	if w := a.workers.Load(); w != 1 {
		t.Fatalf("%d validation workers started, want 1: the oversize changes reached one", w)
	}
	a.intact(t, "pasted")
}

func TestHonestEditsGoThroughTenThousandRequestsForUnknownBoards(t *testing.T) {
	a := abusedBoard(t, nil)
	var sent atomic.Int64
	stop := runUntil(func(stop chan struct{}) { flood(a.n, "bob", a.board, "unknown-requests", stop, &sent) })
	a.honestEdits(t)
	within(t, 2*time.Minute, func() bool { return sent.Load() >= 10_000 })
	stop()
	// Memory: no board was loaded for any of them.
	if n := a.n.srv.LoadedBoards(); n != 1 {
		t.Fatalf("%d boards loaded, want 1: unknown documents took memory", n)
	}
	a.intact(t)
}

func TestHonestEditsAndPresenceGoThroughTenThousandPresenceMessages(t *testing.T) {
	a := abusedBoard(t, nil)
	var sent atomic.Int64
	stop := runUntil(func(stop chan struct{}) { flood(a.n, "bob", a.board, "presence", stop, &sent) })
	a.honestEdits(t)
	// Alice's presence still reaches carol.
	for i := uint64(1); ; i++ {
		a.alice.presence(i)
		if a.carol.until(100*time.Millisecond, func() bool {
			return slices.ContainsFunc(a.carol.heard, func(m wire.Message) bool { return m.Type == wire.TypeEphemeral && m.SenderID == "alice" })
		}) {
			break
		}
		if i > 300 {
			t.Fatal("alice's presence never reached carol during the flood")
		}
	}
	within(t, 2*time.Minute, func() bool { return sent.Load() >= 10_000 })
	stop()
	// Memory and bandwidth: the flood is not passed on at its rate.
	relayed := len(a.carol.heardOf(func(m wire.Message) bool { return m.Type == wire.TypeEphemeral && m.SenderID == "flooder" }))
	if int64(relayed) > sent.Load()/10 {
		t.Fatalf("%d of %d flooded presence messages were relayed to carol", relayed, sent.Load())
	}
	a.intact(t)
}

// A client that never reads: its socket's receive buffer is tiny and it
// never empties it, while it asks for unknown documents (each answered) as
// fast as it can. The server cuts it off once too much waits for it,
// instead of queueing without bound, or once it misses a ping: under load
// the kernel was seen to stop taking the client's writes at about 36,000
// requests, their answers all still fitting in the server's socket buffer.
func TestAClientThatNeverReadsIsCutOffWhileHonestEditsGoThrough(t *testing.T) {
	a := abusedBoard(t, func(d *collab.Deps) {
		d.PingInterval = time.Second
		d.PongTimeout = 10 * time.Second
	})
	dialer := &net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
		if err != nil {
			return err
		}
		return serr
	}}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, a.n.url("bob"), &websocket.DialOptions{HTTPClient: &http.Client{Transport: &http.Transport{DialContext: dialer.DialContext}}})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	write := func(m wire.Message) error {
		m.SenderID = "never-reads"
		raw, _ := wire.Encode(m)
		return ws.Write(ctx, websocket.MessageBinary, raw)
	}
	hello, _ := automerge.NewSyncState(automerge.New()).GenerateMessage()
	if err := write(wire.Message{Type: wire.TypeJoin, SupportedProtocolVersions: []string{"1"}}); err != nil {
		t.Fatal(err)
	}
	// It is a peer of the board too, so the honest edits are sent to it.
	if err := write(wire.Message{Type: wire.TypeRequest, TargetID: "server", DocumentID: a.board, Data: hello.Bytes()}); err != nil {
		t.Fatal(err)
	}
	type ended struct {
		sent     int
		err      error
		timedOut bool // the writes' deadline passed
	}
	cutOff := make(chan ended, 1)
	go func() {
		sent := 0
		var err error
		for ; sent < 200_000; sent++ {
			if err = write(wire.Message{Type: wire.TypeRequest, TargetID: "server", DocumentID: wire.NewDocumentID(), Data: hello.Bytes()}); err != nil {
				break
			}
		}
		cutOff <- ended{sent, err, ctx.Err() != nil}
	}()
	a.honestEdits(t)
	// Memory: it is cut off rather than queued for: reading what reached
	// its socket ends with the server's close, not with a wait. The drain
	// has its own deadline, so a slow machine's honest edits do not eat it.
	writes := <-cutOff
	if writes.timedOut {
		t.Fatalf("the never-reading client's writes ran out of time after %d messages, not cut off", writes.sent)
	}
	drainCtx, cancelDrain := context.WithTimeout(context.Background(), time.Minute)
	defer cancelDrain()
	drained := 0
	for {
		_, b, err := ws.Read(drainCtx)
		if err != nil {
			if drainCtx.Err() != nil {
				t.Fatalf("the server never cut off a client that does not read (its writes ended after %d messages: %v; %d bytes read since)", writes.sent, writes.err, drained)
			}
			break
		}
		drained += len(b)
	}
	t.Logf("the never-reading client had %d bytes waiting when it was cut off", drained)
	within(t, time.Minute, func() bool { return a.n.srv.Connections() == 2 })
	a.intact(t)
}

func TestAnotherTeamsTokenGetsNothingOfTheBoardWhileHonestEditsGoThrough(t *testing.T) {
	a := abusedBoard(t, nil)
	mallory := join(t, a.n, "mallory", "mallory", a.board)
	change := firstSync(t, func(d *automerge.Doc) error { return d.Path("mallory").Set("was here") })
	stop := runUntil(func(stop chan struct{}) {
		for i := uint64(1); ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			hello, _ := automerge.NewSyncState(automerge.New()).GenerateMessage()
			// The server may drop mallory for flooding it (too far behind
			// on her refusals): that ends her attempt, not the test.
			for _, m := range []wire.Message{
				{Type: wire.TypeRequest, TargetID: "server", DocumentID: a.board, Data: hello.Bytes()},
				{Type: wire.TypeSync, TargetID: "server", DocumentID: a.board, Data: change},
				{Type: wire.TypeEphemeral, TargetID: "server", DocumentID: a.board, SessionID: "s-mallory", Count: i, Data: []byte{0xa0}},
			} {
				if err := mallory.p.trySend(m); err != nil {
					return
				}
			}
		}
	})
	a.honestEdits(t)
	stop()
	// Mallory heard nothing of the board but that it is unavailable, and
	// the honest members heard nothing from mallory.
	if got := mallory.heardOf(func(m wire.Message) bool { return m.Type != wire.TypeDocUnavailable }); len(got) > 0 {
		t.Fatalf("another team's member heard %+v", got[0])
	}
	if mallory.has("start") {
		t.Fatal("another team's member received the board")
	}
	if got := a.carol.heardOf(func(m wire.Message) bool { return m.SenderID == "mallory" }); len(got) > 0 {
		t.Fatalf("carol heard from another team's member: %+v", got[0])
	}
	a.intact(t, "mallory")
}

func TestFiveHundredSimultaneousConnectsAllGetTheBoardWhileHonestEditsGoThrough(t *testing.T) {
	const peers = 500
	a := abusedBoard(t, nil)
	errs := make(chan error, peers)
	joined := make(chan *member, peers)
	start := make(chan struct{})
	for i := range peers {
		go func() {
			<-start
			m, err := joinE(t, a.n, "bob", fmt.Sprint("storm-", i), a.board)
			if err != nil {
				errs <- err
				return
			}
			joined <- m
			errs <- m.waitKey("start", 2*time.Minute)
		}()
	}
	close(start)
	a.honestEdits(t)
	for range peers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	// Memory: once they leave, the server holds nothing for them.
	for range peers {
		(<-joined).p.ws.CloseNow()
	}
	within(t, time.Minute, func() bool { return a.n.srv.Connections() == 2 })
	a.intact(t)
}
