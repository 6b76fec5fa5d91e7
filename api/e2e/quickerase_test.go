//go:build unix

package e2e_test

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

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

// A quick retro nobody claims, run through the real binary with a short
// lifetime: what its people wrote (cards, an action, a whiteboard title)
// is nowhere in the data folder once it expired, neither in the NATS
// store's files nor in the key store (its content keys cannot be
// recovered from the folder), also after the node stopped and saved its
// read models; its guest is told it expired. A claimed one keeps its text.
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

	// Cy claims a quick retro of their own; it never expires.
	cy := newParticipant("Cy", n)
	keptRetro, _, _, _, claim := quickStart(t, cy)
	keptMarker := "kept" + marker
	cy.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/retros/" + keptRetro + "/cards",
		body: map[string]string{"columnId": "start", "text": keptMarker}})
	cy.register(t)
	cy.must(t, http.StatusOK, request{method: http.MethodPost, path: "/v1/quick-retros/claim", body: map[string]string{"claimToken": claim}})
	cy.must(t, http.StatusOK, request{method: http.MethodPost, path: "/v1/retros/" + keptRetro + "/columns/start/reveal"})

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
		"content:whiteboard:" + board, "content:wbdoc:" + board}
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
	if v := cy.must(t, http.StatusOK, request{method: http.MethodGet, path: "/v1/retros/" + keptRetro}); !strings.Contains(string(v.raw), keptMarker) {
		t.Fatalf("the claimed quick retro after the other one expired reads %s, want its card", v.raw)
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
	got, err = keys.Recover([]string{data}, subjects)
	if err != nil || len(got) != 0 {
		t.Fatalf("after the node stopped Recover opens %d of the expired quick retro's keys (%v)", len(got), err)
	}
}
