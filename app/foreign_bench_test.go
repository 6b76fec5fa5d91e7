package app_test

import (
	"testing"
)

// BenchmarkForeignVersusMissing times the refusal of an outsider asking for
// another team's retro and team against one asking for IDs that do not
// exist: both answer domain.ErrNotFound, and should take about as long, so the
// time does not tell them apart either. Compare the ns/op of the pairs.
func BenchmarkForeignVersusMissing(b *testing.B) {
	f := newTeam(b)
	rid := f.newRetro("Sprint 1", false)
	const missing = "01a24004-e4f0-7b37-b87d-6b0e29a875db"
	for _, c := range []struct {
		name string
		id   string
		team bool
	}{{"retro/foreign", rid, false}, {"retro/missing", missing, false}, {"team/foreign", f.team, true}, {"team/missing", missing, true}} {
		b.Run(c.name, func(b *testing.B) {
			ctx := f.ctx()
			for b.Loop() {
				var err error
				if c.team {
					_, err = f.app.Team(ctx, user(uOut), c.id)
				} else {
					_, err = f.app.Retro(ctx, user(uOut), c.id)
				}
				if err == nil {
					b.Fatal("the outsider was let in")
				}
			}
		})
	}
}
