package api_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/api"
	"github.com/hindsight-retro/hindsight/app"
)

func TestASurveyFromSendingToResults(t *testing.T) {
	h := newHarness(t)
	f := newRetro(t, h)
	pack := h.cat.HealthPacks[0]
	s := h.must(http.StatusCreated, req{method: "POST", path: "/v1/surveys", token: f.mod.token, body: app.CreateSurveyInput{
		TeamIDs: []string{f.team}, Title: "Pulse", PackID: pack.ID, ClosesAt: time.Now().Add(24 * time.Hour)}})
	id := s.str("id")
	view := h.must(http.StatusOK, req{method: "GET", path: "/v1/surveys/" + id, token: f.bea.token})
	if view.str("title") != "Pulse" || view.body["results"] != nil {
		t.Errorf("survey before close = %s, want no results", view.raw)
	}
	ratings := map[string]int{}
	for _, q := range pack.Questions {
		ratings[q.ID] = 3
	}
	// Three respond: results of fewer (the default minimum group) are withheld.
	cal := h.user("Cal")
	h.must(http.StatusOK, req{method: "POST", path: "/v1/teams/" + f.team + "/members", token: f.mod.token, body: api.UserRequest{UserID: cal.id}})
	for _, u := range []user{f.mod, f.bea, cal} {
		h.must(http.StatusCreated, req{method: "POST", path: "/v1/surveys/" + id + "/responses", token: u.token, body: api.SurveyResponseRequest{Ratings: ratings}})
	}
	if res := h.do(req{method: "GET", path: "/v1/surveys/" + id, token: f.out.token}); res.status != http.StatusForbidden && res.status != http.StatusNotFound {
		t.Errorf("an outsider reads the survey = %d, want 403 or 404", res.status)
	}
	h.must(http.StatusOK, req{method: "POST", path: "/v1/surveys/" + id + "/close", token: f.mod.token})
	v := h.must(http.StatusOK, req{method: "GET", path: "/v1/surveys/" + id, token: f.bea.token})
	results, _ := v.body["results"].(map[string]any)
	if v.body["closed"] != true || results == nil {
		t.Fatalf("survey after close = %s, want results", v.raw)
	}
	if q := results["questions"].([]any)[0].(map[string]any); q["average"] != 3.0 || q["withheld"] != nil {
		t.Errorf("a question rated by 3 after close = %v, want average 3", q)
	}
	h.must(http.StatusOK, req{method: "POST", path: f.path("/import-survey"), token: f.mod.token, body: api.ImportSurveyRequest{SurveyID: id}})
}

func TestTheCatalogueIsPaged(t *testing.T) {
	h := newHarness(t)
	ada := h.user("Ada")
	seen := map[string]bool{}
	path := "/v1/catalog/retro-templates?limit=20"
	for {
		page := h.must(http.StatusOK, req{method: "GET", path: path, token: ada.token})
		for _, it := range page.body["items"].([]any) {
			seen[it.(map[string]any)["id"].(string)] = true
		}
		next := page.str("nextCursor")
		if next == "" {
			break
		}
		path = "/v1/catalog/retro-templates?limit=20&cursor=" + next
	}
	if len(seen) != len(h.cat.RetroTemplates) {
		t.Errorf("paging saw %d templates, the catalogue has %d", len(seen), len(h.cat.RetroTemplates))
	}
	one := h.must(http.StatusOK, req{method: "GET", path: "/v1/catalog/retro-templates/" + h.cat.RetroTemplates[0].ID, token: ada.token})
	if one.str("id") != h.cat.RetroTemplates[0].ID {
		t.Errorf("one template = %s", one.raw)
	}
	if res := h.do(req{method: "GET", path: "/v1/catalog/retro-templates/nope", token: ada.token}); res.status != http.StatusNotFound {
		t.Errorf("an unknown template = %d, want 404", res.status)
	}
	for _, p := range []string{"health-packs", "icebreakers", "team-templates", "dimensions"} {
		h.must(http.StatusOK, req{method: "GET", path: "/v1/catalog/" + p, token: ada.token})
	}
}

func TestATeamsPageListsTheSurveysSentToIt(t *testing.T) {
	h := newHarness(t)
	f := newRetro(t, h)
	s := h.must(http.StatusCreated, req{method: "POST", path: "/v1/surveys", token: f.mod.token, body: app.CreateSurveyInput{
		TeamIDs: []string{f.team}, Title: "Pulse", PackID: h.cat.HealthPacks[0].ID, ClosesAt: time.Now().Add(24 * time.Hour)}})
	path := "/v1/teams/" + f.team + "/surveys?after=" + fmt.Sprint(uint64(s.body["position"].(float64)))
	items, _ := h.must(http.StatusOK, req{method: "GET", path: path, token: f.bea.token}).body["items"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["id"] != s.str("id") || items[0].(map[string]any)["title"] != "Pulse" {
		t.Fatalf("the team's surveys = %v, want the one just sent", items)
	}
	// Each as the reader may see it: her own response, no one else's.
	h.must(http.StatusCreated, req{method: "POST", path: "/v1/surveys/" + s.str("id") + "/responses", token: f.bea.token,
		body: api.SurveyResponseRequest{Ratings: map[string]int{h.cat.HealthPacks[0].Questions[0].ID: 4}}})
	for who, u := range map[string]user{"bea": f.bea, "mod": f.mod} {
		it := h.must(http.StatusOK, req{method: "GET", path: "/v1/teams/" + f.team + "/surveys", token: u.token}).body["items"].([]any)[0].(map[string]any)
		if (it["own"] != nil) != (who == "bea") || it["responseCount"] != 1.0 {
			t.Errorf("%s lists the survey as %v, want one response, own only for bea", who, it)
		}
	}
	if res := h.do(req{method: "GET", path: "/v1/teams/" + f.team + "/surveys", token: f.out.token}); res.status != http.StatusNotFound && res.status != http.StatusForbidden {
		t.Errorf("an outsider lists the team's surveys = %d, want 403 or 404", res.status)
	}
}
