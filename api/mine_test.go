package api_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/hindsight-retro/hindsight/api"
)

// items returns a page's items as objects.
func items(t *testing.T, res response) []map[string]any {
	t.Helper()
	raw, ok := res.body["items"].([]any)
	if !ok {
		t.Fatalf("not a page: %s", res.raw)
	}
	out := make([]map[string]any, len(raw))
	for i, it := range raw {
		out[i] = it.(map[string]any)
	}
	return out
}

func TestMyListsShowAWorkspaceAndTeamCreatedAMomentAgo(t *testing.T) {
	h := newHarness(t)
	ada, out := h.user("Ada"), h.user("Out")
	// Given Ada just created a workspace and a team, with no ?after=.
	ws, tm := h.team(ada)
	// When she lists her workspaces and teams at once.
	wss := items(t, h.must(http.StatusOK, req{method: "GET", path: "/v1/me/workspaces", token: ada.token}))
	teams := items(t, h.must(http.StatusOK, req{method: "GET", path: "/v1/me/teams", token: ada.token}))
	// Then both are there, with her role.
	if len(wss) != 1 || wss[0]["id"] != ws || wss[0]["name"] != "Acme" || wss[0]["role"] != "admin" {
		t.Errorf("Ada's workspaces = %v, want Acme as admin", wss)
	}
	if len(teams) != 1 || teams[0]["id"] != tm || teams[0]["name"] != "Platform" || teams[0]["workspaceId"] != ws ||
		teams[0]["workspaceName"] != "Acme" || teams[0]["role"] != "admin" {
		t.Errorf("Ada's teams = %v, want Platform in Acme as admin", teams)
	}
	// And someone else sees none of it.
	if got := items(t, h.must(http.StatusOK, req{method: "GET", path: "/v1/me/workspaces", token: out.token})); len(got) != 0 {
		t.Errorf("an outsider's workspaces = %v, want none", got)
	}
	if got := items(t, h.must(http.StatusOK, req{method: "GET", path: "/v1/me/teams", token: out.token})); len(got) != 0 {
		t.Errorf("an outsider's teams = %v, want none", got)
	}
}

func TestAMemberSeesTheTeamAndItsWorkspaceAsMemberUntilRemoved(t *testing.T) {
	h := newHarness(t)
	ada, bea := h.user("Ada"), h.user("Bea")
	ws, tm := h.team(ada)
	h.must(http.StatusOK, req{method: "POST", path: "/v1/teams/" + tm + "/members", token: ada.token, body: api.AddMemberRequest{UserID: bea.id}})
	wss := items(t, h.must(http.StatusOK, req{method: "GET", path: "/v1/me/workspaces", token: bea.token}))
	if len(wss) != 1 || wss[0]["id"] != ws || wss[0]["role"] != "member" {
		t.Errorf("Bea's workspaces = %v, want Acme as member", wss)
	}
	teams := items(t, h.must(http.StatusOK, req{method: "GET", path: "/v1/me/teams", token: bea.token}))
	if len(teams) != 1 || teams[0]["id"] != tm || teams[0]["role"] != "member" {
		t.Errorf("Bea's teams = %v, want Platform as member", teams)
	}
	rm := h.must(http.StatusOK, req{method: "DELETE", path: "/v1/teams/" + tm + "/members/" + bea.id, token: ada.token})
	after := "?after=" + formatPosition(rm.body["position"])
	if got := items(t, h.must(http.StatusOK, req{method: "GET", path: "/v1/me/teams" + after, token: bea.token})); len(got) != 0 {
		t.Errorf("Bea's teams after her removal = %v, want none", got)
	}
	if got := items(t, h.must(http.StatusOK, req{method: "GET", path: "/v1/me/workspaces" + after, token: bea.token})); len(got) != 0 {
		t.Errorf("Bea's workspaces after her removal = %v, want none", got)
	}
}

func formatPosition(v any) string {
	f, _ := v.(float64)
	return strconv.FormatUint(uint64(f), 10)
}

func TestAWorkspaceListsItsTeamsWithYourRoleInEach(t *testing.T) {
	h := newHarness(t)
	ada, bea, out := h.user("Ada"), h.user("Bea"), h.user("Out")
	ws, platform := h.team(ada)
	// Ada runs the workspace and creates a second team that Bea runs.
	data := h.must(http.StatusCreated, req{method: "POST", path: "/v1/workspaces/" + ws + "/teams", token: ada.token,
		body: api.CreateTeamRequest{Name: "Data", TemplateID: h.cat.TeamTemplates[0].ID, FirstAdminID: bea.id}}).str("id")
	got := items(t, h.must(http.StatusOK, req{method: "GET", path: "/v1/workspaces/" + ws + "/teams", token: ada.token}))
	if len(got) != 2 || got[0]["id"] != data || got[0]["role"] != nil || got[1]["id"] != platform || got[1]["role"] != "admin" {
		t.Errorf("the workspace's teams for Ada = %v, want Data (no role) then Platform (admin)", got)
	}
	got = items(t, h.must(http.StatusOK, req{method: "GET", path: "/v1/workspaces/" + ws + "/teams", token: bea.token}))
	if len(got) != 2 || got[0]["role"] != "admin" || got[1]["role"] != nil {
		t.Errorf("the workspace's teams for Bea = %v, want Data (admin) then Platform (no role)", got)
	}
	if res := h.do(req{method: "GET", path: "/v1/workspaces/" + ws + "/teams", token: out.token}); res.status != http.StatusNotFound {
		t.Errorf("an outsider lists the workspace's teams = %d %s, want 404, as for a missing workspace", res.status, res.raw)
	}
}

