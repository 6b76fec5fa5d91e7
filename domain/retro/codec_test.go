package retro_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/domain/decidertest"
	"github.com/hindsight-retro/hindsight/domain/retro"
)

// sampleEvents has one filled-in event of every type.
func sampleEvents() []retro.Event {
	due := t0.Add(72 * time.Hour)
	return []retro.Event{
		retro.RetroCreated{RetroID: "r", TeamID: "t", Title: "T", TemplateID: "kss", Moderator: "m", Columns: columns,
			Agenda: retro.DefaultAgenda(), Anonymous: true, OpenActions: openActions, At: t0,
			CheckIn: &catalog.CheckIn{ID: "battery", Question: "How charged are you?", Options: []catalog.CheckInOption{{ID: "full", Label: "Full"}, {ID: "low", Label: "Low"}}}},
		retro.ParticipantJoined{UserID: "u", Role: retro.RoleGuest, At: t0},
		retro.RetroLocked{At: t0},
		retro.RetroUnlocked{At: t0},
		retro.ModerationHandedOver{From: "a", To: "b", At: t0},
		retro.AnonymitySet{Anonymous: true, At: t0},
		retro.RetroClosed{At: t0},
		retro.StepChanged{From: "lobby", To: "collect", At: t0},
		retro.StepSkipped{StepID: "roti", At: t0},
		retro.StepsReordered{Order: []string{"lobby", "closed"}, At: t0},
		retro.StepAdded{Step: retro.Step{ID: "wb", Kind: retro.KindWhiteboard, Title: "x", Topic: "c1"}, After: "discuss", At: t0},
		retro.TimerStarted{StepID: "s", Deadline: t0.Add(time.Minute), At: t0},
		retro.TimerExtended{StepID: "s", Deadline: t0.Add(2 * time.Minute), At: t0},
		retro.TimerStopped{StepID: "s", At: t0},
		retro.IcebreakerChosen{QuestionID: "q", Text: "Q?", At: t0},
		retro.IcebreakerAnswered{CardID: "i", Author: "anon:x", Text: "A", At: t0},
		retro.OpenActionsAdded{Actions: openActions, At: t0},
		retro.CarriedActionReviewed{ActionID: "a", Outcome: retro.OutcomeKept, At: t0},
		retro.CarriedActionCommented{ActionID: "a", CommentID: "c", Author: "u", Text: "t", At: t0},
		retro.HealthCheckStarted{Questions: questions, At: t0},
		retro.HealthCheckAnswered{QuestionID: "q", Respondent: "anon:x", Score: 3, At: t0},
		retro.CheckInAnswered{Respondent: "anon:x", OptionID: "sunny", At: t0},
		retro.HealthCheckRevealed{At: t0},
		retro.SurveyCardsImported{SurveyID: "s", Cards: []retro.ImportedCardRec{{ImportedCard: retro.ImportedCard{CardID: "c", ColumnID: "keep", Text: "t"}, Concealed: true}}, At: t0},
		retro.SurveyScoresImported{SurveyID: "s", Scores: []retro.ImportedScore{{Question: catalog.Question{ID: "q", Text: "?", Scale: catalog.ScaleTen}, Distribution: map[int]int{0: 1, 10: 2}}}, At: t0},
		retro.CardAdded{CardID: "c", ColumnID: "keep", Author: "u", Text: "t", Concealed: true, At: t0},
		retro.CardEdited{CardID: "c", Author: "u", Text: "t2", At: t0},
		retro.CardHidden{CardID: "c", At: t0},
		retro.CardDeleted{CardID: "c", Author: "u", At: t0},
		retro.ColumnRevealed{ColumnID: "keep", At: t0},
		retro.GroupCreated{GroupID: "g", CardIDs: []string{"a", "b"}, At: t0},
		retro.CardGrouped{CardID: "c", GroupID: "g", At: t0},
		retro.CardUngrouped{CardID: "c", GroupID: "g", At: t0},
		retro.GroupDissolved{GroupID: "g", LastCard: "c", At: t0},
		retro.GroupsMerged{GroupID: "g", IntoGroupID: "h", At: t0},
		retro.GroupNamed{GroupID: "g", Name: "n", At: t0},
		retro.VotingStarted{RoundID: "r", Budget: 3, Cap: 2, At: t0},
		retro.VoteCast{RoundID: "r", TopicID: "c", Voter: "u", At: t0},
		retro.VoteRetracted{RoundID: "r", TopicID: "c", Voter: "u", At: t0},
		retro.VotingClosed{RoundID: "r", Results: []retro.TopicVotes{{TopicID: "c", Votes: 2}}, At: t0},
		retro.TopicVotesSet{TopicID: "c", Votes: 4, At: t0},
		retro.TopicFocused{TopicID: "c", At: t0},
		retro.ActionCreated{ActionID: "a", Title: "t", TopicID: "c", Assignee: "u", Due: &due, At: t0},
		retro.ActionAssigned{ActionID: "a", Assignee: "u", At: t0},
		retro.ActionDueDateSet{ActionID: "a", Due: &due, At: t0},
		retro.ActionStatusSet{ActionID: "a", Status: retro.ActionDone, At: t0},
		retro.TopicWhiteboardOpened{WhiteboardID: "w", TopicID: "c", ActionID: "a", At: t0},
		retro.RotiRated{Rater: "anon:x", Score: 9, At: t0},
		retro.RotiClosed{At: t0},
	}
}

