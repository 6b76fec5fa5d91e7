package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/api"
)

// retroFixture is a team with a moderator and a member in a fresh retro.
type retroFixture struct {
	h             *harness
	mod, bea, out user
	team, retro   string
	column        string
}

func newRetro(t testing.TB, h *harness) retroFixture {
	t.Helper()
	f := retroFixture{h: h, mod: h.user("Mod"), bea: h.user("Bea"), out: h.user("Out")}
	_, f.team = h.team(f.mod)
	h.must(http.StatusOK, req{method: "POST", path: "/v1/teams/" + f.team + "/members", token: f.mod.token, body: api.UserRequest{UserID: f.bea.id}})
	r := h.must(http.StatusCreated, req{method: "POST", path: "/v1/teams/" + f.team + "/retros", token: f.mod.token,
		body: api.CreateRetroRequest{Title: "Sprint 1"}})
	f.retro = r.str("id")
	h.must(http.StatusOK, req{method: "POST", path: "/v1/retros/" + f.retro + "/join", token: f.bea.token})
	v := h.must(http.StatusOK, req{method: "GET", path: "/v1/retros/" + f.retro, token: f.mod.token})
	f.column = v.body["columns"].([]any)[0].(map[string]any)["id"].(string)
	return f
}

func (f retroFixture) path(suffix string) string { return "/v1/retros/" + f.retro + suffix }

// card finds a card in someone's view of the retro.
func (f retroFixture) card(u user, id string) map[string]any {
	f.h.t.Helper()
	v := f.h.must(http.StatusOK, req{method: "GET", path: f.path(""), token: u.token})
	for _, col := range v.body["columns"].([]any) {
		cards, _ := col.(map[string]any)["cards"].([]any)
		for _, c := range cards {
			if c.(map[string]any)["id"] == id {
				return c.(map[string]any)
			}
		}
	}
	return nil
}

