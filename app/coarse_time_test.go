package app_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/domain/survey"
	"github.com/hindsight-retro/hindsight/eventstore"
)

// atOf is the "at" of an event's payload.
func atOf(t *testing.T, e eventstore.RecordedEvent) time.Time {
	t.Helper()
	var p struct {
		At time.Time `json:"at"`
	}
	if err := json.Unmarshal(e.Payload, &p); err != nil || p.At.IsZero() {
		t.Fatalf("%s at v%d has no time: %s (%v)", e.Type, e.StreamVersion, e.Payload, err)
	}
	return p.At
}

// An anonymous record is dated to the minute only, so its time cannot
// match it to the request that wrote it: cards and votes in an anonymous
// retro, health answers and ROTI ratings in any retro, anonymous survey
// responses. Everything else keeps its exact time: a named retro's cards,
// and the moderator's agenda and timer, which the server-side timer needs.
func TestAnonymousRecordsAreDatedToTheMinuteOnly(t *testing.T) {
	f := newTeam(t)
	// The clock ticks a second per reading; off by 123 ms, no reading falls
	// on a whole minute by chance.
	f.mu.Lock()
	f.now = f.now.Add(123 * time.Millisecond)
	f.mu.Unlock()
	anon, named := f.newRetro("Anonymous", true), f.newRetro("Named", false)
	run := func(p, rid string, in app.RetroInput) app.Result {
		t.Helper()
		return must(f.retro(user(p), rid, in))(t)
	}
	for _, rid := range []string{anon, named} {
		run(uMod, rid, app.GoToStep{StepID: "health-check"})
		q := f.view(user(uBea), rid).Health.Questions[0].ID
		run(uBea, rid, app.AnswerHealthCheck{QuestionID: q, Score: 4})
		run(uMod, rid, app.StartTimer{Duration: 5 * time.Minute})
		card := run(uBea, rid, app.AddCard{ColumnID: "stop", Text: "late reviews"}).ID
		run(uMod, rid, app.RevealColumn{ColumnID: "stop"})
		run(uMod, rid, app.StartVoting{Budget: 2})
		run(uCal, rid, app.CastVote{TopicID: card})
		run(uCal, rid, app.RateRoti{Score: 4})
	}
	sv := must(f.app.CreateSurvey(f.ctx(), f.as(user(uMod)), app.CreateSurveyInput{
		TeamIDs: []string{f.team}, Title: "Pulse", QuestionIDs: []string{"fav-commit-goal"}, ClosesAt: t0.Add(48 * time.Hour),
	}))(t)
	must(f.app.SubmitSurveyResponse(f.ctx(), f.as(user(uBea)), sv.ID, app.SurveyResponse{Ratings: map[string]int{"fav-commit-goal": 4}}))(t)

	coarse := map[string]map[string]bool{
		anon:  {retro.TypeCardAdded: true, retro.TypeVoteCast: true, retro.TypeHealthCheckAnswered: true, retro.TypeRotiRated: true},
		named: {retro.TypeHealthCheckAnswered: true, retro.TypeRotiRated: true},
		sv.ID: {survey.TypeResponseSubmitted: true},
	}
	seen := map[string]int{}
	for _, e := range f.events() {
		kinds, ok := coarse[e.Stream.ID]
		if !ok {
			continue
		}
		at := atOf(t, e)
		whole := at.Equal(at.Truncate(time.Minute))
		switch {
		case kinds[e.Type] && !whole:
			t.Errorf("%s in %s is dated %s: an anonymous record must carry the minute only", e.Type, e.Stream, at.Format(time.RFC3339Nano))
		case !kinds[e.Type] && whole:
			t.Errorf("%s in %s is dated %s: it is no anonymous record and keeps its exact time", e.Type, e.Stream, at.Format(time.RFC3339Nano))
		}
		seen[e.Stream.ID+" "+e.Type]++
	}
	for _, want := range []string{anon + " CardAdded", anon + " VoteCast", named + " CardAdded", named + " TimerStarted",
		anon + " TimerStarted", sv.ID + " " + survey.TypeResponseSubmitted} {
		if seen[want] == 0 {
			t.Errorf("no %s in the log", want)
		}
	}
	// The timer still runs on exact time: its deadline is five minutes
	// after the exact start.
	if tm := f.view(user(uBea), anon).Timer; tm == nil || tm.Deadline.Sub(tm.Deadline.Truncate(time.Second)) != 123*time.Millisecond {
		t.Errorf("the anonymous retro's timer: %+v, want a deadline at the exact start plus five minutes", tm)
	}
}