func TestEveryEventSurvivesEncodeAndDecode(t *testing.T) {
	samples := sampleEvents()
	seen := map[string]bool{}
	for _, e := range samples {
		typ, ver, payload, err := retro.EncodeEvent(e)
		if err != nil {
			t.Fatalf("encode %T: %v", e, err)
		}
		if typ != e.EventType() || ver < 1 {
			t.Fatalf("encode %T: type %q version %d", e, typ, ver)
		}
		back, err := retro.DecodeEvent(typ, ver, payload)
		if err != nil {
			t.Fatalf("decode %s: %v", typ, err)
		}
		if !reflect.DeepEqual(back, e) {
			t.Fatalf("%s round trip\n got %#v\nwant %#v", typ, back, e)
		}
		seen[typ] = true
	}
	for _, name := range decidertest.TypesWithMethod(t, ".", "EventType") {
		if !seen[name] {
			t.Errorf("event %s has no round-trip sample", name)
		}
	}
}

func TestDecodeRejectsUnknownTypesVersionsAndBadPayloads(t *testing.T) {
	if _, err := retro.DecodeEvent("CardEaten", 1, []byte(`{}`)); err == nil || !strings.Contains(err.Error(), `unknown type "CardEaten"`) {
		t.Fatalf("unknown type: %v", err)
	}
	if _, err := retro.DecodeEvent("VoteCast", 7, []byte(`{}`)); err == nil || !strings.Contains(err.Error(), "schema version 7 is not known") {
		t.Fatalf("future version: %v", err)
	}
	if _, err := retro.DecodeEvent("VoteCast", 1, []byte(`{"voter": 3`)); err == nil {
		t.Fatal("a broken payload decoded")
	}
	if _, _, _, err := retro.EncodeEvent(nil); err == nil {
		t.Fatal("encoded a nil event")
	}
}

// CardAdded v1 named the column "column" and had no concealed flag; it reads
// as concealed, so its text never reaches others through redaction.
func TestCardAddedV1IsUpcastAsConcealed(t *testing.T) {
	v1 := []byte(`{"cardId":"c1","column":"keep","author":"user-alice","text":"old","at":"2026-11-27T10:00:00Z"}`)
	e, err := retro.DecodeEvent("CardAdded", 1, v1)
	if err != nil {
		t.Fatal(err)
	}
	want := retro.CardAdded{CardID: "c1", ColumnID: "keep", Author: "user-alice", Text: "old", Concealed: true, At: t0}
	if !reflect.DeepEqual(e, want) {
		t.Fatalf("upcast %#v, want %#v", e, want)
	}
	if red, _ := retro.RedactEvent(fold(base(t, false)), e, viewer(bob)); red.(retro.CardAdded).Text != "" {
		t.Fatal("an upcast v1 card's text reached another viewer")
	}
}

// The log keeps every event under the type name it was written with, so a
// name, once stored, is read by every later version: these are the names
// stored logs hold, and each still decodes to the event that wrote it.
func TestStoredEventTypeNamesStillDecode(t *testing.T) {
	stored := []string{
		"RetroCreated", "ParticipantJoined", "RetroLocked", "RetroUnlocked", "ModerationHandedOver",
		"AnonymitySet", "RetroClosed", "StepChanged", "StepSkipped", "StepsReordered", "StepAdded",
		"TimerStarted", "TimerExtended", "TimerStopped", "IcebreakerChosen", "IcebreakerAnswered",
		"OpenActionsAdded", "CarriedActionReviewed", "CarriedActionCommented", "HealthCheckStarted",
		"HealthCheckAnswered", "HealthCheckRevealed", "SurveyCardsImported", "SurveyScoresImported",
		"CardAdded", "CardEdited", "CardDeleted", "ColumnRevealed", "CardHidden", "GroupCreated",
		"CardGrouped", "CardUngrouped", "GroupDissolved", "GroupsMerged", "GroupNamed", "VotingStarted",
		"VoteCast", "VoteRetracted", "VotingClosed", "TopicVotesSet", "TopicFocused", "ActionCreated",
		"ActionAssigned", "ActionDueDateSet", "ActionStatusSet", "TopicWhiteboardOpened", "RotiRated",
		"RotiClosed", "CheckInAnswered",
	}
	byName := map[string]retro.Event{}
	for _, e := range sampleEvents() {
		byName[e.EventType()] = e
	}
	for _, name := range stored {
		e, ok := byName[name]
		if !ok {
			t.Errorf("no event is named %s any more: stored events of that type no longer read", name)
			continue
		}
		_, ver, payload, err := retro.EncodeEvent(e)
		if err != nil {
			t.Fatalf("encode %s: %v", name, err)
		}
		if back, err := retro.DecodeEvent(name, ver, payload); err != nil || !reflect.DeepEqual(back, e) {
			t.Errorf("stored %s reads as %#v, %v", name, back, err)
		}
	}
	if len(byName) != len(stored) {
		t.Errorf("%d event types, %d stored names: add the new type's name here", len(byName), len(stored))
	}
}
