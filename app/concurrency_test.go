package app_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/domain/retro"
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
