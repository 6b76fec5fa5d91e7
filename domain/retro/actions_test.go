package retro_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/domain/retro"
)

func TestFocusTopic(t *testing.T) {
	board := revealedBoard(t, false, merge(alice, "c2", "c1", "g1"))
	decider.Run(t, []tc{
		{Name: "focuses a topic", Given: board, When: retro.FocusTopic{Actor: mod, At: t0, TopicID: "c3"},
			Then: []retro.Event{retro.TopicFocused{TopicID: "c3", At: t0}}},
		{Name: "focusing a grouped card focuses its group", Given: board, When: retro.FocusTopic{Actor: mod, At: t0, TopicID: "c1"},
			Then: []retro.Event{retro.TopicFocused{TopicID: "g1", At: t0}}},
		{Name: "clears the focus", Given: revealedBoard(t, false, retro.FocusTopic{Actor: mod, At: t0, TopicID: "c3"}),
			When: retro.FocusTopic{Actor: mod, At: t0}, Then: []retro.Event{retro.TopicFocused{At: t0}}},
		{Name: "focusing the focused topic changes nothing", Given: revealedBoard(t, false, retro.FocusTopic{Actor: mod, At: t0, TopicID: "c3"}),
			When: retro.FocusTopic{Actor: mod, At: t0, TopicID: "c3"}},
		{Name: "rejects an unknown topic", Given: board, When: retro.FocusTopic{Actor: mod, At: t0, TopicID: "c9"},
			Kind: domain.NotFound, Code: retro.CodeTopicNotFound},
	})
}

func TestCreateAction(t *testing.T) {
	due := t0.Add(7 * 24 * time.Hour)
	board := revealedBoard(t, true, merge(alice, "c2", "c1", "g1"))
	decider.Run(t, []tc{
		{Name: "derives an action from a group, with assignee and due date, naming no creator", Given: board,
			When: retro.CreateAction{Actor: alice, At: t0, ActionID: "a1", Title: "Pair daily", TopicID: "c2", Assignee: "user-bob", Due: &due},
			Then: []retro.Event{retro.ActionCreated{ActionID: "a1", Title: "Pair daily", TopicID: "g1", Assignee: "user-bob", Due: &due, At: t0}}},
		{Name: "a free action", Given: board, When: retro.CreateAction{Actor: alice, At: t0, ActionID: "a1", Title: "Tidy"},
			Then: []retro.Event{retro.ActionCreated{ActionID: "a1", Title: "Tidy", At: t0}}},
		{Name: "rejects no ID", Given: board, When: retro.CreateAction{Actor: alice, At: t0, Title: "x"},
			Kind: domain.Invalid, Code: retro.CodeActionIDRequired},
		{Name: "rejects no title", Given: board, When: retro.CreateAction{Actor: alice, At: t0, ActionID: "a1"},
			Kind: domain.Invalid, Code: retro.CodeTitleRequired},
		{Name: "rejects a taken ID", Given: revealedBoard(t, false, retro.CreateAction{Actor: bob, At: t0, ActionID: "a1", Title: "x"}),
			When: retro.CreateAction{Actor: alice, At: t0, ActionID: "a1", Title: "y"}, Kind: domain.Conflict, Code: retro.CodeIDTaken},
		{Name: "rejects an unknown topic", Given: board, When: retro.CreateAction{Actor: alice, At: t0, ActionID: "a1", Title: "x", TopicID: "c9"},
			Kind: domain.NotFound, Code: retro.CodeTopicNotFound},
	})
}

func withAction(t *testing.T) []retro.Event {
	return revealedBoard(t, false, retro.CreateAction{Actor: alice, At: t0, ActionID: "a1", Title: "Pair daily", TopicID: "c1"})
}

