package app_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/domain/schedule"
	"github.com/hindsight-retro/hindsight/domain/survey"
	"github.com/hindsight-retro/hindsight/eventstore"
)

// weeklyThursdays is every Thursday at 10:00 in Berlin from 27 November
// 2026, created two days ahead, with a pulse survey before.
func weeklyThursdays() app.ScheduleInput {
	return app.ScheduleInput{Settings: schedule.Settings{
		Cadence: schedule.Cadence{Frequency: schedule.Weekly, Weekday: time.Thursday, Time: "10:00",
			TimeZone: "Europe/Berlin", Start: "2026-11-27", DurationMinutes: 60},
		Title: "Platform retro", TemplateID: "start-stop-continue", LeadTimeMinutes: 48 * 60, SurveyPackID: "quick-pulse",
	}}
}

// thursday3 is the first occurrence: 3 December 2026, 10:00 in Berlin.
var thursday3 = time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)

func (e *env) setNow(t time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.now = t
}

func TestOnlyATeamAdminSetsACadenceAndMembersSeeItsNextOccurrences(t *testing.T) {
	f := newTeam(t)
	_, err := f.app.SetSchedule(f.ctx(), f.as(user(uBea)), f.team, weeklyThursdays())
	refused(t, "a member sets the cadence", err, domain.ErrForbidden)
	_, err = f.app.SetSchedule(f.ctx(), f.as(user(uOut)), f.team, weeklyThursdays())
	refused(t, "an outsider sets the cadence", err, domain.ErrNotFound)
	bad := weeklyThursdays()
	bad.Cadence.TimeZone = "Mars/Olympus"
	_, err = f.app.SetSchedule(f.ctx(), f.as(user(uMod)), f.team, bad)
	rejected(t, "an unknown zone", err, domain.Invalid, "time-zone-unknown")
	bad = weeklyThursdays()
	bad.Cadence.Frequency = "daily"
	_, err = f.app.SetSchedule(f.ctx(), f.as(user(uMod)), f.team, bad)
	rejected(t, "a daily cadence", err, domain.Invalid, schedule.CodeCadenceInvalid)

	must(f.app.SetSchedule(f.ctx(), f.as(user(uMod)), f.team, weeklyThursdays()))(t)
	v := must(f.app.Schedule(f.ctx(), user(uBea), f.team))(t)
	if !v.Active || len(v.Next) != app.UpcomingShown {
		t.Fatalf("schedule %+v", v)
	}
	for i, o := range v.Next {
		if want := thursday3.AddDate(0, 0, 7*i); !o.Equal(want) {
			t.Errorf("occurrence %d at %v, want %v", i, o, want)
		}
	}
	must(f.app.RemoveSchedule(f.ctx(), f.as(user(uMod)), f.team))(t)
	if v := must(f.app.Schedule(f.ctx(), user(uBea), f.team))(t); v.Active || len(v.Next) != 0 {
		t.Errorf("after removal: %+v", v)
	}
	_, err = f.app.Schedule(f.ctx(), user(uOut), f.team)
	refused(t, "an outsider reads the schedule", err, domain.ErrNotFound)
}

func TestADueOccurrenceBecomesOneRetroWithTheTeamsOpenActionsAndItsSurvey(t *testing.T) {
	f := newTeam(t)
	action := must(f.app.RecordTeamAction(f.ctx(), f.as(user(uBea)), f.team, app.RecordTeamActionInput{Title: "Automate the release notes"}))(t)
	must(f.app.SetSchedule(f.ctx(), f.as(user(uMod)), f.team, weeklyThursdays()))(t)

	f.setNow(thursday3.Add(-49 * time.Hour))
	if fired := must(f.app.FireDueOccurrences(f.ctx()))(t); len(fired) != 0 {
		t.Fatalf("fired 49 h ahead with a lead time of 48 h: %+v", fired)
	}
	f.setNow(thursday3.Add(-47 * time.Hour))
	fired := must(f.app.FireDueOccurrences(f.ctx()))(t)
	if len(fired) != 1 || !fired[0].Occurrence.Equal(thursday3) {
		t.Fatalf("fired %+v, want the 3 December occurrence", fired)
	}
	v := f.view(user(uMod), fired[0].RetroID)
	if v.Title != "Platform retro 2026-12-03" || v.Moderator != uMod {
		t.Errorf("retro %q moderated by %q", v.Title, v.Moderator)
	}
	if len(v.ActionReview) != 1 || v.ActionReview[0].ID != action.ID {
		t.Errorf("the open action is not carried into the scheduled retro: %+v", v.ActionReview)
	}
	var surveys []survey.SurveyCreated
	for _, re := range f.events() {
		if re.Type == survey.TypeSurveyCreated {
			var s survey.SurveyCreated
			if err := json.Unmarshal(re.Payload, &s); err != nil {
				t.Fatal(err)
			}
			surveys = append(surveys, s)
		}
	}
	if len(surveys) != 1 || surveys[0].RetroID != fired[0].RetroID || !surveys[0].ClosesAt.Equal(thursday3) || len(surveys[0].HealthQuestions) == 0 {
		t.Errorf("surveys sent: %+v, want one for the retro closing when it starts", surveys)
	}
	f.setNow(thursday3.Add(-time.Hour))
	if again := must(f.app.FireDueOccurrences(f.ctx()))(t); len(again) != 0 {
		t.Errorf("fired again: %+v", again)
	}
	if n := f.countType(retro.TypeRetroCreated); n != 1 {
		t.Errorf("%d retros, want 1", n)
	}
	if v := must(f.app.Schedule(f.ctx(), user(uBea), f.team))(t); len(v.Fired) != 1 || v.Fired[0].RetroID != fired[0].RetroID ||
		!v.Next[0].Equal(thursday3.AddDate(0, 0, 7)) {
		t.Errorf("schedule after firing: %+v", v)
	}
}

