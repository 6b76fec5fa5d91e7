package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/api"
	"github.com/hindsight-retro/hindsight/app"
)

// A team, retro, workspace or survey of others answers an outsider exactly
// as one that does not exist: 404 with the same problem, so an ID guessed
// or copied from a link tells them nothing about what exists. Only the
// instance differs, being the path asked for.
func TestAForeignIDAnswersExactlyLikeAMissingOne(t *testing.T) {
	h := newHarness(t)
	f := newRetro(t, h)
	ws := h.must(http.StatusOK, req{method: "GET", path: "/v1/teams/" + f.team, token: f.mod.token}).str("workspaceId")
	sv := h.must(http.StatusCreated, req{method: "POST", path: "/v1/surveys", token: f.mod.token, body: app.CreateSurveyInput{
		TeamIDs: []string{f.team}, Title: "Pulse", QuestionIDs: []string{h.cat.HealthPacks[0].Questions[0].ID}, ClosesAt: time.Now().Add(48 * time.Hour),
	}}).str("id")
	if ws == "" {
		t.Fatal("the team view names no workspace")
	}
	// A missing ID of the same shape as the real ones (UUIDv7).
	const missing = "01a24004-e4f0-7b37-b87d-6b0e29a875db"
	for _, c := range []struct {
		name, id, method, path string
		body                   any
	}{
		{"read a team", f.team, "GET", "/v1/teams/{id}", nil},
		{"read a team's members", f.team, "GET", "/v1/teams/{id}/members", nil},
		{"add a member to a team", f.team, "POST", "/v1/teams/{id}/members", api.UserRequest{UserID: f.out.id}},
		{"create a retro in a team", f.team, "POST", "/v1/teams/{id}/retros", api.CreateRetroRequest{Title: "Mine now"}},
		{"export a team's events", f.team, "GET", "/v1/teams/{id}/events", nil},
		{"read a retro", f.retro, "GET", "/v1/retros/{id}", nil},
		{"join a retro", f.retro, "POST", "/v1/retros/{id}/join", nil},
		{"write a card in a retro", f.retro, "POST", "/v1/retros/{id}/cards", api.AddCardRequest{ColumnID: f.column, Text: "hi"}},
		{"travel in a retro's time", f.retro, "GET", "/v1/retros/{id}/at?position=1", nil},
		{"follow a retro live", f.retro, "GET", "/v1/retros/{id}/live?token=" + f.out.token, nil},
		{"read a workspace", ws, "GET", "/v1/workspaces/{id}", nil},
		{"list a workspace's teams", ws, "GET", "/v1/workspaces/{id}/teams", nil},
		{"create a team in a workspace", ws, "POST", "/v1/workspaces/{id}/teams", api.CreateTeamRequest{Name: "Mine", TemplateID: h.cat.TeamTemplates[0].ID}},
		{"read a workspace's dashboard", ws, "GET", "/v1/workspaces/{id}/dashboard", nil},
		{"read a survey", sv, "GET", "/v1/surveys/{id}", nil},
		{"answer a survey", sv, "POST", "/v1/surveys/{id}/responses", api.SurveyResponseRequest{Ratings: map[string]int{"x": 1}}},
	} {
		ask := func(id string) response {
			rq := req{method: c.method, path: strings.Replace(c.path, "{id}", id, 1), body: c.body}
			if strings.Contains(c.path, "/live") {
				rq.header = map[string]string{"Accept": "text/event-stream"}
			} else {
				rq.token = f.out.token
			}
			return h.do(rq)
		}
		foreign, absent := ask(c.id), ask(missing)
		same := strings.ReplaceAll(string(foreign.raw), c.id, missing) == string(absent.raw)
		if foreign.status != http.StatusNotFound || absent.status != http.StatusNotFound || !same ||
			foreign.header.Get("Content-Type") != absent.header.Get("Content-Type") {
			t.Errorf("%s: a foreign ID answers %d %s\n\ta missing one %d %s\n\twant both 404, the same problem", c.name, foreign.status, foreign.raw, absent.status, absent.raw)
		}
	}
}

// BenchmarkForeignVersusMissingOverHTTP times what an outsider sees: the
// 404 for another team's retro against the 404 for a retro that does not
// exist, through the whole edge. The two requests alternate, so a busy
// machine slows both alike; foreign/missing is the ratio of their times.
func BenchmarkForeignVersusMissingOverHTTP(b *testing.B) {
	h := newHarness(b)
	f := newRetro(b, h)
	h.schemas = nil
	foreign := req{method: "GET", path: "/v1/retros/" + f.retro, token: f.out.token}
	missing := req{method: "GET", path: "/v1/retros/01a24004-e4f0-7b37-b87d-6b0e29a875db", token: f.out.token}
	var tf, tm time.Duration
	for b.Loop() {
		for _, c := range []struct {
			rq  req
			sum *time.Duration
		}{{foreign, &tf}, {missing, &tm}} {
			start := time.Now()
			if res := h.do(c.rq); res.status != http.StatusNotFound {
				b.Fatalf("GET = %d %s", res.status, res.raw)
			}
			*c.sum += time.Since(start)
		}
	}
	b.ReportMetric(float64(tf.Nanoseconds())/float64(b.N), "foreign-ns/op")
	b.ReportMetric(float64(tm.Nanoseconds())/float64(b.N), "missing-ns/op")
	b.ReportMetric(float64(tf)/float64(tm), "foreign/missing")
}