func TestAssignAction(t *testing.T) {
	decider.Run(t, []tc{
		{Name: "assigns", Given: withAction(t), When: retro.AssignAction{Actor: bob, At: t0, ActionID: "a1", Assignee: "user-bob"},
			Then: []retro.Event{retro.ActionAssigned{ActionID: "a1", Assignee: "user-bob", At: t0}}},
		{Name: "the same assignee changes nothing", Given: withAction(t), When: retro.AssignAction{Actor: bob, At: t0, ActionID: "a1"}},
		{Name: "rejects an unknown action", Given: withAction(t), When: retro.AssignAction{Actor: bob, At: t0, ActionID: "a9", Assignee: "x"},
			Kind: domain.NotFound, Code: retro.CodeActionNotFound},
	})
}

func TestSetActionDueDate(t *testing.T) {
	due := t0.Add(48 * time.Hour)
	decider.Run(t, []tc{
		{Name: "sets a due date", Given: withAction(t), When: retro.SetActionDueDate{Actor: bob, At: t0, ActionID: "a1", Due: &due},
			Then: []retro.Event{retro.ActionDueDateSet{ActionID: "a1", Due: &due, At: t0}}},
		{Name: "rejects an unknown action", Given: withAction(t), When: retro.SetActionDueDate{Actor: bob, At: t0, ActionID: "a9", Due: &due},
			Kind: domain.NotFound, Code: retro.CodeActionNotFound},
	})
}

func TestSetActionStatus(t *testing.T) {
	decider.Run(t, []tc{
		{Name: "marks done", Given: withAction(t), When: retro.SetActionStatus{Actor: bob, At: t0, ActionID: "a1", Status: retro.ActionDone},
			Then: []retro.Event{retro.ActionStatusSet{ActionID: "a1", Status: retro.ActionDone, At: t0}}},
		{Name: "the same status changes nothing", Given: withAction(t),
			When: retro.SetActionStatus{Actor: bob, At: t0, ActionID: "a1", Status: retro.ActionOpen}},
		{Name: "rejects an unknown status", Given: withAction(t), When: retro.SetActionStatus{Actor: bob, At: t0, ActionID: "a1", Status: "meh"},
			Kind: domain.Invalid, Code: retro.CodeStatusInvalid},
		{Name: "rejects an unknown action", Given: withAction(t),
			When: retro.SetActionStatus{Actor: bob, At: t0, ActionID: "a9", Status: retro.ActionDone},
			Kind: domain.NotFound, Code: retro.CodeActionNotFound},
	})
}

func TestOpenTopicWhiteboard(t *testing.T) {
	open := func(wb, topic, action string) retro.OpenTopicWhiteboard {
		return retro.OpenTopicWhiteboard{Actor: alice, At: t0, WhiteboardID: wb, TopicID: topic, ActionID: action}
	}
	opened := cat(withAction(t), []retro.Event{retro.TopicWhiteboardOpened{WhiteboardID: "wb1", TopicID: "c1", At: t0}})
	decider.Run(t, []tc{
		{Name: "an action opens a whiteboard for its topic", Given: withAction(t), When: open("wb1", "c1", "a1"),
			Then: []retro.Event{retro.TopicWhiteboardOpened{WhiteboardID: "wb1", TopicID: "c1", ActionID: "a1", At: t0}}},
		{Name: "rejects no whiteboard ID", Given: withAction(t), When: open("", "c1", ""), Kind: domain.Invalid, Code: retro.CodeWhiteboardIDRequired},
		{Name: "rejects an unknown topic", Given: withAction(t), When: open("wb1", "c9", ""), Kind: domain.NotFound, Code: retro.CodeTopicNotFound},
		{Name: "rejects an unknown action", Given: withAction(t), When: open("wb1", "c1", "a9"), Kind: domain.NotFound, Code: retro.CodeActionNotFound},
		{Name: "rejects a taken whiteboard ID", Given: opened, When: open("wb1", "c3", ""),
			Kind: domain.Conflict, Code: retro.CodeIDTaken},
		{Name: "rejects a second whiteboard for a topic", Given: opened, When: open("wb2", "c1", ""),
			Kind: domain.Conflict, Code: retro.CodeWhiteboardOpen},
	})
}

