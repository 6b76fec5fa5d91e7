//go:build unix

package e2e_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

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
