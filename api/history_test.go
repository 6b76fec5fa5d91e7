package api_test

import (
	"bufio"
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite" // opens the downloaded SQLite file

	"github.com/hindsight-retro/hindsight/api"
)

// historyFixture is a workspace with two teams that ran a health check
// each: Platform with three respondents (Ada, Bea, Cid), Tiny with two (Ada,
// Bea) on the eNPS pack. Wes administers the workspace without being in a team; Out is in
// nothing.
type historyFixture struct {
	h                   *harness
	ada, bea, cid       user
	wes, out            user
	ws, platform, tiny  string
	retro, tinyRetro    string
	action              string
	last                uint64 // the highest position written
	closedAt, createdAt uint64
}

func (f *historyFixture) cmd(want int, rq req) response {
	f.h.t.Helper()
	res := f.h.must(want, rq)
	if p, ok := res.body["position"].(float64); ok && uint64(p) > f.last {
		f.last = uint64(p)
	}
	return res
}

// healthCheck runs a retro's health check with the catalogue pack packID
// ("" for the team's) answered by people, and reveals it.
func (f *historyFixture) healthCheck(retroID, packID string, people ...user) {
	f.h.t.Helper()
	if packID != "" {
		f.cmd(http.StatusOK, req{method: "POST", path: "/v1/retros/" + retroID + "/health", token: f.ada.token, body: api.HealthCheckRequest{PackID: packID}})
	}
	f.cmd(http.StatusOK, req{method: "POST", path: "/v1/retros/" + retroID + "/steps/health-check/go", token: f.ada.token})
	v := f.h.must(http.StatusOK, req{method: "GET", path: "/v1/retros/" + retroID, token: f.ada.token})
	health, _ := v.body["health"].(map[string]any)
	qs, _ := health["questions"].([]any)
	if len(qs) == 0 {
		f.h.t.Fatalf("the health check has no questions: %s", v.raw)
	}
	for i, p := range people {
		for _, q := range qs {
			id := q.(map[string]any)["id"].(string)
			score := 3 + i%2
			if scale, _ := q.(map[string]any)["scale"].(string); strings.Contains(scale, "10") {
				score = 7 + i
			}
			f.cmd(http.StatusOK, req{method: "POST", path: "/v1/retros/" + retroID + "/health/answers", token: p.token,
				body: api.HealthAnswerRequest{QuestionID: id, Score: score}})
		}
	}
	f.cmd(http.StatusOK, req{method: "POST", path: "/v1/retros/" + retroID + "/health/reveal", token: f.ada.token})
}

func newHistoryFixture(t *testing.T) *historyFixture {
	t.Helper()
	h := newHarness(t)
	f := &historyFixture{h: h, ada: h.user("Ada"), bea: h.user("Bea"), cid: h.user("Cid"), wes: h.user("Wes"), out: h.user("Out")}
	f.ws, f.platform = h.team(f.ada)
	f.cmd(http.StatusOK, req{method: "POST", path: "/v1/workspaces/" + f.ws + "/admins", token: f.ada.token, body: api.UserRequest{UserID: f.wes.id}})
	for _, u := range []user{f.bea, f.cid} {
		f.cmd(http.StatusOK, req{method: "POST", path: "/v1/teams/" + f.platform + "/members", token: f.ada.token, body: api.UserRequest{UserID: u.id}})
	}
	f.tiny = f.cmd(http.StatusCreated, req{method: "POST", path: "/v1/workspaces/" + f.ws + "/teams", token: f.ada.token,
		body: api.CreateTeamRequest{Name: "Tiny", TemplateID: h.cat.TeamTemplates[0].ID}}).str("id")
	f.cmd(http.StatusOK, req{method: "POST", path: "/v1/teams/" + f.tiny + "/members", token: f.ada.token, body: api.UserRequest{UserID: f.bea.id}})

	created := f.cmd(http.StatusCreated, req{method: "POST", path: "/v1/teams/" + f.platform + "/retros", token: f.ada.token,
		body: api.CreateRetroRequest{Title: "Sprint 1"}})
	f.retro = created.str("id")
	f.createdAt = f.last
	for _, u := range []user{f.bea, f.cid} {
		f.cmd(http.StatusOK, req{method: "POST", path: "/v1/retros/" + f.retro + "/join", token: u.token})
	}
	f.healthCheck(f.retro, "", f.ada, f.bea, f.cid)
	due := time.Now().UTC().Add(-48 * time.Hour)
	f.action = f.cmd(http.StatusCreated, req{method: "POST", path: "/v1/retros/" + f.retro + "/actions", token: f.ada.token,
		body: api.CreateActionRequest{Title: "Fix the flaky deploy", Assignee: f.bea.id, Due: &due}}).str("id")
	f.cmd(http.StatusOK, req{method: "POST", path: "/v1/retros/" + f.retro + "/close", token: f.ada.token})
	f.closedAt = f.last

	f.tinyRetro = f.cmd(http.StatusCreated, req{method: "POST", path: "/v1/teams/" + f.tiny + "/retros", token: f.ada.token,
		body: api.CreateRetroRequest{Title: "Tiny 1"}}).str("id")
	f.cmd(http.StatusOK, req{method: "POST", path: "/v1/retros/" + f.tinyRetro + "/join", token: f.bea.token})
	f.healthCheck(f.tinyRetro, "enps", f.ada, f.bea)
	return f
}

