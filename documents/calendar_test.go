package documents_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/hindsight-retro/hindsight/documents"
)

func TestACalendarParsesBackWithItsTitlesTimesAndUIDsWhateverTheTitleHolds(t *testing.T) {
	start := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	awkward := "Retro; Q4, \"wins\" & 🎉 — über-long title that goes on and on past seventy-five octets\\n\nsecond line\r\nthird"
	cal := documents.Calendar{Name: "Platform, retros", Stamp: start.Add(-48 * time.Hour), Events: []documents.CalendarEvent{
		{UID: "r1@hindsight", Title: awkward, Start: start, Duration: time.Hour},
		{UID: "r2@hindsight", Title: "Next one", Start: start.AddDate(0, 0, 14), Duration: 90 * time.Minute, Tentative: true},
	}}
	var buf bytes.Buffer
	if err := documents.WriteCalendar(&buf, cal); err != nil {
		t.Fatal(err)
	}
	raw := buf.String()
	for i, line := range strings.Split(strings.TrimSuffix(raw, "\r\n"), "\r\n") {
		if len(line) > 75 {
			t.Errorf("line %d is %d octets, over RFC 5545's 75: %q", i, len(line), line)
		}
		if strings.ContainsAny(line, "\r\n") {
			t.Errorf("line %d holds a bare line break: %q", i, line)
		}
	}
	parsed, err := ics.ParseCalendar(strings.NewReader(raw))
	if err != nil {
		t.Fatalf("the library does not read the calendar back: %v\n%s", err, raw)
	}
	evs := parsed.Events()
	if len(evs) != 2 {
		t.Fatalf("%d events, want 2", len(evs))
	}
	wantTitle := strings.ReplaceAll(awkward, "\r\n", "\n")
	if got := evs[0].GetProperty(ics.ComponentPropertySummary).Value; got != wantTitle {
		t.Errorf("summary read back %q, want %q", got, wantTitle)
	}
	for i, e := range evs {
		want := cal.Events[i]
		if e.Id() != want.UID {
			t.Errorf("event %d UID %q, want %q", i, e.Id(), want.UID)
		}
		s, err := e.GetStartAt()
		if err != nil || !s.Equal(want.Start) {
			t.Errorf("event %d starts %v (%v), want %v", i, s, err, want.Start)
		}
		end, err := e.GetEndAt()
		if err != nil || !end.Equal(want.Start.Add(want.Duration)) {
			t.Errorf("event %d ends %v (%v)", i, end, err)
		}
		if e.GetProperty(ics.ComponentPropertyDtstamp) == nil {
			t.Errorf("event %d has no DTSTAMP", i)
		}
	}
	if st := evs[1].GetProperty(ics.ComponentPropertyStatus).Value; st != string(ics.ObjectStatusTentative) {
		t.Errorf("an occurrence not made yet has status %q", st)
	}
	if !strings.Contains(raw, "DTSTART:20261203T090000Z") {
		t.Errorf("times are not in UTC:\n%s", raw)
	}
}
