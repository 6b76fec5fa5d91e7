package app_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/app/keys"
	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/eventstore/natsjs"
)

// fixedClock is a clock the test moves; every node reads the same one.
type fixedClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fixedClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fixedClock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.now = t }

// node is one app instance, a client of the shared JetStream, with its
// reactor following the log as serve runs it.
type node struct {
	store *natsjs.Store
	app   *app.App
}

func startNode(t *testing.T, ctx context.Context, url string, cat *catalog.Catalog, clock *fixedClock) *node {
	t.Helper()
	store, err := natsjs.Open(ctx, natsjs.Config{URL: url, Replicas: 1})
	if err != nil {
		t.Fatal(err)
	}
	k, err := keys.NewNATS(ctx, store.JetStream(), keys.DefaultBucket)
	if err != nil {
		store.Close()
		t.Fatal(err)
	}
	n := &node{store: store, app: app.New(app.Deps{Store: store, Keys: k, Catalog: cat, Clock: clock.Now})}
	if err := n.app.StartReactions(ctx); err != nil {
		store.Close()
		t.Fatal(err)
	}
	return n
}

func (n *node) stop(t *testing.T) {
	t.Helper()
	if err := n.app.CloseReactions(); err != nil {
		t.Error(err)
	}
	if err := n.store.Close(); err != nil {
		t.Error(err)
	}
}

// Two nodes share one JetStream log. An occurrence comes due while node A
// is down: B fires it. A comes back (its timers rebuilt from the log) and
// fires nothing; B restarts and fires nothing. The next occurrence both
// fire at once: one retro. Each occurrence is one OccurrenceFired and one
// retro in the log.
func TestATimerDueWhileANodeIsDownFiresOnceAcrossTwoNodesAndRestarts(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	logStore, err := natsjs.Open(ctx, natsjs.Config{DataDir: t.TempDir(), SyncInterval: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer logStore.Close()
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	clock := &fixedClock{now: t0}
	url := logStore.ClientURL()
	a := startNode(t, ctx, url, cat, clock)
	b := startNode(t, ctx, url, cat, clock)
	defer func() { b.stop(t) }()

	caller := func(u string, key string) identity.Caller { return identity.Caller{Principal: user(u), CommandID: key} }
	ws := must(a.app.CreateWorkspace(ctx, caller(uAda, "ws"), app.WorkspaceInput{Name: "Acme"}))(t)
	tm := must(a.app.CreateTeam(ctx, caller(uAda, "team"), app.CreateTeamInput{
		WorkspaceID: ws.ID, Name: "Platform", TemplateID: "scrum-team", FirstAdminID: uMod}))(t)
	in := weeklyThursdays()
	in.SurveyPackID = ""
	must(a.app.SetSchedule(ctx, caller(uMod, "cadence"), tm.ID, in))(t)
	// Both nodes have looked once: nothing is due on 27 November.
	for _, n := range []*node{a, b} {
		if fired := must(n.app.FireDueOccurrences(ctx))(t); len(fired) != 0 {
			t.Fatalf("fired too early: %+v", fired)
		}
	}

	a.stop(t)
	clock.Set(thursday3.Add(-24 * time.Hour))
	if fired := must(b.app.FireDueOccurrences(ctx))(t); len(fired) != 1 || !fired[0].Occurrence.Equal(thursday3) {
		t.Fatalf("node B fired %+v, want the 3 December occurrence", fired)
	}
	a = startNode(t, ctx, url, cat, clock)
	defer func() { a.stop(t) }()
	clock.Set(thursday3.Add(-time.Hour))
	if fired := must(a.app.FireDueOccurrences(ctx))(t); len(fired) != 0 {
		t.Errorf("node A, back, fired again: %+v", fired)
	}
	b.stop(t)
	b = startNode(t, ctx, url, cat, clock)
	if fired := must(b.app.FireDueOccurrences(ctx))(t); len(fired) != 0 {
		t.Errorf("node B, restarted, fired again: %+v", fired)
	}
	if fired, retros := countFired(t, ctx, logStore, tm.ID); fired != 1 || retros != 1 {
		t.Fatalf("after the first occurrence: %d fired, %d retros; want 1 and 1", fired, retros)
	}

	// The next Thursday: both nodes tick at the same moment.
	clock.Set(thursday3.AddDate(0, 0, 7).Add(-time.Hour))
	var wg sync.WaitGroup
	results := make([][]app.Firing, 2)
	errs := make([]error, 2)
	for i, n := range []*node{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = n.app.FireDueOccurrences(ctx)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if total := len(results[0]) + len(results[1]); total != 1 {
		t.Errorf("racing nodes claimed %d firings (%+v), want 1", total, results)
	}
	// The loser's reactor may be creating the same retro concurrently:
	// wait until both reactors passed the firing, then count.
	for _, n := range []*node{a, b} {
		for _, r := range results {
			for _, f := range r {
				if err := n.app.CatchUpReactions(ctx, f.Position); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if fired, retros := countFired(t, ctx, logStore, tm.ID); fired != 2 || retros != 2 {
		t.Errorf("after the second occurrence: %d fired, %d retros; want 2 and 2", fired, retros)
	}
}
