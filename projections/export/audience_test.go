package export_test

import (
	"context"
	"errors"
	"testing"

	"github.com/hindsight-retro/hindsight/projections/export"
)

// A typo in a team, retro or user ID must not pass for an export that
// happens to be empty, or for one made for an outsider.
func TestAnExportIsRefusedForATeamRetroOrPersonThatIsNotThere(t *testing.T) {
	ctx := context.Background()
	store := workspace(t)
	for _, tc := range []struct {
		name string
		f    export.Filter
		user string
		want error
	}{
		{"a member of the team", export.Filter{TeamID: "team-0000"}, "u-0000-01", nil},
		{"its admin, for one of its retros", export.Filter{TeamID: "team-0000", RetroID: "r-0000-000"}, "u-0000-00", nil},
		{"a team that does not exist", export.Filter{TeamID: "team-9999"}, "u-0000-00", export.ErrUnknownTeam},
		{"a person who does not exist", export.Filter{TeamID: "team-0000"}, "u-nobody", export.ErrNotInTeam},
		{"a member of another team", export.Filter{TeamID: "team-0000"}, "u-0001-00", export.ErrNotInTeam},
		{"a retro that does not exist", export.Filter{TeamID: "team-0000", RetroID: "r-9999-000"}, "u-0000-00", export.ErrUnknownRetro},
		{"another team's retro", export.Filter{TeamID: "team-0000", RetroID: "r-0001-000"}, "u-0000-00", export.ErrUnknownRetro},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := export.CheckAudience(ctx, store, tc.f, tc.user)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Errorf("CheckAudience = %v, want %v", err, tc.want)
			}
		})
	}
}
