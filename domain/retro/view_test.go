package retro_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hindsight-retro/hindsight/domain/retro"
)

func TestConcealedCardsShowOnlyToTheirAuthor(t *testing.T) {
	s := fold(base(t, false, cards()...))
	mine := retro.View(s, viewer(alice), policy).Columns[0].Cards[0]
	if mine.Text != "pairing" || !mine.Mine || !mine.Concealed || mine.Author != "user-alice" {
		t.Fatalf("alice's own concealed card: %+v", mine)
	}
	for _, v := range []retro.Viewer{viewer(bob), viewer(mod), viewer(eve), {}} {
		c := retro.View(s, v, policy).Columns[0].Cards[0]
		if c.Text != "" || c.Author != "" || c.Mine || !c.Concealed || c.ID != "c1" {
			t.Fatalf("%q sees alice's concealed card as %+v; want that it exists, nothing more", v.UserID, c)
		}
	}
}

func TestAnonymousRetroViewsNameNoAuthorAndNoPseudonym(t *testing.T) {
	s := fold(revealedBoard(t, true, retro.ChooseIcebreaker{Actor: mod, At: t0, Text: "Q"},
		retro.AnswerIcebreaker{Actor: bob, At: t0, CardID: "i1", Text: "A"},
		retro.CommentOnAction{Actor: bob, At: t0, ActionID: "act-old-1", CommentID: "cm", Text: "C"}))
	for _, a := range []retro.Viewer{viewer(alice), viewer(bob), viewer(mod)} {
		v := retro.View(s, a, policy)
		raw, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(raw), `"author"`) || strings.Contains(string(raw), "anon:") {
			t.Fatalf("%s's view names an author or pseudonym: %s", a.UserID, raw)
		}
	}
	vb := retro.View(s, viewer(bob), policy)
	if !vb.Columns[0].Cards[1].Mine || vb.Columns[0].Cards[0].Mine || !vb.Icebreaker.Answers[0].Mine || !vb.ActionReview[0].Comments[0].Mine {
		t.Fatalf("bob should recognise exactly his own contributions: %+v", vb.Columns[0].Cards)
	}
}

func TestViewOfAMissingRetroIsEmpty(t *testing.T) {
	if v := retro.View(retro.Initial(), viewer(alice), policy); v.RetroID != "" || v.You.Participant {
		t.Fatalf("view of nothing: %+v", v)
	}
}

func TestViewerRoleComesFromTheState(t *testing.T) {
	s := fold(base(t, false))
	if y := retro.View(s, viewer(mod), policy).You; !y.Moderator || !y.Participant {
		t.Fatalf("moderator: %+v", y)
	}
	if y := retro.View(s, viewer(bob), policy).You; y.Moderator || !y.Participant || y.Role != retro.RoleGuest {
		t.Fatalf("bob: %+v", y)
	}
	if y := retro.View(s, viewer(eve), policy).You; y.Moderator || y.Participant {
		t.Fatalf("eve: %+v", y)
	}
}

type alienEvent struct{}

func (alienEvent) EventType() string { return "Alien" }

