package collab_test

import (
	"testing"

	"github.com/hindsight-retro/hindsight/eventstore/memstore"
)

// Two stock clients create, find and edit one board at the same time; both
// end with every edit, in the same order.
func TestRealClientsConvergeOnOneBoard(t *testing.T) {
	n := startNode(t, memstore.New(nil), "")
	d := startDriver(t)
	d.do(map[string]any{"op": "open", "client": "a", "url": n.url("alice")})
	d.do(map[string]any{"op": "open", "client": "b", "url": n.url("bob")})
	url := d.do(map[string]any{"op": "create", "client": "a", "value": map[string]any{"title": "check-in"}})["url"].(string)
	found := d.do(map[string]any{"op": "find", "client": "b", "url": url})
	if found["doc"].(map[string]any)["title"] != "check-in" {
		t.Fatalf("b found %v", found["doc"])
	}
	d.do(map[string]any{"op": "edit", "client": "a", "url": url, "key": "notes", "count": 50, "prefix": "a"})
	d.do(map[string]any{"op": "edit", "client": "b", "url": url, "key": "notes", "count": 50, "prefix": "b"})
	ra := d.do(map[string]any{"op": "waitFor", "client": "a", "url": url, "key": "notes", "length": 100})
	rb := d.do(map[string]any{"op": "waitFor", "client": "b", "url": url, "key": "notes", "length": 100})
	la, lb := list(t, ra["doc"], "notes"), list(t, rb["doc"], "notes")
	expectItems(t, la, map[string]int{"a": 50, "b": 50})
	if len(la) != len(lb) {
		t.Fatalf("a has %d notes, b %d", len(la), len(lb))
	}
	for i := range la {
		if la[i] != lb[i] {
			t.Fatalf("clients disagree at %d: %q vs %q", i, la[i], lb[i])
		}
	}
}
