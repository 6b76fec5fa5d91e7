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
	decider.Run(t, []tc{
		{Name: "writes a concealed card", Given: base(t, false), When: add(alice, "c1", "keep", "pairing"),
			Then: []retro.Event{retro.CardAdded{CardID: "c1", ColumnID: "keep", Author: "user-alice", Text: "pairing", Concealed: true, At: t0}}},
		{Name: "in an anonymous retro the author is the pseudonym", Given: base(t, true), When: add(alice, "c1", "keep", "pairing"),
			Then: []retro.Event{retro.CardAdded{CardID: "c1", ColumnID: "keep", Author: alice.Pseudonym, Text: "pairing", Concealed: true, At: t0}}},
		{Name: "a card still being written when the step moved on is accepted",
			Given: base(t, false, retro.GoToStep{Actor: mod, At: t0, StepID: "collect"}, retro.GoToStep{Actor: mod, At: t0, StepID: "discuss"}),
			When:  add(alice, "c1", "keep", "late"),
			Then:  []retro.Event{retro.CardAdded{CardID: "c1", ColumnID: "keep", Author: "user-alice", Text: "late", Concealed: true, At: t0}}},
		{Name: "a card added to a revealed column is visible at once",
			Given: base(t, false, retro.RevealColumn{Actor: mod, At: t0, ColumnID: "keep"}),
			When:  add(alice, "c1", "keep", "late"),
			Then:  []retro.Event{retro.CardAdded{CardID: "c1", ColumnID: "keep", Author: "user-alice", Text: "late", Concealed: false, At: t0}}},
		{Name: "rejects an anonymous card without pseudonym", Given: base(t, true),
			When: add(domain.Actor{UserID: alice.UserID}, "c1", "keep", "x"), Kind: domain.Invalid, Code: retro.CodePseudonymRequired},
		{Name: "rejects no card ID", Given: base(t, false), When: add(alice, "", "keep", "x"), Kind: domain.Invalid, Code: retro.CodeCardIDRequired},
		{Name: "rejects an empty card", Given: base(t, false), When: add(alice, "c1", "keep", " \n"), Kind: domain.Invalid, Code: retro.CodeTextRequired},
		{Name: "rejects an overlong card", Given: base(t, false), When: add(alice, "c1", "keep", string(make([]rune, retro.MaxTextLen+1))),
			Kind: domain.Invalid, Code: retro.CodeTextTooLong},
		{Name: "rejects an unknown column", Given: base(t, false), When: add(alice, "c1", "sad", "x"),
			Kind: domain.NotFound, Code: retro.CodeColumnNotFound},
		{Name: "rejects a taken ID", Given: base(t, false, add(bob, "c1", "keep", "x")), When: add(alice, "c1", "keep", "y"),
			Kind: domain.Conflict, Code: retro.CodeIDTaken},
	})
}