func TestRateRoti(t *testing.T) {
	rate := func(a domain.Actor, score int) retro.RateRoti { return retro.RateRoti{Actor: a, At: t0, Score: score} }
	decider.Run(t, []tc{
		{Name: "rates under the pseudonym", Given: base(t, false), When: rate(alice, 4),
			Then: []retro.Event{retro.RotiRated{Rater: alice.Pseudonym, Score: 4, At: t0}}},
		{Name: "rating again replaces", Given: base(t, false, rate(alice, 4)), When: rate(alice, 5),
			Then: []retro.Event{retro.RotiRated{Rater: alice.Pseudonym, Score: 5, At: t0}}},
		{Name: "the same rating changes nothing", Given: base(t, false, rate(alice, 4)), When: rate(alice, 4)},
		{Name: "rejects no pseudonym", Given: base(t, false), When: rate(domain.Actor{UserID: alice.UserID}, 4),
			Kind: domain.Invalid, Code: retro.CodePseudonymRequired},
		{Name: "rejects 6 on the classic scale", Given: base(t, false), When: rate(alice, 6), Kind: domain.Invalid, Code: retro.CodeScoreOutOfRange},
		{Name: "rejects 0 on the classic scale", Given: base(t, false), When: rate(alice, 0), Kind: domain.Invalid, Code: retro.CodeScoreOutOfRange},
		{Name: "rejects after closing", Given: base(t, false, retro.CloseRoti{Actor: mod, At: t0}), When: rate(alice, 4),
			Kind: domain.Conflict, Code: retro.CodeRotiClosed},
	})
	// The average shows only once everyone rated, on the 1-5 scale.
	partly := fold(base(t, false, rate(alice, 4), rate(bob, 2)))
	if r := retro.View(partly, viewer(alice), policy).Roti; r.Result != nil || r.Ratings != 2 || r.Participants != 3 || *r.YourScore != 4 || r.Scale != catalog.ScaleFive {
		t.Fatalf("two of three rated: %+v", r)
	}
	all := fold(base(t, false, rate(alice, 4), rate(bob, 2), rate(mod, 3)))
	if r := retro.View(all, viewer(bob), policy).Roti; r.Result == nil || r.Result.Average == nil || *r.Result.Average != 3 || *r.YourScore != 2 {
		t.Fatalf("all rated: %+v", r)
	}
}

// Retros created before ROTI moved to 1-5 were rated 0-10. Read from the
// log (RetroCreated schema 1) they keep that scale: their ratings, their
// average and a late rating mean what they meant then.
func TestARetroCreatedBeforeTheClassicScaleKeepsItsZeroToTenROTI(t *testing.T) {
	// Encoded as today, then stripped back to the first shape.
	_, v, payload, err := retro.EncodeEvent(retro.RetroCreated{RetroID: "retro-old", TeamID: "team-1", Title: "Old", Moderator: mod.UserID,
		Columns: columns, Agenda: retro.DefaultAgenda(), RotiScale: catalog.ScaleFive, At: t0})
	if err != nil || v != 2 {
		t.Fatalf("RetroCreated encodes as schema %d (%v), want 2", v, err)
	}
	// A schema-1 payload had no rotiScale.
	old := strings.Replace(string(payload), `,"rotiScale":"1-5"`, "", 1)
	ev, err := retro.DecodeEvent("RetroCreated", 1, []byte(old))
	if err != nil {
		t.Fatal(err)
	}
	if ev.(retro.RetroCreated).RotiScale != catalog.ScaleTen {
		t.Fatalf("a schema-1 RetroCreated reads with ROTI scale %q, want 0-10", ev.(retro.RetroCreated).RotiScale)
	}
	s := retro.Evolve(retro.Initial(), ev)
	for _, who := range []domain.Actor{alice, bob} {
		s = retro.Evolve(s, retro.ParticipantJoined{UserID: who.UserID, Role: retro.RoleMember, At: t0})
	}
	evs, err := retro.Decide(s, retro.RateRoti{Actor: alice, At: t0, Score: 8})
	if err != nil || len(evs) != 1 {
		t.Fatalf("rating 8 in an old retro: %v, %v", evs, err)
	}
	if _, err := retro.Decide(s, retro.RateRoti{Actor: alice, At: t0, Score: 11}); err == nil {
		t.Error("an old retro accepted 11")
	}
	s = retro.Evolve(s, evs[0])
	s = retro.Evolve(s, retro.RotiRated{Rater: bob.Pseudonym, Score: 6, At: t0})
	s = retro.Evolve(s, retro.RotiClosed{At: t0})
	r := retro.View(s, viewer(bob), retro.Policy{MinRespondents: 2}).Roti
	if r.Scale != catalog.ScaleTen || r.Result == nil || r.Result.Average == nil || *r.Result.Average != 7 {
		t.Errorf("the old retro's ROTI reads %+v, want 7 on 0-10", r)
	}
	// Side by side with new retros, 0-10 maps onto 1-5 end to end.
	for _, c := range []struct{ in, want float64 }{{0, 1}, {10, 5}, {5, 3}, {7, 3.8}} {
		if got := retro.RotiOnFive(catalog.ScaleTen, c.in); got != c.want {
			t.Errorf("RotiOnFive(0-10, %v) = %v, want %v", c.in, got, c.want)
		}
	}
	if got := retro.RotiOnFive(catalog.ScaleFive, 4); got != 4 {
		t.Errorf("RotiOnFive(1-5, 4) = %v", got)
	}
}

