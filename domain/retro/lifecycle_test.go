package retro_test

import (
	"testing"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/domain/retro"
)

func TestCreateRetro(t *testing.T) {
	with := func(f func(*retro.CreateRetro)) retro.CreateRetro {
		c := create(false)
		f(&c)
		return c
	}
	run(t, []tc{
		{name: "creates with the default agenda; the creator moderates and takes part",
			when: create(false),
			then: []retro.Event{
				retro.RetroCreated{RetroID: "retro-1", TeamID: "team-1", Title: "Sprint 7", TemplateID: "kss",
					Moderator: "user-mod", Columns: columns, Agenda: retro.DefaultAgenda(), OpenActions: openActions, RotiScale: catalog.ScaleFive, At: t0},
				retro.ParticipantJoined{UserID: "user-mod", Role: retro.RoleMember, At: t0},
			}},
		{name: "rejects an existing retro", given: base(t, false), when: create(false), kind: domain.Conflict, code: "retro-exists"},
		{name: "rejects no acting user", when: with(func(c *retro.CreateRetro) { c.Actor = domain.Actor{} }),
			kind: domain.Invalid, code: "actor-required"},
		{name: "rejects no retro ID", when: with(func(c *retro.CreateRetro) { c.RetroID = "" }),
			kind: domain.Invalid, code: "retro-id-required"},
		{name: "rejects no team", when: with(func(c *retro.CreateRetro) { c.TeamID = "" }),
			kind: domain.Invalid, code: "team-id-required"},
		{name: "rejects no title", when: with(func(c *retro.CreateRetro) { c.Title = " " }),
			kind: domain.Invalid, code: "title-required"},
		{name: "rejects no columns", when: with(func(c *retro.CreateRetro) { c.Columns = nil }),
			kind: domain.Invalid, code: "columns-required"},
		{name: "rejects duplicate columns",
			when: with(func(c *retro.CreateRetro) { c.Columns = []catalog.Column{{ID: "a"}, {ID: "a"}} }),
			kind: domain.Invalid, code: "column-invalid"},
		{name: "rejects an agenda not starting in the lobby",
			when: with(func(c *retro.CreateRetro) { c.Agenda = retro.DefaultAgenda()[1:] }),
			kind: domain.Invalid, code: "agenda-invalid"},
		{name: "rejects an agenda with an unknown step kind",
			when: with(func(c *retro.CreateRetro) {
				c.Agenda = []retro.Step{{ID: "l", Kind: retro.KindLobby}, {ID: "x", Kind: "dance"}, {ID: "c", Kind: retro.KindClosed}}
			}),
			kind: domain.Invalid, code: "agenda-invalid"},
		{name: "rejects duplicate open actions",
			when: with(func(c *retro.CreateRetro) { c.OpenActions = []retro.OpenAction{{ID: "a"}, {ID: "a"}} }),
			kind: domain.Invalid, code: "open-action-invalid"},
	})
}

func TestJoinRetro(t *testing.T) {
	run(t, []tc{
		{name: "a member joins", given: base(t, false), when: retro.JoinRetro{Actor: eve, At: t0, Role: retro.RoleMember},
			then: []retro.Event{retro.ParticipantJoined{UserID: "user-eve", Role: retro.RoleMember, At: t0}}},
		{name: "joining again changes nothing", given: base(t, false),
			when: retro.JoinRetro{Actor: alice, At: t0, Role: retro.RoleMember}},
		{name: "rejects an unknown role", given: base(t, false), when: retro.JoinRetro{Actor: eve, At: t0, Role: "boss"},
			kind: domain.Invalid, code: "role-invalid"},
		{name: "rejects joining a locked retro", given: base(t, false, retro.LockRetro{Actor: mod, At: t0}),
			when: retro.JoinRetro{Actor: eve, At: t0, Role: retro.RoleGuest}, kind: domain.Conflict, code: "retro-locked"},
		{name: "rejects joining a closed retro", given: base(t, false, retro.CloseRetro{Actor: mod, At: t0}),
			when: retro.JoinRetro{Actor: eve, At: t0, Role: retro.RoleGuest}, kind: domain.Conflict, code: "retro-closed"},
		{name: "rejects an unknown retro", when: retro.JoinRetro{Actor: eve, At: t0, Role: retro.RoleGuest},
			kind: domain.NotFound, code: "retro-not-found"},
		{name: "rejects no acting user", given: base(t, false), when: retro.JoinRetro{At: t0, Role: retro.RoleGuest},
			kind: domain.Invalid, code: "actor-required"},
	})
}

