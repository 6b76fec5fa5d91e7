package retro_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/retro"
)

func add(a domain.Actor, id, col, text string) retro.AddCard {
	return retro.AddCard{Actor: a, At: t0, CardID: id, ColumnID: col, Text: text}
}

func TestAddCard(t *testing.T) {
	run(t, []tc{
		{name: "writes a concealed card", given: base(t, false), when: add(alice, "c1", "keep", "pairing"),
			then: []retro.Event{retro.CardAdded{CardID: "c1", ColumnID: "keep", Author: "user-alice", Text: "pairing", Concealed: true, At: t0}}},
		{name: "in an anonymous retro the author is the pseudonym", given: base(t, true), when: add(alice, "c1", "keep", "pairing"),
			then: []retro.Event{retro.CardAdded{CardID: "c1", ColumnID: "keep", Author: alice.Pseudonym, Text: "pairing", Concealed: true, At: t0}}},
		{name: "a card still being written when the step moved on is accepted",
			given: base(t, false, retro.GoToStep{Actor: mod, At: t0, StepID: "collect"}, retro.GoToStep{Actor: mod, At: t0, StepID: "discuss"}),
			when:  add(alice, "c1", "keep", "late"),
			then:  []retro.Event{retro.CardAdded{CardID: "c1", ColumnID: "keep", Author: "user-alice", Text: "late", Concealed: true, At: t0}}},
		{name: "a card added to a revealed column is visible at once",
			given: base(t, false, retro.RevealColumn{Actor: mod, At: t0, ColumnID: "keep"}),
			when:  add(alice, "c1", "keep", "late"),
			then:  []retro.Event{retro.CardAdded{CardID: "c1", ColumnID: "keep", Author: "user-alice", Text: "late", Concealed: false, At: t0}}},
		{name: "rejects an anonymous card without pseudonym", given: base(t, true),
			when: add(domain.Actor{UserID: alice.UserID}, "c1", "keep", "x"), kind: domain.Invalid, code: "pseudonym-required"},
		{name: "rejects no card ID", given: base(t, false), when: add(alice, "", "keep", "x"), kind: domain.Invalid, code: "card-id-required"},
		{name: "rejects an empty card", given: base(t, false), when: add(alice, "c1", "keep", " \n"), kind: domain.Invalid, code: "text-required"},
		{name: "rejects an overlong card", given: base(t, false), when: add(alice, "c1", "keep", string(make([]rune, retro.MaxTextLen+1))),
			kind: domain.Invalid, code: "text-too-long"},
		{name: "rejects an unknown column", given: base(t, false), when: add(alice, "c1", "sad", "x"),
			kind: domain.NotFound, code: "column-not-found"},
		{name: "rejects a taken ID", given: base(t, false, add(bob, "c1", "keep", "x")), when: add(alice, "c1", "keep", "y"),
			kind: domain.Conflict, code: "id-taken"},
	})
}

