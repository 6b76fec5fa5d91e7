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
	decider.Run(t, []tc{
		{Name: "creates with the default agenda; the creator moderates and takes part",
			When: create(false),
			Then: []retro.Event{
				retro.RetroCreated{RetroID: "retro-1", TeamID: "team-1", Title: "Sprint 7", TemplateID: "kss",
					Moderator: "user-mod", Columns: columns, Agenda: retro.DefaultAgenda(), OpenActions: openActions, RotiScale: catalog.ScaleFive, At: t0},
				retro.ParticipantJoined{UserID: "user-mod", Role: retro.RoleMember, At: t0},
			}},
		{Name: "rejects an existing retro", Given: base(t, false), When: create(false), Kind: domain.Conflict, Code: retro.CodeRetroExists},
		{Name: "rejects no acting user", When: with(func(c *retro.CreateRetro) { c.Actor = domain.Actor{} }),
			Kind: domain.Invalid, Code: retro.CodeActorRequired},
		{Name: "rejects no retro ID", When: with(func(c *retro.CreateRetro) { c.RetroID = "" }),
			Kind: domain.Invalid, Code: retro.CodeRetroIDRequired},
		{Name: "rejects no team", When: with(func(c *retro.CreateRetro) { c.TeamID = "" }),
			Kind: domain.Invalid, Code: retro.CodeTeamIDRequired},
		{Name: "rejects no title", When: with(func(c *retro.CreateRetro) { c.Title = " " }),
			Kind: domain.Invalid, Code: retro.CodeTitleRequired},
		{Name: "rejects no columns", When: with(func(c *retro.CreateRetro) { c.Columns = nil }),
			Kind: domain.Invalid, Code: retro.CodeColumnsRequired},
		{Name: "rejects duplicate columns",
			When: with(func(c *retro.CreateRetro) { c.Columns = []catalog.Column{{ID: "a"}, {ID: "a"}} }),
			Kind: domain.Invalid, Code: retro.CodeColumnInvalid},
		{Name: "rejects an agenda not starting in the lobby",
			When: with(func(c *retro.CreateRetro) { c.Agenda = retro.DefaultAgenda()[1:] }),
			Kind: domain.Invalid, Code: retro.CodeAgendaInvalid},
		{Name: "rejects an agenda with an unknown step kind",
			When: with(func(c *retro.CreateRetro) {
				c.Agenda = []retro.Step{{ID: "l", Kind: retro.KindLobby}, {ID: "x", Kind: "dance"}, {ID: "c", Kind: retro.KindClosed}}
			}),
			Kind: domain.Invalid, Code: retro.CodeAgendaInvalid},
		{Name: "keeps the voting defaults chosen at creation",
			When: with(func(c *retro.CreateRetro) { c.Voting = &retro.VotingDefaults{Budget: 5, Cap: 3} }),
			Then: []retro.Event{
				retro.RetroCreated{RetroID: "retro-1", TeamID: "team-1", Title: "Sprint 7", TemplateID: "kss",
					Moderator: "user-mod", Columns: columns, Agenda: retro.DefaultAgenda(), OpenActions: openActions, RotiScale: catalog.ScaleFive,
					Voting: &retro.VotingDefaults{Budget: 5, Cap: 3}, At: t0},
				retro.ParticipantJoined{UserID: "user-mod", Role: retro.RoleMember, At: t0},
			}},
		{Name: "rejects voting defaults with no budget",
			When: with(func(c *retro.CreateRetro) { c.Voting = &retro.VotingDefaults{Budget: 0, Cap: 2} }),
			Kind: domain.Invalid, Code: retro.CodeBudgetInvalid},
		{Name: "rejects voting defaults over the most a budget may be",
			When: with(func(c *retro.CreateRetro) { c.Voting = &retro.VotingDefaults{Budget: retro.MaxBudget + 1} }),
			Kind: domain.Invalid, Code: retro.CodeBudgetInvalid},
		{Name: "rejects voting defaults with a negative cap",
			When: with(func(c *retro.CreateRetro) { c.Voting = &retro.VotingDefaults{Budget: 3, Cap: -1} }),
			Kind: domain.Invalid, Code: retro.CodeCapInvalid},
		{Name: "rejects duplicate open actions",
			When: with(func(c *retro.CreateRetro) { c.OpenActions = []retro.OpenAction{{ID: "a"}, {ID: "a"}} }),
			Kind: domain.Invalid, Code: retro.CodeOpenActionInvalid},
	})
}

func TestJoinRetro(t *testing.T) {
	decider.Run(t, []tc{
		{Name: "a member joins", Given: base(t, false), When: retro.JoinRetro{Actor: eve, At: t0, Role: retro.RoleMember},
			Then: []retro.Event{retro.ParticipantJoined{UserID: "user-eve", Role: retro.RoleMember, At: t0}}},
		{Name: "joining again changes nothing", Given: base(t, false),
			When: retro.JoinRetro{Actor: alice, At: t0, Role: retro.RoleMember}},
		{Name: "rejects an unknown role", Given: base(t, false), When: retro.JoinRetro{Actor: eve, At: t0, Role: "boss"},
			Kind: domain.Invalid, Code: retro.CodeRoleInvalid},
		{Name: "rejects joining a locked retro", Given: base(t, false, retro.LockRetro{Actor: mod, At: t0}),
			When: retro.JoinRetro{Actor: eve, At: t0, Role: retro.RoleGuest}, Kind: domain.Conflict, Code: retro.CodeRetroLocked},
		{Name: "rejects joining a closed retro", Given: base(t, false, retro.CloseRetro{Actor: mod, At: t0}),
			When: retro.JoinRetro{Actor: eve, At: t0, Role: retro.RoleGuest}, Kind: domain.Conflict, Code: retro.CodeRetroClosed},
		{Name: "rejects an unknown retro", When: retro.JoinRetro{Actor: eve, At: t0, Role: retro.RoleGuest},
			Kind: domain.NotFound, Code: retro.CodeRetroNotFound},
		{Name: "rejects no acting user", Given: base(t, false), When: retro.JoinRetro{At: t0, Role: retro.RoleGuest},
			Kind: domain.Invalid, Code: retro.CodeActorRequired},
	})
}

