//go:build unix

package e2e_test

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/hindsight-retro/hindsight/app/keys"
)

// quickStart starts a quick retro on p's node as someone with only a
// name, and makes p that person.
func quickStart(t *testing.T, p *participant) (retroID, teamID, workspaceID, inviteCode, claimToken string) {
	t.Helper()
	a := p.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/quick-retros", anonymous: true,
		body: map[string]string{"name": p.name}})
	session, _ := a.body["session"].(map[string]any)
	p.token, _ = session["token"].(string)
	p.id, _ = session["userId"].(string)
	return a.str("retroId"), a.str("teamId"), a.str("workspaceId"), a.str("inviteCode"), a.str("claimToken")
}

// scheduleTitled is a weekly cadence whose next retro is not due yet.
func scheduleTitled(title string) map[string]any {
	return map[string]any{
		"cadence": map[string]any{"frequency": "weekly", "weekday": int(time.Now().Weekday()+3) % 7, "time": "10:00",
			"timeZone": "Europe/Berlin", "start": time.Now().UTC().Format(time.DateOnly), "durationMinutes": 60},
		"title": title, "templateId": "start-stop-continue", "leadTimeMinutes": 60,
	}
}

// templateNamed is a workspace's own retro template.
func templateNamed(name string) map[string]any {
	return map[string]any{"kind": "retro-template", "retroTemplate": map[string]any{"name": name,
		"columns": []map[string]any{{"id": "up", "title": "Up"}, {"id": "down", "title": "Down"}}}}
}

// quickKeptElsewhere writes text through every way an unclaimed quick
// retro refuses, because its expiry could not erase what they keep: a
// schedule, the workspace's templates (saved and imported), a calendar
// feed, a webhook, Slack, Jira, GitHub, single sign-on, a workspace of
// the starter's own.
func quickKeptElsewhere(team, ws, text string) []request {
	tm, w := "/v1/teams/"+team, "/v1/workspaces/"+ws
	return []request{
		{method: http.MethodPut, path: tm + "/schedule", body: scheduleTitled(text + "schedule")},
		{method: http.MethodPost, path: w + "/templates", body: templateNamed(text + "template")},
		{method: http.MethodPost, path: w + "/templates/import", body: map[string]any{"format": "hindsight.templates/v1",
			"templates": []any{templateNamed(text + "imported")}}},
		{method: http.MethodPost, path: tm + "/calendar-feeds", body: map[string]any{}},
		{method: http.MethodPost, path: tm + "/webhooks", body: map[string]any{"url": "https://hooks.example.com/" + text, "kinds": []string{"retro.closed"}}},
		{method: http.MethodPost, path: tm + "/webhooks", body: map[string]any{"format": "slack", "url": "https://hooks.slack.com/" + text, "kinds": []string{"retro.closed"}}},
		{method: http.MethodPost, path: tm + "/jira", body: map[string]any{"site": "https://acme.atlassian.net", "email": "ada@example.com",
			"apiToken": text + "jira", "projectKey": text + "project", "issueType": "Task"}},
		{method: http.MethodPost, path: tm + "/github", body: map[string]any{"owner": text + "owner", "repo": "ops", "token": text + "github"}},
		{method: http.MethodPut, path: w + "/sso", body: map[string]any{"issuer": "https://login.example.com", "clientId": text + "client", "clientSecret": text + "secret"}},
		{method: http.MethodPost, path: "/v1/workspaces", body: map[string]any{"name": text + "workspace"}},
	}
}