func TestLockAndUnlock(t *testing.T) {
	locked := base(t, false, retro.LockRetro{Actor: mod, At: t0})
	run(t, []tc{
		{name: "lock", given: base(t, false), when: retro.LockRetro{Actor: mod, At: t0}, then: []retro.Event{retro.RetroLocked{At: t0}}},
		{name: "lock again changes nothing", given: locked, when: retro.LockRetro{Actor: mod, At: t0}},
		{name: "unlock", given: locked, when: retro.UnlockRetro{Actor: mod, At: t0}, then: []retro.Event{retro.RetroUnlocked{At: t0}}},
		{name: "unlock an unlocked retro changes nothing", given: base(t, false), when: retro.UnlockRetro{Actor: mod, At: t0}},
		{name: "after unlocking, participants contribute again",
			given: cat(locked, []retro.Event{retro.RetroUnlocked{At: t0}}),
			when:  retro.AddCard{Actor: alice, At: t0, CardID: "c1", ColumnID: "keep", Text: "hi"},
			then:  []retro.Event{retro.CardAdded{CardID: "c1", ColumnID: "keep", Author: "user-alice", Text: "hi", Concealed: true, At: t0}}},
	})
}

func TestHandOverModeration(t *testing.T) {
	handed := base(t, false, retro.HandOverModeration{Actor: mod, At: t0, To: alice.UserID})
	run(t, []tc{
		{name: "hands over to a participant", given: base(t, false),
			when: retro.HandOverModeration{Actor: mod, At: t0, To: "user-alice"},
			then: []retro.Event{retro.ModerationHandedOver{From: "user-mod", To: "user-alice", At: t0}}},
		{name: "the new moderator has the tools", given: handed, when: retro.LockRetro{Actor: alice, At: t0},
			then: []retro.Event{retro.RetroLocked{At: t0}}},
		{name: "the old moderator no longer has them", given: handed, when: retro.LockRetro{Actor: mod, At: t0},
			kind: domain.Forbidden, code: "not-moderator"},
		{name: "rejects handing over to oneself", given: base(t, false),
			when: retro.HandOverModeration{Actor: mod, At: t0, To: "user-mod"}, kind: domain.Invalid, code: "already-moderator"},
		{name: "rejects a non-participant", given: base(t, false),
			when: retro.HandOverModeration{Actor: mod, At: t0, To: "user-eve"}, kind: domain.NotFound, code: "participant-not-found"},
	})
}

func TestSetAnonymity(t *testing.T) {
	run(t, []tc{
		{name: "turns anonymity on before anyone contributed", given: base(t, false),
			when: retro.SetAnonymity{Actor: mod, At: t0, Anonymous: true},
			then: []retro.Event{retro.AnonymitySet{Anonymous: true, At: t0}}},
		{name: "setting it to what it is changes nothing", given: base(t, true),
			when: retro.SetAnonymity{Actor: mod, At: t0, Anonymous: true}},
		{name: "rejects a change once a card exists",
			given: base(t, false, retro.AddCard{Actor: alice, At: t0, CardID: "c1", ColumnID: "keep", Text: "x"}),
			when:  retro.SetAnonymity{Actor: mod, At: t0, Anonymous: true}, kind: domain.Conflict, code: "anonymity-fixed"},
		{name: "rejects a change once an anonymous card exists",
			given: base(t, true, retro.AddCard{Actor: alice, At: t0, CardID: "c1", ColumnID: "keep", Text: "x"}),
			when:  retro.SetAnonymity{Actor: mod, At: t0, Anonymous: false}, kind: domain.Conflict, code: "anonymity-fixed"},
	})
}

func TestCloseRetro(t *testing.T) {
	voting := revealedBoard(t, false, retro.StartVoting{Actor: mod, At: t0, RoundID: "r1", Budget: 2},
		retro.CastVote{Actor: alice, At: t0, TopicID: "c1"})
	run(t, []tc{
		{name: "closes", given: base(t, false), when: retro.CloseRetro{Actor: mod, At: t0},
			then: []retro.Event{retro.RetroClosed{At: t0}}},
		{name: "closing counts an open voting round first", given: voting, when: retro.CloseRetro{Actor: mod, At: t0},
			then: []retro.Event{
				retro.VotingClosed{RoundID: "r1", Results: []retro.TopicVotes{{TopicID: "c1", Votes: 1}}, At: t0},
				retro.RetroClosed{At: t0},
			}},
	})
	s := fold(cat(base(t, false), []retro.Event{retro.RetroClosed{At: t0}}))
	if !s.Closed || s.Current != "closed" {
		t.Fatalf("closed retro: closed=%v current step %q, want closed in step closed", s.Closed, s.Current)
	}
}

// A damaged stream (events before RetroCreated, a second RetroCreated)
// folds without panicking and without effect.
func TestEventsOutsideARetroAreIgnored(t *testing.T) {
	stray := []retro.Event{
		retro.CardAdded{CardID: "c1", ColumnID: "keep", Author: "u", Text: "x"},
		retro.VoteCast{RoundID: "r", TopicID: "c1", Voter: "u"},
		retro.GroupsMerged{GroupID: "a", IntoGroupID: "b"},
	}
	if s := retro.Fold(stray); s.Created || len(s.Cards) != 0 {
		t.Fatalf("stray events built a retro: %+v", s)
	}
	evs := cat(base(t, false), []retro.Event{retro.RetroCreated{RetroID: "other", TeamID: "t", Moderator: "m"}})
	if s := retro.Fold(evs); s.RetroID != "retro-1" || s.Moderator != "user-mod" {
		t.Fatalf("a second RetroCreated replaced the retro: %s by %s", s.RetroID, s.Moderator)
	}
}
