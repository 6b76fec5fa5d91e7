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
