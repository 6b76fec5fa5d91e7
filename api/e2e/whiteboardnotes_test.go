//go:build unix

package e2e_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/collab/wire"
)

// Concealed writing through the real binary and stock automerge-repo
// clients: once the board's creator starts the writing phase, Ann's notes
// go into her private document, which another member's client and the
// moderator's are answered exactly as a document that does not exist
// (doc-unavailable), while Ann opens it from a second device. The reveal
// merges her note into the board every member's client has open, under her
// name; after it her private document is served to nobody, Ann included.
func TestConcealedNotesSyncToTheirWriterAloneUntilTheRevealMergesThem(t *testing.T) {
	n := singleNode(t)[0]
	mo, ann, ben := newParticipant("Mo", n), newParticipant("Ann", n), newParticipant("Ben", n)
	for _, p := range []*participant{mo, ann, ben} {
		p.register(t)
	}
	ws := mo.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/workspaces", body: map[string]string{"name": "Acme"}}).str("id")
	team := mo.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/workspaces/" + ws + "/teams",
		body: map[string]string{"name": "Platform", "templateId": "scrum-team"}}).str("id")
	for _, p := range []*participant{ann, ben} {
		mo.must(t, http.StatusOK, request{method: http.MethodPost, path: "/v1/teams/" + team + "/members", body: map[string]string{"userId": p.id}})
	}
	board := mo.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/teams/" + team + "/whiteboards",
		body: map[string]string{"title": "Ideas"}}).str("id")
	ann.must(t, http.StatusForbidden, request{method: http.MethodPost, path: "/v1/whiteboards/" + board + "/writing"})
	mo.must(t, http.StatusOK, request{method: http.MethodPost, path: "/v1/whiteboards/" + board + "/writing"})
	notes := ann.must(t, http.StatusOK, request{method: http.MethodPost, path: "/v1/whiteboards/" + board + "/notes"}).str("id")
	if notes == "" || notes == board {
		t.Fatalf("Ann's notes document %q", notes)
	}

	js := startJS(t)
	for _, c := range []struct {
		name string
		p    *participant
	}{{"mo", mo}, {"ann", ann}, {"ann-phone", ann}, {"ann-laptop", ann}, {"ben", ben}} {
		js.do(map[string]any{"op": "open", "client": c.name, "url": syncURL(n, c.p.token)})
	}
	boardURL, notesURL := "automerge:"+board, "automerge:"+notes
	for _, c := range []string{"mo", "ann", "ben"} {
		js.do(map[string]any{"op": "find", "client": c, "url": boardURL})
	}
	secret := "ann's concealed idea"
	js.do(map[string]any{"op": "find", "client": "ann", "url": notesURL})
	js.do(map[string]any{"op": "set", "client": "ann", "url": notesURL, "path": []any{"items", "ann-1"},
		"value": map[string]any{"kind": "note", "x": 40, "y": 40, "w": 160, "h": 120, "color": "yellow", "z": 1, "author": "", "text": secret}})
	// Her other device gets it: the server holds it.
	js.do(map[string]any{"op": "find", "client": "ann-phone", "url": notesURL})
	js.do(map[string]any{"op": "waitValue", "client": "ann-phone", "url": notesURL, "path": []any{"items", "ann-1", "text"}, "want": secret})

	unknownURL := wire.URLPrefix + wire.NewDocumentID()
	unknown := js.do(map[string]any{"op": "find", "client": "ben", "url": unknownURL, "once": true, "timeoutMs": 5000})
	for _, c := range []string{"ben", "mo"} {
		r := js.do(map[string]any{"op": "find", "client": c, "url": notesURL, "once": true, "timeoutMs": 5000})
		got, _ := r["error"].(string)
		want, _ := unknown["error"].(string)
		if r["ok"] != false || want == "" || strings.ReplaceAll(got, notesURL, "<doc>") != strings.ReplaceAll(want, unknownURL, "<doc>") {
			t.Fatalf("%s's client opening Ann's notes: %v; an unknown document: %v", c, r, unknown)
		}
	}
	if doc := js.do(map[string]any{"op": "doc", "client": "ben", "url": boardURL})["doc"]; strings.Contains(fmt.Sprint(doc), secret) {
		t.Fatalf("Ben's copy of the board holds Ann's concealed note: %v", doc)
	}

	ann.must(t, http.StatusForbidden, request{method: http.MethodPost, path: "/v1/whiteboards/" + board + "/reveal"})
	mo.must(t, http.StatusOK, request{method: http.MethodPost, path: "/v1/whiteboards/" + board + "/reveal"})
	for _, c := range []string{"mo", "ben"} {
		js.do(map[string]any{"op": "waitValue", "client": c, "url": boardURL, "path": []any{"items", "ann-1", "text"}, "want": secret})
		js.do(map[string]any{"op": "waitValue", "client": c, "url": boardURL, "path": []any{"items", "ann-1", "author"}, "want": ann.id})
	}
	// A device of Ann's that never held her notes asks for them: refused.
	if r := js.do(map[string]any{"op": "find", "client": "ann-laptop", "url": notesURL, "once": true, "timeoutMs": 5000}); r["ok"] != false {
		t.Fatalf("Ann's private notes are still served after the reveal: %v", r)
	}
	var view struct {
		Phase   string `json:"phase"`
		Writers int    `json:"writers"`
	}
	ben.get(t, "/v1/whiteboards/"+board, &view)
	if view.Phase != "revealed" || view.Writers != 1 {
		t.Fatalf("the board's view after the reveal: %+v", view)
	}
}

