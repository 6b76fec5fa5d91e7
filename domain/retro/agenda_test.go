package retro_test

import (
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/retro"
)

func TestGoToStep(t *testing.T) {
	atCollect := base(t, false, retro.GoToStep{Actor: mod, At: t0, StepID: "collect"})
	decider.Run(t, []tc{
		{Name: "moves forward", Given: base(t, false), When: retro.GoToStep{Actor: mod, At: t0, StepID: "collect"},
			Then: []retro.Event{retro.StepChanged{From: "lobby", To: "collect", At: t0}}},
		{Name: "goes back", Given: atCollect, When: retro.GoToStep{Actor: mod, At: t0, StepID: "icebreaker"},
			Then: []retro.Event{retro.StepChanged{From: "collect", To: "icebreaker", At: t0}}},
		{Name: "going to the closed step closes the retro", Given: atCollect,
			When: retro.GoToStep{Actor: mod, At: t0, StepID: "closed"},
			Then: []retro.Event{retro.StepChanged{From: "collect", To: "closed", At: t0}, retro.RetroClosed{At: t0}}},
		{Name: "going to the current step changes nothing", Given: atCollect, When: retro.GoToStep{Actor: mod, At: t0, StepID: "collect"}},
		{Name: "rejects an unknown step", Given: base(t, false), When: retro.GoToStep{Actor: mod, At: t0, StepID: "nap"},
			Kind: domain.NotFound, Code: retro.CodeStepNotFound},
	})
	s := fold(cat(base(t, false, retro.SkipStep{Actor: mod, At: t0, StepID: "icebreaker"}),
		[]retro.Event{retro.StepChanged{From: "lobby", To: "icebreaker", At: t0}}))
	if s.Agenda[1].Skipped {
		t.Fatal("going back to a skipped step should bring it back")
	}
}

