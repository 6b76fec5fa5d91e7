//go:build unix

package e2e_test

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/internal/npmdeps"
)

// Whiteboards through the real binary: boards made and registered over the
// REST API, synced by stock automerge-repo clients (collab/jstest/driver.mjs)
// over GET /v1/sync with the API's tokens. Members see each other's edits;
// a non-member is answered doc-unavailable, as for a board that does not
// exist; a document a client made is served once a member registered it.
func TestWhiteboardsSyncForMembersOnly(t *testing.T) {
	n := singleNode(t)[0]
	mo, ann, out := newParticipant("Mo", n), newParticipant("Ann", n), newParticipant("Out", n)
	for _, p := range []*participant{mo, ann, out} {
		p.register(t)
	}
	ws := mo.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/workspaces", body: map[string]string{"name": "Acme"}}).str("id")
	team := mo.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/workspaces/" + ws + "/teams",
		body: map[string]string{"name": "Platform", "templateId": "scrum-team"}}).str("id")
	mo.must(t, http.StatusOK, request{method: http.MethodPost, path: "/v1/teams/" + team + "/members", body: map[string]string{"userId": ann.id}})

	var templates struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	mo.get(t, "/v1/catalog/whiteboard-templates", &templates)
	if len(templates.Items) == 0 {
		t.Fatal("no whiteboard templates in the catalogue")
	}

	board := mo.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/teams/" + team + "/whiteboards",
		body: map[string]string{"templateId": "check-in"}}).str("id")
	var view struct {
		URL   string `json:"url"`
		Title string `json:"title"`
	}
	ann.get(t, "/v1/whiteboards/"+board, &view)
	if view.URL != "automerge:"+board || view.Title != "Check-in" {
		t.Fatalf("board view %+v", view)
	}
	out.must(t, http.StatusNotFound, request{method: http.MethodGet, path: "/v1/whiteboards/" + board}) // as a missing board

	js := startJS(t)
	for _, p := range []*participant{mo, ann, out} {
		js.do(map[string]any{"op": "open", "client": p.name, "url": syncURL(n, p.token)})
	}

	// Ann opens the board the server made and finds its template's content.
	got := js.do(map[string]any{"op": "find", "client": ann.name, "url": view.URL})
	if doc, _ := got["doc"].(map[string]any); doc["title"] != "Check-in" {
		t.Fatalf("Ann's copy of the board: %v", got["doc"])
	}
	// Its title is collaborative text: Ann types into it, Mo reads her words.
	js.do(map[string]any{"op": "find", "client": mo.name, "url": view.URL})
	js.do(map[string]any{"op": "splice", "client": ann.name, "url": view.URL, "path": []any{"title"}, "index": 0, "insert": "Monday "})
	js.do(map[string]any{"op": "waitValue", "client": mo.name, "url": view.URL, "path": []any{"title"}, "want": "Monday Check-in"})
	// Mo edits; Ann sees every edit.
	js.do(map[string]any{"op": "edit", "client": mo.name, "url": view.URL, "key": "notes", "count": 5, "prefix": "mo"})
	js.do(map[string]any{"op": "waitFor", "client": ann.name, "url": view.URL, "key": "notes", "length": 5})

	// Out is in no team of the board: unavailable, like an unknown board.
	if r := js.do(map[string]any{"op": "find", "client": out.name, "url": view.URL, "once": true, "timeoutMs": 5000}); r["ok"] == true {
		t.Fatalf("a non-member opened the board: %v", r["doc"])
	}

	// A document Ann's client created reaches Mo once Ann registered it.
	created := js.do(map[string]any{"op": "create", "client": ann.name, "value": map[string]any{"ideas": []string{"ann-0"}}})["url"].(string)
	ann.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/teams/" + team + "/whiteboards",
		body: map[string]string{"documentId": created, "title": "Ideas"}})
	// No further edit by Ann: the server asks her client for what it offered.
	js.do(map[string]any{"op": "find", "client": mo.name, "url": created, "timeoutMs": 20000})
	js.do(map[string]any{"op": "waitFor", "client": mo.name, "url": created, "key": "ideas", "length": 1})

	var boards struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	ann.get(t, "/v1/teams/"+team+"/whiteboards", &boards)
	if len(boards.Items) != 2 {
		t.Fatalf("the team lists %d boards, want 2: %+v", len(boards.Items), boards.Items)
	}
}

func syncURL(n *node, token string) string {
	return "ws" + strings.TrimPrefix(n.base, "http") + "/v1/sync?token=" + url.QueryEscape(token)
}

// jsHost is a Node process hosting stock automerge-repo clients: collab's
// test driver, one JSON command per line on stdin, one reply per line out.
type jsHost struct {
	t   *testing.T
	in  io.WriteCloser
	out *bufio.Scanner
}

var npmOnce sync.Once
var npmErr error

func startJS(t *testing.T) *jsHost {
	t.Helper()
	dir := jsDir(t)
	cmd := exec.Command("node", "driver.mjs")
	cmd.Dir = dir
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
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
	t.Cleanup(func() {
		in.Close()
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	return &jsHost{t: t, in: in, out: sc}
}

// jsDir is collab/jstest with its packages installed; it skips the test
// without Node.js.
func jsDir(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed: the whiteboard client tests need Node.js 20 and npm")
	}
	dir, err := filepath.Abs(filepath.Join("..", "..", "collab", "jstest"))
	if err != nil {
		t.Fatal(err)
	}
	npmOnce.Do(func() { npmErr = npmdeps.Ensure(dir) })
	if npmErr != nil {
		t.Fatal(npmErr)
	}
	return dir
}

// do sends one command and returns the reply; an op that failed fails the
// test, except find with once (the caller checks ok itself).
func (h *jsHost) do(cmd map[string]any) map[string]any {
	h.t.Helper()
	b, _ := json.Marshal(cmd)
	if _, err := h.in.Write(append(b, '\n')); err != nil {
		h.t.Fatalf("write to node: %v", err)
	}
	if !h.out.Scan() {
		h.t.Fatalf("node exited during %s: %v", cmd["op"], h.out.Err())
	}
	var r map[string]any
	if err := json.Unmarshal(h.out.Bytes(), &r); err != nil {
		h.t.Fatalf("node said %q: %v", h.out.Text(), err)
	}
	if r["ok"] != true && cmd["once"] != true {
		h.t.Fatalf("node %s: %v", cmd["op"], r["error"])
	}
	return r
}