func TestEditCard(t *testing.T) {
	written := base(t, false, cards()...)
	decider.Run(t, []tc{
		{Name: "the author edits a concealed card", Given: written,
			When: retro.EditCard{Actor: alice, At: t0, CardID: "c1", Text: "pair programming"},
			Then: []retro.Event{retro.CardEdited{CardID: "c1", Author: "user-alice", Text: "pair programming", At: t0}}},
		{Name: "the author edits an anonymous card by pseudonym", Given: base(t, true, cards()...),
			When: retro.EditCard{Actor: alice, At: t0, CardID: "c1", Text: "pair programming"},
			Then: []retro.Event{retro.CardEdited{CardID: "c1", Author: alice.Pseudonym, Text: "pair programming", At: t0}}},
		{Name: "the same text changes nothing", Given: written, When: retro.EditCard{Actor: alice, At: t0, CardID: "c1", Text: "pairing"}},
		{Name: "rejects an empty text", Given: written, When: retro.EditCard{Actor: alice, At: t0, CardID: "c1"},
			Kind: domain.Invalid, Code: retro.CodeTextRequired},
		{Name: "rejects an anonymous edit without pseudonym", Given: base(t, true, cards()...),
			When: retro.EditCard{Actor: domain.Actor{UserID: alice.UserID}, At: t0, CardID: "c1", Text: "x"},
			Kind: domain.Invalid, Code: retro.CodePseudonymRequired},
		{Name: "rejects an unknown card", Given: written, When: retro.EditCard{Actor: alice, At: t0, CardID: "c9", Text: "x"},
			Kind: domain.NotFound, Code: retro.CodeCardNotFound},
		{Name: "rejects someone else's card", Given: written, When: retro.EditCard{Actor: bob, At: t0, CardID: "c1", Text: "x"},
			Kind: domain.Forbidden, Code: retro.CodeNotAuthor},
		{Name: "rejects someone else's anonymous card", Given: base(t, true, cards()...),
			When: retro.EditCard{Actor: bob, At: t0, CardID: "c1", Text: "x"}, Kind: domain.Forbidden, Code: retro.CodeNotAuthor},
		{Name: "the author edits a revealed card, for everyone", Given: revealedBoard(t, false),
			When: retro.EditCard{Actor: alice, At: t0, CardID: "c1", Text: "pair programming"},
			Then: []retro.Event{retro.CardEdited{CardID: "c1", Author: "user-alice", Text: "pair programming", Revealed: true, At: t0}}},
		{Name: "the author edits a revealed anonymous card by pseudonym", Given: revealedBoard(t, true),
			When: retro.EditCard{Actor: alice, At: t0, CardID: "c1", Text: "pair programming"},
			Then: []retro.Event{retro.CardEdited{CardID: "c1", Author: alice.Pseudonym, Text: "pair programming", Revealed: true, At: t0}}},
		{Name: "the author edits a grouped, voted card",
			Given: revealedBoard(t, false,
				retro.MergeCard{Actor: mod, At: t0, CardID: "c1", TargetID: "c2", NewGroupID: "g1"},
				retro.SetTopicVotes{Actor: mod, At: t0, TopicID: "c3", Votes: 2}),
			When: retro.EditCard{Actor: alice, At: t0, CardID: "c3", Text: "shorter meetings"},
			Then: []retro.Event{retro.CardEdited{CardID: "c3", Author: "user-alice", Text: "shorter meetings", Revealed: true, At: t0}}},
		{Name: "rejects someone else's revealed card", Given: revealedBoard(t, false),
			When: retro.EditCard{Actor: bob, At: t0, CardID: "c1", Text: "x"}, Kind: domain.Forbidden, Code: retro.CodeNotAuthor},
		{Name: "rejects an edit once the retro is closed", Given: revealedBoard(t, false, retro.CloseRetro{Actor: mod, At: t0}),
			When: retro.EditCard{Actor: alice, At: t0, CardID: "c1", Text: "x"}, Kind: domain.Conflict, Code: retro.CodeRetroClosed},
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
	decider.Run(t, []tc{
		{Name: "the moderator hides a card", Given: board, When: retro.HideCard{Actor: mod, At: t0, CardID: "c2"},
			Then: []retro.Event{retro.CardHidden{CardID: "c2", At: t0}}},
		{Name: "the moderator hides a concealed card", Given: base(t, false, cards()...), When: retro.HideCard{Actor: mod, At: t0, CardID: "c2"},
			Then: []retro.Event{retro.CardHidden{CardID: "c2", At: t0}}},
		{Name: "hiding a hidden card changes nothing", Given: revealedBoard(t, false, retro.HideCard{Actor: mod, At: t0, CardID: "c2"}),
			When: retro.HideCard{Actor: mod, At: t0, CardID: "c2"}},
		{Name: "rejects an unknown card", Given: board, When: retro.HideCard{Actor: mod, At: t0, CardID: "c9"},
			Kind: domain.NotFound, Code: retro.CodeCardNotFound},
		{Name: "rejects a participant", Given: board, When: retro.HideCard{Actor: alice, At: t0, CardID: "c2"},
			Kind: domain.Forbidden, Code: retro.CodeNotModerator},
		{Name: "its author can no longer edit it", Given: revealedBoard(t, false, retro.HideCard{Actor: mod, At: t0, CardID: "c1"}),
			When: retro.EditCard{Actor: alice, At: t0, CardID: "c1", Text: "x"}, Kind: domain.Conflict, Code: retro.CodeCardHidden},
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
	decider.Run(t, []tc{
		{Name: "the author deletes a concealed card", Given: written, When: retro.DeleteCard{Actor: alice, At: t0, CardID: "c1"},
			Then: []retro.Event{retro.CardDeleted{CardID: "c1", Author: "user-alice", At: t0}}},
		{Name: "rejects an unknown card", Given: written, When: retro.DeleteCard{Actor: alice, At: t0, CardID: "c9"},
			Kind: domain.NotFound, Code: retro.CodeCardNotFound},
		{Name: "rejects someone else's card", Given: written, When: retro.DeleteCard{Actor: bob, At: t0, CardID: "c1"},
			Kind: domain.Forbidden, Code: retro.CodeNotAuthor},
		{Name: "rejects an imported card, which has no author",
			Given: base(t, false, retro.ImportSurvey{Actor: mod, At: t0, SurveyID: "s",
				Cards: []retro.ImportedCard{{CardID: "s1", ColumnID: "keep", Text: "x"}}}),
			When: retro.DeleteCard{Actor: mod, At: t0, CardID: "s1"}, Kind: domain.Forbidden, Code: retro.CodeNotAuthor},
		{Name: "rejects an anonymous delete without pseudonym", Given: base(t, true, cards()...),
			When: retro.DeleteCard{Actor: domain.Actor{UserID: alice.UserID}, At: t0, CardID: "c1"},
			Kind: domain.Invalid, Code: retro.CodePseudonymRequired},
		{Name: "rejects a delete after the column is revealed", Given: revealedBoard(t, false),
			When: retro.DeleteCard{Actor: alice, At: t0, CardID: "c1"}, Kind: domain.Conflict, Code: retro.CodeColumnRevealed},
	})
	s := fold(cat(written, []retro.Event{retro.CardDeleted{CardID: "c1", Author: "user-alice", At: t0}}))
	if v := retro.View(s, viewer(alice), policy); len(v.Columns[0].Cards) != 1 || v.Columns[0].Cards[0].ID != "c2" {
		t.Fatalf("after deleting c1 the keep column shows %+v", v.Columns[0].Cards)
	}
}

func TestRevealColumn(t *testing.T) {
	written := base(t, false, cards()...)
	decider.Run(t, []tc{
		{Name: "reveals", Given: written, When: retro.RevealColumn{Actor: mod, At: t0, ColumnID: "keep"},
			Then: []retro.Event{retro.ColumnRevealed{ColumnID: "keep", At: t0}}},
		{Name: "revealing again changes nothing", Given: revealedBoard(t, false), When: retro.RevealColumn{Actor: mod, At: t0, ColumnID: "keep"}},
		{Name: "rejects an unknown column", Given: written, When: retro.RevealColumn{Actor: mod, At: t0, ColumnID: "sad"},
			Kind: domain.NotFound, Code: retro.CodeColumnNotFound},
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
