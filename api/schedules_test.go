package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/domain/schedule"
)

func everyThursdayInBerlin() schedule.Settings {
	return schedule.Settings{
		Cadence: schedule.Cadence{Frequency: schedule.Biweekly, Weekday: time.Thursday, Time: "10:00",
			TimeZone: "Europe/Berlin", Start: time.Now().UTC().Format(time.DateOnly), DurationMinutes: 60},
		Title: "Platform retro", TemplateID: "start-stop-continue", LeadTimeMinutes: 24 * 60,
	}
}

func TestATeamAdminSetsTheCadenceAndTheTeamSeesEverySecondThursdayAtTenInBerlin(t *testing.T) {
	h := newHarness(t)
	admin, outsider := h.user("Mo"), h.user("Out")
	_, tm := h.team(admin)
	path := "/v1/teams/" + tm + "/schedule"
	h.must(http.StatusOK, req{method: "PUT", path: path, token: admin.token, body: everyThursdayInBerlin()})

	res := h.must(http.StatusOK, req{method: "GET", path: path, token: admin.token})
	next, _ := res.body["next"].([]any)
	if res.body["active"] != true || len(next) != 5 {
		t.Fatalf("schedule = %s", res.raw)
	}
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	var prev time.Time
	for i, n := range next {
		o, err := time.Parse(time.RFC3339, n.(string))
		if err != nil {
			t.Fatal(err)
		}
		l := o.In(berlin)
		if l.Weekday() != time.Thursday || l.Hour() != 10 || l.Minute() != 0 || !o.After(time.Now()) {
			t.Errorf("occurrence %d is %v in Berlin", i, l)
		}
		if i > 0 && (l.Sub(prev) < 13*24*time.Hour || l.Sub(prev) > 15*24*time.Hour) {
			t.Errorf("occurrence %d is %v after the one before", i, l.Sub(prev))
		}
		prev = l
	}

	if res := h.do(req{method: "GET", path: path, token: outsider.token}); res.status != http.StatusNotFound {
		t.Errorf("an outsider reads the schedule: %d", res.status)
	}
	bad := everyThursdayInBerlin()
	bad.Cadence.TimeZone = "Berlin"
	res = h.do(req{method: "PUT", path: path, token: admin.token, body: bad})
	if res.status != http.StatusBadRequest || res.str("code") != "time-zone-unknown" {
		t.Errorf("an unknown zone: %d %s", res.status, res.raw)
	}
	res = h.do(req{method: "PUT", path: path, token: admin.token, body: `{"cadence": {"frequency": "hourly"}, "surprise": 1}`})
	if res.status != http.StatusBadRequest {
		t.Errorf("an unknown field: %d %s", res.status, res.raw)
	}

	h.must(http.StatusOK, req{method: "DELETE", path: path, token: admin.token})
	res = h.must(http.StatusOK, req{method: "GET", path: path, token: admin.token})
	if next, _ := res.body["next"].([]any); res.body["active"] != false || len(next) != 0 {
		t.Errorf("after removal: %s", res.raw)
	}
	if res := h.do(req{method: "DELETE", path: path, token: admin.token}); res.status != http.StatusNotFound {
		t.Errorf("removing no cadence: %d %s", res.status, res.raw)
	}
}
