//go:build unix

package e2e_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"testing"
)

// Time travel at every position of a recorded retro matches what the live
// feed showed at that point. Ann follows an anonymous retro over a
// WebSocket while she and the moderator play it (concealed cards, a
// rewritten draft, reveals, a health check, votes, ROTI); each command is
// sent only once her feed delivered the one before, so every change comes
// with the view she saw then. Afterwards, for every position her feed
// carried a view at, GET /v1/retros/{id}/at?position= must answer the very
// same view, redacted for her in the same way.
func TestTimeTravelAtEveryPositionMatchesTheLiveFeed(t *testing.T) {
	n := singleNode(t)[0]
	mo, ann := newParticipant("Mo", n), newParticipant("Ann", n)
	for _, p := range []*participant{mo, ann} {
		p.register(t)
	}
	ws := mo.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/workspaces", body: map[string]string{"name": "Acme"}}).str("id")
	team := mo.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/workspaces/" + ws + "/teams",
		body: map[string]string{"name": "Platform", "templateId": "scrum-team"}}).str("id")
	mo.must(t, http.StatusOK, request{method: http.MethodPost, path: "/v1/teams/" + team + "/members", body: map[string]string{"userId": ann.id}})
	retroID := mo.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/teams/" + team + "/retros",
		body: map[string]any{"title": "Sprint 7", "anonymous": true}}).str("id")
	r := func(path string) string { return "/v1/retros/" + retroID + path }
	ann.must(t, http.StatusOK, request{method: http.MethodPost, path: r("/join")})
	live := ann.openWS(t, n, retroID)

	// send runs one command and waits until Ann's feed delivered it.
	sent := 0
	send := func(p *participant, want int, method, path string, body any) answer {
		t.Helper()
		a := p.must(t, want, request{method: method, path: r(path), body: body})
		if a.position() == 0 {
			t.Fatalf("%s %s changed nothing: %s", method, path, a.raw)
		}
		live.waitFor(t, a.position())
		sent++
		return a
	}
	card := func(p *participant, col string) string {
		return send(p, http.StatusCreated, http.MethodPost, "/cards", map[string]string{"columnId": col, "text": marker("card-" + col)}).str("id")
	}

	send(mo, http.StatusOK, http.MethodPost, "/steps/health-check/go", nil)
	var v struct {
		Health struct {
			Questions []struct {
				ID string `json:"id"`
			} `json:"questions"`
		} `json:"health"`
	}
	ann.get(t, r(""), &v)
	if len(v.Health.Questions) < 2 {
		t.Fatalf("the health check has %d questions", len(v.Health.Questions))
	}
	for i, p := range []*participant{ann, mo} {
		for _, q := range v.Health.Questions[:2] {
			send(p, http.StatusOK, http.MethodPost, "/health/answers", map[string]any{"questionId": q.ID, "score": 3 + i})
		}
	}
	send(mo, http.StatusOK, http.MethodPost, "/health/reveal", nil)
	send(mo, http.StatusOK, http.MethodPost, "/steps/collect/go", nil)
	annStart, moStart := card(ann, "start"), card(mo, "start")
	card(ann, "stop")
	card(mo, "stop")
	send(ann, http.StatusOK, http.MethodPatch, "/cards/"+annStart, map[string]string{"text": marker("card-start")})
	send(mo, http.StatusOK, http.MethodPost, "/columns/start/reveal", nil)
	send(mo, http.StatusOK, http.MethodPost, "/steps/vote/go", nil)
	send(mo, http.StatusCreated, http.MethodPost, "/voting", map[string]int{"budget": 3, "cap": 2})
	send(ann, http.StatusOK, http.MethodPost, "/votes", map[string]string{"topicId": moStart})
	send(mo, http.StatusOK, http.MethodPost, "/votes", map[string]string{"topicId": annStart})
	send(mo, http.StatusOK, http.MethodPost, "/voting/close", nil)
	send(mo, http.StatusOK, http.MethodPost, "/columns/stop/reveal", nil)
	send(mo, http.StatusOK, http.MethodPost, "/steps/roti/go", nil)
	send(ann, http.StatusOK, http.MethodPost, "/roti", map[string]int{"score": 4})

	// Every view the feed sent, by the position it was sent with.
	compared := 0
	for _, m := range live.messages() {
		if len(m.View) == 0 || m.Position == 0 {
			continue
		}
		a := ann.must(t, http.StatusOK, request{method: http.MethodGet, path: fmt.Sprintf(r("/at?position=%d"), m.Position)})
		var past struct {
			Position uint64          `json:"position"`
			View     json.RawMessage `json:"view"`
		}
		if err := json.Unmarshal(a.raw, &past); err != nil {
			t.Fatal(err)
		}
		if m.Type == "change" && past.Position != m.Position {
			t.Errorf("time travel to %d answered the retro at %d, want the change's own position", m.Position, past.Position)
		}
		if !sameJSON(t, m.View, past.View) {
			t.Errorf("at position %d (%s) the live feed showed\n\t%s\ntime travel shows\n\t%s", m.Position, m.Type, m.View, past.View)
		}
		compared++
	}
	// Without a view per change the test would compare nothing: every
	// command waited for the one before, so each change carries its view.
	if compared < sent {
		t.Fatalf("compared %d positions, want at least the %d changes made", compared, sent)
	}
	t.Logf("compared %d positions of the retro", compared)

	// The exports of the team's history, in a second retro whose columns
	// stay concealed to the end.
	assertExportRedacted(t, mo, ann, team)
}

