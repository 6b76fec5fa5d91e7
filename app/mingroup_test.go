package app_test

import (
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/domain/retro"
)

// A retro's ROTI of two ratings shows only their count under the server's
// minimum group (3 by default), on the REST view and in time travel alike,
// and its average when --min-group-size is 2.
func TestRetroViewsWithholdROTIResultsUnderTheServersMinimumGroup(t *testing.T) {
	f := newTeam(t)
	rid := f.newRetro("Sprint 3", false)
	for u, score := range map[string]int{uBea: 5, uCal: 3} {
		must(f.retro(user(u), rid, app.RateRoti{Score: score}))(t)
	}
	closed := must(f.retro(user(uMod), rid, app.CloseRoti{}))(t)
	lax := app.New(app.Deps{Store: f.store, Keys: f.keys, Catalog: f.cat, Clock: f.clock, NewID: f.newID,
		ReadModels: app.ReadModelConfig{MinGroupSize: 2}})
	for _, c := range []struct {
		name     string
		a        *app.App
		withheld bool
	}{{"the default minimum of 3", f.app, true}, {"a minimum of 2", lax, false}} {
		rest := must(c.a.Retro(f.ctx(), user(uBea), rid))(t).Roti.Result
		past := must(c.a.RetroAt(f.ctx(), user(uBea), rid, closed.Position, time.Time{}))(t).View.Roti.Result
		for path, r := range map[string]*retro.Aggregate{"REST": rest, "time travel": past} {
			switch {
			case r == nil || r.Count != 2:
				t.Errorf("%s, %s: ROTI result %+v, want two ratings", c.name, path, r)
			case c.withheld && (!r.Withheld || r.Average != nil || r.Distribution != nil):
				t.Errorf("%s, %s: %+v, want the count only", c.name, path, r)
			case !c.withheld && (r.Withheld || r.Average == nil || *r.Average != 4):
				t.Errorf("%s, %s: %+v, want the average 4", c.name, path, r)
			}
		}
	}
}