func TestEditCard(t *testing.T) {
	written := base(t, false, cards()...)
	run(t, []tc{
		{name: "the author edits a concealed card", given: written,
			when: retro.EditCard{Actor: alice, At: t0, CardID: "c1", Text: "pair programming"},
			then: []retro.Event{retro.CardEdited{CardID: "c1", Author: "user-alice", Text: "pair programming", At: t0}}},
		{name: "the author edits an anonymous card by pseudonym", given: base(t, true, cards()...),
			when: retro.EditCard{Actor: alice, At: t0, CardID: "c1", Text: "pair programming"},
			then: []retro.Event{retro.CardEdited{CardID: "c1", Author: alice.Pseudonym, Text: "pair programming", At: t0}}},
		{name: "the same text changes nothing", given: written, when: retro.EditCard{Actor: alice, At: t0, CardID: "c1", Text: "pairing"}},
		{name: "rejects an empty text", given: written, when: retro.EditCard{Actor: alice, At: t0, CardID: "c1"},
			kind: domain.Invalid, code: "text-required"},
		{name: "rejects an anonymous edit without pseudonym", given: base(t, true, cards()...),
			when: retro.EditCard{Actor: domain.Actor{UserID: alice.UserID}, At: t0, CardID: "c1", Text: "x"},
			kind: domain.Invalid, code: "pseudonym-required"},
		{name: "rejects an unknown card", given: written, when: retro.EditCard{Actor: alice, At: t0, CardID: "c9", Text: "x"},
			kind: domain.NotFound, code: "card-not-found"},
		{name: "rejects someone else's card", given: written, when: retro.EditCard{Actor: bob, At: t0, CardID: "c1", Text: "x"},
			kind: domain.Forbidden, code: "not-author"},
		{name: "rejects someone else's anonymous card", given: base(t, true, cards()...),
			when: retro.EditCard{Actor: bob, At: t0, CardID: "c1", Text: "x"}, kind: domain.Forbidden, code: "not-author"},
		{name: "the author edits a revealed card, for everyone", given: revealedBoard(t, false),
			when: retro.EditCard{Actor: alice, At: t0, CardID: "c1", Text: "pair programming"},
			then: []retro.Event{retro.CardEdited{CardID: "c1", Author: "user-alice", Text: "pair programming", Revealed: true, At: t0}}},
		{name: "the author edits a revealed anonymous card by pseudonym", given: revealedBoard(t, true),
			when: retro.EditCard{Actor: alice, At: t0, CardID: "c1", Text: "pair programming"},
			then: []retro.Event{retro.CardEdited{CardID: "c1", Author: alice.Pseudonym, Text: "pair programming", Revealed: true, At: t0}}},
		{name: "the author edits a grouped, voted card",
			given: revealedBoard(t, false,
				retro.MergeCard{Actor: mod, At: t0, CardID: "c1", TargetID: "c2", NewGroupID: "g1"},
				retro.SetTopicVotes{Actor: mod, At: t0, TopicID: "c3", Votes: 2}),
			when: retro.EditCard{Actor: alice, At: t0, CardID: "c3", Text: "shorter meetings"},
			then: []retro.Event{retro.CardEdited{CardID: "c3", Author: "user-alice", Text: "shorter meetings", Revealed: true, At: t0}}},
		{name: "rejects someone else's revealed card", given: revealedBoard(t, false),
			when: retro.EditCard{Actor: bob, At: t0, CardID: "c1", Text: "x"}, kind: domain.Forbidden, code: "not-author"},
		{name: "rejects an edit once the retro is closed", given: revealedBoard(t, false, retro.CloseRetro{Actor: mod, At: t0}),
			when: retro.EditCard{Actor: alice, At: t0, CardID: "c1", Text: "x"}, kind: domain.Conflict, code: "retro-closed"},
	})
}

// An edit after reveal is shown to everyone in the view; the card keeps its
// group and votes.
func TestARevealedCardsEditShowsToEveryone(t *testing.T) {
	for _, anonymous := range []bool{false, true} {
		given := revealedBoard(t, anonymous,
			retro.MergeCard{Actor: mod, At: t0, CardID: "c1", TargetID: "c2", NewGroupID: "g1"},
			retro.SetTopicVotes{Actor: mod, At: t0, TopicID: "c3", Votes: 2})
		then, _, err := retro.Decider().Run(given, retro.EditCard{Actor: alice, At: t0, CardID: "c1", Text: "pair programming"})
		if err != nil {
			t.Fatal(err)
		}
		more, _, err := retro.Decider().Run(cat(given, then), retro.EditCard{Actor: alice, At: t0, CardID: "c3", Text: "shorter meetings"})
		if err != nil {
			t.Fatal(err)
		}
		s := fold(cat(given, then, more))
		for _, v := range []domain.Actor{alice, bob, mod, eve} {
			view := retro.View(s, viewer(v), policy)
			c1, _ := viewCard(view, "c1")
			if c1.Text != "pair programming" || c1.Concealed || c1.GroupID != "g1" {
				t.Errorf("anonymous %v: %s sees c1 as %+v, want the new text, revealed, in g1", anonymous, v.UserID, c1)
			}
			c3, _ := viewCard(view, "c3")
			if c3.Text != "shorter meetings" || c3.Votes != 2 {
				t.Errorf("anonymous %v: %s sees c3 as %+v, want the new text with its 2 votes", anonymous, v.UserID, c3)
			}
			if anonymous && (c1.Author != "" || c3.Author != "") {
				t.Errorf("%s sees an anonymous author: %q, %q", v.UserID, c1.Author, c3.Author)
			}
		}
	}
}

