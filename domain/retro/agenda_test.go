package retro_test

import (
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/retro"
)

func TestGoToStep(t *testing.T) {
	atCollect := base(t, false, retro.GoToStep{Actor: mod, At: t0, StepID: "collect"})
	run(t, []tc{
		{name: "moves forward", given: base(t, false), when: retro.GoToStep{Actor: mod, At: t0, StepID: "collect"},
			then: []retro.Event{retro.StepChanged{From: "lobby", To: "collect", At: t0}}},
		{name: "goes back", given: atCollect, when: retro.GoToStep{Actor: mod, At: t0, StepID: "icebreaker"},
			then: []retro.Event{retro.StepChanged{From: "collect", To: "icebreaker", At: t0}}},
		{name: "going to the closed step closes the retro", given: atCollect,
			when: retro.GoToStep{Actor: mod, At: t0, StepID: "closed"},
			then: []retro.Event{retro.StepChanged{From: "collect", To: "closed", At: t0}, retro.RetroClosed{At: t0}}},
		{name: "going to the current step changes nothing", given: atCollect, when: retro.GoToStep{Actor: mod, At: t0, StepID: "collect"}},
		{name: "rejects an unknown step", given: base(t, false), when: retro.GoToStep{Actor: mod, At: t0, StepID: "nap"},
			kind: domain.NotFound, code: "step-not-found"},
	})
	s := fold(cat(base(t, false, retro.SkipStep{Actor: mod, At: t0, StepID: "icebreaker"}),
		[]retro.Event{retro.StepChanged{From: "lobby", To: "icebreaker", At: t0}}))
	if s.Agenda[1].Skipped {
		t.Fatal("going back to a skipped step should bring it back")
	}
}

func TestSkipStep(t *testing.T) {
	run(t, []tc{
		{name: "skips", given: base(t, false), when: retro.SkipStep{Actor: mod, At: t0, StepID: "health-check"},
			then: []retro.Event{retro.StepSkipped{StepID: "health-check", At: t0}}},
		{name: "skipping again changes nothing", given: base(t, false, retro.SkipStep{Actor: mod, At: t0, StepID: "roti"}),
			when: retro.SkipStep{Actor: mod, At: t0, StepID: "roti"}},
		{name: "rejects an unknown step", given: base(t, false), when: retro.SkipStep{Actor: mod, At: t0, StepID: "nap"},
			kind: domain.NotFound, code: "step-not-found"},
		{name: "rejects skipping the closed step", given: base(t, false), when: retro.SkipStep{Actor: mod, At: t0, StepID: "closed"},
			kind: domain.Invalid, code: "step-not-skippable"},
		{name: "rejects skipping the current step",
			given: base(t, false, retro.GoToStep{Actor: mod, At: t0, StepID: "vote"}),
			when:  retro.SkipStep{Actor: mod, At: t0, StepID: "vote"}, kind: domain.Conflict, code: "step-current"},
	})
}

func stepIDs(agenda []retro.Step) []string {
	out := make([]string, len(agenda))
	for i, s := range agenda {
		out[i] = s.ID
	}
	return out
}