// get reads path as u after the fixture's last write, failing unless the
// status is want.
func (f *historyFixture) get(want int, u user, path string) response {
	f.h.t.Helper()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return f.h.must(want, req{method: "GET", path: fmt.Sprintf("%s%safter=%d", path, sep, f.last), token: u.token})
}

func TestTheTeamsHistoryArchiveAndActionsAreForItsMembers(t *testing.T) {
	f := newHistoryFixture(t)

	// The history lists the closed retro with its duration and counts.
	hist := f.get(http.StatusOK, f.cid, "/v1/teams/"+f.platform+"/retros")
	items, _ := hist.body["items"].([]any)
	if len(items) != 1 {
		t.Fatalf("history = %s, want one retro", hist.raw)
	}
	e := items[0].(map[string]any)
	if e["retroId"] != f.retro || e["closedAt"] == nil || e["participants"] != 3.0 || e["actions"] != 1.0 {
		t.Errorf("history entry = %v, want the closed retro with 3 participants and 1 action", e)
	}
	if _, ok := e["durationSeconds"].(float64); !ok {
		t.Errorf("history entry has no duration: %v", e)
	}

	// The archive: the closed retro as everyone saw it at the end.
	arch := f.get(http.StatusOK, f.bea, "/v1/retros/"+f.retro+"/archive")
	if arch.str("retroId") != f.retro || arch.body["closed"] != true {
		t.Errorf("archive = %.300s, want the closed retro", arch.raw)
	}
	if res := f.h.do(req{method: "GET", path: "/v1/retros/" + f.tinyRetro + "/archive", token: f.bea.token}); res.status != http.StatusConflict {
		t.Errorf("archive of a running retro = %d %s, want 409", res.status, res.raw)
	}

	// The action tracker: the retro's action, open, overdue, from the retro.
	tr := f.get(http.StatusOK, f.cid, "/v1/teams/"+f.platform+"/action-tracker")
	open, _ := tr.body["open"].([]any)
	if len(open) != 1 || tr.body["overdue"] != 1.0 {
		t.Fatalf("tracker = %s, want one open overdue action", tr.raw)
	}
	a := open[0].(map[string]any)
	if a["id"] != f.action || a["originRetroId"] != f.retro || a["assignee"] != f.bea.id || a["overdue"] != true {
		t.Errorf("tracked action = %v, want %s from retro %s, Bea's, overdue", a, f.action, f.retro)
	}
	mine := f.get(http.StatusOK, f.bea, "/v1/me/actions")
	if open, _ := mine.body["open"].([]any); len(open) != 1 || open[0].(map[string]any)["id"] != f.action {
		t.Errorf("Bea's actions = %s, want the one assigned to her", mine.raw)
	}
	if open, _ := f.get(http.StatusOK, f.cid, "/v1/me/actions").body["open"].([]any); len(open) != 0 {
		t.Errorf("Cid's actions = %v, want none", open)
	}

	// A read-only API token of a member reads what the member reads.
	tok := f.h.must(http.StatusCreated, req{method: "POST", path: "/v1/tokens", token: f.cid.token,
		body: api.IssueTokenRequest{Name: "analyst", Scopes: []string{"read"}}}).str("token")
	f.get(http.StatusOK, user{token: tok}, "/v1/teams/"+f.platform+"/action-tracker")

	// Nobody outside the team: not an outsider, not a workspace admin who
	// is not a member (admins run the workspace, not the team's talk). The
	// admin knows the team exists and is refused (403); to the outsider the
	// team and the retro do not exist (404), nor the retro to the admin.
	for _, path := range []string{
		"/v1/teams/" + f.platform + "/retros", "/v1/teams/" + f.platform + "/action-tracker",
		"/v1/teams/" + f.platform + "/health", "/v1/retros/" + f.retro + "/archive",
	} {
		for _, u := range []user{f.out, f.wes} {
			want := http.StatusNotFound
			if u == f.wes && strings.HasPrefix(path, "/v1/teams/") {
				want = http.StatusForbidden
			}
			if res := f.h.do(req{method: "GET", path: path, token: u.token}); res.status != want {
				t.Errorf("GET %s by a non-member = %d %s, want %d", path, res.status, res.raw, want)
			}
		}
	}
	// A team's retros, not another team's: Cid is not in Tiny.
	if res := f.h.do(req{method: "GET", path: "/v1/teams/" + f.tiny + "/action-tracker", token: f.cid.token}); res.status != http.StatusNotFound {
		t.Errorf("another team's tracker = %d, want 404", res.status)
	}
}