// assertExportRedacted plays a second retro in which the moderator writes a
// concealed card and Ann one, never revealed, and checks each one's NDJSON
// export: CloudEvents 1.0 lines, no pseudonym, their own concealed text
// (they may see what they wrote) and not the other's.
func assertExportRedacted(t *testing.T, mo, ann *participant, team string) {
	t.Helper()
	retroID := mo.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/teams/" + team + "/retros",
		body: map[string]any{"title": "Sprint 8", "anonymous": true}}).str("id")
	r := func(path string) string { return "/v1/retros/" + retroID + path }
	ann.must(t, http.StatusOK, request{method: http.MethodPost, path: r("/join")})
	mo.must(t, http.StatusOK, request{method: http.MethodPost, path: r("/steps/collect/go")})
	hidden, mine := marker("card-hidden"), marker("card-mine")
	mo.must(t, http.StatusCreated, request{method: http.MethodPost, path: r("/cards"), body: map[string]string{"columnId": "start", "text": hidden}})
	last := ann.must(t, http.StatusCreated, request{method: http.MethodPost, path: r("/cards"), body: map[string]string{"columnId": "stop", "text": mine}}).position()

	for _, p := range []*participant{ann, mo} {
		a := p.must(t, http.StatusOK, request{method: http.MethodGet, path: fmt.Sprintf("/v1/teams/%s/events?until=%d", team, last)})
		if ct := a.header.Get("Content-Type"); ct != "application/x-ndjson" {
			t.Fatalf("%s's export: Content-Type %q", p.name, ct)
		}
		sc := bufio.NewScanner(bytes.NewReader(a.raw))
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		lines := 0
		for sc.Scan() {
			lines++
			var ce map[string]any
			if err := json.Unmarshal(sc.Bytes(), &ce); err != nil || ce["specversion"] != "1.0" {
				t.Fatalf("%s's export line %d is no CloudEvent (%v): %s", p.name, lines, err, sc.Bytes())
			}
		}
		if bytes.Contains(a.raw, []byte("anon:")) {
			t.Errorf("%s's export carries a pseudonym", p.name)
		}
		own, other := mine, hidden
		if p == mo {
			own, other = hidden, mine
		}
		if !bytes.Contains(a.raw, []byte(own)) {
			t.Errorf("%s's export lacks their own card %s", p.name, own)
		}
		if bytes.Contains(a.raw, []byte(other)) {
			t.Errorf("%s's export holds the other's concealed card %s", p.name, other)
		}
		if lines < 10 {
			t.Errorf("%s's export has %d lines, want the team's history", p.name, lines)
		}
	}
}

// sameJSON compares two JSON documents by value.
func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("not JSON: %v: %s", err, a)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("not JSON: %v: %s", err, b)
	}
	return reflect.DeepEqual(x, y)
}