// countFired counts the schedule's fired occurrences and the retros of the
// team in the whole log.
func countFired(t *testing.T, ctx context.Context, store eventstore.Store, teamID string) (fired, retros int) {
	t.Helper()
	err := store.ReadAll(ctx, 0, func(_ context.Context, re eventstore.RecordedEvent) error {
		switch re.Type {
		case schedule.TypeOccurrenceFired:
			if re.Stream.ID == teamID {
				fired++
			}
		case retro.TypeRetroCreated:
			var c retro.RetroCreated
			if err := json.Unmarshal(re.Payload, &c); err != nil {
				return err
			}
			if c.TeamID == teamID {
				retros++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return fired, retros
}

// A node that claimed an occurrence and stopped before its retro was made
// (here: the store refuses the retro's append) leaves the claim in the log;
// the next node does not claim it again and its reactor makes the retro,
// once.
func TestAnOccurrenceClaimedByANodeThatDiedBeforeItsRetroGetsItsRetroFromTheNextNode(t *testing.T) {
	f := newTeam(t)
	must(f.app.SetSchedule(f.ctx(), f.as(user(uMod)), f.team, weeklyThursdays()))(t)
	f.setNow(thursday3.Add(-47 * time.Hour))
	f.store.failNext(retro.Category, 1000)
	_, err := f.app.FireDueOccurrences(f.ctx())
	refused(t, "firing with the retro's append failing", err, app.ErrIncomplete)
	if fired, retros := countFired(t, f.ctx(), f.store, f.team); fired != 1 || retros != 0 {
		t.Fatalf("%d fired, %d retros; want the claim and no retro yet", fired, retros)
	}
	f.store.failNext("", 0)

	next := app.New(app.Deps{Store: f.store, Keys: f.keys, Catalog: f.cat, Clock: f.clock, NewID: f.newID})
	if fired := must(next.FireDueOccurrences(f.ctx()))(t); len(fired) != 0 {
		t.Errorf("the next node claimed the occurrence again: %+v", fired)
	}
	if err := next.CatchUpReactions(f.ctx(), lastPosition(t, f.env)); err != nil {
		t.Fatal(err)
	}
	if fired, retros := countFired(t, f.ctx(), f.store, f.team); fired != 1 || retros != 1 {
		t.Errorf("%d fired, %d retros; want 1 and 1", fired, retros)
	}
}

func lastPosition(t *testing.T, e *env) uint64 {
	t.Helper()
	evs := e.events()
	return evs[len(evs)-1].Position
}

func TestTheTimerLoopFiresWhatIsDueAtStartAndAtEachTick(t *testing.T) {
	f := newTeam(t)
	must(f.app.SetSchedule(f.ctx(), f.as(user(uMod)), f.team, weeklyThursdays()))(t)
	f.setNow(thursday3.Add(-47 * time.Hour))
	ctx, cancel := context.WithCancel(f.ctx())
	tick := make(chan time.Time)
	done := make(chan struct{})
	go func() { f.app.RunTimers(ctx, tick); close(done) }()
	defer func() { cancel(); <-done }()
	waitFired := func(want int) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			fired, retros := countFired(t, f.ctx(), f.store, f.team)
			if fired == want && retros == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d fired, %d retros; want %d", fired, retros, want)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitFired(1) // at start, with no tick
	f.setNow(thursday3.AddDate(0, 0, 7).Add(-time.Hour))
	tick <- time.Time{}
	waitFired(2)
}
