package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hindsight-retro/hindsight/api"
	"github.com/hindsight-retro/hindsight/app/github"
	"github.com/hindsight-retro/hindsight/app/jira"
)

func TestATeamAdminCreatesAWebhookSeesItsSecretOnceAndOthersMayNot(t *testing.T) {
	h := newHarness(t)
	ada, bea := h.user("Ada"), h.user("Bea")
	_, tm := h.team(ada)
	h.must(http.StatusOK, req{method: "POST", path: "/v1/teams/" + tm + "/members", token: ada.token, body: api.UserRequest{UserID: bea.id}})
	path := "/v1/teams/" + tm + "/webhooks"
	body := map[string]any{"url": "https://ci.example.com/hook", "kinds": []string{"retro.closed"}}

	created := h.must(http.StatusCreated, req{method: "POST", path: path, token: ada.token, body: body, header: map[string]string{"Idempotency-Key": "hook-1"}})
	secret := created.str("secret")
	if !strings.HasPrefix(secret, "whsec_") || created.str("id") == "" {
		t.Fatalf("creation answered %s", created.raw)
	}
	again := h.must(http.StatusCreated, req{method: "POST", path: path, token: ada.token, body: body, header: map[string]string{"Idempotency-Key": "hook-1"}})
	if again.str("id") != created.str("id") || strings.Contains(string(again.raw), secret) {
		t.Errorf("a retried creation answered %s: want the same webhook without the secret", again.raw)
	}
	list := h.must(http.StatusOK, req{method: "GET", path: path, token: ada.token})
	if strings.Contains(string(list.raw), secret) || !strings.Contains(string(list.raw), "ci.example.com") {
		t.Errorf("the list: %s", list.raw)
	}
	for name, rq := range map[string]struct {
		rq   req
		want int
	}{
		"a member creates": {req{method: "POST", path: path, token: bea.token, body: body}, http.StatusForbidden},
		"a member lists":   {req{method: "GET", path: path, token: bea.token}, http.StatusForbidden},
		"ftp URL": {req{method: "POST", path: path, token: ada.token,
			body: map[string]any{"url": "ftp://example.com", "kinds": []string{"retro.closed"}}}, http.StatusBadRequest},
		"unknown kind": {req{method: "POST", path: path, token: ada.token,
			body: map[string]any{"url": "https://example.com", "kinds": []string{"card.added"}}}, http.StatusBadRequest},
	} {
		if res := h.do(rq.rq); res.status != rq.want || res.problemType() == "" {
			t.Errorf("%s: %d %s, want a %d problem", name, res.status, res.raw, rq.want)
		}
	}
	h.must(http.StatusOK, req{method: "DELETE", path: path + "/" + created.str("id"), token: ada.token})
	if res := h.must(http.StatusOK, req{method: "GET", path: path, token: ada.token}); strings.Contains(string(res.raw), created.str("id")) {
		t.Errorf("a deleted webhook is listed: %s", res.raw)
	}
}

func TestJirasWebhookIsTakenOnlyWithItsSecretAndSignature(t *testing.T) {
	h := newHarness(t)
	ada := h.user("Ada")
	_, tm := h.team(ada)
	conf := h.must(http.StatusOK, req{method: "POST", path: "/v1/teams/" + tm + "/jira", token: ada.token,
		body: api.JiraRequest{Site: "https://acme.atlassian.net", Email: "ada@acme.test", APIToken: "tok-123", ProjectKey: "OPS", IssueType: "Task"}})
	hookPath, secret := conf.str("webhookPath"), conf.str("webhookSecret")
	if secret == "" || !strings.HasSuffix(hookPath, secret) || strings.Contains(string(conf.raw), "tok-123") {
		t.Fatalf("configuration answered %s", conf.raw)
	}
	if res := h.must(http.StatusOK, req{method: "GET", path: "/v1/teams/" + tm + "/jira", token: ada.token}); strings.Contains(string(res.raw), "tok-123") {
		t.Errorf("the connection shows its token: %s", res.raw)
	}
	body := []byte(`{"webhookEvent":"jira:issue_updated","issue":{"key":"OPS-9","fields":{"status":{"statusCategory":{"key":"done"}}}}}`)
	wrongPath := strings.TrimSuffix(hookPath, secret) + "guessed"
	for name, rq := range map[string]req{
		"wrong secret":  {method: "POST", path: wrongPath, body: body, header: map[string]string{jira.SignatureHeader: jira.Sign([]byte("guessed"), body)}},
		"unsigned":      {method: "POST", path: hookPath, body: body},
		"other team":    {method: "POST", path: "/v1/integrations/jira/nope/" + secret, body: body, header: map[string]string{jira.SignatureHeader: jira.Sign([]byte(secret), body)}},
		"bad signature": {method: "POST", path: hookPath, body: body, header: map[string]string{jira.SignatureHeader: "sha256=00"}},
	} {
		if res := h.do(rq); res.status != http.StatusNotFound || res.problemType() == "" {
			t.Errorf("%s: %d %s, want 404", name, res.status, res.raw)
		}
	}
	// Signed with the secret: taken (an issue no action links to changes nothing).
	h.must(http.StatusNoContent, req{method: "POST", path: hookPath, body: body, header: map[string]string{jira.SignatureHeader: jira.Sign([]byte(secret), body)}})
	garbage := []byte(`{"webhookEvent":`)
	if res := h.do(req{method: "POST", path: hookPath, body: garbage, header: map[string]string{jira.SignatureHeader: jira.Sign([]byte(secret), garbage)}}); res.status != http.StatusBadRequest {
		t.Errorf("a signed body that is no issue event: %d %s, want 400", res.status, res.raw)
	}
}