func TestCloseRoti(t *testing.T) {
	decider.Run(t, []tc{
		{Name: "closes", Given: base(t, false), When: retro.CloseRoti{Actor: mod, At: t0}, Then: []retro.Event{retro.RotiClosed{At: t0}}},
		{Name: "closing again changes nothing", Given: base(t, false, retro.CloseRoti{Actor: mod, At: t0}), When: retro.CloseRoti{Actor: mod, At: t0}},
	})
	// Closing shows the result of those who rated, if they are enough.
	s := fold(base(t, false, retro.RateRoti{Actor: alice, At: t0, Score: 4}, retro.RateRoti{Actor: bob, At: t0, Score: 2},
		retro.CloseRoti{Actor: mod, At: t0}))
	if r := retro.View(s, viewer(mod), retro.Policy{MinRespondents: 2}).Roti; r.Result == nil || r.Result.Count != 2 || r.Result.Average == nil || *r.Result.Average != 3 {
		t.Fatalf("closed ROTI shows the average of who rated: %+v", r)
	}
}

func TestAROTIOfFewerRatingsThanTheMinimumShowsItsCountOnly(t *testing.T) {
	rate := func(a domain.Actor, score int) retro.RateRoti { return retro.RateRoti{Actor: a, At: t0, Score: score} }
	// Given two of three participants rated and the moderator closed the
	// ROTI, under a minimum group of three.
	closed := fold(base(t, false, rate(alice, 4), rate(bob, 2), retro.CloseRoti{Actor: mod, At: t0}))
	for _, who := range []domain.Actor{alice, bob, mod} {
		// Then neither rater can read the other's rating off the result.
		r := retro.View(closed, viewer(who), policy).Roti
		if got := asJSON(t, r.Result); got != `{"count":2,"withheld":true}` || r.Ratings != 2 {
			t.Errorf("%s sees two ratings as %s (%d ratings), want their count only", who.UserID, got, r.Ratings)
		}
	}
	// Everyone rating is not enough when everyone is fewer than the minimum.
	all := fold(base(t, false, rate(alice, 4), rate(bob, 2), rate(mod, 3)))
	if r := retro.View(all, viewer(alice), retro.Policy{MinRespondents: 5}).Roti.Result; r == nil || !r.Withheld || r.Average != nil || r.Distribution != nil {
		t.Errorf("three ratings under a minimum of five: %+v, want the count only", r)
	}
}
