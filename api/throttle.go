package api

import (
	"crypto/sha256"
	"math"
	"sync"
	"time"

	"github.com/hindsight-retro/hindsight/api/problem"
)

// LoginThrottle slows password guessing. Failed log-ins are counted per
// account (the address asked for, whether or not it has an account, so the
// throttle tells nothing about which exist) and per client address. Past
// a few free failures, each one doubles the wait before that account or
// client is heard again, up to a ceiling; meanwhile log-ins answer 429 with
// Retry-After without looking at the password. A successful log-in clears
// its account's count; a client's count is forgotten after a quiet Forget
// period only, so an attacker cannot reset it with an account of their own.
type LoginThrottle struct {
	// FreeAccount and FreeClient are the failures allowed before waits begin.
	FreeAccount, FreeClient int
	// FirstWait is the wait after the first failure past the free ones.
	FirstWait time.Duration
	// MaxWait caps a wait.
	MaxWait time.Duration
	// Forget clears a count this long after its last failure.
	Forget time.Duration
}

// DefaultLoginThrottle lets a person mistype a few times, a shared office
// address a few dozen, and holds a guesser to a handful of tries an hour.
var DefaultLoginThrottle = LoginThrottle{FreeAccount: 5, FreeClient: 30, FirstWait: time.Second, MaxWait: 15 * time.Minute, Forget: time.Hour}

// maxThrottled bounds the memory of counts; past it, counts that no longer
// hold anyone back are dropped first.
const maxThrottled = 100_000

type strikes struct {
	failures int
	until    time.Time // no attempt is heard before
	last     time.Time // last failure
}

// loginThrottle is one node's memory of failed log-ins. Nodes do not share
// it: behind a load balancer over n nodes a guesser gets up to n times the
// budget, still bounded by the waits.
type loginThrottle struct {
	cfg LoginThrottle
	now func() time.Time

	mu       sync.Mutex
	accounts map[[32]byte]*strikes
	clients  map[string]*strikes
}

func newLoginThrottle(cfg LoginThrottle, now func() time.Time) *loginThrottle {
	return &loginThrottle{cfg: cfg, now: now, accounts: map[[32]byte]*strikes{}, clients: map[string]*strikes{}}
}

// accountKey keeps no address in memory, only its hash.
func accountKey(email string) [32]byte { return sha256.Sum256([]byte(emailScope(email))) }

// allow answers nil when a log-in for email from client may be tried now,
// else the 429 problem saying how long to wait.
func (t *loginThrottle) allow(email, client string) *problem.Problem {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	wait := time.Duration(0)
	for _, s := range []*strikes{t.accounts[accountKey(email)], t.clients[client]} {
		if s != nil && s.until.After(now) {
			wait = max(wait, s.until.Sub(now))
		}
	}
	if wait == 0 {
		return nil
	}
	p := problem.New(problem.RateLimited, "too many failed log-ins for this account or from this address; wait for Retry-After seconds").
		WithCode("login-throttled")
	p.RetryAfter = int(math.Ceil(wait.Seconds()))
	return p
}

// failed counts a wrong password (or unknown address) for both keys.
func (t *loginThrottle) failed(email, client string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if len(t.accounts)+len(t.clients) >= maxThrottled {
		t.sweep(now)
	}
	key := accountKey(email)
	if t.accounts[key] == nil {
		t.accounts[key] = &strikes{}
	}
	if t.clients[client] == nil {
		t.clients[client] = &strikes{}
	}
	t.strike(t.accounts[key], t.cfg.FreeAccount, now)
	t.strike(t.clients[client], t.cfg.FreeClient, now)
}

func (t *loginThrottle) strike(s *strikes, free int, now time.Time) {
	if now.Sub(s.last) > t.cfg.Forget {
		s.failures = 0
	}
	s.failures++
	s.last = now
	if over := s.failures - free; over > 0 {
		wait := t.cfg.MaxWait
		if over <= 32 {
			wait = min(t.cfg.FirstWait<<(over-1), t.cfg.MaxWait)
		}
		s.until = now.Add(wait)
	}
}

// succeeded clears the account's count: its owner is back.
func (t *loginThrottle) succeeded(email string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.accounts, accountKey(email))
}

// sweep drops counts that hold nobody back any more and would be forgotten;
// if that is not enough, those that hold nobody back now.
func (t *loginThrottle) sweep(now time.Time) {
	for _, forgotten := range []bool{true, false} {
		for k, s := range t.accounts {
			if !s.until.After(now) && (!forgotten || now.Sub(s.last) > t.cfg.Forget) {
				delete(t.accounts, k)
			}
		}
		for k, s := range t.clients {
			if !s.until.After(now) && (!forgotten || now.Sub(s.last) > t.cfg.Forget) {
				delete(t.clients, k)
			}
		}
		if len(t.accounts)+len(t.clients) < maxThrottled {
			return
		}
	}
}
