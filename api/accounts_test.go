package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hindsight-retro/hindsight/api"
)

func TestAccountsSessionsAndMe(t *testing.T) {
	h := newHarness(t)
	ada := h.user("Ada")

	me := h.must(http.StatusOK, req{method: "GET", path: "/v1/me", token: ada.token})
	if me.str("userId") != ada.id || me.str("name") != "Ada" || me.str("email") != ada.email || me.str("kind") != "user" {
		t.Errorf("GET /v1/me = %s, want Ada's profile", me.raw)
	}

	// Registering a taken address answers exactly as a new one, and
	// changes nothing: Ada's password still opens her account, Eve's not.
	dup := h.do(req{method: "POST", path: "/v1/accounts", body: api.RegisterRequest{Email: ada.email, Password: "another long password", Name: "Eve"}})
	fresh := h.do(req{method: "POST", path: "/v1/accounts", body: api.RegisterRequest{Email: "new-" + ada.email, Password: "another long password", Name: "Eve"}})
	if dup.status != http.StatusAccepted || dup.status != fresh.status || string(dup.raw) != string(fresh.raw) ||
		dup.header.Get("Content-Type") != fresh.header.Get("Content-Type") {
		t.Errorf("registering a taken address = %d %s, a new one = %d %s: want the same answer", dup.status, dup.raw, fresh.status, fresh.raw)
	}
	h.must(http.StatusCreated, req{method: "POST", path: "/v1/sessions", body: api.LoginRequest{Email: ada.email, Password: "correct horse battery"}})
	if eve := h.do(req{method: "POST", path: "/v1/sessions", body: api.LoginRequest{Email: ada.email, Password: "another long password"}}); eve.status != http.StatusUnauthorized {
		t.Errorf("the second registration's password opens Ada's account: %d %s", eve.status, eve.raw)
	}
	short := h.do(req{method: "POST", path: "/v1/accounts", body: api.RegisterRequest{Email: "x@example.com", Password: "short", Name: "X"}})
	if short.status != http.StatusBadRequest || short.problemType() != problemBase+"validation" || short.str("code") == "" {
		t.Errorf("a short password = %d %s, want 400 validation with a code", short.status, short.raw)
	}
	bad := h.do(req{method: "POST", path: "/v1/sessions", body: api.LoginRequest{Email: ada.email, Password: "wrong password!"}})
	if bad.status != http.StatusUnauthorized || bad.problemType() != problemBase+"unauthenticated" {
		t.Errorf("a wrong password = %d %s, want 401 unauthenticated", bad.status, bad.raw)
	}
}

func TestRequestsWithoutAValidTokenAre401(t *testing.T) {
	h := newHarness(t)
	ada := h.user("Ada")
	for _, c := range []struct {
		name string
		rq   req
	}{
		{"no token", req{method: "GET", path: "/v1/me"}},
		{"a forged token", req{method: "GET", path: "/v1/me", token: "hs1.e30.AAAA"}},
		{"a basic auth header", req{method: "GET", path: "/v1/me", header: map[string]string{"Authorization": "Basic YTpi"}}},
		// Only the live feed reads ?token=; elsewhere it would leak into logs and histories.
		{"a token in the query", req{method: "GET", path: "/v1/me?token=" + ada.token}},
	} {
		res := h.do(c.rq)
		if res.status != http.StatusUnauthorized || res.problemType() != problemBase+"unauthenticated" {
			t.Errorf("%s: %d %s, want 401 unauthenticated", c.name, res.status, res.raw)
		}
	}
	res := h.do(req{method: "GET", path: "/v1/me"})
	if !strings.HasPrefix(res.header.Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("401 without WWW-Authenticate: Bearer (got %q)", res.header.Get("WWW-Authenticate"))
	}
}

func TestAPITokensWithScopes(t *testing.T) {
	h := newHarness(t)
	ada := h.user("Ada")
	ro := h.must(http.StatusCreated, req{method: "POST", path: "/v1/tokens", token: ada.token,
		body: api.IssueTokenRequest{Name: "dashboard", Scopes: []string{"read"}}})
	roToken := ro.str("token")
	if roToken == "" || ro.str("tokenId") == "" || ro.str("kind") != "apitoken" {
		t.Fatalf("issued token = %s", ro.raw)
	}

	h.must(http.StatusOK, req{method: "GET", path: "/v1/me", token: roToken})
	denied := h.do(req{method: "POST", path: "/v1/workspaces", token: roToken, body: api.NameRequest{Name: "Nope"}})
	if denied.status != http.StatusForbidden || denied.problemType() != problemBase+"forbidden" || denied.str("code") != "read-only-token" {
		t.Errorf("read-only token POSTs = %d %s, want 403 forbidden read-only-token", denied.status, denied.raw)
	}

	list := h.must(http.StatusOK, req{method: "GET", path: "/v1/tokens", token: ada.token})
	items, _ := list.body["items"].([]any)
	if len(items) != 1 || strings.Contains(string(list.raw), roToken) {
		t.Errorf("token list = %s, want one token and no secret", list.raw)
	}

	h.must(http.StatusNoContent, req{method: "DELETE", path: "/v1/tokens/" + ro.str("tokenId"), token: ada.token})
	if res := h.do(req{method: "GET", path: "/v1/me", token: roToken}); res.status != http.StatusUnauthorized {
		t.Errorf("a revoked token reads = %d, want 401", res.status)
	}
}

func TestAPersonChoosesTheLanguageOfTheirMailsAndSeesItOnTheirProfile(t *testing.T) {
	h := newHarness(t)
	ada := h.user("Ada")
	if me := h.must(http.StatusOK, req{method: "GET", path: "/v1/me", token: ada.token}); me.str("language") != "en" {
		t.Errorf("a new account's language = %q, want en", me.str("language"))
	}
	h.must(http.StatusNoContent, req{method: "PUT", path: "/v1/me/language", token: ada.token, body: api.LanguageRequest{Language: "de"}})
	if me := h.must(http.StatusOK, req{method: "GET", path: "/v1/me", token: ada.token}); me.str("language") != "de" {
		t.Errorf("after choosing German, language = %q", me.str("language"))
	}
	bad := h.do(req{method: "PUT", path: "/v1/me/language", token: ada.token, body: api.LanguageRequest{Language: "fr"}})
	if bad.status != http.StatusBadRequest || bad.problemType() != problemBase+"validation" || bad.str("code") != "language-invalid" {
		t.Errorf("choosing French = %d %s, want 400 language-invalid", bad.status, bad.raw)
	}
	if res := h.do(req{method: "PUT", path: "/v1/me/language", body: api.LanguageRequest{Language: "de"}}); res.status != http.StatusUnauthorized {
		t.Errorf("choosing a language without a token = %d", res.status)
	}
}