func TestATeamAdminAddsAColleagueByEmailAsAdminAndSeesTheirName(t *testing.T) {
	h := newHarness(t)
	ada, bea := h.user("Ada"), h.user("Bea")
	_, tm := h.team(ada)
	h.must(http.StatusOK, req{method: "POST", path: "/v1/teams/" + tm + "/members", token: ada.token,
		body: api.AddMemberRequest{Email: bea.email, Role: "admin"}})
	members := items(t, h.must(http.StatusOK, req{method: "GET", path: "/v1/teams/" + tm + "/members", token: bea.token}))
	if len(members) != 2 || members[0]["name"] != "Ada" || members[0]["role"] != "admin" ||
		members[1]["userId"] != bea.id || members[1]["name"] != "Bea" || members[1]["role"] != "admin" {
		t.Errorf("members = %v, want Ada and Bea, both admins", members)
	}
	if _, leaked := members[1]["email"]; leaked {
		t.Errorf("the member list shows e-mail addresses: %v", members[1])
	}
}

func TestAnUnknownEmailIsRefusedAndOnlyTeamAdminsMayAsk(t *testing.T) {
	h := newHarness(t)
	ada, bea := h.user("Ada"), h.user("Bea")
	_, tm := h.team(ada)
	res := h.do(req{method: "POST", path: "/v1/teams/" + tm + "/members", token: ada.token,
		body: api.AddMemberRequest{Email: "nobody@example.org"}})
	if res.status != http.StatusNotFound || res.str("code") != "email-unknown" {
		t.Errorf("adding an address without an account = %d %s, want 404 email-unknown", res.status, res.raw)
	}
	if got := items(t, h.must(http.StatusOK, req{method: "GET", path: "/v1/teams/" + tm + "/members", token: ada.token})); len(got) != 1 {
		t.Errorf("members after the refusal = %v, want Ada alone", got)
	}
	// Bea, no team admin, cannot learn whether an address has an account.
	h.must(http.StatusOK, req{method: "POST", path: "/v1/teams/" + tm + "/members", token: ada.token, body: api.AddMemberRequest{UserID: bea.id}})
	for _, addr := range []string{"nobody@example.org", ada.email} {
		res := h.do(req{method: "POST", path: "/v1/teams/" + tm + "/members", token: bea.token, body: api.AddMemberRequest{Email: addr}})
		if res.status != http.StatusForbidden || res.str("code") != "not-team-admin" {
			t.Errorf("a member adds %s = %d %s, want 403 not-team-admin", addr, res.status, res.raw)
		}
	}
	for name, body := range map[string]api.AddMemberRequest{
		"neither":      {},
		"both":         {UserID: bea.id, Email: bea.email},
		"unknown role": {Email: bea.email, Role: "owner"},
		"bad address":  {Email: "not an address"},
	} {
		if res := h.do(req{method: "POST", path: "/v1/teams/" + tm + "/members", token: ada.token, body: body}); res.status != http.StatusBadRequest {
			t.Errorf("%s: %d %s, want 400", name, res.status, res.raw)
		}
	}
}

func TestAGuestHasNoWorkspacesOrTeamsAndShowsAsGuestInTheTeam(t *testing.T) {
	h := newHarness(t)
	f := newRetro(t, h)
	code := h.must(http.StatusCreated, req{method: "POST", path: f.path("/invites"), token: f.mod.token, body: api.InviteRequest{}}).str("code")
	guest := h.must(http.StatusCreated, req{method: "POST", path: "/v1/invites/" + code + "/join",
		body: api.JoinInviteRequest{Email: "gus@example.org", Name: "Gus"}}).str("token")
	for _, path := range []string{"/v1/me/workspaces", "/v1/me/teams"} {
		if got := items(t, h.must(http.StatusOK, req{method: "GET", path: path, token: guest})); len(got) != 0 {
			t.Errorf("%s for a guest = %v, want none", path, got)
		}
	}
	h.must(http.StatusOK, req{method: "POST", path: f.path("/join"), token: guest})
	members := items(t, h.must(http.StatusOK, req{method: "GET", path: "/v1/teams/" + f.team + "/members", token: f.bea.token}))
	roles := map[string]string{}
	for _, m := range members {
		roles[m["name"].(string)] = m["role"].(string)
	}
	if len(members) != 3 || roles["Gus"] != "guest" || roles["Mod"] != "admin" || roles["Bea"] != "member" {
		t.Errorf("members = %v, want Mod (admin), Bea (member), Gus (guest)", members)
	}
	if res := h.do(req{method: "GET", path: "/v1/teams/" + f.team + "/members", token: guest}); res.status != http.StatusForbidden {
		t.Errorf("a guest lists the team's members = %d, want 403", res.status)
	}
}
