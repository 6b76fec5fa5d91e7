package schedule_test

import (
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/domain/schedule"
)

// FuzzEveryOccurrenceFallsOnItsWeekdayAtItsLocalTime: whatever cadence a
// client sends, Next answers at once (no endless walk) with an instant
// after the one asked about, on the cadence's weekday at its wall-clock
// time in its zone (or an hour off inside a spring-forward gap), or the
// zero time for a cadence that does not check.
func FuzzEveryOccurrenceFallsOnItsWeekdayAtItsLocalTime(f *testing.F) {
	f.Add("weekly", 4, 0, "10:00", "2026-12-01", int64(0), uint8(0))
	f.Add("biweekly", 1, 0, "09:30", "2020-02-29", int64(200_000_000), uint8(1))
	f.Add("monthly", 5, -1, "23:59", "2030-01-31", int64(-5_000_000_000), uint8(2))
	f.Add("monthly", 0, 4, "02:30", "2026-03-01", int64(10), uint8(3))
	f.Add("weekly", 0, 0, "02:30", "0001-01-01", int64(0), uint8(1))
	zones := []string{"Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"}
	locs := make([]*time.Location, len(zones))
	for i, z := range zones {
		locs[i] = mustZone(z)
	}
	base := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, freq string, weekday, week int, clock, start string, offsetSeconds int64, zone uint8) {
		z := int(zone) % len(zones)
		c := schedule.Cadence{Frequency: schedule.Frequency(freq), Weekday: time.Weekday(weekday), Week: week, Time: clock,
			TimeZone: zones[z], Start: start, DurationMinutes: 60}
		after := base.Add(time.Duration(offsetSeconds%(1<<40)) * time.Second)
		got := c.Next(locs[z], after)
		if got.IsZero() {
			return
		}
		if !got.After(after) {
			t.Fatalf("%+v: next after %v is %v", c, after, got)
		}
		l := got.In(locs[z])
		want, err := time.Parse("15:04", clock)
		if err != nil {
			t.Fatalf("%+v: an occurrence for a clock that does not parse", c)
		}
		if l.Weekday() != time.Weekday(weekday) {
			t.Errorf("%+v: %v is a %v", c, l, l.Weekday())
		}
		offBy := (l.Hour()*60 + l.Minute()) - (want.Hour()*60 + want.Minute())
		if offBy != 0 && (offBy < -60 || offBy > 60) {
			t.Errorf("%+v: %v is not at %s local time", c, l, clock)
		}
		if c.Frequency == schedule.Monthly && week > 0 && (l.Day()-1)/7+1 != week {
			t.Errorf("%+v: %v is not in week %d of its month", c, l, week)
		}
	})
}
