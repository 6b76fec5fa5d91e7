package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"
)

// bodyRoutes are the routes that decode a JSON body, in table order.
func bodyRoutes() []route {
	var out []route
	for _, rt := range routeTable() {
		if rt.decode != nil {
			out = append(out, rt)
		}
	}
	return out
}

func TestEveryRouteWithABodyHasADecoder(t *testing.T) {
	for _, rt := range routeTable() {
		if (rt.req != nil) != (rt.decode != nil) {
			t.Errorf("%s %s: request type %v but decoder %v", rt.method, rt.pattern, rt.req, rt.decode != nil)
		}
	}
}

const fuzzLimit = 4 << 10

// FuzzDecodeRequestBodies feeds arbitrary bytes to the decoder of every
// request type: it never panics, and answers either a value or a problem
// (400, or 413 over the limit), never both, never neither.
func FuzzDecodeRequestBodies(f *testing.F) {
	routes := bodyRoutes()
	for i, seed := range []string{
		`{"name":"Acme"}`, `{"columnId":"start","text":"hello"}`, `{"budget":3,"cap":2}`,
		`{"due":"2026-03-02T09:00:00Z"}`, `{"due":null}`, `{"step":{"id":"x","kind":"discuss"},"after":"write"}`,
		`{"ratings":{"q1":3},"answers":{"o1":"fine"}}`, `{"scopes":["read"],"expiresAt":"2030-01-01T00:00:00Z"}`,
		`{"teamIds":["t"],"title":"x","closesAt":"2026-01-01T00:00:00Z"}`, `{"email":"a@example.org","role":"admin"}`,
		`{"name":"a"} x`, `{"unknown":1}`, `[]`, `null`, ``, `{"name":"\ud800"}`, `{"score":1e400}`,
		`{"name":"\ud83d\ude00"}`, `{"name":"\\udc00"}`, `{"name":"\ud83d\u0041"}`, "{\"name\":\"\xff\"}", "{\"text\":\"\xed\xa0\x80\"}",
		strings.Repeat(`[`, 10000),
	} {
		f.Add(uint16(i), []byte(seed))
	}
	f.Fuzz(func(t *testing.T, which uint16, body []byte) {
		rt := routes[int(which)%len(routes)]
		v, p := rt.decode(bytes.NewReader(body), fuzzLimit)
		if (v == nil) == (p == nil) {
			t.Fatalf("%s %s: value %v and problem %v; want exactly one", rt.method, rt.pattern, v, p)
		}
		if p != nil {
			if p.Status != http.StatusBadRequest && p.Status != http.StatusRequestEntityTooLarge {
				t.Fatalf("%s %s: status %d for %q", rt.method, rt.pattern, p.Status, body)
			}
			if len(body) > fuzzLimit && p.Status != http.StatusRequestEntityTooLarge {
				t.Fatalf("%s %s: %d bytes over the limit gave %d", rt.method, rt.pattern, len(body), p.Status)
			}
			if _, err := json.Marshal(p); err != nil {
				t.Fatalf("the problem does not encode: %v", err)
			}
			return
		}
		if len(body) > fuzzLimit {
			t.Fatalf("%s %s: a body over the limit was accepted", rt.method, rt.pattern)
		}
		if !utf8.Valid(body) {
			t.Fatalf("%s %s: a body that is not UTF-8 was accepted: %q", rt.method, rt.pattern, body)
		}
		// What was accepted re-encodes and is accepted again.
		again, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("accepted value does not re-encode: %v", err)
		}
		// encoding/json writes U+FFFD for what it replaced: an accepted
		// body holds it only if the client sent one.
		if bytes.Contains(again, []byte("\ufffd")) && !bytes.Contains(body, []byte("\ufffd")) &&
			!bytes.Contains(bytes.ToLower(body), []byte(`\ufffd`)) {
			t.Fatalf("%s %s: %q was accepted with a character replaced: %s", rt.method, rt.pattern, body, again)
		}
		if len(again) <= fuzzLimit {
			if _, p := rt.decode(bytes.NewReader(again), fuzzLimit); p != nil {
				t.Fatalf("%s %s: re-encoded %s rejected: %v", rt.method, rt.pattern, again, p)
			}
		}
	})
}

// FuzzIdempotencyKey: a key is accepted only as printable ASCII of at most
// 128 bytes, and an accepted key becomes the command ID unchanged (or a
// UUID's canonical spelling).
func FuzzIdempotencyKey(f *testing.F) {
	for _, s := range []string{"", "0190A3C4-1111-7ABC-8DEF-0123456789AB", "retry-1", "has space", "\x00", "é", strings.Repeat("k", 129)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		id, p := parseIdempotencyKey(key, func() string { return "fresh" })
		if key == "" {
			if id != "fresh" || p != nil {
				t.Fatalf("no key gave %q %v, want a fresh ID", id, p)
			}
			return
		}
		printable := len(key) <= maxIdempotencyKey && utf8.ValidString(key)
		for i := 0; i < len(key); i++ {
			printable = printable && key[i] >= 0x21 && key[i] <= 0x7e
		}
		if printable != (p == nil) {
			t.Fatalf("key %q: accepted=%v, printable=%v", key, p == nil, printable)
		}
		if p == nil && id != key && !strings.EqualFold(id, key) {
			t.Fatalf("key %q became command ID %q", key, id)
		}
		if p != nil && p.Status != http.StatusBadRequest {
			t.Fatalf("key %q: status %d", key, p.Status)
		}
	})
}

// FuzzCursor: any string is either a cursor this server made (and then it
// round-trips) or a 400, never a panic or a negative offset.
func FuzzCursor(f *testing.F) {
	for _, s := range []string{"", encodeCursor(0), encodeCursor(50), encodeCursor(1 << 40), "bzE6LTE", "!!", "o1:5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, p := parseCursor(s)
		if p != nil {
			if p.Status != http.StatusBadRequest {
				t.Fatalf("cursor %q: status %d", s, p.Status)
			}
			return
		}
		if n < 0 {
			t.Fatalf("cursor %q gave offset %d", s, n)
		}
		if s != "" && encodeCursor(n) != s {
			t.Fatalf("cursor %q parsed to %d, which encodes as %q", s, n, encodeCursor(n))
		}
	})
}
