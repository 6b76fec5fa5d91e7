package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/api"
	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/domain/sharelink"
)

// quickLimited is every way into a quick retro's workspace that would keep
// text its expiry could not erase (or send it where the expiry cannot
// reach), as the quick retro's starter would try it.
func quickLimited(q quickRetro) []req {
	team, ws := "/v1/teams/"+q.teamID, "/v1/workspaces/"+q.workspaceID
	return []req{
		{method: "PUT", path: team + "/schedule", body: everyThursdayInBerlin()},
		{method: "POST", path: ws + "/templates", body: map[string]any{"kind": "retro-template", "copyFrom": "mad-sad-glad"}},
		{method: "POST", path: ws + "/templates/import", body: map[string]any{"format": app.TemplateBundleFormat,
			"templates": []map[string]any{{"kind": "retro-template", "id": "x",
				"retroTemplate": map[string]any{"name": "Ours", "columns": []map[string]any{{"id": "a", "title": "A"}, {"id": "b", "title": "B"}}}}}}},
		{method: "POST", path: team + "/calendar-feeds", body: "{}"},
		{method: "POST", path: team + "/webhooks", body: map[string]any{"url": "https://ci.example.com/hook", "kinds": []string{"retro.closed"}}},
		{method: "POST", path: team + "/webhooks", body: map[string]any{"format": "slack", "url": "https://hooks.slack.com/services/T/B/X", "kinds": []string{"retro.closed"}}},
		{method: "POST", path: team + "/jira", body: api.JiraRequest{Site: "https://acme.atlassian.net", Email: "ada@acme.test", APIToken: "tok-123", ProjectKey: "OPS", IssueType: "Task"}},
		{method: "POST", path: team + "/github", body: api.GitHubRequest{Owner: "acme", Repo: "ops", Token: "github_pat_secret123"}},
		{method: "PUT", path: ws + "/sso", body: api.WorkspaceSSORequest{Issuer: "https://login.example.com", ClientID: "hindsight", ClientSecret: "s3cret"}},
		{method: "POST", path: "/v1/workspaces", body: api.NameRequest{Name: "Ada's own"}},
	}
}

// An unclaimed quick retro's starter is refused, with a problem saying to
// claim it first, everything its expiry could not erase: a schedule, the
// workspace's templates, a calendar feed, webhooks, Slack, Jira, GitHub,
// single sign-on and a workspace of their own. Once claimed, the account
// that claimed it may.
func TestAnUnclaimedQuickRetroRefusesWhatItsExpiryCouldNotEraseUntilItIsClaimed(t *testing.T) {
	h := newHarness(t)
	q := h.startQuickRetro("Ada")
	for _, rq := range quickLimited(q) {
		rq.token = q.token
		res := h.do(rq)
		if res.status != http.StatusForbidden || res.problemType() == "" || res.str("code") != app.CodeQuickRetroUnclaimed ||
			!strings.Contains(res.str("detail"), "claim") {
			t.Errorf("%s %s by the quick retro's starter = %d %s, want 403 problem+json %s saying to claim it", rq.method, rq.path, res.status, res.raw, app.CodeQuickRetroUnclaimed)
		}
	}
	// What stays allowed in it: its texts are sealed and erased with it.
	h.must(http.StatusCreated, req{method: "POST", path: "/v1/teams/" + q.teamID + "/actions", token: q.token, body: map[string]string{"title": "Sealed action"}})

	cy := h.user("Cy")
	h.must(http.StatusOK, req{method: "POST", path: "/v1/quick-retros/claim", token: cy.token, body: api.ClaimQuickRetroRequest{ClaimToken: q.claimToken}})
	for _, rq := range quickLimited(q)[:5] { // the others need a real receiver or provider
		rq.token = cy.token
		if res := h.do(rq); res.status >= 300 {
			t.Errorf("%s %s after the claim by its claimer = %d %s, want it done", rq.method, rq.path, res.status, res.raw)
		}
	}
	// Plain workspaces never meet the limit.
	mo := h.user("Mo")
	ws, tm := h.team(mo)
	h.must(http.StatusOK, req{method: "PUT", path: "/v1/teams/" + tm + "/schedule", token: mo.token, body: everyThursdayInBerlin()})
	h.must(http.StatusCreated, req{method: "POST", path: "/v1/workspaces/" + ws + "/templates", token: mo.token,
		body: map[string]any{"kind": "retro-template", "copyFrom": "mad-sad-glad"}})
}

// A closed quick retro may be shared, but its link ends when the quick
// retro does, and after its expiry the summary is erased: the link answers
// 404, never an empty summary. A claimed one's link lasts as asked.
func TestAQuickRetrosShareLinkEndsWithIt(t *testing.T) {
	clock := &testClock{t: time.Now()}
	h := newHarnessOf(t, func(d *app.Deps) { d.Clock = clock.now })
	q := h.startQuickRetro("Ada")
	h.quickTexts(q, q.token, "Shared quick card", "Shared quick action") // and closes it
	link := h.must(http.StatusCreated, req{method: "POST", path: "/v1/retros/" + q.retroID + "/share-links", token: q.token, body: "{}"})
	expires, err := time.Parse(time.RFC3339, link.str("expiresAt"))
	if err != nil {
		t.Fatal(err)
	}
	if limit := clock.now().Add(app.DefaultQuickRetroTTL); expires.After(limit) {
		t.Fatalf("the quick retro's share link expires at %v, after the quick retro (%v)", expires, limit)
	}
	path := "/v1/shared/" + link.str("token") + "/summary.md"
	if md := h.must(http.StatusOK, req{method: "GET", path: path}); !strings.Contains(string(md.raw), "Shared quick card") {
		t.Fatalf("the shared summary while the quick retro lives = %s, want its card", md.raw)
	}

	clock.advance(app.DefaultQuickRetroTTL + time.Minute)
	if n, err := h.app.ExpireQuickRetros(context.Background()); err != nil || n != 1 {
		t.Fatalf("the sweep after the expiry erased %d (%v), want 1", n, err)
	}
	res := h.do(req{method: "GET", path: path})
	if res.status != http.StatusNotFound || (res.str("code") != sharelink.CodeExpired && res.str("code") != app.CodeQuickRetroExpired) {
		t.Fatalf("the shared summary after the expiry = %d %s, want 404", res.status, res.raw)
	}
	if strings.Contains(string(res.raw), "Shared quick") {
		t.Fatalf("the expired quick retro's link shows its text: %s", res.raw)
	}
}

// An expired quick retro's team gets no more mail timers (its weekly
// digest would tell of an erased team); a plain team's still come due.
func TestAnExpiredQuickRetrosTeamIsRemindedOfNothing(t *testing.T) {
	clock := &testClock{t: time.Now()}
	h := newHarnessOf(t, func(d *app.Deps) { d.Clock = clock.now })
	q := h.startQuickRetro("Ada")
	_, plain := h.team(h.user("Mo"))
	clock.advance(15 * 24 * time.Hour) // a whole week and its Monday digest later
	if n, err := h.app.ExpireQuickRetros(context.Background()); err != nil || n != 1 {
		t.Fatalf("the sweep after the expiry erased %d (%v), want 1", n, err)
	}
	claimed, err := h.app.FireDueReminders(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var plainDigest bool
	for _, c := range claimed {
		if c.TeamID == q.teamID {
			t.Errorf("the expired quick retro's team got the reminder %s", c.Key)
		}
		plainDigest = plainDigest || c.TeamID == plain
	}
	if !plainDigest {
		t.Fatalf("claimed %+v: the plain team's digest did not come due, so the check above proves nothing", claimed)
	}
}
