package live_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/hindsight-retro/hindsight/api/live"
	"github.com/hindsight-retro/hindsight/eventstore/natsjs"
)

// The same feed on the embedded JetStream store: its positions are stream
// sequences and its subscription an ordered consumer, so the hub's
// load-then-follow and resume are checked against a real backend too.
func TestFeedAndResumeOnEmbeddedJetStream(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an embedded NATS server")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := natsjs.Open(ctx, natsjs.Config{DataDir: t.TempDir(), SyncInterval: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	e := newEnv(t, envOptions{store: st})
	start := e.newRetro("r1", true, "user-alice", "user-bob")
	e.newRetro("r2", false, "user-alice")

	alice := e.ws("r1", "user-alice", "")
	if snap := alice.next(); snap.Type != "snapshot" || snap.Position != start {
		t.Fatalf("first message = %s, want the snapshot at %d", snap.raw, start)
	}
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				e.addCard("r1", "user-bob", fmt.Sprintf("c-%d-%d", w, i), "concealed-on-jetstream")
				e.addCard("r2", "user-alice", fmt.Sprintf("c-%d-%d", w, i), "other retro")
			}
		}()
	}
	first := alice.until(func(m msg) bool { return m.Type == "change" && m.Position > start+10 })
	_ = alice.c.CloseNow()
	last := first[len(first)-1].Position
	again := e.ws("r1", "user-alice", fmt.Sprintf("after=%d", last))
	wg.Wait()
	end := e.commitPositions("r1", 0)
	second := again.until(func(m msg) bool { return m.Type == "snapshot" })
	if p := second[len(second)-1].Position; p < end[len(end)-1] {
		second = append(second, again.until(reached(end[len(end)-1]))...)
	}
	seen := append(positions(first), positions(second)...)
	if want := e.commitPositions("r1", start); !slices.Equal(seen, want) {
		t.Fatalf("positions over both connections:\n got %v\nwant %v", seen, want)
	}
	for _, m := range append(first, second...) {
		if bytes.Contains(m.raw, []byte("concealed-on-jetstream")) {
			t.Fatalf("alice received bob's concealed text: %s", m.raw)
		}
	}
}

func TestPresenceAcrossNodesOverNATS(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an embedded NATS server")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := natsjs.Open(ctx, natsjs.Config{DataDir: t.TempDir(), SyncInterval: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	conn := func() *live.NATSPresenceBus {
		nc, err := nats.Connect(st.ClientURL())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(nc.Close)
		return live.NewNATSPresenceBus(nc, "")
	}
	presenceAcrossNodes(t, st, conn(), conn())
}