func TestReorderSteps(t *testing.T) {
	order := []string{"lobby", "collect", "icebreaker", "action-review", "health-check", "group", "vote", "discuss", "roti", "closed"}
	run(t, []tc{
		{name: "reorders", given: base(t, false), when: retro.ReorderSteps{Actor: mod, At: t0, Order: order},
			then: []retro.Event{retro.StepsReordered{Order: order, At: t0}}},
		{name: "rejects an order missing a step", given: base(t, false),
			when: retro.ReorderSteps{Actor: mod, At: t0, Order: order[1:]}, kind: domain.Invalid, code: "order-mismatch"},
		{name: "rejects an order naming an unknown step", given: base(t, false),
			when: retro.ReorderSteps{Actor: mod, At: t0, Order: append([]string{"nap"}, order[1:]...)},
			kind: domain.Invalid, code: "order-mismatch"},
		{name: "rejects an order not ending with the closed step", given: base(t, false),
			when: retro.ReorderSteps{Actor: mod, At: t0, Order: append(append([]string{}, order[:8]...), "closed", "roti")},
			kind: domain.Invalid, code: "agenda-invalid"},
	})
	s := fold(base(t, false, retro.ReorderSteps{Actor: mod, At: t0, Order: order}))
	if got := stepIDs(s.Agenda); !equal(got, order) {
		t.Fatalf("agenda %v, want %v", got, order)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestAddStep(t *testing.T) {
	wb := retro.Step{ID: "wb-1", Kind: retro.KindWhiteboard, Title: "Deploys", Topic: "c1"}
	board := revealedBoard(t, false)
	run(t, []tc{
		{name: "adds a whiteboard step for a topic, before the closed step by default", given: board,
			when: retro.AddStep{Actor: mod, At: t0, Step: wb},
			then: []retro.Event{retro.StepAdded{Step: wb, After: "roti", At: t0}}},
		{name: "adds after a given step", given: board, when: retro.AddStep{Actor: mod, At: t0, Step: wb, After: "discuss"},
			then: []retro.Event{retro.StepAdded{Step: wb, After: "discuss", At: t0}}},
		{name: "rejects no step ID", given: board, when: retro.AddStep{Actor: mod, At: t0, Step: retro.Step{Kind: retro.KindVote}},
			kind: domain.Invalid, code: "step-id-required"},
		{name: "rejects a second lobby", given: board,
			when: retro.AddStep{Actor: mod, At: t0, Step: retro.Step{ID: "l2", Kind: retro.KindLobby}},
			kind: domain.Invalid, code: "step-kind-invalid"},
		{name: "rejects an existing step ID", given: board,
			when: retro.AddStep{Actor: mod, At: t0, Step: retro.Step{ID: "vote", Kind: retro.KindVote}},
			kind: domain.Conflict, code: "step-exists"},
		{name: "rejects an unknown predecessor", given: board, when: retro.AddStep{Actor: mod, At: t0, Step: wb, After: "nap"},
			kind: domain.NotFound, code: "step-not-found"},
		{name: "rejects a step after the closed step", given: board, when: retro.AddStep{Actor: mod, At: t0, Step: wb, After: "closed"},
			kind: domain.Invalid, code: "agenda-invalid"},
		{name: "rejects an overlong title", given: board,
			when: retro.AddStep{Actor: mod, At: t0, Step: retro.Step{ID: "x", Kind: retro.KindVote, Title: string(make([]byte, 201))}},
			kind: domain.Invalid, code: "title-too-long"},
		{name: "rejects an unknown topic", given: board,
			when: retro.AddStep{Actor: mod, At: t0, Step: retro.Step{ID: "x", Kind: retro.KindWhiteboard, Topic: "c99"}},
			kind: domain.NotFound, code: "topic-not-found"},
	})
	s := fold(cat(board, []retro.Event{retro.StepAdded{Step: wb, After: "discuss", At: t0}}))
	if got := stepIDs(s.Agenda); got[8] != "wb-1" || got[9] != "roti" {
		t.Fatalf("agenda %v: the whiteboard step should follow discuss", got)
	}
}

func TestTimer(t *testing.T) {
	running := base(t, false, retro.StartTimer{Actor: mod, At: t0, Duration: 5 * time.Minute})
	run(t, []tc{
		{name: "start records the deadline", given: base(t, false),
			when: retro.StartTimer{Actor: mod, At: t0, Duration: 5 * time.Minute},
			then: []retro.Event{retro.TimerStarted{StepID: "lobby", Deadline: t0.Add(5 * time.Minute), At: t0}}},
		{name: "start rejects a zero duration", given: base(t, false), when: retro.StartTimer{Actor: mod, At: t0},
			kind: domain.Invalid, code: "duration-invalid"},
		{name: "start rejects a second timer", given: running,
			when: retro.StartTimer{Actor: mod, At: t0, Duration: time.Minute}, kind: domain.Conflict, code: "timer-running"},
		{name: "extend moves the deadline", given: running,
			when: retro.ExtendTimer{Actor: mod, At: t0.Add(time.Minute), By: 2 * time.Minute},
			then: []retro.Event{retro.TimerExtended{StepID: "lobby", Deadline: t0.Add(7 * time.Minute), At: t0.Add(time.Minute)}}},
		{name: "extending an expired timer counts from now", given: running,
			when: retro.ExtendTimer{Actor: mod, At: t0.Add(10 * time.Minute), By: 2 * time.Minute},
			then: []retro.Event{retro.TimerExtended{StepID: "lobby", Deadline: t0.Add(12 * time.Minute), At: t0.Add(10 * time.Minute)}}},
		{name: "extend rejects a negative duration", given: running, when: retro.ExtendTimer{Actor: mod, At: t0, By: -time.Second},
			kind: domain.Invalid, code: "duration-invalid"},
		{name: "extend rejects no timer", given: base(t, false), when: retro.ExtendTimer{Actor: mod, At: t0, By: time.Minute},
			kind: domain.Conflict, code: "timer-not-running"},
		{name: "stop", given: running, when: retro.StopTimer{Actor: mod, At: t0},
			then: []retro.Event{retro.TimerStopped{StepID: "lobby", At: t0}}},
		{name: "stop rejects no timer", given: base(t, false), when: retro.StopTimer{Actor: mod, At: t0},
			kind: domain.Conflict, code: "timer-not-running"},
		{name: "a timer belongs to its step: changing step ends it",
			given: cat(running, []retro.Event{retro.StepChanged{From: "lobby", To: "icebreaker", At: t0}}),
			when:  retro.StopTimer{Actor: mod, At: t0}, kind: domain.Conflict, code: "timer-not-running"},
	})
	v := retro.View(fold(running), viewer(alice), policy)
	if v.Timer == nil || !v.Timer.Deadline.Equal(t0.Add(5*time.Minute)) {
		t.Fatalf("view timer %+v, want the deadline from the log", v.Timer)
	}
}
