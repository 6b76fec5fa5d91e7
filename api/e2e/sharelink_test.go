//go:build unix

package e2e_test

import (
	"net/http"
	"strings"
	"testing"
)

// A share link revoked on one node is closed on the other at once: the
// revocation is an event in the log both read, not a node's memory.
func TestARevokedShareLinkIsClosedOnEveryNodeAtOnce(t *testing.T) {
	nodes := twoNodes(t)
	mo := newParticipant("Mo", nodes[0])
	mo.register(t)
	ws := mo.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/workspaces", body: map[string]string{"name": "Acme"}}).str("id")
	team := mo.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/workspaces/" + ws + "/teams",
		body: map[string]string{"name": "Platform", "templateId": "scrum-team"}}).str("id")
	retro := mo.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/teams/" + team + "/retros",
		body: map[string]any{"title": "Sprint 9"}}).str("id")
	mo.must(t, http.StatusOK, request{method: http.MethodPost, path: "/v1/retros/" + retro + "/close"})

	link := mo.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/retros/" + retro + "/share-links", body: map[string]any{}})
	paths, _ := link.body["paths"].(map[string]any)
	md, _ := paths["md"].(string)
	if md == "" {
		t.Fatalf("the share link has no Markdown path: %s", link.raw)
	}
	for _, n := range nodes {
		if a := mo.must(t, http.StatusOK, request{method: http.MethodGet, path: md, anonymous: true, via: n}); !strings.Contains(string(a.raw), "Sprint 9") {
			t.Errorf("%s: the link's summary lacks the retro's title: %s", n.name, a.raw)
		}
	}
	mo.must(t, http.StatusOK, request{method: http.MethodDelete, path: "/v1/share-links/" + link.str("linkId"), via: nodes[1]})
	for _, n := range nodes {
		a := mo.do(t, request{method: http.MethodGet, path: md, anonymous: true, via: n})
		if a.status != http.StatusNotFound || a.str("code") != "share-link-revoked" {
			t.Errorf("%s right after the revoke on %s: %d %s, want 404 share-link-revoked", n.name, nodes[1].name, a.status, a.raw)
		}
	}
}
