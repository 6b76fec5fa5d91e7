package identity

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/eventstore"
)

// gatedStore holds reads of account streams at a gate while it is closed,
// as a log busy with another commit's fsync would.
type gatedStore struct {
	eventstore.Store
	mu   sync.Mutex
	gate chan struct{} // nil: open
}

func (g *gatedStore) Load(ctx context.Context, stream eventstore.StreamID, after int64) ([]eventstore.RecordedEvent, error) {
	g.mu.Lock()
	gate := g.gate
	g.mu.Unlock()
	if gate != nil && stream.Category == catAccount {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return g.Store.Load(ctx, stream, after)
}

func (g *gatedStore) close() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.gate == nil {
		g.gate = make(chan struct{})
	}
}

func (g *gatedStore) open() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.gate != nil {
		close(g.gate)
		g.gate = nil
	}
}

// settled waits until no read of the user's generation is under way on s.
func settled(t *testing.T, s *Service, userID string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		s.gensMu.Lock()
		g := s.gens[userID]
		s.gensMu.Unlock()
		if !g.renewing {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the renewal of %s's session generation never finished", userID)
		}
		time.Sleep(time.Millisecond)
	}
}

// authenticateWithin reports whether Authenticate answered within a
// generous bound while the log's account reads are held.
func authenticateWithin(t *testing.T, s *Service, bearer string) (Principal, error, bool) {
	t.Helper()
	type answer struct {
		p   Principal
		err error
	}
	done := make(chan answer, 1)
	go func() {
		p, err := s.Authenticate(ctx, bearer)
		done <- answer{p, err}
	}()
	select {
	case a := <-done:
		return a.p, a.err, true
	case <-time.After(10 * time.Second):
		return Principal{}, nil, false
	}
}

func TestAUserMakingRequestsNeverWaitsForTheLogToCheckTheirSession(t *testing.T) {
	w := newWorld(t)
	gs := &gatedStore{Store: w.store}
	w.store = gs
	s := w.node()
	uid := mustRegister(t, s, "reg-1", "ada@example.org", "correct horse battery", "Ada")
	tok := mustLogin(t, s, "ada@example.org", "correct horse battery")
	if _, err := s.Authenticate(ctx, tok.Token); err != nil {
		t.Fatal(err)
	}
	// A request a second for three cache times; each is made while the
	// log's account reads are held.
	for i := 1; i <= 15; i++ {
		w.clock.advance(time.Second)
		gs.close()
		p, err, answered := authenticateWithin(t, s, tok.Token)
		gs.open()
		if !answered {
			t.Fatalf("request %d (%d s after sign-in) waited for the log to check the session", i, i)
		}
		if err != nil || p.UserID != uid {
			t.Fatalf("request %d: Authenticate = %+v, %v", i, p, err)
		}
		settled(t, s, uid)
	}
}

func TestASessionEndedOnAnotherNodeStopsThereWithinTheCacheTime(t *testing.T) {
	w := newWorld(t)
	a, b := w.node(), w.node()
	mustRegister(t, a, "reg-1", "ada@example.org", "mallory's password", "Ada")
	mallory := mustLogin(t, a, "ada@example.org", "mallory's password")
	uid := mallory.Principal.UserID
	if _, err := b.Authenticate(ctx, mallory.Token); err != nil {
		t.Fatal(err)
	}
	// Node b is renewing its cached generation as Mallory keeps going.
	w.clock.advance(3 * time.Second)
	if _, err := b.Authenticate(ctx, mallory.Token); err != nil {
		t.Fatal(err)
	}
	settled(t, b, uid)
	// Ada's provider proves the address on node a: Mallory's sessions end.
	if _, err := a.SignInVerified(ctx, VerifiedPerson{Email: "ada@example.org", Name: "Ada", Issuer: "https://idp.example", Subject: "ada"}); err != nil {
		t.Fatal(err)
	}
	ended := w.clock.now()
	// Mallory keeps making requests on node b, twice a second; each
	// renewal is let finish before the next request.
	for w.clock.now().Sub(ended) < DefaultRevocationCacheTTL {
		w.clock.advance(500 * time.Millisecond)
		_, _ = b.Authenticate(ctx, mallory.Token)
		settled(t, b, uid)
	}
	wantUnauthenticated(t, b, mallory.Token, "Mallory's session on node b a cache time after it ended on node a")
}
