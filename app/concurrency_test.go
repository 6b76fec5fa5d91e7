package app_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/eventstore"
)

// Participants write at the same moment: every card is stored once, each
// decided on the state the previous one left (the runner retries conflicts).
func TestParticipantsWritingAtOnceLoseNothing(t *testing.T) {
	f := newTeam(t)
	ctx := f.ctx()
	members := []string{uBea, uCal}
	for i := range 4 {
		u := fmt.Sprintf("user-extra-%02d", i)
		must(f.app.AddMember(ctx, f.as(user(uMod)), f.team, app.AddMemberInput{UserID: u}))(t)
		members = append(members, u)
	}
	rid := f.newRetro("Busy", false)
	for _, u := range members[2:] {
		must(f.app.JoinRetro(ctx, f.as(user(u)), rid))(t)
	}
	const perPerson = 5
	var wg sync.WaitGroup
	errs := make(chan error, len(members)*perPerson)
	for _, u := range members {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perPerson {
				id := fmt.Sprintf("%s-card-%d", u, i)
				_, err := f.retroKeyed(user(u), rid, "cmd-"+id, app.AddCard{ColumnID: "start", Text: "note " + id})
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	v := f.view(user(uBea), rid)
	if n := len(v.Columns[0].Cards); n != len(members)*perPerson {
		t.Errorf("%d cards on the board, want %d", n, len(members)*perPerson)
	}
	mine := 0
	for _, c := range v.Columns[0].Cards {
		if c.Mine {
			mine++
		}
	}
	if mine != perPerson {
		t.Errorf("bea sees %d cards as hers, want %d", mine, perPerson)
	}
}

// Switching anonymity on while people write: whatever order the log
// settles on, a card decided in the anonymous retro has the pseudonym on
// its envelope, never the user ID.
func TestAnonymitySwitchedWhileWritingNeverPairsAUserWithAnAnonymousCard(t *testing.T) {
	for round := range 20 {
		f := newTeam(t)
		rid := f.newRetro(fmt.Sprintf("Race %d", round), false)
		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, _ = f.retroKeyed(user(uMod), rid, "switch", app.SetAnonymity{Anonymous: true})
		}()
		go func() {
			defer wg.Done()
			_, _ = f.retroKeyed(user(uBea), rid, "card", app.AddCard{ColumnID: "start", Text: "hello"})
		}()
		wg.Wait()
		anonymous := false
		for _, e := range f.events() {
			if e.Stream.ID != rid {
				continue
			}
			switch e.Type {
			case retro.TypeAnonymitySet:
				anonymous = true
			case retro.TypeCardAdded:
				if _, named := contains(string(e.Payload)+e.Actor, uBea); named && anonymous {
					t.Fatalf("round %d: a card in the anonymous retro names bea: %s, actor %q", round, e.Payload, e.Actor)
				}
			}
		}
	}
}

// conflictCounter counts the appends the store refused as conflicts.
type conflictCounter struct {
	eventstore.Store
	conflicts atomic.Int64
}

func (c *conflictCounter) Append(ctx context.Context, cm eventstore.Commit) (eventstore.AppendResult, error) {
	res, err := c.Store.Append(ctx, cm)
	if errors.Is(err, eventstore.ErrConflict) {
		c.conflicts.Add(1)
	}
	return res, err
}

// Many participants post to one retro at the same moment on one node: the
// retro's writer takes their cards in turn, so no card is decided on a
// version another card used, the log refuses none and every participant's
// card is stored.
func TestAHotRetroOnOneNodeAnswersNoConflicts(t *testing.T) {
	counter := &conflictCounter{}
	f := newTeam(t, func(d *app.Deps) { counter.Store = d.Store; d.Store = counter })
	rid := f.newRetro("Hot", false)
	const writers, each = 24, 5
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				id := fmt.Sprintf("hot-%d-%d", w, i)
				if _, err := f.retroKeyed(user(uBea), rid, id, app.AddCard{ColumnID: "start", Text: "note " + id}); err != nil {
					t.Errorf("card %s: %v", id, err)
				}
			}
		})
	}
	wg.Wait()
	if n := counter.conflicts.Load(); n != 0 {
		t.Errorf("the log refused %d of the retro's appends as conflicts, want none", n)
	}
	if n := len(f.view(user(uBea), rid).Columns[0].Cards); n != writers*each {
		t.Errorf("%d cards on the board, want %d", n, writers*each)
	}
}
