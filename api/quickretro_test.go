package api_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/hindsight-retro/hindsight/api"
	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/app/keys"
	"github.com/hindsight-retro/hindsight/app/sealedlog"
	"github.com/hindsight-retro/hindsight/eventstore"
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

	clock.advance(app.DefaultQuickRetroTTL - time.Minute)
	if n, err := h.app.ExpireQuickRetros(ctx); err != nil || n != 0 {
		t.Fatalf("a sweep before the expiry erased %d (%v), want 0", n, err)
	}
	clock.advance(2 * time.Minute)
	// A node that starts afresh on the same log and keys finds it: the
	// expiry is in the log, not in the memory of the node that started it.
	restarted := app.New(app.Deps{Store: h.sealed, Keys: h.keys, Identity: h.ident, Catalog: h.cat, Clock: clock.now})
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

// quickTexts writes a card and an action into quick retro q as its
// moderator (token), reveals the card and closes the retro; it answers the
// close's log position.
func (h *harness) quickTexts(q quickRetro, token, card, action string) uint64 {
	h.t.Helper()
	base := "/v1/retros/" + q.retroID
	h.must(http.StatusCreated, req{method: "POST", path: base + "/cards", token: token, body: map[string]string{"columnId": "start", "text": card}})
	h.must(http.StatusOK, req{method: "POST", path: base + "/columns/start/reveal", token: token})
	h.must(http.StatusCreated, req{method: "POST", path: base + "/actions", token: token, body: api.CreateActionRequest{Title: action}})
	if view := h.must(http.StatusOK, req{method: "GET", path: base, token: token}); !strings.Contains(string(view.raw), card) || !strings.Contains(string(view.raw), action) {
		h.t.Fatalf("the quick retro's view = %s, want the card %q and the action %q", view.raw, card, action)
	}
	if at := h.must(http.StatusOK, req{method: "GET", path: base + "/at?time=" + time.Now().UTC().Add(time.Hour).Format(time.RFC3339Nano), token: token}); !strings.Contains(string(at.raw), card) {
		h.t.Fatalf("the quick retro travelled in time = %s, want the card %q", at.raw, card)
	}
	closed := h.must(http.StatusOK, req{method: "POST", path: base + "/close", token: token})
	pos, _ := closed.body["position"].(float64)
	return uint64(pos)
}

