package api_test

import (
	"net/http"
	"testing"
)

// A workspace admin copies a catalogue template, tweaks it, a team runs a
// retro from it, and the templates move to another workspace as a file.
func TestAWorkspaceTemplateIsMadeUsedExportedAndImportedOverHTTP(t *testing.T) {
	h := newHarness(t)
	ada := h.user("Ada")
	ws, team := h.team(ada)
	base := "/v1/workspaces/" + ws + "/templates"

	tpl := h.must(http.StatusCreated, req{method: "POST", path: base, token: ada.token,
		body: map[string]any{"kind": "retro-template", "copyFrom": "mad-sad-glad"}}).str("id")
	page := h.must(http.StatusOK, req{method: "GET", path: base + "?kind=retro-template", token: ada.token})
	items := page.body["items"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["id"] != tpl || items[0].(map[string]any)["version"].(float64) != 1 {
		t.Fatalf("listed templates: %s", page.raw)
	}
	entry := items[0].(map[string]any)
	entry["retroTemplate"].(map[string]any)["name"] = "Mad, sad, glad (ours)"
	edited := map[string]any{"kind": entry["kind"], "id": tpl, "retroTemplate": entry["retroTemplate"], "baseVersion": 1}
	h.must(http.StatusCreated, req{method: "POST", path: base, token: ada.token, body: edited})

	r := h.must(http.StatusCreated, req{method: "POST", path: "/v1/teams/" + team + "/retros", token: ada.token,
		body: map[string]any{"title": "Ours", "templateId": tpl}})
	v := h.must(http.StatusOK, req{method: "GET", path: "/v1/retros/" + r.str("id"), token: ada.token})
	if cols := v.body["columns"].([]any); len(cols) != 3 {
		t.Errorf("a retro from the workspace template has %d columns, want mad, sad, glad", len(cols))
	}

	// A template that breaks the rules is a problem document naming the rule.
	bad := h.do(req{method: "POST", path: base, token: ada.token,
		body: map[string]any{"kind": "retro-template", "retroTemplate": map[string]any{"name": "One", "columns": []any{map[string]any{"id": "a", "title": "A"}}}}})
	if bad.status != http.StatusBadRequest || bad.problemType() == "" || bad.str("code") != "template-invalid" {
		t.Errorf("a one-column template: %d %s", bad.status, bad.raw)
	}

	bundle := h.must(http.StatusOK, req{method: "GET", path: base + "/export", token: ada.token})
	ws2 := h.must(http.StatusCreated, req{method: "POST", path: "/v1/workspaces", token: ada.token, body: map[string]any{"name": "Elsewhere"}}).str("id")
	imp := h.must(http.StatusOK, req{method: "POST", path: "/v1/workspaces/" + ws2 + "/templates/import", token: ada.token, body: bundle.raw})
	if ids := imp.body["ids"].([]any); len(ids) != 1 || ids[0] == tpl {
		t.Errorf("imported IDs %v, want one new ID", ids)
	}

	// Someone outside the workspace does not learn it has templates.
	eve := h.user("Eve")
	if res := h.do(req{method: "GET", path: base, token: eve.token}); res.status != http.StatusNotFound {
		t.Errorf("an outsider lists the templates: %d", res.status)
	}
}