func TestHideCard(t *testing.T) {
	board := revealedBoard(t, false)
	run(t, []tc{
		{name: "the moderator hides a card", given: board, when: retro.HideCard{Actor: mod, At: t0, CardID: "c2"},
			then: []retro.Event{retro.CardHidden{CardID: "c2", At: t0}}},
		{name: "the moderator hides a concealed card", given: base(t, false, cards()...), when: retro.HideCard{Actor: mod, At: t0, CardID: "c2"},
			then: []retro.Event{retro.CardHidden{CardID: "c2", At: t0}}},
		{name: "hiding a hidden card changes nothing", given: revealedBoard(t, false, retro.HideCard{Actor: mod, At: t0, CardID: "c2"}),
			when: retro.HideCard{Actor: mod, At: t0, CardID: "c2"}},
		{name: "rejects an unknown card", given: board, when: retro.HideCard{Actor: mod, At: t0, CardID: "c9"},
			kind: domain.NotFound, code: "card-not-found"},
		{name: "rejects a participant", given: board, when: retro.HideCard{Actor: alice, At: t0, CardID: "c2"},
			kind: domain.Forbidden, code: "not-moderator"},
		{name: "its author can no longer edit it", given: revealedBoard(t, false, retro.HideCard{Actor: mod, At: t0, CardID: "c1"}),
			when: retro.EditCard{Actor: alice, At: t0, CardID: "c1", Text: "x"}, kind: domain.Conflict, code: "card-hidden"},
	})
}

// A hidden card shows as hidden: its text and author to nobody but its
// author, in the view, its topic and every event of the log.
func TestAHiddenCardsTextReachesOnlyItsAuthor(t *testing.T) {
	for _, anonymous := range []bool{false, true} {
		evs := revealedBoard(t, anonymous,
			retro.SetTopicVotes{Actor: mod, At: t0, TopicID: "c1", Votes: 2},
			retro.HideCard{Actor: mod, At: t0, CardID: "c1"})
		s := fold(evs)
		for _, v := range []domain.Actor{alice, bob, mod, eve} {
			view := retro.View(s, viewer(v), policy)
			c1, ok := viewCard(view, "c1")
			if !ok || !c1.Hidden || c1.Votes != 2 {
				t.Errorf("anonymous %v: %s sees c1 as %+v, want it shown as hidden with its 2 votes", anonymous, v.UserID, c1)
			}
			if v == alice && c1.Text != "pairing" {
				t.Errorf("anonymous %v: its author sees %q, want her text", anonymous, c1.Text)
			}
			if v != alice && (c1.Text != "" || c1.Author != "") {
				t.Errorf("anonymous %v: %s sees the hidden card's text %q by %q", anonymous, v.UserID, c1.Text, c1.Author)
			}
			for _, tp := range view.Topics {
				if tp.ID == "c1" && (tp.Title != "" || !tp.Hidden) {
					t.Errorf("anonymous %v: %s sees the hidden card's topic as %+v", anonymous, v.UserID, tp)
				}
			}
			if v == alice {
				continue
			}
			for _, e := range evs {
				if red, ok := retro.RedactEvent(s, e, viewer(v)); ok {
					if raw, _ := json.Marshal(red); strings.Contains(string(raw), "pairing") {
						t.Errorf("anonymous %v: %s finds the hidden text in %s: %s", anonymous, v.UserID, e.EventType(), raw)
					}
				}
			}
		}
		if c2, _ := viewCard(retro.View(s, viewer(bob), policy), "c2"); c2.Text != "demos" || c2.Hidden {
			t.Errorf("another card after a hide: %+v, want it as it was", c2)
		}
	}
}

