//go:build unix

package e2e_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// A member removed from the team through the API while following a retro
// live is cut off (WebSocket 1008) and receives nothing committed after the
// removal, while another member's feed goes on.
func TestAMemberRemovedFromTheTeamLosesTheLiveFeed(t *testing.T) {
	n := singleNode(t)[0]
	mo, ann, bob := newParticipant("Mo", n), newParticipant("Ann", n), newParticipant("Bob", n)
	for _, p := range []*participant{mo, ann, bob} {
		p.register(t)
	}
	ws := mo.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/workspaces", body: map[string]string{"name": "Acme"}}).str("id")
	team := mo.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/workspaces/" + ws + "/teams",
		body: map[string]string{"name": "Platform", "templateId": "scrum-team"}}).str("id")
	for _, p := range []*participant{ann, bob} {
		mo.must(t, http.StatusOK, request{method: http.MethodPost, path: "/v1/teams/" + team + "/members", body: map[string]string{"userId": p.id}})
	}
	retroID := mo.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/teams/" + team + "/retros",
		body: map[string]any{"title": "Sprint 8"}}).str("id")
	annFeed, bobFeed := ann.openWS(t, n, retroID), bob.openWS(t, n, retroID)
	joined := bob.must(t, http.StatusOK, request{method: http.MethodPost, path: "/v1/retros/" + retroID + "/join"}).position()
	annFeed.waitFor(t, joined)
	bobFeed.waitFor(t, joined)

	if a := mo.do(t, request{method: http.MethodDelete, path: "/v1/teams/" + team + "/members/" + ann.id}); a.status/100 != 2 {
		t.Fatalf("remove Ann: %d %s", a.status, a.raw)
	}
	after := mo.must(t, http.StatusOK, request{method: http.MethodPost, path: "/v1/retros/" + retroID + "/steps/collect/go"}).position()
	bobFeed.waitFor(t, after)

	deadline := time.After(feedWait)
	for {
		annFeed.mu.Lock()
		err, ch := annFeed.err, annFeed.changed
		annFeed.mu.Unlock()
		if err != nil {
			if got := websocket.CloseStatus(err); got != websocket.StatusPolicyViolation {
				t.Fatalf("Ann's feed ended with %v, want close 1008", err)
			}
			break
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatal("Ann's feed stayed open after she was removed from the team")
		}
	}
	if got := annFeed.position(); got >= after {
		t.Fatalf("Ann's feed delivered position %d, committed after her removal", got)
	}
}