func TestHealthAggregatesAreForAdminsAndHideGroupsBelowTheMinimum(t *testing.T) {
	f := newHistoryFixture(t)

	// Members see their team's trends.
	tr := f.get(http.StatusOK, f.cid, "/v1/teams/"+f.platform+"/health")
	qs, _ := tr.body["questions"].([]any)
	if len(qs) == 0 {
		t.Fatalf("team health = %s, want questions", tr.raw)
	}
	pts, _ := qs[0].(map[string]any)["points"].([]any)
	if len(pts) != 1 || pts[0].(map[string]any)["value"] == nil {
		t.Errorf("first question's points = %v, want one check with a value (3 respondents)", pts)
	}

	// The heat map: Platform (3 respondents) shows values, Tiny (2) is
	// suppressed with no number at all.
	hm := f.get(http.StatusOK, f.wes, "/v1/workspaces/"+f.ws+"/health/heatmap")
	var heat struct {
		MinRespondents int      `json:"minRespondents"`
		Teams          []string `json:"teams"`
		Cells          [][]map[string]any
	}
	if err := json.Unmarshal(hm.raw, &heat); err != nil {
		t.Fatal(err)
	}
	if heat.MinRespondents != 3 || len(heat.Teams) != 2 || len(heat.Cells) != 2 {
		t.Fatalf("heat map = %s, want two teams at minimum 3", hm.raw)
	}
	shown, suppressed := 0, 0
	for i, team := range heat.Teams {
		for _, c := range heat.Cells[i] {
			if c["at"] == nil {
				continue // never checked
			}
			switch team {
			case f.platform:
				if c["value"] == nil || c["suppressed"] == true {
					t.Errorf("Platform's cell %v: want a value from 3 respondents", c)
				}
				shown++
			case f.tiny:
				if c["suppressed"] != true || c["value"] != nil || c["respondents"] != nil || c["change"] != nil {
					t.Errorf("Tiny's cell %v: want suppressed with no number (2 respondents)", c)
				}
				suppressed++
			}
		}
	}
	if shown == 0 || suppressed == 0 {
		t.Errorf("heat map shows %d Platform cells and suppresses %d Tiny cells, want some of each: %s", shown, suppressed, hm.raw)
	}
	// eNPS: only Tiny answered it, two people: suppressed for the
	// workspace and in Tiny's own trends, with no number.
	enps := f.get(http.StatusOK, f.wes, "/v1/workspaces/"+f.ws+"/health/enps")
	if enps.body["suppressed"] != true || enps.body["value"] != nil || enps.body["respondents"] != nil {
		t.Errorf("workspace eNPS from 2 respondents = %s, want suppressed with no number", enps.raw)
	}
	tinyENPS := f.get(http.StatusOK, f.bea, "/v1/teams/"+f.tiny+"/health").body["enps"].(map[string]any)
	if pts, _ := tinyENPS["points"].([]any); len(pts) != 1 || pts[0].(map[string]any)["suppressed"] != true || pts[0].(map[string]any)["value"] != nil {
		t.Errorf("Tiny's eNPS = %v, want one suppressed check", tinyENPS)
	}
	// Once a third person answers, the workspace's eNPS shows.
	f.cmd(http.StatusOK, req{method: "POST", path: "/v1/teams/" + f.tiny + "/members", token: f.ada.token, body: api.UserRequest{UserID: f.cid.id}})
	again := f.cmd(http.StatusCreated, req{method: "POST", path: "/v1/teams/" + f.tiny + "/retros", token: f.ada.token,
		body: api.CreateRetroRequest{Title: "Tiny 2"}}).str("id")
	for _, u := range []user{f.bea, f.cid} {
		f.cmd(http.StatusOK, req{method: "POST", path: "/v1/retros/" + again + "/join", token: u.token})
	}
	f.healthCheck(again, "enps", f.ada, f.bea, f.cid)
	enps = f.get(http.StatusOK, f.wes, "/v1/workspaces/"+f.ws+"/health/enps")
	if enps.body["suppressed"] == true || enps.body["value"] == nil || enps.body["respondents"] != 3.0 {
		t.Errorf("workspace eNPS from 3 respondents = %s, want its value", enps.raw)
	}
	dash := f.get(http.StatusOK, f.wes, "/v1/workspaces/"+f.ws+"/dashboard?from=2000-01")
	if months, _ := dash.body["months"].([]any); len(months) != 1 || months[0].(map[string]any)["retros"] != 1.0 {
		t.Errorf("dashboard = %s, want this month with the one closed retro", dash.raw)
	}
	if res := f.h.do(req{method: "GET", path: "/v1/workspaces/" + f.ws + "/dashboard?from=soon", token: f.wes.token}); res.status != http.StatusBadRequest {
		t.Errorf("dashboard from=soon = %d, want 400", res.status)
	}

	// Workspace aggregates are the admins': not members (403: they know
	// the workspace), not outsiders (404: to them it does not exist).
	for _, path := range []string{"/health/heatmap", "/health/enps", "/dashboard"} {
		for u, want := range map[user]int{f.bea: http.StatusForbidden, f.out: http.StatusNotFound} {
			if res := f.h.do(req{method: "GET", path: "/v1/workspaces/" + f.ws + path, token: u.token}); res.status != want {
				t.Errorf("GET %s by a non-admin = %d %s, want %d", path, res.status, res.raw, want)
			}
		}
	}
}

