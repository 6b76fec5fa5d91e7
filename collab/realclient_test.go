package collab_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hindsight-retro/hindsight/collab"
	"github.com/hindsight-retro/hindsight/collab/wire"
	"github.com/hindsight-retro/hindsight/domain/board"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
	"github.com/hindsight-retro/hindsight/eventstore/natsjs"
)

// Two stock clients create, find and edit one board at the same time; both
// end with every edit, in the same order.
func TestRealClientsConvergeOnOneBoard(t *testing.T) {
	n := startNode(t, memstore.New(nil), "")
	d := startDriver(t)
	d.do(map[string]any{"op": "open", "client": "a", "url": n.url("alice")})
	d.do(map[string]any{"op": "open", "client": "b", "url": n.url("bob")})
	url := d.do(map[string]any{"op": "create", "client": "a", "value": map[string]any{"title": "check-in", "notes": []any{}}})["url"].(string)
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

// A board the server seeded (a whiteboard template's) has its title, its
// prompts and its layout's frame titles as collaborative text: a stock
// client types into them in place, and another client sees both its own and
// the first client's typing merged. The layout's items arrive in the board
// schema, a connector joining two frames.
func TestASeededBoardsTitleAndPromptsAreTextAStockClientEdits(t *testing.T) {
	store := memstore.New(nil)
	id := wire.NewDocumentID()
	tpl, _ := board.TemplateByID("deriving-actions")
	if err := collab.SeedBoard(context.Background(), store, id, "Check-in", []string{"How are you?"}, tpl.Layout); err != nil {
		t.Fatal(err)
	}
	n := startNode(t, store, "")
	d := startDriver(t)
	d.do(map[string]any{"op": "open", "client": "a", "url": n.url("alice")})
	d.do(map[string]any{"op": "open", "client": "b", "url": n.url("bob")})
	url := wire.URLPrefix + id
	d.do(map[string]any{"op": "find", "client": "a", "url": url})
	d.do(map[string]any{"op": "find", "client": "b", "url": url})
	d.do(map[string]any{"op": "splice", "client": "a", "url": url, "path": []any{"title"}, "index": 0, "insert": "Our "})
	d.do(map[string]any{"op": "splice", "client": "b", "url": url, "path": []any{"title"}, "index": 8, "insert": " today"})
	d.do(map[string]any{"op": "splice", "client": "b", "url": url, "path": []any{"prompts", 0}, "index": 11, "remove": 1, "insert": " today?"})
	d.do(map[string]any{"op": "splice", "client": "a", "url": url, "path": []any{"items", "frame-0", "text"}, "index": 0, "insert": "Really: "})
	for _, c := range []string{"a", "b"} {
		d.do(map[string]any{"op": "waitValue", "client": c, "url": url, "path": []any{"items", "frame-0", "text"}, "want": "Really: " + tpl.Prompts[0]})
		d.do(map[string]any{"op": "waitValue", "client": c, "url": url, "path": []any{"items", "arrow-1", "to"}, "want": "frame-1"})
		d.do(map[string]any{"op": "waitValue", "client": c, "url": url, "path": []any{"items", "frame-2", "x"}, "want": fmt.Sprint(tpl.Layout[len(tpl.Layout)-2].X)})
		d.do(map[string]any{"op": "waitValue", "client": c, "url": url, "path": []any{"title"}, "want": "Our Check-in today"})
		d.do(map[string]any{"op": "waitValue", "client": c, "url": url, "path": []any{"prompts", 0}, "want": "How are you today?"})
	}
}

// A board the user may not open is answered exactly like one that does not
// exist: doc-unavailable, which the stock client reports as unavailable.
func TestUnauthorisedClientGetsDocUnavailable(t *testing.T) {
	n := startNode(t, memstore.New(nil), "")
	d := startDriver(t)
	d.do(map[string]any{"op": "open", "client": "a", "url": n.url("alice")})
	d.do(map[string]any{"op": "open", "client": "m", "url": n.url("mallory")})
	url := d.do(map[string]any{"op": "create", "client": "a", "value": map[string]any{"secret": "plans"}})["url"].(string)
	d.do(map[string]any{"op": "edit", "client": "a", "url": url, "key": "notes", "count": 1, "prefix": "x"})
	d.do(map[string]any{"op": "open", "client": "b", "url": n.url("bob")})
	d.do(map[string]any{"op": "find", "client": "b", "url": url}) // the board exists on the server now

	denied := d.try(map[string]any{"op": "find", "client": "m", "url": url, "once": true, "timeoutMs": 5000})
	unknown := d.try(map[string]any{"op": "find", "client": "b", "url": "automerge:" + wire.NewDocumentID(), "once": true, "timeoutMs": 5000})
	if denied["ok"] != false || unknown["ok"] != false {
		t.Fatalf("want both finds refused, got denied=%v unknown=%v", denied, unknown)
	}
	if !strings.Contains(denied["error"].(string), "unavailable") || !strings.Contains(unknown["error"].(string), "unavailable") {
		t.Fatalf("want unavailable for both, got %q and %q", denied["error"], unknown["error"])
	}
}

// Presence sent by one client reaches the other client on the board.
func TestPresenceReachesTheOtherClient(t *testing.T) {
	n := startNode(t, memstore.New(nil), "")
	d := startDriver(t)
	d.do(map[string]any{"op": "open", "client": "a", "url": n.url("alice")})
	d.do(map[string]any{"op": "open", "client": "b", "url": n.url("bob")})
	url := d.do(map[string]any{"op": "create", "client": "a", "value": map[string]any{"notes": []any{}}})["url"].(string)
	d.do(map[string]any{"op": "find", "client": "b", "url": url})
	d.do(map[string]any{"op": "waitFor", "client": "a", "url": url, "key": "none", "length": 0})
	d.do(map[string]any{"op": "broadcast", "client": "a", "url": url, "message": map[string]any{"cursor": []int{3, 4}}})
	got := d.do(map[string]any{"op": "waitEphemeral", "client": "b", "url": url})
	msgs := got["messages"].([]any)
	msg := msgs[0].(map[string]any)["message"].(map[string]any)
	if fmt.Sprint(msg["cursor"]) != "[3 4]" {
		t.Fatalf("b got presence %v", msg)
	}
}

// Edits made while the server is down reach the other client after it comes
// back, and everything written before survives the restart.
func TestOfflineEditsArriveAfterReconnectAndRestart(t *testing.T) {
	store := memstore.New(nil)
	n := startNode(t, store, "")
	d := startDriver(t)
	d.do(map[string]any{"op": "open", "client": "a", "url": n.url("alice")})
	d.do(map[string]any{"op": "open", "client": "b", "url": n.url("bob")})
	url := d.do(map[string]any{"op": "create", "client": "a", "value": map[string]any{"notes": []any{}}})["url"].(string)
	d.do(map[string]any{"op": "edit", "client": "a", "url": url, "key": "notes", "count": 5, "prefix": "online"})
	d.do(map[string]any{"op": "find", "client": "b", "url": url})
	d.do(map[string]any{"op": "waitFor", "client": "b", "url": url, "key": "notes", "length": 5})

	n.shutdown()
	// Both edit while the server is down.
	d.do(map[string]any{"op": "edit", "client": "a", "url": url, "key": "notes", "count": 10, "prefix": "offline-a"})
	d.do(map[string]any{"op": "edit", "client": "b", "url": url, "key": "notes", "count": 10, "prefix": "offline-b"})
	n2 := startNode(t, store, n.addr)

	ra := d.do(map[string]any{"op": "waitFor", "client": "a", "url": url, "key": "notes", "length": 25})
	d.do(map[string]any{"op": "waitFor", "client": "b", "url": url, "key": "notes", "length": 25})
	expectItems(t, list(t, ra["doc"], "notes"), map[string]int{"online": 5, "offline-a": 10, "offline-b": 10})

	// A fresh client after one more restart sees all of it: it was stored.
	n2.shutdown()
	n3 := startNode(t, store, n.addr)
	d.do(map[string]any{"op": "open", "client": "c", "url": n3.url("carol")})
	d.do(map[string]any{"op": "find", "client": "c", "url": url})
	rc := d.do(map[string]any{"op": "waitFor", "client": "c", "url": url, "key": "notes", "length": 25})
	expectItems(t, list(t, rc["doc"], "notes"), map[string]int{"online": 5, "offline-a": 10, "offline-b": 10})
}

// Clients on two nodes over one log converge: each node merges the chunks
// the other appends. Run over the in-memory log and over embedded JetStream.
func TestClientsOnTwoNodesConverge(t *testing.T) {
	t.Run("memstore", func(t *testing.T) { twoNodes(t, memstore.New(nil)) })
	t.Run("natsjs", func(t *testing.T) {
		store, err := natsjs.Open(context.Background(), natsjs.Config{DataDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { store.Close() })
		twoNodes(t, store)
	})
}

func twoNodes(t *testing.T, store eventstore.Store) {
	n1 := startNode(t, store, "")
	n2 := startNode(t, store, "")
	d := startDriver(t)
	d.do(map[string]any{"op": "open", "client": "a", "url": n1.url("alice")})
	d.do(map[string]any{"op": "open", "client": "b", "url": n2.url("bob")})
	url := d.do(map[string]any{"op": "create", "client": "a", "value": map[string]any{"notes": []any{}}})["url"].(string)
	d.do(map[string]any{"op": "edit", "client": "a", "url": url, "key": "notes", "count": 1, "prefix": "first"})
	d.do(map[string]any{"op": "find", "client": "b", "url": url, "timeoutMs": 15000})
	d.do(map[string]any{"op": "edit", "client": "a", "url": url, "key": "notes", "count": 30, "prefix": "a"})
	d.do(map[string]any{"op": "edit", "client": "b", "url": url, "key": "notes", "count": 30, "prefix": "b"})
	ra := d.do(map[string]any{"op": "waitFor", "client": "a", "url": url, "key": "notes", "length": 61})
	rb := d.do(map[string]any{"op": "waitFor", "client": "b", "url": url, "key": "notes", "length": 61})
	expectItems(t, list(t, ra["doc"], "notes"), map[string]int{"first": 1, "a": 30, "b": 30})
	if !sameSet(list(t, ra["doc"], "notes"), list(t, rb["doc"], "notes")) {
		t.Fatal("the clients on the two nodes disagree")
	}
}

// The same stock client, bundled into a page in headless Chromium, syncs a
// board with a Node client.
func TestBrowserClientSyncsWithNodeClient(t *testing.T) {
	const chromium = "/usr/bin/chromium"
	if _, err := os.Stat(chromium); err != nil {
		t.Skip("no /usr/bin/chromium (apt-get install -y chromium): CI installs it, so there this test runs")
	}
	dir := jsDir(t)
	n := startNode(t, memstore.New(nil), "", http.StripPrefix("/browser/", http.FileServer(http.Dir(filepath.Join(dir, "dist")))))
	d := startDriver(t)
	d.do(map[string]any{"op": "open", "client": "a", "url": n.url("alice")})
	url := d.do(map[string]any{"op": "create", "client": "a", "value": map[string]any{"notes": []any{}}})["url"].(string)
	d.do(map[string]any{"op": "edit", "client": "a", "url": url, "key": "notes", "count": 5, "prefix": "node"})

	cmd := exec.Command("node", "browser.mjs", "http://"+n.addr, "bob", url, "5", "10")
	cmd.Dir = dir
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		stdin.Close()
		if err := cmd.Wait(); err != nil {
			t.Errorf("browser client: %v", err)
		}
	}()
	line, err := bufio.NewReader(stdout).ReadBytes('\n')
	if err != nil {
		t.Fatalf("browser client said nothing: %v", err)
	}
	var page map[string]any
	if err := json.Unmarshal(line, &page); err != nil {
		t.Fatalf("browser said %q: %v", line, err)
	}
	expectItems(t, list(t, page, "notes"), map[string]int{"node": 5, "browser": 5})
	ra := d.do(map[string]any{"op": "waitFor", "client": "a", "url": url, "key": "notes", "length": 10})
	expectItems(t, list(t, ra["doc"], "notes"), map[string]int{"node": 5, "browser": 5})
}

// Presence crosses nodes over NATS: a client on one node sees the cursor of
// a client on another.
func TestPresenceAcrossNodes(t *testing.T) {
	store, err := natsjs.Open(context.Background(), natsjs.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	bus := func(d *collab.Deps) { d.Presence = collab.NATSPresence(store.JetStream().Conn(), "") }
	n1 := startNodeWith(t, store, "", bus)
	n2 := startNodeWith(t, store, "", bus)
	d := startDriver(t)
	d.do(map[string]any{"op": "open", "client": "a", "url": n1.url("alice")})
	d.do(map[string]any{"op": "open", "client": "b", "url": n2.url("bob")})
	url := d.do(map[string]any{"op": "create", "client": "a", "value": map[string]any{"notes": []any{}}})["url"].(string)
	d.do(map[string]any{"op": "edit", "client": "a", "url": url, "key": "notes", "count": 1, "prefix": "x"})
	d.do(map[string]any{"op": "find", "client": "b", "url": url, "timeoutMs": 15000})
	d.do(map[string]any{"op": "waitFor", "client": "b", "url": url, "key": "notes", "length": 1})
	d.do(map[string]any{"op": "broadcast", "client": "a", "url": url, "message": map[string]any{"cursor": []int{7, 8}}})
	got := d.do(map[string]any{"op": "waitEphemeral", "client": "b", "url": url})
	msg := got["messages"].([]any)[0].(map[string]any)["message"].(map[string]any)
	if fmt.Sprint(msg["cursor"]) != "[7 8]" {
		t.Fatalf("b got presence %v", msg)
	}
}