func TestARetroOverREST(t *testing.T) {
	h := newHarness(t)
	f := newRetro(t, h)

	card := h.must(http.StatusCreated, req{method: "POST", path: f.path("/cards"), token: f.bea.token,
		body: api.AddCardRequest{ColumnID: f.column, Text: "pair on the deploy scripts"}})
	cardID := card.str("id")
	if cardID == "" || card.body["position"] == nil || card.body["streamVersion"] == nil {
		t.Fatalf("add card answered %s, want id, streamVersion and position", card.raw)
	}
	h.must(http.StatusOK, req{method: "PATCH", path: f.path("/cards/" + cardID), token: f.bea.token, body: api.TextRequest{Text: "pair on the deploy scripts"}})
	other := h.must(http.StatusCreated, req{method: "POST", path: f.path("/cards"), token: f.mod.token,
		body: api.AddCardRequest{ColumnID: f.column, Text: "fewer meetings"}}).str("id")
	// Concealed: the moderator sees that the card exists, not its text.
	if c := f.card(f.mod, cardID); c == nil || c["text"] != nil && c["text"] != "" {
		t.Errorf("moderator sees bea's concealed card as %v, want it without text", c)
	}
	if c := f.card(f.bea, cardID); c["text"] != "pair on the deploy scripts" {
		t.Errorf("bea sees her own card as %v", c)
	}
	if res := h.do(req{method: "GET", path: f.path(""), token: f.out.token}); res.status != http.StatusNotFound {
		t.Errorf("an outsider reads the retro = %d, want 404, as for a missing retro", res.status)
	}
	if res := h.do(req{method: "POST", path: f.path("/columns/" + f.column + "/reveal"), token: f.bea.token}); res.status != http.StatusForbidden || res.str("code") != "not-moderator" {
		t.Errorf("a participant reveals = %d %s, want 403 not-moderator", res.status, res.raw)
	}
	h.must(http.StatusOK, req{method: "POST", path: f.path("/columns/" + f.column + "/reveal"), token: f.mod.token})
	if c := f.card(f.mod, cardID); c["text"] != "pair on the deploy scripts" {
		t.Errorf("after reveal the moderator sees %v", c)
	}

	h.must(http.StatusOK, req{method: "POST", path: f.path("/cards/" + other + "/merge"), token: f.mod.token, body: api.MergeCardRequest{TargetID: cardID}})

	h.must(http.StatusCreated, req{method: "POST", path: f.path("/voting"), token: f.mod.token, body: api.StartVotingRequest{Budget: 1}})
	vote := api.TopicRequest{TopicID: cardID}
	if topics, _ := h.must(http.StatusOK, req{method: "GET", path: f.path(""), token: f.mod.token}).body["topics"].([]any); len(topics) > 0 {
		vote.TopicID = topics[0].(map[string]any)["id"].(string)
	}
	h.must(http.StatusOK, req{method: "POST", path: f.path("/votes"), token: f.bea.token, body: vote})
	if res := h.do(req{method: "POST", path: f.path("/votes"), token: f.bea.token, body: vote}); res.status != http.StatusConflict || res.problemType() != problemBase+"conflict" {
		t.Errorf("a vote over budget = %d %s, want 409 conflict", res.status, res.raw)
	}
	h.must(http.StatusOK, req{method: "POST", path: f.path("/voting/close"), token: f.mod.token})

	act := h.must(http.StatusCreated, req{method: "POST", path: f.path("/actions"), token: f.bea.token,
		body: api.CreateActionRequest{Title: "Script the deploy", Assignee: f.bea.id}}).str("id")
	h.must(http.StatusOK, req{method: "POST", path: f.path("/actions/" + act + "/status"), token: f.bea.token, body: api.RetroActionStatusRequest{Status: "done"}})
	h.must(http.StatusOK, req{method: "POST", path: f.path("/roti"), token: f.bea.token, body: api.ScoreRequest{Score: 4}})
	closed := h.must(http.StatusOK, req{method: "POST", path: f.path("/close"), token: f.mod.token})

	pos := fmt.Sprint(uint64(closed.body["position"].(float64)))
	hist := h.must(http.StatusOK, req{method: "GET", path: "/v1/teams/" + f.team + "/retros?after=" + pos, token: f.bea.token})
	items := hist.body["items"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["closedAt"] == nil || items[0].(map[string]any)["cards"] != float64(2) {
		t.Errorf("team history after close = %s, want the closed retro with 2 cards", hist.raw)
	}
	if res := h.do(req{method: "POST", path: f.path("/cards"), token: f.bea.token, body: api.AddCardRequest{ColumnID: f.column, Text: "late"}}); res.status != http.StatusConflict {
		t.Errorf("a card in a closed retro = %d %s, want 409", res.status, res.raw)
	}
}

func TestAGuestJoinsWithAnInvite(t *testing.T) {
	h := newHarness(t)
	f := newRetro(t, h)
	inv := h.must(http.StatusCreated, req{method: "POST", path: f.path("/invites"), token: f.mod.token, body: api.InviteRequest{}})
	code := inv.str("code")
	if code == "" || inv.str("retroId") != f.retro {
		t.Fatalf("invite = %s", inv.raw)
	}
	if res := h.do(req{method: "POST", path: f.path("/invites"), token: f.bea.token, body: api.InviteRequest{}}); res.status != http.StatusForbidden {
		t.Errorf("a participant invites = %d, want 403", res.status)
	}
	g := h.must(http.StatusCreated, req{method: "POST", path: "/v1/invites/" + code + "/join", body: api.JoinInviteRequest{Email: "gus@example.org", Name: "Gus"}})
	if g.str("kind") != "guest" || g.str("retroId") != f.retro {
		t.Errorf("guest token = %s", g.raw)
	}
	guest := g.str("token")
	h.must(http.StatusOK, req{method: "POST", path: f.path("/join"), token: guest})
	h.must(http.StatusCreated, req{method: "POST", path: f.path("/cards"), token: guest, body: api.AddCardRequest{ColumnID: f.column, Text: "from outside"}})
	if res := h.do(req{method: "GET", path: "/v1/teams/" + f.team, token: guest}); res.status != http.StatusForbidden {
		t.Errorf("a guest reads the team = %d, want 403", res.status)
	}
	if res := h.do(req{method: "POST", path: "/v1/invites/nope/join", body: api.JoinInviteRequest{Email: "x@example.org", Name: "X"}}); res.status != http.StatusNotFound || res.str("code") != "invite-invalid" {
		t.Errorf("an unknown invite = %d %s, want 404 invite-invalid", res.status, res.raw)
	}
}

func TestACommandRetriedWithItsIdempotencyKeyActsOnce(t *testing.T) {
	h := newHarness(t)
	f := newRetro(t, h)
	rq := req{method: "POST", path: f.path("/cards"), token: f.bea.token, body: api.AddCardRequest{ColumnID: f.column, Text: "once"},
		header: map[string]string{api.IdempotencyHeader: "0190a3c4-1111-7abc-8def-0123456789ab"}}
	first := h.must(http.StatusCreated, rq)
	again := h.must(http.StatusCreated, rq)
	if first.str("id") != again.str("id") || first.body["position"] != again.body["position"] || again.body["duplicate"] != true {
		t.Errorf("retry answered %s after %s, want the same id and position, marked duplicate", again.raw, first.raw)
	}
	v := h.must(http.StatusOK, req{method: "GET", path: f.path(""), token: f.bea.token})
	n := strings.Count(string(v.raw), `"once"`)
	if n != 1 {
		t.Errorf("the card appears %d times, want once", n)
	}
	for _, key := range []string{strings.Repeat("k", 129), "has space", "tab\there", "ünïcode"} {
		rq.header[api.IdempotencyHeader] = key
		if res := h.do(rq); res.status != http.StatusBadRequest || res.problemType() != problemBase+"validation" {
			t.Errorf("Idempotency-Key %q = %d %s, want 400 validation", key, res.status, res.raw)
		}
	}
}

func TestTheLiveFeedOverServerSentEvents(t *testing.T) {
	h := newHarness(t)
	f := newRetro(t, h)

	if res := h.do(req{method: "GET", path: f.path("/live"), token: f.bea.token}); res.status != http.StatusBadRequest || res.str("code") != "live-transport-required" {
		t.Errorf("live without a transport = %d %s, want 400 live-transport-required", res.status, res.raw)
	}
	if res := h.do(req{method: "GET", path: f.path("/live?token=" + f.out.token), header: map[string]string{"Accept": "text/event-stream"}}); res.status != http.StatusNotFound || res.problemType() != problemBase+"not-found" {
		t.Errorf("an outsider follows the retro = %d %s, want 404 not-found problem, as for a missing retro", res.status, res.raw)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r, err := http.NewRequestWithContext(ctx, "GET", h.srv.URL+f.path("/live?token="+f.bea.token), nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Accept", "text/event-stream")
	res, err := h.srv.Client().Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("live over SSE = %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	msgs := make(chan map[string]any)
	go func() {
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			data, ok := strings.CutPrefix(sc.Text(), "data: ")
			if !ok {
				continue
			}
			var m map[string]any
			if json.Unmarshal([]byte(data), &m) == nil {
				select {
				case msgs <- m:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	next := func(want string) map[string]any {
		t.Helper()
		for {
			select {
			case m := <-msgs:
				if m["type"] == want {
					return m
				}
			case <-ctx.Done():
				t.Fatalf("no %s message on the live feed", want)
			}
		}
	}
	next("snapshot")
	h.must(http.StatusCreated, req{method: "POST", path: f.path("/cards"), token: f.mod.token, body: api.AddCardRequest{ColumnID: f.column, Text: "secret draft"}})
	change := next("change")
	if raw, _ := json.Marshal(change); strings.Contains(string(raw), "secret draft") {
		t.Errorf("bea's feed carries the moderator's concealed text: %s", raw)
	}
}

func TestEveryoneInARetroSeesItsParticipantsNamesAGuestsToo(t *testing.T) {
	h := newHarness(t)
	f := newRetro(t, h)
	code := h.must(http.StatusCreated, req{method: "POST", path: f.path("/invites"), token: f.mod.token, body: api.InviteRequest{}}).str("code")
	g := h.must(http.StatusCreated, req{method: "POST", path: "/v1/invites/" + code + "/join", body: api.JoinInviteRequest{Email: "gus@example.org", Name: "Gus"}})
	guest := g.str("token")
	h.must(http.StatusOK, req{method: "POST", path: f.path("/join"), token: guest})

	want := map[string]string{f.mod.id: "Mod", f.bea.id: "Bea", g.str("userId"): "Gus"}
	for who, token := range map[string]string{"moderator": f.mod.token, "member": f.bea.token, "guest": guest} {
		names := h.must(http.StatusOK, req{method: "GET", path: f.path("/names"), token: token}).body
		for id, name := range want {
			if names[id] != name {
				t.Errorf("the %s reads names %v, want %s for %s", who, names, name, id)
			}
		}
		if _, ok := names[f.out.id]; ok {
			t.Errorf("the %s reads the name of someone outside the retro: %v", who, names)
		}
	}
	if res := h.do(req{method: "GET", path: f.path("/names"), token: f.out.token}); res.status != http.StatusNotFound {
		t.Errorf("an outsider reads the retro's names = %d, want 404 as for a missing retro", res.status)
	}
}