// The reveal on an anonymous retro's board, through the real binary: Ann
// and Ben sign their concealed notes every way a client can (the author
// field, extra fields with their ID and name, item IDs of their own), and
// Ann joins two of hers with a connector. Once the moderator reveals them,
// a member's stock client that downloads the board finds the notes, Ann's
// still joined, and nothing that tells who wrote any of them: no author, no
// extra field, not the writers' item IDs, and in the board's whole history
// (every change's actor and content) neither writer's actor ID nor their ID
// or name. The server wrote them anew; no change of a writer's reached the
// board.
func TestAnAnonymousRetrosRevealedNotesCarryNoTraceOfTheirWriters(t *testing.T) {
	n := singleNode(t)[0]
	mo, ann, ben := newParticipant("Mo", n), newParticipant("Ann", n), newParticipant("Ben", n)
	for _, p := range []*participant{mo, ann, ben} {
		p.register(t)
	}
	ws := mo.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/workspaces", body: map[string]string{"name": "Acme"}}).str("id")
	team := mo.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/workspaces/" + ws + "/teams",
		body: map[string]string{"name": "Platform", "templateId": "scrum-team"}}).str("id")
	for _, p := range []*participant{ann, ben} {
		mo.must(t, http.StatusOK, request{method: http.MethodPost, path: "/v1/teams/" + team + "/members", body: map[string]string{"userId": p.id}})
	}
	rid := mo.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/teams/" + team + "/retros",
		body: map[string]any{"title": "Sprint 5", "anonymous": true}}).str("id")
	for _, p := range []*participant{ann, ben} {
		p.must(t, http.StatusOK, request{method: http.MethodPost, path: "/v1/retros/" + rid + "/join"})
	}
	mo.must(t, http.StatusOK, request{method: http.MethodPost, path: "/v1/retros/" + rid + "/steps/collect/go"})
	card := ann.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/retros/" + rid + "/cards",
		body: map[string]string{"columnId": "start", "text": "flaky deploys"}}).str("id")
	mo.must(t, http.StatusOK, request{method: http.MethodPost, path: "/v1/retros/" + rid + "/columns/start/reveal"})
	board := ann.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/retros/" + rid + "/whiteboards",
		body: map[string]string{"topicId": card}}).str("id")
	mo.must(t, http.StatusOK, request{method: http.MethodPost, path: "/v1/whiteboards/" + board + "/writing"})

	js := startJS(t)
	for _, c := range []struct {
		name string
		p    *participant
	}{{"ann", ann}, {"ann-phone", ann}, {"ben", ben}, {"ben-phone", ben}, {"mo", mo}} {
		js.do(map[string]any{"op": "open", "client": c.name, "url": syncURL(n, c.p.token)})
	}
	note := func(p *participant, text string, x int) map[string]any {
		return map[string]any{"kind": "note", "x": x, "y": 40, "w": 160, "h": 120, "color": "yellow", "z": 1,
			"author": p.id, "authorName": p.name, "by": p.id + " " + p.name, "text": text}
	}
	secrets := map[string]string{"ann-note-1": marker("ann idea"), "ann-note-2": marker("ann idea"), "ben-note-1": marker("ben idea")}
	writes := []struct {
		client, phone string
		p             *participant
		items         map[string]any
	}{
		{"ann", "ann-phone", ann, map[string]any{
			"ann-note-1": note(ann, secrets["ann-note-1"], 40), "ann-note-2": note(ann, secrets["ann-note-2"], 240),
			"ann-link": map[string]any{"kind": "connector", "x": 0, "y": 0, "w": 0, "h": 0, "color": "grey", "z": 3,
				"author": ann.id, "from": "ann-note-1", "to": "ann-note-2"}}},
		{"ben", "ben-phone", ben, map[string]any{"ben-note-1": note(ben, secrets["ben-note-1"], 440)}},
	}
	writers := map[string]bool{} // the writers' clients' actor IDs
	for _, w := range writes {
		notesURL := "automerge:" + mustNotes(t, w.p, board)
		js.do(map[string]any{"op": "find", "client": w.client, "url": notesURL})
		for id, v := range w.items {
			js.do(map[string]any{"op": "set", "client": w.client, "url": notesURL, "path": []any{"items", id}, "value": v})
		}
		// The server holds them once the writer's other device has them.
		js.do(map[string]any{"op": "find", "client": w.phone, "url": notesURL})
		for id := range w.items {
			js.do(map[string]any{"op": "waitValue", "client": w.phone, "url": notesURL, "path": []any{"items", id, "kind"}, "want": w.items[id].(map[string]any)["kind"].(string)})
		}
		writers[js.do(map[string]any{"op": "history", "client": w.client, "url": notesURL})["self"].(string)] = true
	}
	if len(writers) != 2 {
		t.Fatalf("the writers' actors: %v", writers)
	}

	revealed := mo.must(t, http.StatusOK, request{method: http.MethodPost, path: "/v1/whiteboards/" + board + "/reveal"})
	if got, _ := revealed.body["notes"].(map[string]any); got["added"] != float64(4) || got["leftOut"] != float64(0) {
		t.Fatalf("the reveal's answer: %v, want 4 items added and none left out", revealed.body)
	}
	boardURL := "automerge:" + board
	js.do(map[string]any{"op": "find", "client": "mo", "url": boardURL})
	var items map[string]any
	deadline := time.Now().Add(20 * time.Second)
	for {
		items, _ = js.do(map[string]any{"op": "doc", "client": "mo", "url": boardURL})["doc"].(map[string]any)["items"].(map[string]any)
		if len(items) >= 4 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond) // polling a client's copy, with a deadline
	}
	byText := map[string]string{}
	var link map[string]any
	for id, v := range items {
		it := v.(map[string]any)
		if strings.HasPrefix(id, "ann-") || strings.HasPrefix(id, "ben-") {
			t.Errorf("a revealed item keeps its writer's item ID %s", id)
		}
		for k, f := range it {
			if !slices.Contains([]string{"kind", "x", "y", "w", "h", "color", "z", "author", "text", "from", "to"}, k) {
				t.Errorf("revealed item %s keeps the field %s=%v its writer added", id, k, f)
			}
		}
		if it["author"] != "" {
			t.Errorf("revealed item %s has the author %v", id, it["author"])
		}
		if s, _ := it["text"].(string); s != "" {
			byText[s] = id
		}
		if it["kind"] == "connector" {
			link = it
		}
	}
	for key, s := range secrets {
		if byText[s] == "" {
			t.Errorf("%s (%q) is not on the board: %v", key, s, items)
		}
	}
	if link == nil || link["from"] != byText[secrets["ann-note-1"]] || link["to"] != byText[secrets["ann-note-2"]] {
		t.Errorf("Ann's connector no longer joins her two notes: %v (notes %v)", link, byText)
	}
	for _, c := range js.do(map[string]any{"op": "history", "client": "mo", "url": boardURL})["changes"].([]any) {
		ch := c.(map[string]any)
		if writers[ch["actor"].(string)] {
			t.Errorf("the board's history holds a change by a writer's actor %v: %v", ch["actor"], ch["ops"])
		}
		for _, p := range []*participant{ann, ben} {
			if ops := ch["ops"].(string); strings.Contains(ops, p.id) || strings.Contains(ops, p.name+`"`) || strings.Contains(ops, " "+p.name) {
				t.Errorf("a change in the board's history names %s: %s", p.name, ops)
			}
		}
	}
}