// logHolds reports whether any stored event's bytes hold text.
func logHolds(t *testing.T, s eventstore.Store, text string) bool {
	t.Helper()
	found := false
	err := s.ReadAll(context.Background(), 0, func(_ context.Context, e eventstore.RecordedEvent) error {
		found = found || bytes.Contains(e.Payload, []byte(text))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

func TestAQuickRetrosTextsAreSealedInTheLogReadWhileItLivesAndGoneWhenItExpires(t *testing.T) {
	clock := &testClock{t: time.Now()}
	snapshots := t.TempDir()
	h := newHarnessOf(t, func(d *app.Deps) { d.Clock = clock.now; d.ReadModels.SnapshotDir = snapshots })
	ctx := context.Background()
	lost := h.startQuickRetro("Ada")
	kept := h.startQuickRetro("Cy")
	cy := h.user("Cy")
	h.must(http.StatusOK, req{method: "POST", path: "/v1/quick-retros/claim", token: cy.token, body: api.ClaimQuickRetroRequest{ClaimToken: kept.claimToken}})
	// A guest joins the one that will expire and writes too; its starter
	// makes a whiteboard and a survey in its team.
	ben := h.must(http.StatusCreated, req{method: "POST", path: "/v1/invites/" + lost.inviteCode + "/join",
		body: api.JoinInviteRequest{Email: "ben@example.com", Name: "Ben"}}).str("token")
	h.must(http.StatusOK, req{method: "POST", path: "/v1/retros/" + lost.retroID + "/join", token: ben})
	h.must(http.StatusCreated, req{method: "POST", path: "/v1/retros/" + lost.retroID + "/cards", token: ben,
		body: map[string]string{"columnId": "stop", "text": "Lost guest card: long meetings"}})
	board := h.must(http.StatusCreated, req{method: "POST", path: "/v1/teams/" + lost.teamID + "/whiteboards", token: lost.token,
		body: api.CreateWhiteboardRequest{Title: "Lost board title"}}).str("id")
	sv := h.must(http.StatusCreated, req{method: "POST", path: "/v1/surveys", token: lost.token, body: app.CreateSurveyInput{
		TeamIDs: []string{lost.teamID}, Title: "Lost survey title", QuestionIDs: []string{h.cat.HealthPacks[0].Questions[0].ID},
		ClosesAt: clock.now().Add(48 * time.Hour)}}).str("id")
	h.quickTexts(lost, lost.token, "Lost card: the deploy script", "Lost action: pin the base image")
	keptAt := h.quickTexts(kept, cy.token, "Kept card: pairing works", "Kept action: rotate the on-call")

	// A plain retro's card is in the log as written: the search below can find one.
	_, tm := h.team(cy)
	plain := h.must(http.StatusCreated, req{method: "POST", path: "/v1/teams/" + tm + "/retros", token: cy.token, body: api.CreateRetroRequest{Title: "Plain"}}).str("id")
	h.must(http.StatusCreated, req{method: "POST", path: "/v1/retros/" + plain + "/cards", token: cy.token, body: map[string]string{"columnId": "start", "text": "Plain card in clear"}})
	if !logHolds(t, h.store, "Plain card in clear") {
		t.Fatal("a plain retro's card is not in the log's bytes: the search finds nothing")
	}
	for _, text := range []string{"Lost card", "Lost guest card", "Lost action", "Lost board title", "Lost survey title", "Kept card", "Kept action"} {
		if logHolds(t, h.store, text) {
			t.Errorf("%q is in the log's bytes in clear", text)
		}
	}
	// While the key lives, every way out reads the texts: the summary and
	// the team's action tracker (a read model) too.
	md := h.must(http.StatusOK, req{method: "GET", path: "/v1/retros/" + kept.retroID + "/summary.md", token: cy.token})
	if !strings.Contains(string(md.raw), "Kept card: pairing works") || !strings.Contains(string(md.raw), "Kept action: rotate the on-call") {
		t.Fatalf("the claimed quick retro's summary = %s, want its card and action", md.raw)
	}
	tracker := h.must(http.StatusOK, req{method: "GET", path: fmt.Sprintf("/v1/teams/%s/action-tracker?after=%d", kept.teamID, keptAt), token: cy.token})
	if !strings.Contains(string(tracker.raw), "Kept action: rotate the on-call") {
		t.Fatalf("the claimed quick retro's team's action tracker = %s, want its action", tracker.raw)
	}

	clock.advance(app.DefaultQuickRetroTTL + time.Minute)
	if n, err := h.app.ExpireQuickRetros(ctx); err != nil || n != 1 {
		t.Fatalf("the sweep after the expiry erased %d (%v), want 1", n, err)
	}
	for _, s := range []eventstore.StreamID{{Category: "retro", ID: lost.retroID}, {Category: "team", ID: lost.teamID}, {Category: "workspace", ID: lost.workspaceID},
		{Category: "whiteboard", ID: board}, {Category: "wbdoc", ID: board}, {Category: "survey", ID: sv}} {
		if _, err := h.keys.Get(ctx, sealedlog.Subject(s)); !errors.Is(err, keys.ErrDestroyed) {
			t.Errorf("the content key of %s after the expiry: %v, want destroyed", s, err)
		}
	}
	// Read as the server reads it, the erased texts are empty and the
	// events still there; the claimed one's texts are whole.
	for _, text := range []string{"Lost card", "Lost guest card", "Lost action", "Lost board title", "Lost survey title"} {
		if logHolds(t, h.sealed, text) {
			t.Errorf("the server still reads the expired quick retro's %q", text)
		}
	}
	// The guest's session still runs: they are told the retro expired and
	// was erased, on every way in.
	for _, path := range []string{"/v1/retros/" + lost.retroID, "/v1/retros/" + lost.retroID + "/summary.md", "/v1/retros/" + lost.retroID + "/names"} {
		if res := h.do(req{method: "GET", path: path, token: ben}); res.status != http.StatusNotFound || res.str("code") != app.CodeQuickRetroExpired {
			t.Errorf("GET %s by its guest after the expiry = %d %s, want 404 %s", path, res.status, res.raw, app.CodeQuickRetroExpired)
		}
	}
	wsCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	feed, resp, err := websocket.Dial(wsCtx, "ws"+strings.TrimPrefix(h.srv.URL, "http")+"/v1/retros/"+lost.retroID+"/live?token="+ben, nil)
	if err == nil {
		_ = feed.CloseNow()
	}
	if err == nil || resp == nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("the guest's live feed of the expired retro: %v %v, want 404", err, resp)
	}
	if res := h.do(req{method: "POST", path: "/v1/retros/" + lost.retroID + "/cards", token: ben,
		body: map[string]string{"columnId": "stop", "text": "after the end"}}); res.status != http.StatusNotFound || res.str("code") != app.CodeQuickRetroExpired {
		t.Errorf("a card written after the expiry = %d %s, want 404 %s", res.status, res.raw, app.CodeQuickRetroExpired)
	}
	evs, err := h.sealed.Load(ctx, eventstore.StreamID{Category: "retro", ID: lost.retroID}, 0)
	if err != nil {
		t.Fatal(err)
	}
	cards := 0
	for _, e := range evs {
		if e.Type == "CardAdded" {
			cards++
			if !strings.Contains(string(e.Payload), `"text":""`) {
				t.Errorf("the erased card reads %s, want an empty text", e.Payload)
			}
		}
	}
	if cards != 2 {
		t.Errorf("the erased retro holds %d cards, want its two cards' events kept", cards)
	}
	if !logHolds(t, h.sealed, "Kept card: pairing works") {
		t.Error("the claimed quick retro's card is unreadable after the other one expired")
	}
	md = h.must(http.StatusOK, req{method: "GET", path: "/v1/retros/" + kept.retroID + "/summary.md", token: cy.token})
	if !strings.Contains(string(md.raw), "Kept card: pairing works") {
		t.Fatalf("the claimed quick retro's summary after the sweep = %s, want its card", md.raw)
	}
	// The read models that keep texts were folded again: their snapshots
	// hold the claimed retro's action and not the erased one's.
	if err := h.app.CloseReadModels(); err != nil {
		t.Fatal(err)
	}
	var all []byte
	_ = filepath.WalkDir(snapshots, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(path)
			all = append(all, b...)
		}
		return nil
	})
	if !bytes.Contains(all, []byte("Kept action: rotate the on-call")) {
		t.Fatalf("the read models' snapshots (%d bytes) miss the claimed retro's action: the search finds nothing", len(all))
	}
	if bytes.Contains(all, []byte("Lost action")) || bytes.Contains(all, []byte("Lost card")) {
		t.Error("a read model's snapshot keeps the expired quick retro's text")
	}
}

