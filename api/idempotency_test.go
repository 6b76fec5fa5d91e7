package api_test

import (
	"net/http"
	"testing"

	"github.com/hindsight-retro/hindsight/api"
)

// An idempotency key is its caller's own: Bea and the moderator writing a
// card with the same key write two cards (the second is no "duplicate" of
// the first, and nobody gets the other's card), while each one's retry
// still acts once.
func TestTheSameIdempotencyKeyFromTwoCallersIsTwoCommands(t *testing.T) {
	h := newHarness(t)
	f := newRetro(t, h)
	const key = "retry-1"
	send := func(u user, text string) response {
		return h.must(http.StatusCreated, req{method: "POST", path: f.path("/cards"), token: u.token,
			body: api.AddCardRequest{ColumnID: f.column, Text: text}, header: map[string]string{api.IdempotencyHeader: key}})
	}
	bea := send(f.bea, "bea's card")
	mod := send(f.mod, "the moderator's card")
	if mod.body["duplicate"] == true || mod.str("id") == bea.str("id") || mod.body["position"] == bea.body["position"] {
		t.Fatalf("the moderator's card with Bea's key answered %s after Bea's %s: want a command of its own", mod.raw, bea.raw)
	}
	if f.card(f.mod, mod.str("id")) == nil || f.card(f.bea, bea.str("id")) == nil {
		t.Fatal("one of the two cards is not on the board")
	}
	again := send(f.bea, "bea's card")
	if again.body["duplicate"] != true || again.str("id") != bea.str("id") || again.body["position"] != bea.body["position"] {
		t.Errorf("Bea's retry answered %s, want her first answer %s marked duplicate", again.raw, bea.raw)
	}

	// Two people registering with the same key get two accounts.
	for _, email := range []string{"cy@example.com", "di@example.com"} {
		h.must(http.StatusAccepted, req{method: "POST", path: "/v1/accounts", header: map[string]string{api.IdempotencyHeader: key},
			body: api.RegisterRequest{Email: email, Password: "correct horse battery", Name: "Someone"}})
		h.must(http.StatusCreated, req{method: "POST", path: "/v1/sessions", body: api.LoginRequest{Email: email, Password: "correct horse battery"}})
	}
}
