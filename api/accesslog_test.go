package api_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/api"
)

// A command on a retro is logged without who sent it, from where, or when
// to the second, and without the card it names; a request elsewhere still
// names its caller.
func TestTheAccessLogNamesNobodyBesideACardOrAVote(t *testing.T) {
	var logs syncBuffer
	h := newHarness(t, func(d *api.Deps) { d.Logger = slog.New(slog.NewJSONHandler(&logs, nil)) })
	f := newRetro(t, h)
	card := h.must(http.StatusCreated, req{method: "POST", path: f.path("/cards"), token: f.bea.token,
		body: api.AddCardRequest{ColumnID: f.column, Text: "late reviews"}}).str("id")
	h.must(http.StatusOK, req{method: "PATCH", path: f.path("/cards/" + card), token: f.bea.token, body: api.TextRequest{Text: "slow reviews"}})
	draft := h.must(http.StatusCreated, req{method: "POST", path: f.path("/cards"), token: f.bea.token,
		body: api.AddCardRequest{ColumnID: f.column, Text: "never mind"}}).str("id")
	h.must(http.StatusOK, req{method: "DELETE", path: f.path("/cards/" + draft), token: f.bea.token})
	h.must(http.StatusOK, req{method: "POST", path: f.path("/columns/" + f.column + "/reveal"), token: f.mod.token})
	h.must(http.StatusCreated, req{method: "POST", path: f.path("/voting"), token: f.mod.token, body: api.StartVotingRequest{Budget: 2}})
	h.must(http.StatusOK, req{method: "POST", path: f.path("/votes"), token: f.bea.token, body: api.TopicRequest{TopicID: card}})
	h.must(http.StatusOK, req{method: "DELETE", path: f.path("/votes/" + card), token: f.bea.token})
	h.must(http.StatusOK, req{method: "GET", path: f.path(""), token: f.bea.token})

	routes := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("a log line is not JSON: %s", line)
		}
		if strings.Contains(line, card) || strings.Contains(line, draft) {
			t.Errorf("a log line names a card: %s", line)
		}
		route, _ := rec["route"].(string)
		if rec["msg"] != "http request" || !strings.HasPrefix(route, "/v1/retros/{retroId}") {
			continue
		}
		key := rec["method"].(string) + " " + route
		routes[key] = true
		if rec["method"] == "GET" {
			if id, _ := rec["user_id"].(string); id != f.bea.id && id != f.mod.id {
				t.Errorf("GET of the retro is logged without its caller: %s", line)
			}
			continue
		}
		for _, u := range []user{f.mod, f.bea} {
			if strings.Contains(line, u.id) {
				t.Errorf("%s names its sender: %s", key, line)
			}
		}
		for _, attr := range []string{"user_id", "principal_kind", "remote", "path"} {
			if _, ok := rec[attr]; ok {
				t.Errorf("%s carries %s: %s", key, attr, line)
			}
		}
		ts, _ := rec["time"].(string)
		if at, err := time.Parse(time.RFC3339Nano, ts); err != nil || !at.Equal(at.Truncate(time.Minute)) {
			t.Errorf("%s is dated %q, want the minute only", key, ts)
		}
	}
	for _, want := range []string{"POST /v1/retros/{retroId}/cards", "PATCH /v1/retros/{retroId}/cards/{cardId}",
		"DELETE /v1/retros/{retroId}/cards/{cardId}", "POST /v1/retros/{retroId}/votes", "DELETE /v1/retros/{retroId}/votes/{topicId}",
		"GET /v1/retros/{retroId}"} {
		if !routes[want] {
			t.Errorf("no access log line for %s", want)
		}
	}
}
