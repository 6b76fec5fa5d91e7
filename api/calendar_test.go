package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/hindsight-retro/hindsight/api"
	"github.com/hindsight-retro/hindsight/app"
)

// calendarFixture is a team whose admin set a weekly cadence two weeks
// ahead, so an occurrence is due at once, and a member.
type calendarFixture struct {
	h          *harness
	app        *app.App
	admin, bea user
	team       string
	feed       response
	firstRetro app.Firing
}

func newCalendarFixture(t *testing.T) *calendarFixture {
	var a *app.App
	h := newHarness(t, func(d *api.Deps) { a = d.App })
	f := &calendarFixture{h: h, app: a, admin: h.user("Mo"), bea: h.user("Bea")}
	_, f.team = h.team(f.admin)
	h.must(http.StatusOK, req{method: "POST", path: "/v1/teams/" + f.team + "/members", token: f.admin.token, body: api.UserRequest{UserID: f.bea.id}})
	weekly := everyThursdayInBerlin()
	weekly.Cadence.Frequency, weekly.LeadTimeMinutes = "weekly", 14*24*60
	h.must(http.StatusOK, req{method: "PUT", path: "/v1/teams/" + f.team + "/schedule", token: f.admin.token, body: weekly})
	fired, err := a.FireDueOccurrences(context.Background())
	if err != nil || len(fired) != 1 {
		t.Fatalf("fired %+v, %v; want the next Thursday", fired, err)
	}
	f.firstRetro = fired[0]
	f.feed = h.must(http.StatusCreated, req{method: "POST", path: "/v1/teams/" + f.team + "/calendar-feeds", token: f.bea.token, body: "{}"})
	return f
}

// poll fetches a feed as a calendar app does: no session, no token header.
func (f *calendarFixture) poll(path string) (response, []*ics.VEvent) {
	f.h.t.Helper()
	res := f.h.do(req{method: "GET", path: path})
	if res.status != http.StatusOK {
		return res, nil
	}
	if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/calendar") {
		f.h.t.Errorf("the feed is served as %q", ct)
	}
	cal, err := ics.ParseCalendar(strings.NewReader(string(res.raw)))
	if err != nil {
		f.h.t.Fatalf("the feed does not parse: %v\n%s", err, res.raw)
	}
	return res, cal.Events()
}

