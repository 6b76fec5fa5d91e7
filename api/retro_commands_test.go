package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/api"
	"github.com/hindsight-retro/hindsight/domain/retro"
)

// TestEveryRetroCommandRunsOverREST plays the retro commands the main flow
// leaves out, in an order the domain accepts, each through its own route.
func TestEveryRetroCommandRunsOverREST(t *testing.T) {
	h := newHarness(t)
	mod, bea := h.user("Mod"), h.user("Bea")
	_, tm := h.team(mod)
	h.must(http.StatusOK, req{method: "POST", path: "/v1/teams/" + tm + "/members", token: mod.token, body: api.UserRequest{UserID: bea.id}})
	// An open team action is carried into the new retro's review.
	carried := h.must(http.StatusCreated, req{method: "POST", path: "/v1/teams/" + tm + "/actions", token: mod.token,
		body: api.RecordActionRequest{Title: "Carry me"}}).str("id")
	f := retroFixture{h: h, mod: mod, bea: bea, team: tm}
	f.retro = h.must(http.StatusCreated, req{method: "POST", path: "/v1/teams/" + tm + "/retros", token: mod.token,
		body: api.CreateRetroRequest{Title: "Sprint 2"}}).str("id")
	h.must(http.StatusOK, req{method: "POST", path: f.path("/join"), token: bea.token})
	v := h.must(http.StatusOK, req{method: "GET", path: f.path(""), token: mod.token})
	f.column = v.body["columns"].([]any)[0].(map[string]any)["id"].(string)

	type step struct {
		name string
		rq   req
		want int
	}
	as := func(u user, method, suffix string, body any, want int) step {
		return step{name: method + " " + suffix, rq: req{method: method, path: f.path(suffix), token: u.token, body: body}, want: want}
	}
	ok, created := http.StatusOK, http.StatusCreated
	steps := []step{
		as(mod, "POST", "/anonymity", api.AnonymityRequest{Anonymous: true}, ok),
		as(mod, "POST", "/anonymity", api.AnonymityRequest{Anonymous: false}, ok),
		as(mod, "POST", "/lock", nil, ok),
		as(mod, "POST", "/unlock", nil, ok),
		as(mod, "POST", "/steps", api.AddStepRequest{Step: retro.Step{ID: "extra", Kind: retro.KindDiscuss, Title: "More talk"}}, ok),
		as(mod, "POST", "/steps/extra/skip", nil, ok),
		as(mod, "POST", "/steps/icebreaker/go", nil, ok),
		as(mod, "POST", "/timer", api.TimerRequest{Seconds: 300}, ok),
		as(mod, "POST", "/timer/extend", api.TimerRequest{Seconds: 60}, ok),
		as(mod, "DELETE", "/timer", nil, ok),
		as(mod, "POST", "/icebreaker", api.IcebreakerRequest{}, ok),
		as(bea, "POST", "/icebreaker/answers", api.TextRequest{Text: "tea"}, created),
		as(mod, "POST", "/steps/action-review/go", nil, ok),
		as(bea, "POST", "/review/"+carried, api.ReviewRequest{Outcome: "done"}, ok),
		as(bea, "POST", "/review/"+carried+"/comments", api.TextRequest{Text: "finally"}, created),
		as(mod, "POST", "/health", api.HealthCheckRequest{}, ok),
		as(bea, "POST", "/moderator", api.UserRequest{UserID: bea.id}, http.StatusForbidden),
		as(mod, "POST", "/moderator", api.UserRequest{UserID: bea.id}, ok),
		as(bea, "POST", "/moderator", api.UserRequest{UserID: mod.id}, ok),
	}
	for _, s := range steps {
		if res := h.do(s.rq); res.status != s.want {
			t.Fatalf("%s = %d %s, want %d", s.name, res.status, res.raw, s.want)
		}
	}

	// Health answers need a question of the started check.
	q := h.must(http.StatusOK, req{method: "GET", path: f.path(""), token: bea.token}).body["health"].(map[string]any)["questions"].([]any)[0].(map[string]any)["id"].(string)
	h.must(ok, req{method: "POST", path: f.path("/health/answers"), token: bea.token, body: api.HealthAnswerRequest{QuestionID: q, Score: 3}})
	if res := h.do(req{method: "POST", path: f.path("/health/answers"), token: bea.token, body: api.HealthAnswerRequest{QuestionID: "no-such-question", Score: 3}}); res.status < 400 || res.status >= 500 {
		t.Errorf("answer an unknown question = %d %s, want a 4xx problem", res.status, res.raw)
	}
	h.must(ok, req{method: "POST", path: f.path("/health/reveal"), token: mod.token})

	a := h.must(created, req{method: "POST", path: f.path("/cards"), token: bea.token, body: api.AddCardRequest{ColumnID: f.column, Text: "one"}}).str("id")
	b := h.must(created, req{method: "POST", path: f.path("/cards"), token: bea.token, body: api.AddCardRequest{ColumnID: f.column, Text: "two"}}).str("id")
	c := h.must(created, req{method: "POST", path: f.path("/cards"), token: bea.token, body: api.AddCardRequest{ColumnID: f.column, Text: "three"}}).str("id")
	h.must(ok, req{method: "DELETE", path: f.path("/cards/" + c), token: bea.token})
	h.must(ok, req{method: "POST", path: f.path("/columns/" + f.column + "/reveal"), token: mod.token})
	h.must(ok, req{method: "POST", path: f.path("/cards/" + a + "/merge"), token: bea.token, body: api.MergeCardRequest{TargetID: b}})
	groups := h.must(ok, req{method: "GET", path: f.path(""), token: bea.token}).body["groups"].([]any)
	if len(groups) != 1 {
		t.Fatalf("groups after a merge: %v", groups)
	}
	g := groups[0].(map[string]any)["id"].(string)
	h.must(ok, req{method: "PATCH", path: f.path("/groups/" + g), token: bea.token, body: api.NameRequest{Name: "Numbers"}})
	h.must(ok, req{method: "POST", path: f.path("/cards/" + a + "/move-out"), token: bea.token})
	if res := h.do(req{method: "POST", path: f.path("/groups/" + g + "/merge"), token: bea.token, body: api.MergeGroupsRequest{IntoGroupID: "nope"}}); res.status < 400 || res.status >= 500 {
		t.Errorf("merge into a missing group = %d, want a 4xx problem", res.status)
	}

	h.must(created, req{method: "POST", path: f.path("/voting"), token: mod.token, body: api.StartVotingRequest{Budget: 2, Cap: 2}})
	h.must(ok, req{method: "POST", path: f.path("/votes"), token: bea.token, body: api.TopicRequest{TopicID: a}})
	h.must(ok, req{method: "DELETE", path: f.path("/votes/" + a), token: bea.token})
	h.must(ok, req{method: "POST", path: f.path("/votes"), token: bea.token, body: api.TopicRequest{TopicID: a}})
	h.must(ok, req{method: "POST", path: f.path("/voting/close"), token: mod.token})
	h.must(ok, req{method: "POST", path: f.path("/topics/" + a + "/votes"), token: mod.token, body: api.TopicVotesRequest{Votes: 3}})
	h.must(ok, req{method: "POST", path: f.path("/topics/" + a + "/focus"), token: mod.token})
	h.must(created, req{method: "POST", path: f.path("/whiteboards"), token: bea.token, body: api.WhiteboardRequest{TopicID: a}})
	act := h.must(created, req{method: "POST", path: f.path("/actions"), token: bea.token, body: api.CreateActionRequest{Title: "Do it", TopicID: a}}).str("id")
	h.must(ok, req{method: "POST", path: f.path("/actions/" + act + "/assignee"), token: bea.token, body: api.AssigneeRequest{Assignee: mod.id}})
	due := time.Date(2030, 1, 2, 0, 0, 0, 0, time.UTC)
	h.must(ok, req{method: "POST", path: f.path("/actions/" + act + "/due"), token: bea.token, body: api.DueRequest{Due: &due}})
	h.must(ok, req{method: "POST", path: f.path("/steps/order"), token: mod.token, body: api.StepOrderRequest{Order: agendaIDs(t, h, f, mod)}})
	h.must(ok, req{method: "POST", path: f.path("/roti"), token: mod.token, body: api.ScoreRequest{Score: 5}})
	h.must(ok, req{method: "POST", path: f.path("/roti/close"), token: mod.token})

	view := h.must(ok, req{method: "GET", path: f.path(""), token: mod.token})
	if roti := view.body["roti"].(map[string]any); roti["closed"] != true {
		t.Errorf("ROTI after close = %v", roti)
	}
}