func TestSkipStep(t *testing.T) {
	decider.Run(t, []tc{
		{Name: "skips", Given: base(t, false), When: retro.SkipStep{Actor: mod, At: t0, StepID: "health-check"},
			Then: []retro.Event{retro.StepSkipped{StepID: "health-check", At: t0}}},
		{Name: "skipping again changes nothing", Given: base(t, false, retro.SkipStep{Actor: mod, At: t0, StepID: "roti"}),
			When: retro.SkipStep{Actor: mod, At: t0, StepID: "roti"}},
		{Name: "rejects an unknown step", Given: base(t, false), When: retro.SkipStep{Actor: mod, At: t0, StepID: "nap"},
			Kind: domain.NotFound, Code: retro.CodeStepNotFound},
		{Name: "rejects skipping the closed step", Given: base(t, false), When: retro.SkipStep{Actor: mod, At: t0, StepID: "closed"},
			Kind: domain.Invalid, Code: retro.CodeStepNotSkippable},
		{Name: "rejects skipping the current step",
			Given: base(t, false, retro.GoToStep{Actor: mod, At: t0, StepID: "vote"}),
			When:  retro.SkipStep{Actor: mod, At: t0, StepID: "vote"}, Kind: domain.Conflict, Code: retro.CodeStepCurrent},
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
	decider.Run(t, []tc{
		{Name: "reorders", Given: base(t, false), When: retro.ReorderSteps{Actor: mod, At: t0, Order: order},
			Then: []retro.Event{retro.StepsReordered{Order: order, At: t0}}},
		{Name: "rejects an order missing a step", Given: base(t, false),
			When: retro.ReorderSteps{Actor: mod, At: t0, Order: order[1:]}, Kind: domain.Invalid, Code: retro.CodeOrderMismatch},
		{Name: "rejects an order naming an unknown step", Given: base(t, false),
			When: retro.ReorderSteps{Actor: mod, At: t0, Order: append([]string{"nap"}, order[1:]...)},
			Kind: domain.Invalid, Code: retro.CodeOrderMismatch},
		{Name: "rejects an order not ending with the closed step", Given: base(t, false),
			When: retro.ReorderSteps{Actor: mod, At: t0, Order: append(append([]string{}, order[:8]...), "closed", "roti")},
			Kind: domain.Invalid, Code: retro.CodeAgendaInvalid},
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
	decider.Run(t, []tc{
		{Name: "adds a whiteboard step for a topic, before the closed step by default", Given: board,
			When: retro.AddStep{Actor: mod, At: t0, Step: wb},
			Then: []retro.Event{retro.StepAdded{Step: wb, After: "roti", At: t0}}},
		{Name: "adds after a given step", Given: board, When: retro.AddStep{Actor: mod, At: t0, Step: wb, After: "discuss"},
			Then: []retro.Event{retro.StepAdded{Step: wb, After: "discuss", At: t0}}},
		{Name: "rejects no step ID", Given: board, When: retro.AddStep{Actor: mod, At: t0, Step: retro.Step{Kind: retro.KindVote}},
			Kind: domain.Invalid, Code: retro.CodeStepIDRequired},
		{Name: "rejects a second lobby", Given: board,
			When: retro.AddStep{Actor: mod, At: t0, Step: retro.Step{ID: "l2", Kind: retro.KindLobby}},
			Kind: domain.Invalid, Code: retro.CodeStepKindInvalid},
		{Name: "rejects an existing step ID", Given: board,
			When: retro.AddStep{Actor: mod, At: t0, Step: retro.Step{ID: "vote", Kind: retro.KindVote}},
			Kind: domain.Conflict, Code: retro.CodeStepExists},
		{Name: "rejects an unknown predecessor", Given: board, When: retro.AddStep{Actor: mod, At: t0, Step: wb, After: "nap"},
			Kind: domain.NotFound, Code: retro.CodeStepNotFound},
		{Name: "rejects a step after the closed step", Given: board, When: retro.AddStep{Actor: mod, At: t0, Step: wb, After: "closed"},
			Kind: domain.Invalid, Code: retro.CodeAgendaInvalid},
		{Name: "rejects an overlong title", Given: board,
			When: retro.AddStep{Actor: mod, At: t0, Step: retro.Step{ID: "x", Kind: retro.KindVote, Title: string(make([]byte, 201))}},
			Kind: domain.Invalid, Code: retro.CodeTitleTooLong},
		{Name: "rejects an unknown topic", Given: board,
			When: retro.AddStep{Actor: mod, At: t0, Step: retro.Step{ID: "x", Kind: retro.KindWhiteboard, Topic: "c99"}},
			Kind: domain.NotFound, Code: retro.CodeTopicNotFound},
	})
	s := fold(cat(board, []retro.Event{retro.StepAdded{Step: wb, After: "discuss", At: t0}}))
	if got := stepIDs(s.Agenda); got[8] != "wb-1" || got[9] != "roti" {
		t.Fatalf("agenda %v: the whiteboard step should follow discuss", got)
	}
}

func TestTimer(t *testing.T) {
	running := base(t, false, retro.StartTimer{Actor: mod, At: t0, Duration: 5 * time.Minute})
	decider.Run(t, []tc{
		{Name: "start records the deadline", Given: base(t, false),
			When: retro.StartTimer{Actor: mod, At: t0, Duration: 5 * time.Minute},
			Then: []retro.Event{retro.TimerStarted{StepID: "lobby", Deadline: t0.Add(5 * time.Minute), At: t0}}},
		{Name: "start rejects a zero duration", Given: base(t, false), When: retro.StartTimer{Actor: mod, At: t0},
			Kind: domain.Invalid, Code: retro.CodeDurationInvalid},
		{Name: "start rejects a second timer", Given: running,
			When: retro.StartTimer{Actor: mod, At: t0, Duration: time.Minute}, Kind: domain.Conflict, Code: retro.CodeTimerRunning},
		{Name: "extend moves the deadline", Given: running,
			When: retro.ExtendTimer{Actor: mod, At: t0.Add(time.Minute), By: 2 * time.Minute},
			Then: []retro.Event{retro.TimerExtended{StepID: "lobby", Deadline: t0.Add(7 * time.Minute), At: t0.Add(time.Minute)}}},
		{Name: "extending an expired timer counts from now", Given: running,
			When: retro.ExtendTimer{Actor: mod, At: t0.Add(10 * time.Minute), By: 2 * time.Minute},
			Then: []retro.Event{retro.TimerExtended{StepID: "lobby", Deadline: t0.Add(12 * time.Minute), At: t0.Add(10 * time.Minute)}}},
		{Name: "extend rejects a negative duration", Given: running, When: retro.ExtendTimer{Actor: mod, At: t0, By: -time.Second},
			Kind: domain.Invalid, Code: retro.CodeDurationInvalid},
		{Name: "extend rejects no timer", Given: base(t, false), When: retro.ExtendTimer{Actor: mod, At: t0, By: time.Minute},
			Kind: domain.Conflict, Code: retro.CodeTimerNotRunning},
		{Name: "stop", Given: running, When: retro.StopTimer{Actor: mod, At: t0},
			Then: []retro.Event{retro.TimerStopped{StepID: "lobby", At: t0}}},
		{Name: "stop rejects no timer", Given: base(t, false), When: retro.StopTimer{Actor: mod, At: t0},
			Kind: domain.Conflict, Code: retro.CodeTimerNotRunning},
		{Name: "a timer belongs to its step: changing step ends it",
			Given: cat(running, []retro.Event{retro.StepChanged{From: "lobby", To: "icebreaker", At: t0}}),
			When:  retro.StopTimer{Actor: mod, At: t0}, Kind: domain.Conflict, Code: retro.CodeTimerNotRunning},
	})
	v := retro.View(fold(running), viewer(alice), policy)
	if v.Timer == nil || !v.Timer.Deadline.Equal(t0.Add(5*time.Minute)) {
		t.Fatalf("view timer %+v, want the deadline from the log", v.Timer)
	}
}
