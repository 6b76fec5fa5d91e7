package identity

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/app/keys"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
)

var fastPasswords = PasswordParams{Time: 1, MemoryKiB: 64, Threads: 1}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// world is one deployment: a log, a key store and a clock shared by the
// nodes (Services) made on it.
type world struct {
	t     testing.TB
	store eventstore.Store
	keys  keys.Store
	clock *clock
	ids   atomic.Int64
	// guestJoin is how the world's nodes let guests join.
	guestJoin GuestJoin
}

func newWorld(t testing.TB) *world {
	t.Helper()
	w := &world{t: t, store: memstore.New(nil), keys: keys.NewMemory(),
		clock: &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}}
	t.Cleanup(func() { w.store.Close() })
	return w
}

// node makes another Service on the world's store and keys.
func (w *world) node() *Service {
	w.t.Helper()
	s, err := New(Deps{
		Store: w.store, Keys: w.keys, Clock: w.clock.now,
		NewID:    func() string { return fmt.Sprintf("id-%04d", w.ids.Add(1)) },
		Password: fastPasswords, GuestJoin: w.guestJoin,
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return s
}

var ctx = context.Background()

func mustRegister(t *testing.T, s *Service, cmdID, email, password, name string) string {
	t.Helper()
	id, err := s.Register(ctx, Caller{CommandID: cmdID}, Registration{Email: email, Password: password, Name: name})
	if err != nil {
		t.Fatalf("Register(%s): %v", email, err)
	}
	return id
}

func mustLogin(t *testing.T, s *Service, email, password string) Token {
	t.Helper()
	tok, err := s.Login(ctx, Credentials{Email: email, Password: password})
	if err != nil {
		t.Fatalf("Login(%s): %v", email, err)
	}
	return tok
}

func wantDomainError(t *testing.T, err error, kind domain.Kind, code string) {
	t.Helper()
	var de *domain.Error
	if !errors.As(err, &de) || de.Kind != kind || de.Code != code {
		t.Fatalf("error = %v, want domain error %s/%s", err, kind, code)
	}
}

func wantUnauthenticated(t *testing.T, s *Service, bearer, why string) {
	t.Helper()
	p, err := s.Authenticate(ctx, bearer)
	if !errors.Is(err, domain.ErrUnauthenticated) {
		t.Errorf("%s: Authenticate = %+v, %v; want domain.ErrUnauthenticated", why, p, err)
	}
}

func streamOf(cat, id string) eventstore.StreamID { return eventstore.StreamID{Category: cat, ID: id} }
