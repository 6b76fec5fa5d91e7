package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/api"
)

// Text that is not text is refused with a 400 problem, never stored as
// U+FFFD in its place: a byte that is not UTF-8, or an escaped lone UTF-16
// surrogate, in any field of any body.
func TestInvalidUTF8AndLoneSurrogatesAreRefusedNotReplaced(t *testing.T) {
	h := newHarness(t)
	ada := h.user("Ada")
	for _, c := range []struct{ name, body string }{
		{"a byte that is not UTF-8", "{\"name\":\"Acme \xff\"}"},
		{"a truncated UTF-8 sequence", "{\"name\":\"Acme \xe2\x82\"}"},
		{"an encoded surrogate", "{\"name\":\"Acme \xed\xa0\x80\"}"},
		{"a lone high surrogate escape", `{"name":"Acme \ud800"}`},
		{"a lone low surrogate escape", `{"name":"Acme \udc00 x"}`},
		{"a high surrogate before a non-surrogate", `{"name":"Acme \ud83d\u0041"}`},
		{"a high surrogate at the end", `{"name":"\udbff"}`},
	} {
		res := h.do(req{method: "POST", path: "/v1/workspaces", token: ada.token, body: c.body})
		if res.status != http.StatusBadRequest || res.problemType() != problemBase+"validation" || res.str("code") != "invalid-utf8" {
			t.Errorf("%s: %d %s, want a 400 validation problem invalid-utf8", c.name, res.status, res.raw)
		}
	}
	// A surrogate pair is a character; an escaped backslash before "u" is
	// plain text; both are kept as sent.
	ws := h.must(http.StatusCreated, req{method: "POST", path: "/v1/workspaces", token: ada.token,
		body: `{"name":"Acme \ud83d\ude00 \\ud800"}`})
	got := h.must(http.StatusOK, req{method: "GET", path: "/v1/workspaces/" + ws.str("id"), token: ada.token})
	if name := got.str("name"); name != "Acme 😀 \\ud800" {
		t.Errorf("the workspace is named %q, want %q", name, "Acme 😀 \\ud800")
	}
	// The path and the query are text too.
	for _, path := range []string{"/v1/workspaces/%FF" + ws.str("id"), "/v1/catalog/retro-templates?q=%ED%A0%80", "/v1/retros/x/at?time=%C0"} {
		if res := h.do(req{method: "GET", path: path, token: ada.token}); res.status != http.StatusBadRequest || res.str("code") != "invalid-utf8" {
			t.Errorf("GET %s = %d %s, want a 400 validation problem invalid-utf8", path, res.status, res.raw)
		}
	}
	// A registration's name too: any route with a body goes through the
	// same decoder.
	reg := h.do(req{method: "POST", path: "/v1/accounts", body: "{\"email\":\"x@example.com\",\"password\":\"correct horse battery\",\"name\":\"\xc0\"}"})
	if reg.status != http.StatusBadRequest || reg.str("code") != "invalid-utf8" {
		t.Errorf("a registration with a name that is not UTF-8: %d %s", reg.status, reg.raw)
	}
}

// An API token lives at most a year: asking for longer is a clear 400, and
// asking for no expiry gets a year.
func TestAPITokensLiveAtMostAYear(t *testing.T) {
	h := newHarness(t)
	ada := h.user("Ada")
	twoYears := time.Now().Add(2 * 365 * 24 * time.Hour).UTC()
	long := h.do(req{method: "POST", path: "/v1/tokens", token: ada.token,
		body: api.IssueTokenRequest{Name: "forever", Scopes: []string{"read"}, ExpiresAt: &twoYears}})
	if long.status != http.StatusBadRequest || long.problemType() != problemBase+"validation" || long.str("code") != "expiry-invalid" {
		t.Errorf("a token for two years = %d %s, want a 400 validation problem", long.status, long.raw)
	}
	before := time.Now()
	tok := h.must(http.StatusCreated, req{method: "POST", path: "/v1/tokens", token: ada.token,
		body: api.IssueTokenRequest{Name: "nightly", Scopes: []string{"read"}}})
	exp, err := time.Parse(time.RFC3339, tok.str("expiresAt"))
	if err != nil {
		t.Fatalf("a token without expiry answered %s: no expiresAt (%v)", tok.raw, err)
	}
	if lo, hi := before.Add(365*24*time.Hour-time.Minute), time.Now().Add(365*24*time.Hour+time.Minute); exp.Before(lo) || exp.After(hi) {
		t.Errorf("a token asked for without expiry expires %v, want a year from now", exp)
	}
}