func TestGitHubsWebhookIsTakenOnlyWithItsSecretSignatureAndDeliveryID(t *testing.T) {
	h := newHarness(t)
	ada := h.user("Ada")
	_, tm := h.team(ada)
	conf := h.must(http.StatusOK, req{method: "POST", path: "/v1/teams/" + tm + "/github", token: ada.token,
		body: api.GitHubRequest{Owner: "acme", Repo: "ops", Token: "github_pat_secret123"}})
	hookPath, secret := conf.str("webhookPath"), conf.str("webhookSecret")
	if secret == "" || !strings.HasSuffix(hookPath, secret) || strings.Contains(string(conf.raw), "github_pat_secret123") {
		t.Fatalf("configuration answered %s", conf.raw)
	}
	if res := h.must(http.StatusOK, req{method: "GET", path: "/v1/teams/" + tm + "/github", token: ada.token}); strings.Contains(string(res.raw), "github_pat_secret123") ||
		!strings.Contains(string(res.raw), `"repo":"ops"`) {
		t.Errorf("the connection: %s", res.raw)
	}
	if res := h.do(req{method: "POST", path: "/v1/teams/" + tm + "/github", token: ada.token,
		body: api.GitHubRequest{Owner: "acme", Repo: "../../x", Token: "t"}}); res.status != http.StatusBadRequest || res.problemType() == "" {
		t.Errorf("a repository with a path: %d %s, want a 400 problem", res.status, res.raw)
	}
	body := []byte(`{"action":"closed","issue":{"number":9},"repository":{"full_name":"acme/ops"}}`)
	signed := func(sig string) map[string]string {
		return map[string]string{github.SignatureHeader: sig, github.EventHeader: "issues", github.DeliveryHeader: "72d3162e-cc78-11e3-81ab-4c9367dc0958"}
	}
	good := github.Sign([]byte(secret), body)
	noID := signed(good)
	delete(noID, github.DeliveryHeader)
	wrongPath := strings.TrimSuffix(hookPath, secret) + "guessed"
	for name, rq := range map[string]req{
		"wrong secret":   {method: "POST", path: wrongPath, body: body, header: signed(github.Sign([]byte("guessed"), body))},
		"unsigned":       {method: "POST", path: hookPath, body: body, header: signed("")},
		"other team":     {method: "POST", path: "/v1/integrations/github/nope/" + secret, body: body, header: signed(good)},
		"bad signature":  {method: "POST", path: hookPath, body: body, header: signed("sha256=00")},
		"sha1 signature": {method: "POST", path: hookPath, body: body, header: signed("sha1=" + good[7:47])},
		"no delivery ID": {method: "POST", path: hookPath, body: body, header: noID},
	} {
		if res := h.do(rq); res.status != http.StatusNotFound || res.problemType() == "" {
			t.Errorf("%s: %d %s, want 404", name, res.status, res.raw)
		}
	}
	// Signed: taken (an issue no action links to changes nothing), GitHub's ping too.
	h.must(http.StatusNoContent, req{method: "POST", path: hookPath, body: body, header: signed(good)})
	ping := []byte(`{"zen":"Avoid administrative distraction.","hook_id":1}`)
	pingHeaders := signed(github.Sign([]byte(secret), ping))
	pingHeaders[github.EventHeader] = "ping"
	h.must(http.StatusNoContent, req{method: "POST", path: hookPath, body: ping, header: pingHeaders})
	garbage := []byte(`{"action":`)
	if res := h.do(req{method: "POST", path: hookPath, body: garbage, header: signed(github.Sign([]byte(secret), garbage))}); res.status != http.StatusBadRequest || res.problemType() == "" {
		t.Errorf("a signed body that is no issues event: %d %s, want a 400 problem", res.status, res.raw)
	}
}