func TestLockAndUnlock(t *testing.T) {
	locked := base(t, false, retro.LockRetro{Actor: mod, At: t0})
	decider.Run(t, []tc{
		{Name: "lock", Given: base(t, false), When: retro.LockRetro{Actor: mod, At: t0}, Then: []retro.Event{retro.RetroLocked{At: t0}}},
		{Name: "lock again changes nothing", Given: locked, When: retro.LockRetro{Actor: mod, At: t0}},
		{Name: "unlock", Given: locked, When: retro.UnlockRetro{Actor: mod, At: t0}, Then: []retro.Event{retro.RetroUnlocked{At: t0}}},
		{Name: "unlock an unlocked retro changes nothing", Given: base(t, false), When: retro.UnlockRetro{Actor: mod, At: t0}},
		{Name: "after unlocking, participants contribute again",
			Given: cat(locked, []retro.Event{retro.RetroUnlocked{At: t0}}),
			When:  retro.AddCard{Actor: alice, At: t0, CardID: "c1", ColumnID: "keep", Text: "hi"},
			Then:  []retro.Event{retro.CardAdded{CardID: "c1", ColumnID: "keep", Author: "user-alice", Text: "hi", Concealed: true, At: t0}}},
	})
}

func TestHandOverModeration(t *testing.T) {
	handed := base(t, false, retro.HandOverModeration{Actor: mod, At: t0, To: alice.UserID})
	decider.Run(t, []tc{
		{Name: "hands over to a participant", Given: base(t, false),
			When: retro.HandOverModeration{Actor: mod, At: t0, To: "user-alice"},
			Then: []retro.Event{retro.ModerationHandedOver{From: "user-mod", To: "user-alice", At: t0}}},
		{Name: "the new moderator has the tools", Given: handed, When: retro.LockRetro{Actor: alice, At: t0},
			Then: []retro.Event{retro.RetroLocked{At: t0}}},
		{Name: "the old moderator no longer has them", Given: handed, When: retro.LockRetro{Actor: mod, At: t0},
			Kind: domain.Forbidden, Code: retro.CodeNotModerator},
		{Name: "rejects handing over to oneself", Given: base(t, false),
			When: retro.HandOverModeration{Actor: mod, At: t0, To: "user-mod"}, Kind: domain.Invalid, Code: retro.CodeAlreadyModerator},
		{Name: "rejects a non-participant", Given: base(t, false),
			When: retro.HandOverModeration{Actor: mod, At: t0, To: "user-eve"}, Kind: domain.NotFound, Code: retro.CodeParticipantNotFound},
	})
}

func TestSetAnonymity(t *testing.T) {
	decider.Run(t, []tc{
		{Name: "turns anonymity on before anyone contributed", Given: base(t, false),
			When: retro.SetAnonymity{Actor: mod, At: t0, Anonymous: true},
			Then: []retro.Event{retro.AnonymitySet{Anonymous: true, At: t0}}},
		{Name: "setting it to what it is changes nothing", Given: base(t, true),
			When: retro.SetAnonymity{Actor: mod, At: t0, Anonymous: true}},
		{Name: "rejects a change once a card exists",
			Given: base(t, false, retro.AddCard{Actor: alice, At: t0, CardID: "c1", ColumnID: "keep", Text: "x"}),
			When:  retro.SetAnonymity{Actor: mod, At: t0, Anonymous: true}, Kind: domain.Conflict, Code: retro.CodeAnonymityFixed},
		{Name: "rejects a change once an anonymous card exists",
			Given: base(t, true, retro.AddCard{Actor: alice, At: t0, CardID: "c1", ColumnID: "keep", Text: "x"}),
			When:  retro.SetAnonymity{Actor: mod, At: t0, Anonymous: false}, Kind: domain.Conflict, Code: retro.CodeAnonymityFixed},
	})
}

func TestCloseRetro(t *testing.T) {
	voting := revealedBoard(t, false, retro.StartVoting{Actor: mod, At: t0, RoundID: "r1", Budget: 2},
		retro.CastVote{Actor: alice, At: t0, TopicID: "c1"})
	decider.Run(t, []tc{
		{Name: "closes", Given: base(t, false), When: retro.CloseRetro{Actor: mod, At: t0},
			Then: []retro.Event{retro.RetroClosed{At: t0}}},
		{Name: "closing counts an open voting round first", Given: voting, When: retro.CloseRetro{Actor: mod, At: t0},
			Then: []retro.Event{
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
	if s := retro.Fold(stray); s.Created || s.Cards.Len() != 0 {
		t.Fatalf("stray events built a retro: %+v", s)
	}
	evs := cat(base(t, false), []retro.Event{retro.RetroCreated{RetroID: "other", TeamID: "t", Moderator: "m"}})
	if s := retro.Fold(evs); s.RetroID != "retro-1" || s.Moderator != "user-mod" {
		t.Fatalf("a second RetroCreated replaced the retro: %s by %s", s.RetroID, s.Moderator)
	}
}
