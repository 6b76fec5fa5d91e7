package export

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/eventstore"
)

// Reasons CheckAudience refuses an export.
var (
	ErrUnknownTeam  = errors.New("no such team")
	ErrUnknownRetro = errors.New("no such retro in the team")
	ErrNotInTeam    = errors.New("not a member of the team")
)

// CheckAudience checks what an operator typed before an export is written:
// that the team (and the retro, if one is named) exists, and that the
// person the export is redacted for belongs to the team — a member, or a
// guest exporting a retro they were admitted to. Export itself would write
// an empty file for a mistyped team, and for a mistyped person the history
// as an outsider sees it, both of which look like success.
func CheckAudience(ctx context.Context, store eventstore.Store, f Filter, userID string) error {
	recs, err := store.Load(ctx, eventstore.StreamID{Category: team.Category, ID: f.TeamID}, 0)
	if errors.Is(err, eventstore.ErrStreamNotFound) {
		return fmt.Errorf("team %q: %w", f.TeamID, ErrUnknownTeam)
	}
	if err != nil {
		return fmt.Errorf("load team %q: %w", f.TeamID, err)
	}
	s := team.Initial()
	for _, r := range recs {
		ev, err := team.DecodeEvent(r.Type, r.SchemaVersion, r.Payload)
		if err != nil {
			return fmt.Errorf("team %q at position %d: %w", f.TeamID, r.Position, err)
		}
		s = team.Evolve(s, ev)
	}
	if f.RetroID != "" {
		if err := retroOfTeam(ctx, store, f.RetroID, f.TeamID); err != nil {
			return err
		}
	}
	if s.Members[userID] {
		return nil
	}
	if g, ok := s.Guests[userID]; ok && f.RetroID != "" && slices.Contains(g.RetroIDs, f.RetroID) {
		return nil
	}
	return fmt.Errorf("user %q, team %q: %w", userID, f.TeamID, ErrNotInTeam)
}

func retroOfTeam(ctx context.Context, store eventstore.Store, retroID, teamID string) error {
	recs, err := store.Load(ctx, eventstore.StreamID{Category: retro.Category, ID: retroID}, 0)
	if errors.Is(err, eventstore.ErrStreamNotFound) || err == nil && len(recs) == 0 {
		return fmt.Errorf("retro %q, team %q: %w", retroID, teamID, ErrUnknownRetro)
	}
	if err != nil {
		return fmt.Errorf("load retro %q: %w", retroID, err)
	}
	ev, err := retro.DecodeEvent(recs[0].Type, recs[0].SchemaVersion, recs[0].Payload)
	if err != nil {
		return fmt.Errorf("retro %q: %w", retroID, err)
	}
	if c, ok := ev.(retro.RetroCreated); !ok || c.TeamID != teamID {
		return fmt.Errorf("retro %q, team %q: %w", retroID, teamID, ErrUnknownRetro)
	}
	return nil
}
