package collab_test

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"

	"github.com/hindsight-retro/hindsight/collab/wire"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
)

// The crash samples, sent by a real WebSocket client as sync messages for a
// board in use, cost that client its connection and nothing else: the server
// keeps serving, the other client keeps syncing, and the stored board still
// loads in a fresh server.
func TestCrashSamplesFromAClientLeaveTheServerServing(t *testing.T) {
	files, err := filepath.Glob("testdata/crashers/*.bin")
	if err != nil || len(files) == 0 {
		t.Fatalf("no crash samples: %v", err)
	}
	store := memstore.New(nil)
	n := startNode(t, store, "")
	d := startDriver(t)
	d.do(map[string]any{"op": "open", "client": "a", "url": n.url("alice")})
	url := d.do(map[string]any{"op": "create", "client": "a", "value": map[string]any{"notes": []any{}}})["url"].(string)
	d.do(map[string]any{"op": "edit", "client": "a", "url": url, "key": "notes", "count": 3, "prefix": "before"})
	d.do(map[string]any{"op": "open", "client": "b", "url": n.url("bob")})
	d.do(map[string]any{"op": "find", "client": "b", "url": url})
	d.do(map[string]any{"op": "waitFor", "client": "b", "url": url, "key": "notes", "length": 3})
	docID, err := wire.ParseDocumentID(url)
	if err != nil {
		t.Fatal(err)
	}

	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		r := d.do(map[string]any{"op": "raw", "url": n.url("mallory"), "documentId": docID, "blobs": []string{base64.StdEncoding.EncodeToString(b)}})
		// mallory may not open the board: refused before any Automerge code runs.
		if !contains(r["types"], "doc-unavailable") || len(r["errors"].([]any)) > 0 {
			t.Fatalf("%s: an unauthorised sender reached the document: %v", filepath.Base(f), r)
		}
		r = d.do(map[string]any{"op": "raw", "url": n.url("carol"), "documentId": docID, "blobs": []string{base64.StdEncoding.EncodeToString(b)}})
		if errs, _ := r["errors"].([]any); len(errs) == 0 {
			t.Fatalf("%s: the sender was not told off: %v", filepath.Base(f), r)
		}
		t.Logf("%s: connection closed with %v after %v", filepath.Base(f), r["closed"], r["errors"])
	}

	// Still serving: a keeps editing and b keeps receiving.
	d.do(map[string]any{"op": "edit", "client": "a", "url": url, "key": "notes", "count": 3, "prefix": "after"})
	d.do(map[string]any{"op": "waitFor", "client": "b", "url": url, "key": "notes", "length": 6})

	// And what is stored loads in a fresh server.
	n.shutdown()
	n2 := startNode(t, store, "")
	d.do(map[string]any{"op": "open", "client": "c", "url": n2.url("carol")})
	d.do(map[string]any{"op": "find", "client": "c", "url": url})
	rc := d.do(map[string]any{"op": "waitFor", "client": "c", "url": url, "key": "notes", "length": 6})
	expectItems(t, list(t, rc["doc"], "notes"), map[string]int{"before": 3, "after": 3})
}

func contains(list any, s string) bool {
	l, _ := list.([]any)
	for _, v := range l {
		if v == s {
			return true
		}
	}
	return false
}
