package schedule_test

import (
	"testing"
	"time"
	_ "time/tzdata" // the zones, on machines without a zone database

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/decidertest"
	"github.com/hindsight-retro/hindsight/domain/schedule"
)

var (
	d      = decidertest.For(schedule.Decider())
	admin  = domain.Actor{UserID: "admin"}
	berlin = mustZone("Europe/Berlin")
	// Tuesday 1 December 2026, 09:00 in Berlin.
	t0 = time.Date(2026, 12, 1, 9, 0, 0, 0, berlin)
)

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// everySecondThursday is the cadence of the example.
func everySecondThursday() schedule.Settings {
	return schedule.Settings{
		Cadence: schedule.Cadence{Frequency: schedule.Biweekly, Weekday: time.Thursday, Time: "10:00",
			TimeZone: "Europe/Berlin", Start: "2026-12-01", DurationMinutes: 60},
		Title: "Sprint retro", TemplateID: "start-stop-continue", LeadTimeMinutes: 72 * 60,
	}
}

func set() []schedule.Event {
	return []schedule.Event{schedule.CadenceSet{TeamID: "t1", Settings: everySecondThursday(), SetBy: "admin", At: t0.UTC()}}
}

func local(y int, m time.Month, day, h, min int, loc *time.Location) time.Time {
	return time.Date(y, m, day, h, min, 0, 0, loc)
}

func TestAnAdminSetsACadenceAndItsNextOccurrencesAreEverySecondThursdayAtTen(t *testing.T) {
	s := d.Then(t, nil, schedule.SetCadence{Actor: admin, At: t0, TeamID: "t1", Settings: everySecondThursday()}, set()...)
	got := schedule.Upcoming(s, berlin, t0, 3)
	want := []time.Time{local(2026, 12, 3, 10, 0, berlin), local(2026, 12, 17, 10, 0, berlin), local(2026, 12, 31, 10, 0, berlin)}
	if len(got) != len(want) {
		t.Fatalf("upcoming %v, want %v", got, want)
	}
	for i := range want {
		if !got[i].Equal(want[i]) {
			t.Errorf("occurrence %d: %v, want %v", i, got[i], want[i])
		}
	}
}

func TestAnOccurrenceKeepsItsWallClockTimeAcrossDaylightSavingChanges(t *testing.T) {
	c := schedule.Cadence{Frequency: schedule.Weekly, Weekday: time.Thursday, Time: "10:00", TimeZone: "Europe/Berlin",
		Start: "2026-10-01", DurationMinutes: 60}
	// Berlin leaves summer time on Sunday 25 October 2026 (UTC+2 → UTC+1).
	got := c.Upcoming(berlin, local(2026, 10, 20, 0, 0, berlin), 2)
	if got[0].UTC().Hour() != 8 || got[1].UTC().Hour() != 9 {
		t.Errorf("22 and 29 October at 10:00 Berlin are 08:00 and 09:00 UTC, got %v and %v", got[0].UTC(), got[1].UTC())
	}
	for _, o := range got {
		if l := o.In(berlin); l.Hour() != 10 || l.Minute() != 0 || l.Weekday() != time.Thursday {
			t.Errorf("%v is not a Thursday at 10:00 in Berlin", l)
		}
	}
	// And New York enters summer time on 8 March 2026 (UTC-5 → UTC-4).
	ny := mustZone("America/New_York")
	c.TimeZone, c.Start = "America/New_York", "2026-03-01"
	got = c.Upcoming(ny, local(2026, 3, 1, 0, 0, ny), 2)
	if got[0].UTC().Hour() != 15 || got[1].UTC().Hour() != 14 {
		t.Errorf("5 and 12 March at 10:00 New York are 15:00 and 14:00 UTC, got %v and %v", got[0].UTC(), got[1].UTC())
	}
}

func TestABiweeklyCadenceCountsItsFortnightsFromTheStartFarIntoTheFuture(t *testing.T) {
	c := everySecondThursday().Cadence
	// 3 December 2026 is the first; 52 fortnights later is 1 December 2028.
	got := c.Next(berlin, local(2028, 11, 20, 0, 0, berlin))
	if want := local(2028, 11, 30, 10, 0, berlin); !got.Equal(want) {
		t.Errorf("next after 20 November 2028: %v, want %v", got, want)
	}
	if got := c.Next(berlin, local(2026, 12, 3, 10, 0, berlin)); !got.Equal(local(2026, 12, 17, 10, 0, berlin)) {
		t.Errorf("an occurrence is not after itself: got %v", got)
	}
}