// A quick retro nobody claims, run through the real binary with a short
// lifetime: what its people wrote (cards, an action, a whiteboard title)
// is nowhere in the data folder once it expired, neither in the NATS
// store's files nor in the key store (its content keys cannot be
// recovered from the folder), also after the node stopped and saved its
// read models; its guest is told it expired. While it lived, the ways that
// would keep its text where the expiry cannot reach (a schedule, templates,
// feeds, webhooks, trackers, SSO, another workspace) refused it, and its
// share link read its cards until the expiry and answers 404 after. A
// claimed one keeps its text, on those ways too.
func TestAnExpiredQuickRetrosTextIsNowhereInTheDataFolderAndAClaimedOneKeepsIt(t *testing.T) {
	data := t.TempDir()
	const ttl = 20 * time.Second
	n := startNode(t, "node", "--data-dir", data, "--quick-retro-ttl", ttl.String())
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	marker := "qmark" + hex.EncodeToString(b)

	ada := newParticipant("Ada", n)
	started := time.Now()
	retro, team, ws, invite, _ := quickStart(t, ada)
	ben := newParticipant("Ben", n)
	ben.token = ben.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/invites/" + invite + "/join", anonymous: true,
		body: map[string]string{"email": ben.email, "name": ben.name}}).str("token")
	ben.must(t, http.StatusOK, request{method: http.MethodPost, path: "/v1/retros/" + retro + "/join"})
	benID := ben.must(t, http.StatusOK, request{method: http.MethodGet, path: "/v1/me"}).str("userId")
	ada.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/retros/" + retro + "/cards",
		body: map[string]string{"columnId": "start", "text": marker + " card by the starter"}})
	ben.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/retros/" + retro + "/cards",
		body: map[string]string{"columnId": "stop", "text": marker + " card by the guest"}})
	ada.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/retros/" + retro + "/actions",
		body: map[string]string{"title": marker + " action"}})
	board := ada.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/teams/" + team + "/whiteboards",
		body: map[string]string{"title": marker + " board"}}).str("id")
	ada.must(t, http.StatusOK, request{method: http.MethodPost, path: "/v1/retros/" + retro + "/columns/start/reveal"})
	ada.must(t, http.StatusOK, request{method: http.MethodPost, path: "/v1/retros/" + retro + "/columns/stop/reveal"})
	if v := ben.must(t, http.StatusOK, request{method: http.MethodGet, path: "/v1/retros/" + retro}); strings.Count(string(v.raw), marker) < 2 {
		t.Fatalf("while it lives the guest reads %s, want both cards", v.raw)
	}
	// What its expiry could not erase is refused while nobody claimed it,
	// so the marker sent through those ways is kept nowhere.
	for _, rq := range quickKeptElsewhere(team, ws, marker+" ") {
		if a := ada.do(t, rq); a.status != http.StatusForbidden || a.str("code") != "quick-retro-unclaimed" {
			t.Fatalf("%s %s in the unclaimed quick retro = %d %s, want 403 quick-retro-unclaimed", rq.method, rq.path, a.status, a.raw)
		}
	}
	// Its closed retro may be shared; the link reads its cards until it expires.
	ada.must(t, http.StatusOK, request{method: http.MethodPost, path: "/v1/retros/" + retro + "/close"})
	shared := "/v1/shared/" + ada.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/retros/" + retro + "/share-links",
		body: map[string]any{}}).str("token") + "/summary.md"
	if a := ada.must(t, http.StatusOK, request{method: http.MethodGet, path: shared, anonymous: true}); !strings.Contains(string(a.raw), marker+" card") {
		t.Fatalf("the quick retro's share link reads %s, want its cards", a.raw)
	}

	// Cy claims a quick retro of their own; it never expires.
	cy := newParticipant("Cy", n)
	keptRetro, keptTeam, keptWS, _, claim := quickStart(t, cy)
	keptMarker := "kept" + marker
	cy.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/retros/" + keptRetro + "/cards",
		body: map[string]string{"columnId": "start", "text": keptMarker}})
	cy.register(t)
	cy.must(t, http.StatusOK, request{method: http.MethodPost, path: "/v1/quick-retros/claim", body: map[string]string{"claimToken": claim}})
	cy.must(t, http.StatusOK, request{method: http.MethodPost, path: "/v1/retros/" + keptRetro + "/columns/start/reveal"})
	// Once claimed, the same ways are open and keep what is written (no
	// space after the kept marker: the search for the expired one's text
	// below looks for its marker and a space).
	keptSchedule, keptTemplate := keptMarker+"-schedule", keptMarker+"-template"
	cy.must(t, http.StatusOK, request{method: http.MethodPut, path: "/v1/teams/" + keptTeam + "/schedule", body: scheduleTitled(keptSchedule)})
	cy.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/workspaces/" + keptWS + "/templates", body: templateNamed(keptTemplate)})
	cy.must(t, http.StatusOK, request{method: http.MethodPost, path: "/v1/retros/" + keptRetro + "/close"})
	keptShared := "/v1/shared/" + cy.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/retros/" + keptRetro + "/share-links",
		body: map[string]any{}}).str("token") + "/summary.md"

	// A plain retro's card is stored as written: the search of the folder
	// below finds text when it is there.
	mo := newParticipant("Mo", n)
	mo.register(t)
	plainWS := mo.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/workspaces", body: map[string]string{"name": "Acme"}}).str("id")
	plainTeam := mo.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/workspaces/" + plainWS + "/teams",
		body: map[string]string{"name": "Platform", "templateId": "scrum-team"}}).str("id")
	plainRetro := mo.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/teams/" + plainTeam + "/retros",
		body: map[string]string{"title": "Sprint 42"}}).str("id")
	plainMarker := "plain" + marker
	mo.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/retros/" + plainRetro + "/cards",
		body: map[string]string{"columnId": "start", "text": plainMarker}})
	waitFor(t, "the plain card in the data folder", func() bool { return anyFileHolds(t, data, []byte(plainMarker)) })

	// While it lives, its content keys are in the folder for whoever
	// holds it (Recover opens them): the check after the expiry could
	// fail.
	subjects := []string{"content:retro:" + retro, "content:team:" + team, "content:workspace:" + ws,
		"content:whiteboard:" + board, "content:wbdoc:" + board,
		"user:" + benID} // the guest its invite made: his name goes with it
	got, err := keys.Recover([]string{data}, subjects)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range subjects {
		if got[s] == nil {
			t.Fatalf("while the quick retro lives, the key of %s is not recovered from the folder: the check below proves nothing", s)
		}
	}
	if time.Since(started) >= ttl {
		t.Fatalf("writing took %v, longer than the quick retro's lifetime %v: nothing above ran while it lived", time.Since(started), ttl)
	}

	// At its end the guest, whose session still runs, is told it expired.
	deadline := time.Now().Add(ttl + startBound)
	for {
		a := ben.do(t, request{method: http.MethodGet, path: "/v1/retros/" + retro})
		if a.status == http.StatusNotFound && a.str("code") == "quick-retro-expired" {
			if !strings.Contains(a.header.Get("Content-Type"), "application/problem+json") {
				t.Fatalf("the expired retro's answer is %s, not problem+json", a.header.Get("Content-Type"))
			}
			break
		}
		if a.status != http.StatusOK {
			t.Fatalf("the guest reading the quick retro = %d %s, want 200 until it expires and then 404 quick-retro-expired", a.status, a.raw)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%v after its start the quick retro still answers %d %s", time.Since(started), a.status, a.raw)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if a := ben.do(t, request{method: http.MethodGet, path: "/v1/me"}); a.status < 400 || strings.Contains(string(a.raw), ben.email) {
		t.Fatalf("the expired quick retro's guest asking who he is = %d %s, want refused: his identity is erased with it", a.status, a.raw)
	}
	if v := cy.must(t, http.StatusOK, request{method: http.MethodGet, path: "/v1/retros/" + keptRetro}); !strings.Contains(string(v.raw), keptMarker) {
		t.Fatalf("the claimed quick retro after the other one expired reads %s, want its card", v.raw)
	}
	if a := ada.do(t, request{method: http.MethodGet, path: shared, anonymous: true}); a.status != http.StatusNotFound || strings.Contains(string(a.raw), marker) {
		t.Fatalf("the expired quick retro's share link = %d %s, want 404", a.status, a.raw)
	}
	if a := cy.must(t, http.StatusOK, request{method: http.MethodGet, path: keptShared, anonymous: true}); !strings.Contains(string(a.raw), keptMarker) {
		t.Fatalf("the claimed quick retro's share link reads %s, want its card", a.raw)
	}
	keptKeys, err := keys.Recover([]string{data}, []string{"content:retro:" + keptRetro})
	if err != nil || keptKeys["content:retro:"+keptRetro] == nil {
		t.Fatalf("the claimed quick retro's content key is gone (%v): its texts would be unreadable", err)
	}

	// Its keys are beyond reach of the folder (the server deletes the old
	// key-encryption key's files just after the destroy answers), and no
	// file holds what was written, also once the node stopped and saved
	// its read models.
	waitFor(t, "the content keys beyond reach of the folder", func() bool {
		got, err := keys.Recover([]string{data}, subjects)
		if err != nil {
			t.Fatal(err)
		}
		return len(got) == 0
	})
	n.stop(t)
	if anyFileHolds(t, data, []byte(marker+" ")) {
		t.Fatal("after the expiry a file in the data folder holds the quick retro's text")
	}
	if !anyFileHolds(t, data, []byte(plainMarker)) {
		t.Fatal("the plain retro's card is not found in the data folder: the search proves nothing")
	}
	for _, kept := range []string{keptSchedule, keptTemplate} {
		if !anyFileHolds(t, data, []byte(kept)) {
			t.Errorf("the claimed quick retro's %q is not in the data folder", kept)
		}
	}
	got, err = keys.Recover([]string{data}, subjects)
	if err != nil || len(got) != 0 {
		t.Fatalf("after the node stopped Recover opens %d of the expired quick retro's keys (%v)", len(got), err)
	}
}