func TestTimeTravelAndExportAreRedactedForTheCaller(t *testing.T) {
	f := newHistoryFixture(t)

	at := f.h.must(http.StatusOK, req{method: "GET", path: fmt.Sprintf("/v1/retros/%s/at?position=%d", f.retro, f.createdAt), token: f.bea.token})
	view, _ := at.body["view"].(map[string]any)
	if at.body["position"] != float64(f.createdAt) || view["retroId"] != f.retro || view["closed"] == true {
		t.Errorf("retro at its creation = %.400s, want the new open retro", at.raw)
	}
	now := f.h.must(http.StatusOK, req{method: "GET", path: "/v1/retros/" + f.retro + "/at?time=" + time.Now().UTC().Format(time.RFC3339Nano), token: f.bea.token})
	if v, _ := now.body["view"].(map[string]any); v["closed"] != true {
		t.Errorf("retro now = %.300s, want closed", now.raw)
	}
	for q, want := range map[string]int{
		"": http.StatusBadRequest, "?position=x": http.StatusBadRequest, "?position=1": http.StatusNotFound,
		"?position=5&time=2026-01-01T00:00:00Z": http.StatusBadRequest,
	} {
		if res := f.h.do(req{method: "GET", path: "/v1/retros/" + f.retro + "/at" + q, token: f.bea.token}); res.status != want {
			t.Errorf("GET at%s = %d %s, want %d", q, res.status, res.raw, want)
		}
	}
	for _, u := range []user{f.out, f.wes} {
		if res := f.h.do(req{method: "GET", path: fmt.Sprintf("/v1/retros/%s/at?position=%d", f.retro, f.closedAt), token: u.token}); res.status != http.StatusNotFound {
			t.Errorf("time travel by a non-participant = %d, want 404", res.status)
		}
	}

	// The export: NDJSON CloudEvents of the team's stream and its retros.
	r, err := http.NewRequest("GET", f.h.srv.URL+"/v1/teams/"+f.platform+"/events", nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Authorization", "Bearer "+f.cid.token)
	res, err := f.h.srv.Client().Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/x-ndjson" {
		t.Fatalf("export = %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	lines, retroEvents := 0, 0
	var last uint64
	for sc.Scan() {
		var ce struct {
			SpecVersion string          `json:"specversion"`
			Type        string          `json:"type"`
			Subject     string          `json:"subject"`
			Position    uint64          `json:"position"`
			Data        json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(sc.Bytes(), &ce); err != nil {
			t.Fatalf("line %d is not JSON: %v: %s", lines+1, err, sc.Bytes())
		}
		if ce.SpecVersion != "1.0" || ce.Type == "" || ce.Position < last {
			t.Errorf("line %d = %s, want a CloudEvent 1.0 in log order", lines+1, sc.Bytes())
		}
		if bytes.Contains(sc.Bytes(), []byte("anon:")) {
			t.Errorf("line %d carries a pseudonym: %s", lines+1, sc.Bytes())
		}
		if strings.Contains(ce.Subject, f.tinyRetro) {
			t.Errorf("line %d is of another team's retro: %s", lines+1, sc.Bytes())
		}
		if strings.Contains(ce.Subject, f.retro) {
			retroEvents++
		}
		last = ce.Position
		lines++
	}
	if retroEvents == 0 {
		t.Errorf("the export has %d lines, none of the team's retro", lines)
	}
	for u, want := range map[user]int{f.out: http.StatusNotFound, f.wes: http.StatusForbidden} {
		if res := f.h.do(req{method: "GET", path: "/v1/teams/" + f.platform + "/events", token: u.token}); res.status != want {
			t.Errorf("export by a non-member = %d, want %d", res.status, want)
		}
	}
}

// The SQLite file of `hindsight replay --sqlite` for one team: its team
// admin downloads it and opens it with a SQLite driver; it holds the team's
// retro and action and nothing of another team; members who are not admins
// and outsiders get a problem, not a file.
func TestATeamAdminDownloadsTheTeamsSQLiteFile(t *testing.T) {
	f := newHistoryFixture(t)
	res := f.get(http.StatusOK, f.ada, "/v1/teams/"+f.platform+"/sqlite")
	if ct := res.header.Get("Content-Type"); ct != "application/vnd.sqlite3" {
		t.Errorf("Content-Type %q, want application/vnd.sqlite3", ct)
	}
	if cd := res.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, ".sqlite") {
		t.Errorf("Content-Disposition %q, want an attachment named .sqlite", cd)
	}
	if !bytes.HasPrefix(res.raw, []byte("SQLite format 3\x00")) {
		t.Fatalf("the file starts %q, not with SQLite's header", res.raw[:min(16, len(res.raw))])
	}
	path := filepath.Join(t.TempDir(), "team.sqlite")
	if err := os.WriteFile(path, res.raw, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var title, team string
	if err := db.QueryRow(`SELECT title, team_id FROM retros WHERE retro_id = ?`, f.retro).Scan(&title, &team); err != nil || title != "Sprint 1" || team != f.platform {
		t.Errorf("the retro's row = %q %q (%v), want Sprint 1 of the team", title, team, err)
	}
	var others int
	if err := db.QueryRow(`SELECT count(*) FROM retros WHERE team_id <> ? OR retro_id = ?`, f.platform, f.tinyRetro).Scan(&others); err != nil || others != 0 {
		t.Errorf("%d rows of another team's retros (%v), want none", others, err)
	}
	var action string
	if err := db.QueryRow(`SELECT title FROM actions WHERE action_id = ?`, f.action).Scan(&action); err != nil || action != "Fix the flaky deploy" {
		t.Errorf("the action's row = %q (%v)", action, err)
	}
	// Redacted as the export is: the export carries only Ada's own health
	// answers, so the check is there with one respondent, under the
	// minimum group, and no average; the others' scores never left.
	var checks, shown int
	if err := db.QueryRow(`SELECT count(*), count(average) FROM health WHERE team_id = ?`, f.platform).Scan(&checks, &shown); err != nil || checks == 0 || shown != 0 {
		t.Errorf("%d health rows, %d with an average (%v): want the check's rows, none with an average", checks, shown, err)
	}

	for _, c := range []struct {
		who  user
		want int
	}{{f.bea, http.StatusForbidden}, {f.wes, http.StatusForbidden}, {f.out, http.StatusNotFound}} {
		res := f.h.do(req{method: "GET", path: "/v1/teams/" + f.platform + "/sqlite", token: c.who.token})
		if res.status != c.want || !strings.HasPrefix(res.header.Get("Content-Type"), "application/problem+json") {
			t.Errorf("GET sqlite as %s = %d %s, want %d problem+json", c.who.email, res.status, res.header.Get("Content-Type"), c.want)
		}
	}
}
