package teamsurveys_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/domain/survey"
	"github.com/hindsight-retro/hindsight/projections/projtest"
	"github.com/hindsight-retro/hindsight/projections/teamsurveys"
)

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func TestEachTeamListsTheSurveysSentToItOldestFirst(t *testing.T) {
	// Given s1 sent to t1, s2 to t1 and t2, and s2 closed.
	l := projtest.New(t, t0)
	l.Survey("s1", survey.SurveyCreated{SurveyID: "s1", TeamIDs: []string{"t1"}, Title: "March", CreatedBy: "ann", OpensAt: t0, ClosesAt: t0.Add(time.Hour)})
	l.Survey("s2", survey.SurveyCreated{SurveyID: "s2", TeamIDs: []string{"t1", "t2"}, Title: "April", CreatedBy: "ann", OpensAt: t0, ClosesAt: t0.Add(time.Hour)})
	l.Survey("s2", survey.SurveyClosed{ClosedBy: "ann", At: t0})
	x := teamsurveys.New()
	projtest.ApplyAll(t, x, l.Events)
	// Then each team lists its own, a closed one too, and no other team's.
	for team, want := range map[string][]string{"t1": {"s1", "s2"}, "t2": {"s2"}, "t3": nil} {
		if got := x.Of(team); !reflect.DeepEqual(got, want) {
			t.Errorf("surveys of %s = %v, want %v", team, got, want)
		}
	}
	// And applying the log again changes nothing.
	projtest.ApplyAll(t, x, l.Events)
	if got := x.Of("t1"); !reflect.DeepEqual(got, []string{"s1", "s2"}) {
		t.Errorf("after a second pass, surveys of t1 = %v", got)
	}
}