// mustNotes is p's private notes document on board.
func mustNotes(t *testing.T, p *participant, board string) string {
	t.Helper()
	id := p.must(t, http.StatusOK, request{method: http.MethodPost, path: "/v1/whiteboards/" + board + "/notes"}).str("id")
	if id == "" || id == board {
		t.Fatalf("%s's notes document %q", p.name, id)
	}
	return id
}

// A private notes document freezes at the reveal. Ann writes one note
// online, then, her client gone offline (its storage on disk, as a browser's
// IndexedDB), a second; the moderator reveals meanwhile. When her client
// comes back with both notes in its storage, the server tells it why it no
// longer syncs them (an error message saying the notes were revealed, with
// doc-unavailable) and takes nothing of it: the board holds the note the
// server had at the reveal and not the one written offline, which stays on
// Ann's device.
func TestNotesWrittenOfflineAfterTheRevealAreToldTheyStayOnTheDevice(t *testing.T) {
	n := singleNode(t)[0]
	mo, ann := newParticipant("Mo", n), newParticipant("Ann", n)
	for _, p := range []*participant{mo, ann} {
		p.register(t)
	}
	ws := mo.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/workspaces", body: map[string]string{"name": "Acme"}}).str("id")
	team := mo.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/workspaces/" + ws + "/teams",
		body: map[string]string{"name": "Platform", "templateId": "scrum-team"}}).str("id")
	mo.must(t, http.StatusOK, request{method: http.MethodPost, path: "/v1/teams/" + team + "/members", body: map[string]string{"userId": ann.id}})
	board := mo.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/teams/" + team + "/whiteboards",
		body: map[string]string{"title": "Ideas"}}).str("id")
	mo.must(t, http.StatusOK, request{method: http.MethodPost, path: "/v1/whiteboards/" + board + "/writing"})
	notesURL, boardURL := "automerge:"+mustNotes(t, ann, board), "automerge:"+board
	storage := t.TempDir()
	online, offline := marker("written online"), marker("written offline")
	note := func(text string) map[string]any {
		return map[string]any{"kind": "note", "x": 40, "y": 40, "w": 160, "h": 120, "color": "yellow", "z": 1, "author": ann.id, "text": text}
	}

	js := startJS(t)
	js.do(map[string]any{"op": "open", "client": "ann", "url": syncURL(n, ann.token), "storage": storage})
	js.do(map[string]any{"op": "open", "client": "ann-phone", "url": syncURL(n, ann.token)})
	js.do(map[string]any{"op": "find", "client": "ann", "url": notesURL})
	js.do(map[string]any{"op": "set", "client": "ann", "url": notesURL, "path": []any{"items", "online"}, "value": note(online)})
	js.do(map[string]any{"op": "find", "client": "ann-phone", "url": notesURL})
	js.do(map[string]any{"op": "waitValue", "client": "ann-phone", "url": notesURL, "path": []any{"items", "online", "text"}, "want": online})
	js.do(map[string]any{"op": "close", "client": "ann-phone"})
	js.do(map[string]any{"op": "close", "client": "ann"})

	// Offline: the same storage, a server that is not there.
	js.do(map[string]any{"op": "open", "client": "ann-offline", "url": "ws://127.0.0.1:1/v1/sync", "storage": storage})
	js.do(map[string]any{"op": "find", "client": "ann-offline", "url": notesURL})
	js.do(map[string]any{"op": "set", "client": "ann-offline", "url": notesURL, "path": []any{"items", "offline"}, "value": note(offline)})
	js.do(map[string]any{"op": "close", "client": "ann-offline"})

	revealed := mo.must(t, http.StatusOK, request{method: http.MethodPost, path: "/v1/whiteboards/" + board + "/reveal"})
	if got, _ := revealed.body["notes"].(map[string]any); got["added"] != float64(1) || got["leftOut"] != float64(0) {
		t.Fatalf("the reveal's answer: %v, want the one note the server had", revealed.body)
	}

	js.do(map[string]any{"op": "open", "client": "ann-back", "url": syncURL(n, ann.token), "storage": storage})
	back := js.do(map[string]any{"op": "find", "client": "ann-back", "url": notesURL})
	if !strings.Contains(fmt.Sprint(back["doc"]), offline) {
		t.Fatalf("Ann's device lost her offline note: %v", back["doc"])
	}
	errs := js.do(map[string]any{"op": "errors", "client": "ann-back", "count": 1, "timeoutMs": 15000})["errors"].([]any)
	if len(errs) != 1 || errs[0] != "notes revealed: this private notes document closed when the board's notes were revealed; the reveal merged what the server had received, and later edits stay on this device only" {
		t.Fatalf("Ann's returning client was told %v", errs)
	}
	// The server's board, as a member's fresh client downloads it.
	js.do(map[string]any{"op": "open", "client": "mo", "url": syncURL(n, mo.token)})
	js.do(map[string]any{"op": "find", "client": "mo", "url": boardURL})
	js.do(map[string]any{"op": "waitValue", "client": "mo", "url": boardURL, "path": []any{"items", "online", "text"}, "want": online})
	if doc := js.do(map[string]any{"op": "doc", "client": "mo", "url": boardURL})["doc"]; strings.Contains(fmt.Sprint(doc), offline) {
		t.Fatalf("the note written offline reached the board after the reveal: %v", doc)
	}
	// Ann's device still holds it, and asking again is answered the same.
	js.do(map[string]any{"op": "waitValue", "client": "ann-back", "url": notesURL, "path": []any{"items", "offline", "text"}, "want": offline})
}
