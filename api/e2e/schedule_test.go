package e2e_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// The timer is rebuilt from the log when a node starts: a node started
// after an occurrence came due creates its retro at once, and the node
// after it, on the same log, does not create it again.
func TestANodeStartedAfterAnOccurrenceCameDueCreatesItsRetroOnceAcrossRestarts(t *testing.T) {
	dir := t.TempDir()
	first := startNode(t, "first", "--data-dir", dir, "--log-level", "debug")
	mo := newParticipant("Mo", first)
	mo.register(t)
	create := func(path string, body any) string {
		t.Helper()
		return mo.must(t, http.StatusCreated, request{method: http.MethodPost, path: path, body: body}).str("id")
	}
	ws := create("/v1/workspaces", map[string]string{"name": "Acme"})
	tm := create("/v1/workspaces/"+ws+"/teams", map[string]string{"name": "Platform", "templateId": "scrum-team"})
	// Weekly, a week's lead: the next occurrence is always due, the one
	// after it never yet.
	mo.must(t, http.StatusOK, request{method: http.MethodPut, path: "/v1/teams/" + tm + "/schedule", body: map[string]any{
		"cadence": map[string]any{"frequency": "weekly", "weekday": int(time.Now().Weekday()+3) % 7, "time": "10:00",
			"timeZone": "Europe/Berlin", "start": time.Now().UTC().Format(time.DateOnly), "durationMinutes": 60},
		"title": "Platform retro", "templateId": "start-stop-continue", "leadTimeMinutes": 7 * 24 * 60,
	}})
	first.stop(t)

	relogin := func(n *node) {
		t.Helper()
		mo.node = n
		login := mo.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/sessions", anonymous: true,
			body: map[string]string{"email": mo.email, "password": "correct horse battery staple"}})
		mo.token = login.str("token")
	}
	var sched struct {
		Next  []time.Time
		Fired []struct{ RetroID string }
	}
	second := startNode(t, "second", "--data-dir", dir, "--log-level", "debug")
	relogin(second)
	deadline := time.Now().Add(startBound)
	for {
		mo.get(t, "/v1/teams/"+tm+"/schedule", &sched)
		if len(sched.Fired) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no retro created after the restart; log:\n%s", tail(second.logText(), 40))
		}
		time.Sleep(250 * time.Millisecond) // the node limits requests per client
	}
	retroID := sched.Fired[0].RetroID
	var r struct{ Title, Moderator string }
	mo.get(t, "/v1/retros/"+retroID, &r)
	if !strings.HasPrefix(r.Title, "Platform retro ") || r.Moderator != mo.id {
		t.Errorf("the scheduled retro: %+v", r)
	}
	second.stop(t)

	third := startNode(t, "third", "--data-dir", dir, "--log-level", "debug")
	deadline = time.Now().Add(startBound)
	for !strings.Contains(third.logText(), "schedules: timer pass done") {
		if time.Now().After(deadline) {
			t.Fatalf("the third node made no timer pass; log:\n%s", tail(third.logText(), 40))
		}
		time.Sleep(20 * time.Millisecond)
	}
	relogin(third)
	mo.get(t, "/v1/teams/"+tm+"/schedule", &sched)
	if len(sched.Fired) != 1 || sched.Fired[0].RetroID != retroID {
		t.Errorf("after another restart the schedule fired %+v, want only %s", sched.Fired, retroID)
	}
}
