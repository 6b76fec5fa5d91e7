package schedule

import (
	"fmt"
	"time"
)

// Frequency is how often a team's retro recurs.
type Frequency string

// The frequencies a cadence may have.
const (
	Weekly   Frequency = "weekly"
	Biweekly Frequency = "biweekly"
	// Monthly is by weekday: the Week-th Weekday of every month (Week -1:
	// the last one), as "the first Thursday of the month".
	Monthly Frequency = "monthly"
)

// Cadence says when a team's retros happen, as wall-clock time in the
// team's IANA time zone: 10:00 stays 10:00 across daylight saving changes.
type Cadence struct {
	Frequency Frequency `json:"frequency"`
	// Weekday: 0 Sunday ... 6 Saturday.
	Weekday time.Weekday `json:"weekday"`
	// Week is the week of the month for Monthly: 1 to 4, or -1 for the
	// last; 0 otherwise.
	Week int `json:"week,omitempty"`
	// Time is the local start, "15:04".
	Time string `json:"time"`
	// TimeZone is an IANA name ("Europe/Berlin"); the application checks it
	// is known before it asks.
	TimeZone string `json:"timeZone"`
	// Start is the first local day ("2006-01-02") an occurrence may fall
	// on; Biweekly counts its fortnights from the first matching day.
	Start string `json:"start"`
	// DurationMinutes is how long a retro is planned for.
	DurationMinutes int `json:"durationMinutes"`
}

// Bounds of a cadence's duration.
const (
	MinDuration = 15
	MaxDuration = 8 * 60
)

func (c Cadence) clock() (hour, minute int, err error) {
	t, err := time.Parse("15:04", c.Time)
	if err != nil {
		return 0, 0, fmt.Errorf("time %q is not HH:MM", c.Time)
	}
	return t.Hour(), t.Minute(), nil
}

func (c Cadence) startDay() (time.Time, error) {
	d, err := time.Parse(time.DateOnly, c.Start)
	if err != nil {
		return time.Time{}, fmt.Errorf("start %q is not YYYY-MM-DD", c.Start)
	}
	return d, nil
}

// check reports what is wrong with the cadence, nil if nothing.
func (c Cadence) check() error {
	switch c.Frequency {
	case Weekly, Biweekly:
		if c.Week != 0 {
			return fmt.Errorf("a %s cadence has no week of the month", c.Frequency)
		}
	case Monthly:
		if c.Week != -1 && (c.Week < 1 || c.Week > 4) {
			return fmt.Errorf("week of the month must be 1 to 4 or -1 (the last)")
		}
	default:
		return fmt.Errorf("frequency must be %s, %s or %s", Weekly, Biweekly, Monthly)
	}
	if c.Weekday < time.Sunday || c.Weekday > time.Saturday {
		return fmt.Errorf("weekday must be 0 (Sunday) to 6 (Saturday)")
	}
	if _, _, err := c.clock(); err != nil {
		return err
	}
	if _, err := c.startDay(); err != nil {
		return err
	}
	if c.TimeZone == "" {
		return fmt.Errorf("a cadence needs a time zone")
	}
	if c.DurationMinutes < MinDuration || c.DurationMinutes > MaxDuration {
		return fmt.Errorf("duration must be %d to %d minutes", MinDuration, MaxDuration)
	}
	return nil
}

// Duration is how long each retro is planned for.
func (c Cadence) Duration() time.Duration { return time.Duration(c.DurationMinutes) * time.Minute }

// Next is the first occurrence strictly after after, in loc (the
// cadence's time zone, loaded by the caller: loading it reads the zone
// database). Each occurrence is built from its local date and clock time,
// so it keeps its wall-clock time through daylight saving changes; a clock
// time that does not exist on a day (in a spring-forward gap) is moved as
// time.Date moves it. A cadence that does not check gives the zero time.
func (c Cadence) Next(loc *time.Location, after time.Time) time.Time {
	if c.check() != nil || loc == nil {
		return time.Time{}
	}
	h, m, _ := c.clock()
	start, _ := c.startDay()
	at := func(y int, mo time.Month, d int) time.Time { return time.Date(y, mo, d, h, m, 0, 0, loc) }
	if c.Frequency == Monthly {
		y, mo := start.Year(), start.Month()
		if la := after.In(loc); la.Year() > y || (la.Year() == y && la.Month() > mo) {
			// A month before after's, so an occurrence late in the
			// previous month's last week is not skipped.
			y, mo = la.Year(), la.Month()-1
		}
		for range 1200 {
			t := at(y, mo, nthWeekday(y, mo, c.Weekday, c.Week))
			day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
			if !day.Before(start) && t.After(after) {
				return t
			}
			mo++
			if mo > time.December {
				y, mo = y+1, time.January
			}
		}
		return time.Time{}
	}
	step := 7
	if c.Frequency == Biweekly {
		step = 14
	}
	first := start.AddDate(0, 0, (int(c.Weekday)-int(start.Weekday())+7)%7)
	// Jump close to after in whole steps (days counted on the UTC
	// calendar, which has no daylight saving), then walk.
	k := 0
	if la := after.In(loc); la.After(first) {
		day := time.Date(la.Year(), la.Month(), la.Day(), 0, 0, 0, 0, time.UTC)
		k = max(0, int(day.Sub(first).Hours()/24)/step-1)
	}
	for ; ; k++ {
		d := first.AddDate(0, 0, k*step)
		if t := at(d.Year(), d.Month(), d.Day()); t.After(after) {
			return t
		}
	}
}

// Upcoming lists the next n occurrences after after.
func (c Cadence) Upcoming(loc *time.Location, after time.Time, n int) []time.Time {
	var out []time.Time
	for range n {
		t := c.Next(loc, after)
		if t.IsZero() {
			break
		}
		out = append(out, t)
		after = t
	}
	return out
}

// nthWeekday is the day of the month of its week-th wd (-1: the last).
func nthWeekday(y int, mo time.Month, wd time.Weekday, week int) int {
	if week == -1 {
		last := time.Date(y, mo+1, 0, 0, 0, 0, 0, time.UTC)
		return last.Day() - (int(last.Weekday())-int(wd)+7)%7
	}
	first := time.Date(y, mo, 1, 0, 0, 0, 0, time.UTC)
	return 1 + (int(wd)-int(first.Weekday())+7)%7 + (week-1)*7
}