func TestAMonthlyCadenceFallsOnTheNthOrLastWeekdayOfEachMonth(t *testing.T) {
	first := schedule.Cadence{Frequency: schedule.Monthly, Weekday: time.Thursday, Week: 1, Time: "14:30",
		TimeZone: "Europe/Berlin", Start: "2026-12-01", DurationMinutes: 90}
	got := first.Upcoming(berlin, t0, 3)
	for i, want := range []time.Time{local(2026, 12, 3, 14, 30, berlin), local(2027, 1, 7, 14, 30, berlin), local(2027, 2, 4, 14, 30, berlin)} {
		if !got[i].Equal(want) {
			t.Errorf("first Thursday %d: %v, want %v", i, got[i], want)
		}
	}
	last := first
	last.Week = -1
	got = last.Upcoming(berlin, t0, 2)
	for i, want := range []time.Time{local(2026, 12, 31, 14, 30, berlin), local(2027, 1, 28, 14, 30, berlin)} {
		if !got[i].Equal(want) {
			t.Errorf("last Thursday %d: %v, want %v", i, got[i], want)
		}
	}
}

func TestAnOccurrenceIsDueWithinItsLeadTimeAndFiresOnce(t *testing.T) {
	s := schedule.Decider().Fold(set())
	if o, due := schedule.Due(s, berlin, t0); !due || !o.Equal(local(2026, 12, 3, 10, 0, berlin)) {
		t.Fatalf("due at %v: %v %v, want the 3 December occurrence (within 72 h)", t0, o, due)
	}
	if _, due := schedule.Due(s, berlin, t0.Add(-24*time.Hour)); due {
		t.Error("an occurrence 73 h away is due with a lead time of 72 h")
	}
	occ := local(2026, 12, 3, 10, 0, berlin)
	fire := schedule.FireOccurrence{At: t0, Occurrence: occ, CadenceVersion: 1, RetroID: "r1", Moderator: "admin"}
	fired := schedule.OccurrenceFired{Occurrence: occ.UTC(), RetroID: "r1", Moderator: "admin", Settings: everySecondThursday(), At: t0.UTC()}
	s = d.Then(t, set(), fire, fired)
	if _, due := schedule.Due(s, berlin, t0.Add(time.Hour)); due {
		t.Error("the fired occurrence is due again")
	}
	// The loser of a race decides on the state after the winner's event.
	d.Refused(t, append(set(), fired), fire, domain.Conflict, schedule.CodeAlreadyFired)
	if o, due := schedule.Due(s, berlin, local(2026, 12, 15, 11, 0, berlin)); !due || !o.Equal(local(2026, 12, 17, 10, 0, berlin)) {
		t.Errorf("the next fortnight is not due 47 h before it: %v %v", o, due)
	}
}

func TestAnOccurrenceMissedWhileEveryNodeWasDownIsSkippedNotFiredLate(t *testing.T) {
	s := schedule.Decider().Fold(set())
	// Every node down from 1 to 16 December: the 3 December retro began
	// unmade; the next due is 17 December's.
	o, due := schedule.Due(s, berlin, local(2026, 12, 16, 9, 0, berlin))
	if !due || !o.Equal(local(2026, 12, 17, 10, 0, berlin)) {
		t.Errorf("got %v %v, want 17 December", o, due)
	}
	d.Refused(t, set(), schedule.FireOccurrence{At: local(2026, 12, 3, 11, 0, berlin), Occurrence: local(2026, 12, 3, 10, 0, berlin),
		CadenceVersion: 1, RetroID: "r1", Moderator: "admin"}, domain.Conflict, schedule.CodeOccurrencePast)
}