func viewCard(v retro.RetroView, id string) (retro.CardView, bool) {
	for _, c := range v.Columns {
		for _, cv := range c.Cards {
			if cv.ID == id {
				return cv, true
			}
		}
	}
	return retro.CardView{}, false
}

func TestDeleteCard(t *testing.T) {
	written := base(t, false, cards()...)
	run(t, []tc{
		{name: "the author deletes a concealed card", given: written, when: retro.DeleteCard{Actor: alice, At: t0, CardID: "c1"},
			then: []retro.Event{retro.CardDeleted{CardID: "c1", Author: "user-alice", At: t0}}},
		{name: "rejects an unknown card", given: written, when: retro.DeleteCard{Actor: alice, At: t0, CardID: "c9"},
			kind: domain.NotFound, code: "card-not-found"},
		{name: "rejects someone else's card", given: written, when: retro.DeleteCard{Actor: bob, At: t0, CardID: "c1"},
			kind: domain.Forbidden, code: "not-author"},
		{name: "rejects an imported card, which has no author",
			given: base(t, false, retro.ImportSurvey{Actor: mod, At: t0, SurveyID: "s",
				Cards: []retro.ImportedCard{{CardID: "s1", ColumnID: "keep", Text: "x"}}}),
			when: retro.DeleteCard{Actor: mod, At: t0, CardID: "s1"}, kind: domain.Forbidden, code: "not-author"},
		{name: "rejects an anonymous delete without pseudonym", given: base(t, true, cards()...),
			when: retro.DeleteCard{Actor: domain.Actor{UserID: alice.UserID}, At: t0, CardID: "c1"},
			kind: domain.Invalid, code: "pseudonym-required"},
		{name: "rejects a delete after the column is revealed", given: revealedBoard(t, false),
			when: retro.DeleteCard{Actor: alice, At: t0, CardID: "c1"}, kind: domain.Conflict, code: "column-revealed"},
	})
	s := fold(cat(written, []retro.Event{retro.CardDeleted{CardID: "c1", Author: "user-alice", At: t0}}))
	if v := retro.View(s, viewer(alice), policy); len(v.Columns[0].Cards) != 1 || v.Columns[0].Cards[0].ID != "c2" {
		t.Fatalf("after deleting c1 the keep column shows %+v", v.Columns[0].Cards)
	}
}

func TestRevealColumn(t *testing.T) {
	written := base(t, false, cards()...)
	run(t, []tc{
		{name: "reveals", given: written, when: retro.RevealColumn{Actor: mod, At: t0, ColumnID: "keep"},
			then: []retro.Event{retro.ColumnRevealed{ColumnID: "keep", At: t0}}},
		{name: "revealing again changes nothing", given: revealedBoard(t, false), when: retro.RevealColumn{Actor: mod, At: t0, ColumnID: "keep"}},
		{name: "rejects an unknown column", given: written, when: retro.RevealColumn{Actor: mod, At: t0, ColumnID: "sad"},
			kind: domain.NotFound, code: "column-not-found"},
	})
	// Column by column: revealing keep shows keep's cards, not stop's.
	s := fold(cat(written, []retro.Event{retro.ColumnRevealed{ColumnID: "keep", At: t0}}))
	v := retro.View(s, viewer(bob), policy)
	if c := v.Columns[0].Cards[0]; c.Text != "pairing" || c.Concealed || c.Author != "user-alice" {
		t.Fatalf("revealed keep card as bob sees it: %+v", c)
	}
	if c := v.Columns[1].Cards[0]; c.Text != "" || !c.Concealed || c.Author != "" {
		t.Fatalf("concealed stop card as bob sees it: %+v", c)
	}
}