// ended waits until the feed ended and answers its last message.
func (f *feed) ended(t *testing.T, within time.Duration) (message, error) {
	t.Helper()
	deadline := time.After(within)
	for {
		f.mu.Lock()
		err, ch := f.err, f.changed
		var last message
		if len(f.msgs) > 0 {
			last = f.msgs[len(f.msgs)-1]
		}
		f.mu.Unlock()
		if err != nil {
			return last, err
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("%s is still open after %v", f.label(), within)
		}
	}
}

// A quick retro that expires while people follow it live and sync its
// whiteboard: its guest's WebSocket feed and its starter's SSE feed are
// told it expired (a revoked message with code quick-retro-expired, the
// WebSocket closed 1008 with that reason) and end, and the stock
// automerge-repo client syncing its board is sent the same reason and cut;
// a claimed quick retro's feed on the same node goes on.
func TestAnExpiredQuickRetrosOpenFeedsAndWhiteboardConnectionAreCutWithAReason(t *testing.T) {
	const ttl = 25 * time.Second
	n := startNode(t, "node", "--quick-retro-ttl", ttl.String())
	js := startJS(t)
	// The claimed one first: an account's sign-up is slow on a busy
	// machine, and the other's lifetime starts below.
	cy := newParticipant("Cy", n)
	kept, _, _, _, claim := quickStart(t, cy)
	cy.register(t)
	cy.must(t, http.StatusOK, request{method: http.MethodPost, path: "/v1/quick-retros/claim", body: map[string]string{"claimToken": claim}})
	cyFeed := cy.openWS(t, n, kept)

	started := time.Now()
	ada := newParticipant("Ada", n)
	retro, team, _, invite, _ := quickStart(t, ada)
	ben := newParticipant("Ben", n)
	ben.token = ben.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/invites/" + invite + "/join", anonymous: true,
		body: map[string]string{"email": ben.email, "name": ben.name}}).str("token")
	joined := ben.must(t, http.StatusOK, request{method: http.MethodPost, path: "/v1/retros/" + retro + "/join"}).position()
	benFeed, adaFeed := ben.openWS(t, n, retro), ada.openSSE(t, n, retro)
	benFeed.waitFor(t, joined)
	adaFeed.waitFor(t, joined)
	board := ada.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/teams/" + team + "/whiteboards",
		body: map[string]string{"title": "Quick board"}}).str("id")
	js.do(map[string]any{"op": "open", "client": ada.name, "url": syncURL(n, ada.token)})
	if got := js.do(map[string]any{"op": "find", "client": ada.name, "url": "automerge:" + board}); got["doc"] == nil {
		t.Fatalf("the quick retro's starter does not get the board: %v", got)
	}

	if time.Since(started) >= ttl {
		t.Fatalf("opening took %v, longer than the quick retro's lifetime %v: nothing was open while it lived", time.Since(started), ttl)
	}

	within := time.Until(started.Add(ttl + startBound))
	last, err := benFeed.ended(t, within)
	if websocket.CloseStatus(err) != websocket.StatusPolicyViolation || !strings.Contains(err.Error(), "quick-retro-expired") {
		t.Fatalf("the guest's feed ended with %v, want close 1008 saying quick-retro-expired", err)
	}
	if last.Type != "revoked" || last.Code != "quick-retro-expired" || last.Detail == "" {
		t.Fatalf("the guest's last message is %+v, want revoked with code quick-retro-expired and words for a person", last)
	}
	if last, _ := adaFeed.ended(t, feedWait); last.Type != "revoked" || last.Code != "quick-retro-expired" {
		t.Fatalf("the starter's SSE feed's last message is %+v, want revoked with code quick-retro-expired", last)
	}
	errs := js.do(map[string]any{"op": "errors", "client": ada.name, "count": 1, "timeoutMs": feedWait.Milliseconds()})
	if list, _ := errs["errors"].([]any); len(list) == 0 || !strings.Contains(fmt.Sprint(list...), "quick-retro-expired") {
		t.Fatalf("the whiteboard client was told %v, want the quick retro's expiry", errs["errors"])
	}
	// A new feed is refused as before; the claimed one goes on.
	if a := ben.do(t, request{method: http.MethodGet, path: "/v1/retros/" + retro}); a.status != http.StatusNotFound || a.str("code") != "quick-retro-expired" {
		t.Fatalf("the guest reading the retro after the expiry = %d %s", a.status, a.raw)
	}
	after := cy.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/retros/" + kept + "/cards",
		body: map[string]string{"columnId": "start", "text": "still here"}}).position()
	cyFeed.waitFor(t, after)
}
