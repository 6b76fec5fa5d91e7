package app

import (
	"reflect"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
)

// Every retro input becomes the domain command of its name, carrying the
// actor and the time the app established, never anything of the caller's:
// the transport hands in only what the person asked for.
func TestEveryRetroInputIsStampedWithTheAppsActorAndTime(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	a := New(Deps{Store: memstore.New(nil), Catalog: cat})
	tmpl := cat.RetroTemplates[0]
	s := retroScope{
		app:   a,
		retro: retro.State{TemplateID: tmpl.ID},
		team:  team.State{HealthPackID: cat.HealthPacks[0].ID},
		actor: domain.Actor{UserID: "u-1", Pseudonym: "anon:xyz"},
		at:    time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC),
	}
	// ImportSurvey reads a survey from the log: TestASurveyFromSendingToImportIntoARetro covers it.
	inputs := []RetroInput{
		LockRetro{}, UnlockRetro{}, HandOverModeration{To: "u-2"}, SetAnonymity{Anonymous: true}, CloseRetro{},
		GoToStep{StepID: "s"}, SkipStep{StepID: "s"}, ReorderSteps{Order: []string{"s"}}, AddStep{After: "s"},
		StartTimer{Duration: time.Minute}, ExtendTimer{By: time.Minute}, StopTimer{},
		ChooseIcebreaker{}, ChooseIcebreaker{IcebreakerID: cat.IcebreakerAt(0).ID}, AnswerIcebreaker{Text: "tea"},
		ReviewAction{ActionID: "a", Outcome: retro.OutcomeDone}, CommentOnAction{ActionID: "a", Text: "x"},
		StartHealthCheck{}, AnswerHealthCheck{QuestionID: "q", Score: 3}, RevealHealthCheck{},
		AddCard{ColumnID: "c", Text: "x"}, EditCard{CardID: "k", Text: "x"}, DeleteCard{CardID: "k"}, HideCard{CardID: "k"},
		RevealColumn{ColumnID: "c"}, MergeCard{CardID: "k", TargetID: "j"}, MoveCardOut{CardID: "k"},
		NameGroup{GroupID: "g", Name: "n"}, MergeGroups{GroupID: "g", IntoGroupID: "h"},
		StartVoting{Budget: 2}, CloseVoting{}, CastVote{TopicID: "k"}, RetractVote{TopicID: "k"},
		SetTopicVotes{TopicID: "k", Votes: 2}, FocusTopic{TopicID: "k"}, OpenTopicWhiteboard{TopicID: "k"},
		CreateAction{Title: "t"}, AssignAction{ActionID: "a"}, SetActionDueDate{ActionID: "a"},
		SetActionStatus{ActionID: "a", Status: retro.ActionDone}, RateRoti{Score: 4}, CloseRoti{},
	}
	for _, in := range inputs {
		name := reflect.TypeOf(in).Name()
		cmd, err := in.retroCommand(t.Context(), s)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		v := reflect.ValueOf(cmd)
		if got := v.Type().String(); got != "retro."+name {
			t.Errorf("%s makes a %s", name, got)
		}
		if got := v.FieldByName("Actor").Interface(); got != s.actor {
			t.Errorf("%s: actor %+v, want the app's %+v", name, got, s.actor)
		}
		if got := v.FieldByName("At").Interface().(time.Time); !got.Equal(s.at) {
			t.Errorf("%s: at %s, want the app's %s", name, got, s.at)
		}
	}
}