func TestRedactEvent(t *testing.T) {
	plain := fold(base(t, false))
	anon := fold(base(t, true))
	concealed := retro.CardAdded{CardID: "c1", ColumnID: "keep", Author: "user-alice", Text: "secret", Concealed: true, At: t0}
	anonCard := retro.CardAdded{CardID: "c1", ColumnID: "keep", Author: alice.Pseudonym, Text: "secret", Concealed: true, At: t0}

	cases := []struct {
		name  string
		state retro.State
		e     retro.Event
		v     retro.Viewer
		want  retro.Event // nil: withheld
	}{
		{"a concealed card shows others only that it exists", plain, concealed, viewer(bob),
			retro.CardAdded{CardID: "c1", ColumnID: "keep", Concealed: true, At: t0}},
		{"its author sees it whole", plain, concealed, viewer(alice), concealed},
		{"an anonymous author sees the text but not the pseudonym", anon, anonCard, viewer(alice),
			retro.CardAdded{CardID: "c1", ColumnID: "keep", Text: "secret", Concealed: true, At: t0}},
		{"a card added after the reveal shows its text, not its anonymous author", anon,
			retro.CardAdded{CardID: "c1", ColumnID: "keep", Author: alice.Pseudonym, Text: "open", At: t0}, viewer(bob),
			retro.CardAdded{CardID: "c1", ColumnID: "keep", Text: "open", At: t0}},
		{"a draft edit is withheld from others", plain, retro.CardEdited{CardID: "c1", Author: "user-alice", Text: "x", At: t0}, viewer(bob), nil},
		{"a draft edit reaches its author", plain, retro.CardEdited{CardID: "c1", Author: "user-alice", Text: "x", At: t0}, viewer(alice),
			retro.CardEdited{CardID: "c1", Author: "user-alice", Text: "x", At: t0}},
		{"an edit after the reveal reaches others", plain,
			retro.CardEdited{CardID: "c1", Author: "user-alice", Text: "x", Revealed: true, At: t0}, viewer(bob),
			retro.CardEdited{CardID: "c1", Author: "user-alice", Text: "x", Revealed: true, At: t0}},
		{"an anonymous edit after the reveal reaches others without its author", anon,
			retro.CardEdited{CardID: "c1", Author: alice.Pseudonym, Text: "x", Revealed: true, At: t0}, viewer(bob),
			retro.CardEdited{CardID: "c1", Text: "x", Revealed: true, At: t0}},
		{"a deletion shows, not by whom", plain, retro.CardDeleted{CardID: "c1", Author: "user-alice", At: t0}, viewer(bob),
			retro.CardDeleted{CardID: "c1", At: t0}},
		{"a vote is withheld from others", plain, retro.VoteCast{RoundID: "r", TopicID: "c1", Voter: "user-alice", At: t0}, viewer(mod), nil},
		{"an anonymous vote reaches its voter without the pseudonym", anon,
			retro.VoteCast{RoundID: "r", TopicID: "c1", Voter: alice.Pseudonym, At: t0}, viewer(alice),
			retro.VoteCast{RoundID: "r", TopicID: "c1", At: t0}},
		{"a retraction is withheld from others", plain, retro.VoteRetracted{RoundID: "r", TopicID: "c1", Voter: "user-alice", At: t0}, viewer(bob), nil},
		{"a health answer is withheld from others", plain,
			retro.HealthCheckAnswered{QuestionID: "q", Respondent: alice.Pseudonym, Score: 2, At: t0}, viewer(mod), nil},
		{"a health answer reaches its author without the pseudonym", plain,
			retro.HealthCheckAnswered{QuestionID: "q", Respondent: alice.Pseudonym, Score: 2, At: t0}, viewer(alice),
			retro.HealthCheckAnswered{QuestionID: "q", Score: 2, At: t0}},
		{"a check-in pick is withheld from others", plain,
			retro.CheckInAnswered{Respondent: alice.Pseudonym, OptionID: "sunny", At: t0}, viewer(mod), nil},
		{"a check-in pick reaches its author without the pseudonym", anon,
			retro.CheckInAnswered{Respondent: alice.Pseudonym, OptionID: "sunny", At: t0}, viewer(alice),
			retro.CheckInAnswered{OptionID: "sunny", At: t0}},
		{"a ROTI rating is withheld from others", plain, retro.RotiRated{Rater: alice.Pseudonym, Score: 2, At: t0}, viewer(bob), nil},
		{"a ROTI rating reaches its rater without the pseudonym", plain, retro.RotiRated{Rater: alice.Pseudonym, Score: 2, At: t0}, viewer(alice),
			retro.RotiRated{Score: 2, At: t0}},
		{"an anonymous icebreaker answer has no author", anon,
			retro.IcebreakerAnswered{CardID: "i", Author: bob.Pseudonym, Text: "A", At: t0}, viewer(bob),
			retro.IcebreakerAnswered{CardID: "i", Text: "A", At: t0}},
		{"an anonymous comment has no author", anon,
			retro.CarriedActionCommented{ActionID: "a", CommentID: "c", Author: bob.Pseudonym, Text: "C", At: t0}, viewer(alice),
			retro.CarriedActionCommented{ActionID: "a", CommentID: "c", Text: "C", At: t0}},
		{"imported concealed cards show no text", plain,
			retro.SurveyCardsImported{SurveyID: "s", Cards: []retro.ImportedCardRec{{ImportedCard: retro.ImportedCard{CardID: "s1", ColumnID: "keep", Text: "T"}, Concealed: true}}, At: t0},
			viewer(mod),
			retro.SurveyCardsImported{SurveyID: "s", Cards: []retro.ImportedCardRec{{ImportedCard: retro.ImportedCard{CardID: "s1", ColumnID: "keep"}, Concealed: true}}, At: t0}},
		{"imported scores show their questions only", plain,
			retro.SurveyScoresImported{SurveyID: "s", Scores: []retro.ImportedScore{{Question: questions[0], Distribution: map[int]int{5: 2}}}, At: t0},
			viewer(mod),
			retro.SurveyScoresImported{SurveyID: "s", Scores: []retro.ImportedScore{{Question: questions[0]}}, At: t0}},
		{"closing a round publishes totals", plain, retro.VotingClosed{RoundID: "r", Results: []retro.TopicVotes{{TopicID: "c1", Votes: 2}}, At: t0},
			viewer(eve), retro.VotingClosed{RoundID: "r", Results: []retro.TopicVotes{{TopicID: "c1", Votes: 2}}, At: t0}},
		{"an unknown event is withheld", plain, alienEvent{}, viewer(mod), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := retro.RedactEvent(c.state, c.e, c.v)
			if c.want == nil {
				if ok {
					t.Fatalf("shown %#v, want withheld", got)
				}
				return
			}
			if !ok {
				t.Fatal("withheld")
			}
			gj, _ := json.Marshal(got)
			wj, _ := json.Marshal(c.want)
			if string(gj) != string(wj) {
				t.Fatalf("got %s\nwant %s", gj, wj)
			}
		})
	}
}

// RedactEvent decides per event type what each viewer sees, and withholds
// a type it does not know from everyone. Every listed type is known to it:
// the person who wrote an event always sees it (sampleEvents has one of
// each, written by "u", whose pseudonym is "anon:x").
func TestEveryEventTypeReachesTheViewerWhoWroteIt(t *testing.T) {
	owner := retro.Viewer{UserID: "u", Pseudonym: "anon:x"}
	s := fold(base(t, false))
	seen := map[string]bool{}
	for _, e := range sampleEvents() {
		seen[e.EventType()] = true
		if _, ok := retro.RedactEvent(s, e, owner); !ok {
			t.Errorf("%s is withheld from the viewer who wrote it: is it missing from RedactEvent?", e.EventType())
		}
	}
	for _, e := range retro.Events() {
		if !seen[e.EventType()] {
			t.Errorf("sampleEvents has no %s", e.EventType())
		}
	}
}
