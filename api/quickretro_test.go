package api_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/api"
	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/app/keys"
)

type quickRetro struct {
	retroID, teamID, workspaceID, inviteCode, claimToken, token, userID string
}

func (h *harness) startQuickRetro(name string) quickRetro {
	h.t.Helper()
	res := h.must(http.StatusCreated, req{method: "POST", path: "/v1/quick-retros", body: api.QuickRetroRequest{Name: name}})
	session, _ := res.body["session"].(map[string]any)
	q := quickRetro{retroID: res.str("retroId"), teamID: res.str("teamId"), workspaceID: res.str("workspaceId"),
		inviteCode: res.str("inviteCode"), claimToken: res.str("claimToken")}
	q.token, _ = session["token"].(string)
	q.userID, _ = session["userId"].(string)
	if q.retroID == "" || q.inviteCode == "" || q.claimToken == "" || q.token == "" || res.str("joinPath") != "/join/"+q.inviteCode {
		h.t.Fatalf("quick retro = %s: want a retro, an invite, a claim token and a session", res.raw)
	}
	return q
}

func TestAQuickRetroStartsWithOnlyANameAndASecondPersonJoinsByItsInvite(t *testing.T) {
	h := newHarness(t)
	q := h.startQuickRetro("Ada")

	me := h.must(http.StatusOK, req{method: "GET", path: "/v1/me", token: q.token})
	if me.str("name") != "Ada" || me.str("email") != "" {
		t.Fatalf("the quick retro's starter is %s, want Ada without an address", me.raw)
	}
	view := h.must(http.StatusOK, req{method: "GET", path: "/v1/retros/" + q.retroID, token: q.token})
	if view.str("moderator") != q.userID {
		t.Fatalf("the quick retro's moderator is %q, want its starter %q", view.str("moderator"), q.userID)
	}
	h.must(http.StatusCreated, req{method: "POST", path: "/v1/retros/" + q.retroID + "/cards", token: q.token,
		body: map[string]string{"columnId": "start", "text": "Pairing"}})

	ben := h.must(http.StatusCreated, req{method: "POST", path: "/v1/invites/" + q.inviteCode + "/join",
		body: api.JoinInviteRequest{Email: "ben@example.com", Name: "Ben"}})
	h.must(http.StatusOK, req{method: "POST", path: "/v1/retros/" + q.retroID + "/join", token: ben.str("token")})
	h.must(http.StatusCreated, req{method: "POST", path: "/v1/retros/" + q.retroID + "/cards", token: ben.str("token"),
		body: map[string]string{"columnId": "stop", "text": "Long meetings"}})
	names := h.must(http.StatusOK, req{method: "GET", path: "/v1/retros/" + q.retroID + "/names", token: ben.str("token")})
	if !strings.Contains(string(names.raw), `"Ada"`) || !strings.Contains(string(names.raw), `"Ben"`) {
		t.Fatalf("names in the quick retro = %s, want Ada and Ben", names.raw)
	}
	// Nobody else is in its throwaway workspace.
	if ws := h.must(http.StatusOK, req{method: "GET", path: "/v1/me/workspaces", token: q.token}); !strings.Contains(string(ws.raw), q.workspaceID) {
		t.Fatalf("the starter's workspaces = %s, want the quick retro's", ws.raw)
	}
}

func TestAQuickRetroIsClaimedIntoTheAccountItsStarterSignsUpWith(t *testing.T) {
	h := newHarness(t)
	q := h.startQuickRetro("Ada")

	// The starter's own quick session cannot claim it: claiming needs an account.
	if res := h.do(req{method: "POST", path: "/v1/quick-retros/claim", token: q.token, body: api.ClaimQuickRetroRequest{ClaimToken: q.claimToken}}); res.status != http.StatusForbidden {
		t.Fatalf("claim by the quick session = %d %s, want 403", res.status, res.raw)
	}
	ada := h.user("Ada") // signs up and logs in
	if res := h.do(req{method: "POST", path: "/v1/quick-retros/claim", token: ada.token,
		body: api.ClaimQuickRetroRequest{ClaimToken: q.claimToken[:len(q.claimToken)-2] + "xx"}}); res.status != http.StatusNotFound || res.str("code") != app.CodeQuickRetroUnknown {
		t.Fatalf("a forged claim token = %d %s, want 404 %s", res.status, res.raw, app.CodeQuickRetroUnknown)
	}
	claimed := h.must(http.StatusOK, req{method: "POST", path: "/v1/quick-retros/claim", token: ada.token,
		body: api.ClaimQuickRetroRequest{ClaimToken: q.claimToken}})
	if claimed.str("retroId") != q.retroID || claimed.str("teamId") != q.teamID {
		t.Fatalf("claim = %s", claimed.raw)
	}
	if teams := h.must(http.StatusOK, req{method: "GET", path: "/v1/me/teams", token: ada.token}); !strings.Contains(string(teams.raw), q.teamID) {
		t.Fatalf("Ada's teams after the claim = %s, want the quick retro's team", teams.raw)
	}
	if view := h.must(http.StatusOK, req{method: "GET", path: "/v1/retros/" + q.retroID, token: ada.token}); view.str("moderator") != ada.id {
		t.Fatalf("after the claim the moderator is %q, want Ada's account %q", view.str("moderator"), ada.id)
	}
	// Someone else cannot take it any more.
	ben := h.user("Ben")
	if res := h.do(req{method: "POST", path: "/v1/quick-retros/claim", token: ben.token, body: api.ClaimQuickRetroRequest{ClaimToken: q.claimToken}}); res.status != http.StatusConflict || res.str("code") != app.CodeQuickRetroClaimed {
		t.Fatalf("a second claim = %d %s, want 409 %s", res.status, res.raw, app.CodeQuickRetroClaimed)
	}
}

