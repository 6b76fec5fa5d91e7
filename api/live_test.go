package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/hindsight-retro/hindsight/api"
)

func TestTheLiveFeedOverAWebSocketWithATokenInTheQuery(t *testing.T) {
	h := newHarness(t)
	f := newRetro(t, h)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	url := "ws" + strings.TrimPrefix(h.srv.URL, "http") + f.path("/live?token="+f.bea.token)
	ws, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		t.Fatalf("dial the live feed: %v", err)
	}
	defer ws.CloseNow()
	read := func(want string) map[string]any {
		t.Helper()
		for {
			_, data, err := ws.Read(ctx)
			if err != nil {
				t.Fatalf("waiting for %s: %v", want, err)
			}
			var m map[string]any
			if err := json.Unmarshal(data, &m); err != nil {
				t.Fatalf("a frame is not JSON: %s", data)
			}
			if m["type"] == want {
				return m
			}
		}
	}
	snap := read("snapshot")
	if view, _ := snap["view"].(map[string]any); view == nil || view["retroId"] != f.retro {
		t.Errorf("snapshot = %v, want bea's view of the retro", snap)
	}
	res := h.must(http.StatusCreated, req{method: "POST", path: f.path("/cards"), token: f.mod.token,
		body: api.AddCardRequest{ColumnID: f.column, Text: "concealed from bea"}})
	change := read("change")
	if change["position"] != res.body["position"] {
		t.Errorf("change at position %v, the command answered %v", change["position"], res.body["position"])
	}
	if raw, _ := json.Marshal(change); strings.Contains(string(raw), "concealed from bea") {
		t.Errorf("bea's feed carries the moderator's concealed card: %s", raw)
	}

	// Without a valid token the upgrade is refused with a problem.
	_, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(h.srv.URL, "http")+f.path("/live?token=forged"), nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a forged token upgrades: %v %v, want 401", err, resp)
	}
}

// An author's edit of a revealed card reaches everyone's live feed and view
// at once; once the retro is closed the card no longer changes.
func TestAnEditAfterRevealReachesTheOthersLive(t *testing.T) {
	h := newHarness(t)
	f := newRetro(t, h)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	card := h.must(http.StatusCreated, req{method: "POST", path: f.path("/cards"), token: f.bea.token,
		body: api.AddCardRequest{ColumnID: f.column, Text: "pair on the deploy"}}).str("id")
	h.must(http.StatusOK, req{method: "POST", path: f.path("/columns/" + f.column + "/reveal"), token: f.mod.token})

	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(h.srv.URL, "http")+f.path("/live?token="+f.mod.token), nil)
	if err != nil {
		t.Fatalf("dial the live feed: %v", err)
	}
	defer ws.CloseNow()
	var snap api.LiveMessage
	for snap.Type != "snapshot" {
		_, data, err := ws.Read(ctx)
		if err != nil {
			t.Fatalf("waiting for the snapshot: %v", err)
		}
		if err := json.Unmarshal(data, &snap); err != nil {
			t.Fatalf("a frame is not JSON: %s", data)
		}
	}

	res := h.must(http.StatusOK, req{method: "PATCH", path: f.path("/cards/" + card), token: f.bea.token,
		body: api.TextRequest{Text: "pair on the deploy scripts, weekly"}})
	want := uint64(res.body["position"].(float64))
	for {
		_, data, err := ws.Read(ctx)
		if err != nil {
			t.Fatalf("waiting for the edit at position %d: %v", want, err)
		}
		var m api.LiveMessage
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatalf("a frame is not JSON: %s", data)
		}
		if m.Type != "change" || m.Position < want {
			continue
		}
		if !strings.Contains(string(data), "pair on the deploy scripts, weekly") {
			t.Errorf("the moderator's feed brings the edit without its text: %s", data)
		}
		break
	}
	if c := f.card(f.mod, card); c["text"] != "pair on the deploy scripts, weekly" || c["concealed"] == true {
		t.Errorf("the moderator sees the edited card as %v, want the new text, revealed", c)
	}

	h.must(http.StatusOK, req{method: "POST", path: f.path("/close"), token: f.mod.token})
	if res := h.do(req{method: "PATCH", path: f.path("/cards/" + card), token: f.bea.token, body: api.TextRequest{Text: "too late"}}); res.status != http.StatusConflict || res.str("code") != "retro-closed" {
		t.Errorf("an edit after close = %d %s, want 409 retro-closed", res.status, res.raw)
	}
}

// The moderator hides a card: it stays on the board, shown as hidden, its
// text to its author alone; only the moderator may.
func TestTheModeratorHidesACard(t *testing.T) {
	h := newHarness(t)
	f := newRetro(t, h)
	card := h.must(http.StatusCreated, req{method: "POST", path: f.path("/cards"), token: f.bea.token,
		body: api.AddCardRequest{ColumnID: f.column, Text: "a remark to hide"}}).str("id")
	h.must(http.StatusOK, req{method: "POST", path: f.path("/columns/" + f.column + "/reveal"), token: f.mod.token})
	if res := h.do(req{method: "POST", path: f.path("/cards/" + card + "/hide"), token: f.bea.token}); res.status != http.StatusForbidden || res.str("code") != "not-moderator" {
		t.Errorf("a participant hides = %d %s, want 403 not-moderator", res.status, res.raw)
	}
	h.must(http.StatusOK, req{method: "POST", path: f.path("/cards/" + card + "/hide"), token: f.mod.token})
	if c := f.card(f.mod, card); c == nil || c["hidden"] != true || c["text"] != nil {
		t.Errorf("the moderator sees the hidden card as %v, want it hidden, without text", c)
	}
	if c := f.card(f.bea, card); c == nil || c["hidden"] != true || c["text"] != "a remark to hide" {
		t.Errorf("its author sees the hidden card as %v, want it hidden, with her text", c)
	}
	if res := h.do(req{method: "PATCH", path: f.path("/cards/" + card), token: f.bea.token, body: api.TextRequest{Text: "again"}}); res.status != http.StatusConflict || res.str("code") != "card-hidden" {
		t.Errorf("an edit of a hidden card = %d %s, want 409 card-hidden", res.status, res.raw)
	}
}
