package app_test

import (
	"errors"
	"testing"

	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/domain/team"
)

// A client that did not hear back retries with the same idempotency key:
// it gets the first answer, created IDs included, and nothing is stored twice.
func TestRetriedCreationsAnswerTheFirstResultAndWriteNothing(t *testing.T) {
	e := newEnv(t)
	ctx := e.ctx()
	type creation struct {
		what string
		do   func(cmdID string) (app.Result, error)
	}
	var wsID, teamID string
	cases := []creation{
		{"create workspace", func(c string) (app.Result, error) {
			return e.app.CreateWorkspace(ctx, identity.Caller{Principal: user(uAda), CommandID: c}, app.WorkspaceInput{Name: "Acme"})
		}},
		{"create team", func(c string) (app.Result, error) {
			return e.app.CreateTeam(ctx, identity.Caller{Principal: user(uAda), CommandID: c}, app.CreateTeamInput{WorkspaceID: wsID, Name: "Core", TemplateID: "scrum-team", FirstAdminID: uMod})
		}},
		{"create retro", func(c string) (app.Result, error) {
			return e.app.CreateRetro(ctx, identity.Caller{Principal: user(uMod), CommandID: c}, app.CreateRetroInput{TeamID: teamID, Title: "Sprint 9"})
		}},
	}
	for i, c := range cases {
		// Given the command was stored once.
		key := e.cmdID()
		first, err := c.do(key)
		if err != nil {
			t.Fatalf("%s: %v", c.what, err)
		}
		before := e.count()
		// When it is sent again with the same key.
		again, err := c.do(key)
		// Then the answer is the first one, marked a duplicate, and the log
		// did not grow.
		if err != nil {
			t.Fatalf("%s again: %v", c.what, err)
		}
		if again.ID != first.ID || again.StreamVersion != first.StreamVersion || again.Position != first.Position || !again.Duplicate {
			t.Errorf("%s again: %+v, want %+v marked duplicate", c.what, again, first)
		}
		if n := e.count(); n != before {
			t.Errorf("%s again wrote %d events", c.what, n-before)
		}
		switch i {
		case 0:
			wsID = first.ID
		case 1:
			teamID = first.ID
		}
	}
	if n := e.countType(retro.TypeRetroCreated); n != 1 {
		t.Errorf("%d retros created, want 1", n)
	}
}

func TestARetriedCardKeepsTheFirstCardID(t *testing.T) {
	f := newTeam(t)
	rid := f.newRetro("Sprint 1", false)
	// Given a card added under a key (the app mints a new card ID on every
	// attempt).
	key := f.cmdID()
	add := func() (app.Result, error) {
		return f.retroKeyed(user(uBea), rid, key, app.AddCard{ColumnID: "start", Text: "more pairing"})
	}
	first := must(add())(t)
	// When the request is retried.
	again := must(add())(t)
	// Then it answers the first card's ID, and there is one card.
	if again.ID != first.ID || !again.Duplicate || again.Position != first.Position {
		t.Errorf("retried card: %+v, want %+v as a duplicate", again, first)
	}
	if n := f.countType(retro.TypeCardAdded); n != 1 {
		t.Errorf("%d cards stored, want 1", n)
	}
}

// The failure mode of reactions: the retro command is stored, the team's
// follow-up fails; the client sees an error, retries with the same key, and
// the retry completes the follow-up without storing the retro command twice.
func TestARetryCompletesAReactionThatFailed(t *testing.T) {
	f := newTeam(t)
	rid := f.newRetro("Sprint 1", false)
	key := f.cmdID()
	create := func() (app.Result, error) {
		return f.retroKeyed(user(uBea), rid, key, app.CreateAction{Title: "Automate the release notes"})
	}
	// Given the team's stream is unreachable when the action is created.
	f.store.failNext(team.Category, 1)
	res, err := create()
	// Then the caller hears the command is stored but incomplete.
	if !errors.Is(err, app.ErrIncomplete) || res.ID == "" || res.Position == 0 {
		t.Fatalf("create action with the team unreachable: %+v, %v; want the result and ErrIncomplete", res, err)
	}
	if acts := must(f.app.TeamActions(f.ctx(), user(uBea), f.team))(t); len(acts) != 0 {
		t.Fatalf("team actions before the retry: %+v", acts)
	}
	// When the client retries with the same key.
	again, err := create()
	// Then the action reaches the team, and the retro holds it once.
	if err != nil || !again.Duplicate || again.ID != res.ID {
		t.Fatalf("retry: %+v, %v", again, err)
	}
	acts := must(f.app.TeamActions(f.ctx(), user(uBea), f.team))(t)
	if len(acts) != 1 || acts[0].ID != res.ID || acts[0].Status != team.StatusOpen {
		t.Errorf("team actions after the retry: %+v, want %s open", acts, res.ID)
	}
	if n := f.countType(retro.TypeActionCreated); n != 1 {
		t.Errorf("%d ActionCreated stored, want 1", n)
	}
	// And a third attempt changes nothing more.
	before := f.count()
	must(create())(t)
	if n := f.count(); n != before {
		t.Errorf("a third attempt wrote %d events", n-before)
	}
}

func TestCommandsNeedAnIdempotencyKey(t *testing.T) {
	e := newEnv(t)
	_, err := e.app.CreateWorkspace(e.ctx(), identity.Caller{Principal: user(uAda), CommandID: ""}, app.WorkspaceInput{Name: "Acme"})
	rejected(t, "a command without a key", err, domain.Invalid, "command-id-required")
	_, err = e.app.CreateWorkspace(e.ctx(), identity.Caller{Principal: user(uAda), CommandID: "has space"}, app.WorkspaceInput{Name: "Acme"})
	rejected(t, "a key with a space", err, domain.Invalid, "command-id-invalid")
	_, err = e.app.CreateWorkspace(e.ctx(), e.as(user("")), app.WorkspaceInput{Name: "Acme"})
	refused(t, "nobody", err, domain.ErrUnauthenticated)
}