func TestAFireDecidedOnAnOldCadenceOrTooEarlyOrWithoutOneIsRefused(t *testing.T) {
	occ := local(2026, 12, 3, 10, 0, berlin)
	changed := append(set(), schedule.CadenceSet{TeamID: "t1", Settings: everySecondThursday(), SetBy: "admin", At: t0.UTC()})
	d.RefusedAll(t, map[string]decidertest.Refusal[schedule.Command, schedule.Event]{
		"old cadence": {Given: changed, When: schedule.FireOccurrence{At: t0, Occurrence: occ, CadenceVersion: 1, RetroID: "r", Moderator: "m"},
			Kind: domain.Conflict, Code: schedule.CodeCadenceChanged},
		"not due": {Given: set(), When: schedule.FireOccurrence{At: t0.Add(-24 * time.Hour), Occurrence: occ, CadenceVersion: 1, RetroID: "r", Moderator: "m"},
			Kind: domain.Conflict, Code: schedule.CodeNotDue},
		"removed": {Given: append(set(), schedule.CadenceRemoved{RemovedBy: "admin", At: t0.UTC()}),
			When: schedule.FireOccurrence{At: t0, Occurrence: occ, CadenceVersion: 1, RetroID: "r", Moderator: "m"},
			Kind: domain.NotFound, Code: schedule.CodeNoCadence},
		"no retro": {Given: set(), When: schedule.FireOccurrence{At: t0, Occurrence: occ, CadenceVersion: 1},
			Kind: domain.Invalid, Code: schedule.CodeRetroRequired},
	})
}

func TestABadCadenceIsRefusedWithWhatIsWrong(t *testing.T) {
	with := func(f func(*schedule.Settings)) schedule.Command {
		s := everySecondThursday()
		f(&s)
		return schedule.SetCadence{Actor: admin, At: t0, TeamID: "t1", Settings: s}
	}
	invalid := func(code string, c schedule.Command) decidertest.Refusal[schedule.Command, schedule.Event] {
		return decidertest.Refusal[schedule.Command, schedule.Event]{When: c, Kind: domain.Invalid, Code: code}
	}
	d.RefusedAll(t, map[string]decidertest.Refusal[schedule.Command, schedule.Event]{
		"frequency":   invalid(schedule.CodeCadenceInvalid, with(func(s *schedule.Settings) { s.Cadence.Frequency = "daily" })),
		"clock":       invalid(schedule.CodeCadenceInvalid, with(func(s *schedule.Settings) { s.Cadence.Time = "25:00" })),
		"weekday":     invalid(schedule.CodeCadenceInvalid, with(func(s *schedule.Settings) { s.Cadence.Weekday = 7 })),
		"week":        invalid(schedule.CodeCadenceInvalid, with(func(s *schedule.Settings) { s.Cadence.Frequency, s.Cadence.Week = schedule.Monthly, 5 })),
		"start":       invalid(schedule.CodeCadenceInvalid, with(func(s *schedule.Settings) { s.Cadence.Start = "soon" })),
		"zone":        invalid(schedule.CodeCadenceInvalid, with(func(s *schedule.Settings) { s.Cadence.TimeZone = "" })),
		"duration":    invalid(schedule.CodeCadenceInvalid, with(func(s *schedule.Settings) { s.Cadence.DurationMinutes = 5 })),
		"lead time":   invalid(schedule.CodeLeadTimeInvalid, with(func(s *schedule.Settings) { s.LeadTimeMinutes = 10 })),
		"template":    invalid(schedule.CodeTemplateMissing, with(func(s *schedule.Settings) { s.TemplateID = "" })),
		"no actor":    invalid(schedule.CodeActorRequired, schedule.SetCadence{At: t0, TeamID: "t1", Settings: everySecondThursday()}),
		"no team":     invalid(schedule.CodeTeamRequired, schedule.SetCadence{Actor: admin, At: t0, Settings: everySecondThursday()}),
		"long title":  invalid(schedule.CodeTitleTooLong, with(func(s *schedule.Settings) { s.Title = string(make([]rune, 201)) })),
		"remove none": {When: schedule.RemoveCadence{Actor: admin, At: t0}, Kind: domain.NotFound, Code: schedule.CodeNoCadence},
	})
}

func TestRemovingTheCadenceStopsEveryLaterOccurrence(t *testing.T) {
	s := d.Then(t, set(), schedule.RemoveCadence{Actor: admin, At: t0}, schedule.CadenceRemoved{RemovedBy: "admin", At: t0.UTC()})
	if _, due := schedule.Due(s, berlin, t0); due {
		t.Error("an occurrence is due after the cadence was removed")
	}
	if up := schedule.Upcoming(s, berlin, t0, 3); len(up) != 0 {
		t.Errorf("upcoming after removal: %v", up)
	}
}
