package api_test

import (
	"net/http"
	"testing"

	"github.com/hindsight-retro/hindsight/api"
)

func TestWorkspacesAndTeams(t *testing.T) {
	h := newHarness(t)
	ada, bea, out := h.user("Ada"), h.user("Bea"), h.user("Out")
	ws, tm := h.team(ada)

	h.must(http.StatusOK, req{method: "PATCH", path: "/v1/workspaces/" + ws, token: ada.token, body: api.NameRequest{Name: "Acme Corp"}})
	view := h.must(http.StatusOK, req{method: "GET", path: "/v1/workspaces/" + ws, token: ada.token})
	if view.str("name") != "Acme Corp" || view.body["isAdmin"] != true {
		t.Errorf("workspace view = %s, want renamed, ada admin", view.raw)
	}
	if res := h.do(req{method: "PATCH", path: "/v1/workspaces/" + ws, token: out.token, body: api.NameRequest{Name: "Mine"}}); res.status != http.StatusForbidden && res.status != http.StatusNotFound {
		t.Errorf("an outsider renames the workspace = %d %s, want 403 or 404", res.status, res.raw)
	}

	h.must(http.StatusOK, req{method: "POST", path: "/v1/teams/" + tm + "/members", token: ada.token, body: api.UserRequest{UserID: bea.id}})
	if res := h.do(req{method: "POST", path: "/v1/teams/" + tm + "/members", token: bea.token, body: api.UserRequest{UserID: out.id}}); res.status != http.StatusForbidden || res.str("code") == "" {
		t.Errorf("a member who is no team admin adds someone = %d %s, want 403 with the domain's code", res.status, res.raw)
	}
	team := h.must(http.StatusOK, req{method: "GET", path: "/v1/teams/" + tm, token: bea.token})
	if team.str("name") != "Platform" && team.body["content"] == nil {
		t.Errorf("member's team view = %s", team.raw)
	}
	if res := h.do(req{method: "GET", path: "/v1/teams/" + tm, token: out.token}); res.status != http.StatusNotFound {
		t.Errorf("an outsider reads the team = %d %s, want 404, as for a missing team", res.status, res.raw)
	}
	if res := h.do(req{method: "GET", path: "/v1/teams/no-such-team", token: ada.token}); res.status != http.StatusNotFound || res.problemType() != problemBase+"not-found" {
		t.Errorf("a team that does not exist = %d %s, want 404 not-found", res.status, res.raw)
	}

	// Team actions, paged one at a time.
	for _, title := range []string{"Write the runbook", "Fix the flaky test", "Rotate the keys"} {
		h.must(http.StatusCreated, req{method: "POST", path: "/v1/teams/" + tm + "/actions", token: bea.token, body: api.RecordActionRequest{Title: title}})
	}
	var titles []string
	path := "/v1/teams/" + tm + "/actions?limit=2"
	for range 3 {
		page := h.must(http.StatusOK, req{method: "GET", path: path, token: bea.token})
		for _, it := range page.body["items"].([]any) {
			titles = append(titles, it.(map[string]any)["title"].(string))
		}
		next := page.str("nextCursor")
		if next == "" {
			break
		}
		path = "/v1/teams/" + tm + "/actions?limit=2&cursor=" + next
	}
	if len(titles) != 3 || titles[0] != "Write the runbook" || titles[2] != "Rotate the keys" {
		t.Errorf("paged actions = %v, want the three in order", titles)
	}
	for _, bad := range []string{"?limit=0", "?limit=201", "?cursor=not-ours"} {
		if res := h.do(req{method: "GET", path: "/v1/teams/" + tm + "/actions" + bad, token: bea.token}); res.status != http.StatusBadRequest {
			t.Errorf("GET actions%s = %d, want 400", bad, res.status)
		}
	}

	acts := h.must(http.StatusOK, req{method: "GET", path: "/v1/teams/" + tm + "/actions", token: bea.token})
	first := acts.body["items"].([]any)[0].(map[string]any)["id"].(string)
	h.must(http.StatusOK, req{method: "POST", path: "/v1/teams/" + tm + "/actions/" + first + "/status", token: bea.token,
		body: api.ActionStatusRequest{Status: "done", Comment: "shipped"}})
	h.must(http.StatusCreated, req{method: "POST", path: "/v1/teams/" + tm + "/actions/" + first + "/comments", token: bea.token,
		body: api.TextRequest{Text: "nice"}})
	if res := h.do(req{method: "POST", path: "/v1/teams/" + tm + "/actions/" + first + "/status", token: bea.token,
		body: api.ActionStatusRequest{Status: "maybe"}}); res.status != http.StatusBadRequest {
		t.Errorf("an unknown action status = %d %s, want 400", res.status, res.raw)
	}
}