// agendaIDs is the retro's agenda in its current order.
func agendaIDs(t *testing.T, h *harness, f retroFixture, u user) []string {
	t.Helper()
	var ids []string
	for _, s := range h.must(http.StatusOK, req{method: "GET", path: f.path(""), token: u.token}).body["agenda"].([]any) {
		ids = append(ids, s.(map[string]any)["id"].(string))
	}
	return ids
}

// TestARetrosVotingDefaultsChosenAtCreationOpenItsRounds: a retro made with
// a budget and cap shows them to its people, a round opened with no budget
// takes them, and defaults outside the voting rules are refused in words.
func TestARetrosVotingDefaultsChosenAtCreationOpenItsRounds(t *testing.T) {
	h := newHarness(t)
	mod, bea := h.user("Mod"), h.user("Bea")
	_, tm := h.team(mod)
	h.must(http.StatusOK, req{method: "POST", path: "/v1/teams/" + tm + "/members", token: mod.token, body: api.UserRequest{UserID: bea.id}})
	bad := h.do(req{method: "POST", path: "/v1/teams/" + tm + "/retros", token: mod.token,
		body: api.CreateRetroRequest{Title: "Too many", Voting: &retro.VotingDefaults{Budget: retro.MaxBudget + 1}}})
	if bad.status != http.StatusBadRequest && bad.status != http.StatusUnprocessableEntity || bad.str("code") != retro.CodeBudgetInvalid {
		t.Fatalf("voting defaults over the most budget = %d %s, want a 4xx problem %s", bad.status, bad.raw, retro.CodeBudgetInvalid)
	}
	f := retroFixture{h: h, mod: mod, bea: bea, team: tm}
	f.retro = h.must(http.StatusCreated, req{method: "POST", path: "/v1/teams/" + tm + "/retros", token: mod.token,
		body: api.CreateRetroRequest{Title: "Sprint 3", Voting: &retro.VotingDefaults{Budget: 5, Cap: 3}}}).str("id")
	h.must(http.StatusOK, req{method: "POST", path: f.path("/join"), token: bea.token})
	defaults := h.must(http.StatusOK, req{method: "GET", path: f.path(""), token: bea.token}).body["votingDefaults"]
	if d, _ := defaults.(map[string]any); d["budget"] != 5.0 || d["cap"] != 3.0 {
		t.Fatalf("Bea's view has votingDefaults %v, want budget 5 and cap 3", defaults)
	}
	h.must(http.StatusCreated, req{method: "POST", path: f.path("/voting"), token: mod.token, body: map[string]any{}})
	v := h.must(http.StatusOK, req{method: "GET", path: f.path(""), token: bea.token}).body["voting"].(map[string]any)
	if v["open"] != true || v["budget"] != 5.0 || v["cap"] != 3.0 || v["yourRemaining"] != 5.0 {
		t.Fatalf("a round opened with no budget: %v, want open with budget 5, cap 3 and 5 of Bea's votes left", v)
	}
}