func TestACalendarAppPollsTheTeamsFeedWithoutASessionAndSeesEveryRetroWithStableUIDs(t *testing.T) {
	f := newCalendarFixture(t)
	path := f.feed.str("path")
	if !strings.HasPrefix(path, "/v1/calendars/") || f.feed.str("token") == "" {
		t.Fatalf("feed = %s", f.feed.raw)
	}
	_, evs := f.poll(path)
	if len(evs) != 1+app.CalendarUpcoming {
		t.Fatalf("%d events, want the created retro and %d coming occurrences", len(evs), app.CalendarUpcoming)
	}
	first := evs[0]
	start, err := first.GetStartAt()
	if err != nil || !start.Equal(f.firstRetro.Occurrence) || first.Id() != f.firstRetro.RetroID+"@hindsight" {
		t.Errorf("first event %s at %v (%v), want retro %s at %v", first.Id(), start, err, f.firstRetro.RetroID, f.firstRetro.Occurrence)
	}
	if st := first.GetProperty(ics.ComponentPropertyStatus).Value; st != "CONFIRMED" {
		t.Errorf("the created retro is %s", st)
	}
	if s := first.GetProperty(ics.ComponentPropertySummary).Value; !strings.HasPrefix(s, "Platform retro ") {
		t.Errorf("summary %q", s)
	}
	next := evs[1]
	nextStart, _ := next.GetStartAt()
	if st := next.GetProperty(ics.ComponentPropertyStatus).Value; st != "TENTATIVE" || nextStart.Sub(start) != 7*24*time.Hour {
		t.Errorf("the next occurrence is %s at %v", st, nextStart)
	}
	// Once the next occurrence fires, it is the same event, now confirmed.
	fired, err := f.app.FireDueOccurrences(context.Background())
	if err != nil || len(fired) != 1 || !fired[0].Occurrence.Equal(nextStart) {
		t.Fatalf("fired %+v, %v", fired, err)
	}
	_, again := f.poll(path)
	if again[1].Id() != next.Id() || again[1].GetProperty(ics.ComponentPropertyStatus).Value != "CONFIRMED" {
		t.Errorf("after firing: %s %s, want %s confirmed", again[1].Id(), again[1].GetProperty(ics.ComponentPropertyStatus).Value, next.Id())
	}

	// The retro's own file, for whoever sees the retro.
	res := f.h.must(http.StatusOK, req{method: "GET", path: "/v1/retros/" + f.firstRetro.RetroID + "/calendar.ics", token: f.bea.token})
	one, err := ics.ParseCalendar(strings.NewReader(string(res.raw)))
	if err != nil || len(one.Events()) != 1 || one.Events()[0].Id() != first.Id() {
		t.Errorf("the retro's file: %v %s", err, res.raw)
	}
	// A retro made by hand has no planned time.
	byHand := f.h.must(http.StatusCreated, req{method: "POST", path: "/v1/teams/" + f.team + "/retros", token: f.admin.token,
		body: api.CreateRetroRequest{Title: "Ad hoc"}}).str("id")
	if res := f.h.do(req{method: "GET", path: "/v1/retros/" + byHand + "/calendar.ics", token: f.admin.token}); res.status != http.StatusNotFound || res.str("code") != "retro-not-scheduled" {
		t.Errorf("a retro made by hand as .ics: %d %s", res.status, res.raw)
	}
	// And the team's, signed in.
	res = f.h.must(http.StatusOK, req{method: "GET", path: "/v1/teams/" + f.team + "/calendar.ics", token: f.admin.token})
	if !strings.Contains(string(res.raw), first.Id()) {
		t.Errorf("the team's file lacks the retro:\n%s", res.raw)
	}
}

func TestARevokedOrGuessedFeedAnswers404AndTheListNeverShowsASecret(t *testing.T) {
	f := newCalendarFixture(t)
	path, token := f.feed.str("path"), f.feed.str("token")
	feedID, _, _ := strings.Cut(token, ".")
	if res, _ := f.poll(strings.Replace(path, token, feedID+".guess", 1)); res.status != http.StatusNotFound {
		t.Errorf("a guessed secret: %d", res.status)
	}
	list := f.h.must(http.StatusOK, req{method: "GET", path: "/v1/teams/" + f.team + "/calendar-feeds", token: f.admin.token})
	if !strings.Contains(string(list.raw), feedID) || strings.Contains(string(list.raw), token) {
		t.Errorf("the admin's list: %s", list.raw)
	}
	// Only its creator or a team admin revokes it.
	other := f.h.user("Out")
	if res := f.h.do(req{method: "DELETE", path: "/v1/calendar-feeds/" + feedID, token: other.token}); res.status != http.StatusNotFound {
		t.Errorf("an outsider revokes: %d", res.status)
	}
	f.h.must(http.StatusOK, req{method: "DELETE", path: "/v1/calendar-feeds/" + feedID, token: f.admin.token})
	res, _ := f.poll(path)
	if res.status != http.StatusNotFound || res.str("code") != "calendar-feed-revoked" {
		t.Errorf("a revoked feed: %d %s", res.status, res.raw)
	}
}

func TestAFeedClosesWhenItsCreatorLeavesTheTeam(t *testing.T) {
	f := newCalendarFixture(t)
	f.h.must(http.StatusOK, req{method: "DELETE", path: "/v1/teams/" + f.team + "/members/" + f.bea.id, token: f.admin.token})
	if res, _ := f.poll(f.feed.str("path")); res.status != http.StatusNotFound {
		t.Errorf("the feed of a member who left: %d %s", res.status, res.raw)
	}
}