func TestAnUnclaimedQuickRetroIsErasedWhenItExpiresAndAClaimedOneIsKept(t *testing.T) {
	clock := &testClock{t: time.Now()}
	h := newHarnessOf(t, func(d *app.Deps) { d.Clock = clock.now })
	ctx := context.Background()
	lost := h.startQuickRetro("Ada")
	kept := h.startQuickRetro("Cy")
	cy := h.user("Cy")
	h.must(http.StatusOK, req{method: "POST", path: "/v1/quick-retros/claim", token: cy.token, body: api.ClaimQuickRetroRequest{ClaimToken: kept.claimToken}})

	clock.advance(app.QuickRetroTTL - time.Minute)
	if n, err := h.app.ExpireQuickRetros(ctx); err != nil || n != 0 {
		t.Fatalf("a sweep before the expiry erased %d (%v), want 0", n, err)
	}
	clock.advance(2 * time.Minute)
	// A node that starts afresh on the same log and keys finds it: the
	// expiry is in the log, not in the memory of the node that started it.
	restarted := app.New(app.Deps{Store: h.store, Keys: h.keys, Identity: h.ident, Catalog: h.cat, Clock: clock.now})
	if n, err := restarted.ExpireQuickRetros(ctx); err != nil || n != 1 {
		t.Fatalf("the sweep after the expiry erased %d (%v), want 1", n, err)
	}
	for _, subject := range []string{"user:" + lost.userID, "retro:" + lost.retroID} {
		if _, err := h.keys.Get(ctx, subject); !errors.Is(err, keys.ErrDestroyed) {
			t.Errorf("key %s after the expiry: %v, want destroyed", subject, err)
		}
	}
	if _, err := h.ident.Profile(ctx, lost.userID); err == nil {
		t.Error("the expired quick retro's starter still has a readable profile")
	}
	if res := h.do(req{method: "POST", path: "/v1/quick-retros/claim", token: cy.token, body: api.ClaimQuickRetroRequest{ClaimToken: lost.claimToken}}); res.status != http.StatusNotFound || res.str("code") != app.CodeQuickRetroExpired {
		t.Fatalf("claiming an expired quick retro = %d %s, want 404 %s", res.status, res.raw, app.CodeQuickRetroExpired)
	}
	if _, err := h.keys.Get(ctx, "user:"+kept.userID); err != nil {
		t.Errorf("the claimed quick retro's starter lost their key: %v", err)
	}
	if n, err := h.app.ExpireQuickRetros(ctx); err != nil || n != 0 {
		t.Fatalf("a second sweep erased %d (%v), want 0", n, err)
	}
}

func TestQuickRetrosAreLimitedPerClientAddressPerHour(t *testing.T) {
	h := newHarness(t, func(d *api.Deps) { d.QuickRetrosPerHour = 2 })
	h.startQuickRetro("Ada")
	h.startQuickRetro("Ada")
	res := h.do(req{method: "POST", path: "/v1/quick-retros", body: api.QuickRetroRequest{Name: "Ada"}})
	if res.status != http.StatusTooManyRequests || res.problemType() == "" || res.str("code") != "quick-retro-limit" || res.header.Get("Retry-After") == "" {
		t.Fatalf("third quick retro in an hour = %d %s (Retry-After %q), want 429 problem quick-retro-limit", res.status, res.raw, res.header.Get("Retry-After"))
	}
	// A signed-up person still logs in and works: the limit is on quick retros.
	ada := h.user("Ada")
	h.must(http.StatusCreated, req{method: "POST", path: "/v1/workspaces", token: ada.token, body: api.NameRequest{Name: "Acme"}})
}
