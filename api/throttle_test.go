package api_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/api"
)

// testClock is a clock the test moves by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func throttled(res response) bool {
	return res.status == http.StatusTooManyRequests && res.problemType() == problemBase+"rate-limited" &&
		res.str("code") == "login-throttled" && res.header.Get("Retry-After") != ""
}

// A burst of wrong passwords for one account is heard a few times only:
// then every log-in for it, the right password included, waits, and each
// further failure doubles the wait. The right password after the wait gets
// in and clears the count.
func TestWrongPasswordsForAnAccountAreThrottledWithBackoff(t *testing.T) {
	clock := &testClock{t: time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)}
	h := newHarness(t, func(d *api.Deps) { d.Clock = clock.now })
	ada := h.user("Ada")
	login := func(password string) response {
		return h.do(req{method: "POST", path: "/v1/sessions", body: api.LoginRequest{Email: ada.email, Password: password}})
	}
	heard := 0
	for range 40 {
		res := login("wrong password!")
		switch {
		case res.status == http.StatusUnauthorized:
			heard++
		case !throttled(res):
			t.Fatalf("a wrong password = %d %s, want 401 or a 429 login-throttled problem with Retry-After", res.status, res.raw)
		}
	}
	if want := api.DefaultLoginThrottle.FreeAccount + 1; heard != want {
		t.Errorf("40 wrong passwords at once: %d were checked, want %d", heard, want)
	}
	if res := login("correct horse battery"); !throttled(res) || res.header.Get("Retry-After") != "1" {
		t.Errorf("the right password during the wait = %d %s (Retry-After %q), want 429 with Retry-After 1", res.status, res.raw, res.header.Get("Retry-After"))
	}
	clock.advance(time.Second)
	if res := login("wrong password!"); res.status != http.StatusUnauthorized {
		t.Fatalf("a wrong password after the wait = %d %s, want it checked", res.status, res.raw)
	}
	if res := login("correct horse battery"); res.header.Get("Retry-After") != "2" {
		t.Errorf("after another failure the wait is Retry-After %q, want it doubled to 2", res.header.Get("Retry-After"))
	}
	clock.advance(2 * time.Second)
	h.must(http.StatusCreated, req{method: "POST", path: "/v1/sessions", body: api.LoginRequest{Email: ada.email, Password: "correct horse battery"}})
	// The success cleared the count: a typo is heard again at once.
	if res := login("wrong password!"); res.status != http.StatusUnauthorized {
		t.Errorf("a typo after logging in = %d %s, want 401", res.status, res.raw)
	}
}

// One client guessing across many addresses is held back too, and an
// address with no account is throttled exactly like one with an account.
func TestOneClientGuessingManyAccountsIsThrottled(t *testing.T) {
	clock := &testClock{t: time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)}
	h := newHarness(t, func(d *api.Deps) { d.Clock = clock.now })
	ada := h.user("Ada")
	free := api.DefaultLoginThrottle.FreeClient
	for i := range free + 1 {
		res := h.do(req{method: "POST", path: "/v1/sessions", body: api.LoginRequest{Email: fmt.Sprintf("nobody-%d@example.com", i), Password: "guess guess guess"}})
		if res.status != http.StatusUnauthorized {
			t.Fatalf("guess %d = %d %s, want 401", i, res.status, res.raw)
		}
	}
	if res := h.do(req{method: "POST", path: "/v1/sessions", body: api.LoginRequest{Email: ada.email, Password: "correct horse battery"}}); !throttled(res) {
		t.Errorf("after %d failures from one address, a log-in from it = %d %s, want 429", free+1, res.status, res.raw)
	}
	clock.advance(time.Second)
	h.must(http.StatusCreated, req{method: "POST", path: "/v1/sessions", body: api.LoginRequest{Email: ada.email, Password: "correct horse battery"}})
}
