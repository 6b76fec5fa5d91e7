package app_test

import (
	"testing"

	"github.com/hindsight-retro/hindsight/app"
)

// A health check started with no pack named asks the questions of the pack
// the retro's template suggests; a template without one falls back to the
// team's pack, and a pack the moderator names wins over both.
func TestAHealthCheckStartsWithTheTemplatesSuggestedPack(t *testing.T) {
	// The team is a scrum-team: its pack is five-agile-values.
	for _, tc := range []struct {
		name, template, named, want string
	}{
		{"the template suggests a pack", "sailboat", "", "squad-health-check"},
		{"the moderator names another pack", "sailboat", "team-morale", "team-morale"},
		{"the template suggests none", "keep-stop-start", "", "five-agile-values"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newTeam(t)
			r := must(f.app.CreateRetro(f.ctx(), f.as(user(uMod)), app.CreateRetroInput{TeamID: f.team, Title: "Sprint 1", TemplateID: tc.template}))(t)
			must(f.retro(user(uMod), r.ID, app.StartHealthCheck{PackID: tc.named}))(t)
			want, ok := f.cat.HealthPack(tc.want)
			if !ok {
				t.Fatalf("no pack %s in the catalogue", tc.want)
			}
			v := f.view(user(uMod), r.ID)
			if v.Health == nil || len(v.Health.Questions) != len(want.Questions) {
				t.Fatalf("health check: %+v, want the %d questions of %s", v.Health, len(want.Questions), want.ID)
			}
			for i, q := range v.Health.Questions {
				if q.ID != want.Questions[i].ID {
					t.Errorf("question %d is %s, want %s of %s", i, q.ID, want.Questions[i].ID, want.ID)
				}
			}
		})
	}
}