func TestAnExpiredQuickRetroErasesTheGuestsItsInviteMadeAndKeepsEveryoneElse(t *testing.T) {
	for _, tc := range []struct {
		name      string
		join      identity.GuestJoin
		wantGuest bool // whether the guest's identity outlives the quick retro
	}{
		{"each join a guest of its own", identity.GuestJoinFresh, false},
		{"guests by address, who may be in other retros", identity.GuestJoinByAddress, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := &testClock{t: time.Now()}
			h := newHarnessWith(t, func(d *identity.Deps) { d.GuestJoin = tc.join }, func(d *app.Deps) { d.Clock = clock.now })
			ctx := context.Background()
			lost := h.startQuickRetro("Ada")
			kept := h.startQuickRetro("Cy")
			cy := h.user("Cy")
			h.must(http.StatusOK, req{method: "POST", path: "/v1/quick-retros/claim", token: cy.token, body: api.ClaimQuickRetroRequest{ClaimToken: kept.claimToken}})

			join := func(q quickRetro, email, name string) (string, string) {
				t.Helper()
				res := h.must(http.StatusCreated, req{method: "POST", path: "/v1/invites/" + q.inviteCode + "/join",
					body: api.JoinInviteRequest{Email: email, Name: name}})
				h.must(http.StatusOK, req{method: "POST", path: "/v1/retros/" + q.retroID + "/join", token: res.str("token")})
				me := h.must(http.StatusOK, req{method: "GET", path: "/v1/me", token: res.str("token")})
				return me.str("userId"), res.str("token")
			}
			ben, benToken := join(lost, "ben@example.com", "Ben Quickjoin")
			dee, _ := join(kept, "dee@example.com", "Dee Claimedjoin")

			clock.advance(app.DefaultQuickRetroTTL + time.Minute)
			if n, err := h.app.ExpireQuickRetros(ctx); err != nil || n != 1 {
				t.Fatalf("the sweep after the expiry erased %d (%v), want 1", n, err)
			}
			_, err := h.ident.Profile(ctx, ben)
			if gone := err != nil; gone == tc.wantGuest {
				t.Errorf("the expired quick retro's guest Ben: profile error %v, want kept %v", err, tc.wantGuest)
			}
			if !tc.wantGuest {
				if _, err := h.keys.Get(ctx, "user:"+ben); !errors.Is(err, keys.ErrDestroyed) {
					t.Errorf("Ben's key after the expiry: %v, want destroyed", err)
				}
				if res := h.do(req{method: "GET", path: "/v1/me", token: benToken}); res.status != http.StatusNotFound || res.str("code") != "erased" || strings.Contains(string(res.raw), "Quickjoin") {
					t.Errorf("Ben's session after the expiry: GET /v1/me = %d %s, want 404 erased, without his name", res.status, res.raw)
				}
			}
			if p, err := h.ident.Profile(ctx, dee); err != nil || p.Name != "Dee Claimedjoin" {
				t.Errorf("the claimed quick retro's guest Dee = %+v, %v: want kept", p, err)
			}
			// A second sweep, on this node or another, erases nothing more and fails on nothing.
			if n, err := h.app.ExpireQuickRetros(ctx); err != nil || n != 0 {
				t.Fatalf("a second sweep erased %d (%v), want 0", n, err)
			}
		})
	}
}
