package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/app/keys"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/workspace"
	"github.com/hindsight-retro/hindsight/eventstore"
)

// An unclaimed quick retro's workspace keeps only what its expiry can
// erase: what is written into its workspace, teams, retros, surveys and
// whiteboards is sealed (quickcontent.go). What would be kept elsewhere in
// clear, outlive it, or leave the server for a place the expiry cannot
// reach is refused until someone claims the quick retro into an account:
// a recurring schedule, the workspace's own templates, a team's calendar
// feed, webhooks, Slack, Jira and GitHub, single sign-on, and another
// workspace made by the quick retro's starter. Share links stay allowed:
// they hold no text (the summary is read from the sealed retro) and end
// with the quick retro.

// CodeQuickRetroUnclaimed refuses what an unclaimed quick retro's
// workspace does not keep.
const CodeQuickRetroUnclaimed = "quick-retro-unclaimed"

// typeQuickContentOwner names, on a quick retro's quickcontent stream, the
// person who started it (whose quickretro stream says whether it was
// claimed).
const typeQuickContentOwner = "QuickContentOwner"

type quickContentOwner struct {
	UserID string `json:"userId"`
}

// noteQuickOwner records on the quick retro's workspace who started it.
func (a *App) noteQuickOwner(ctx context.Context, wsID, userID string) error {
	b, err := json.Marshal(quickContentOwner{UserID: userID})
	if err != nil {
		return fmt.Errorf("quick retro owner: %w", err)
	}
	_, err = a.d.Store.Append(ctx, eventstore.Commit{
		Stream: eventstore.StreamID{Category: CategoryQuickContent, ID: wsID}, ExpectedVersion: eventstore.Any,
		CommandID: "owner-" + wsID, Actor: "system",
		Events: []eventstore.Event{{Type: typeQuickContentOwner, SchemaVersion: 1, Payload: b}},
	})
	if err != nil {
		return fmt.Errorf("note who started the quick retro in workspace %s: %w", wsID, err)
	}
	return nil
}

// quickRetroOf is the quick retro whose workspace wsID is, if it is one.
func (a *App) quickRetroOf(ctx context.Context, wsID string) (quickState, bool, error) {
	if a.sealer == nil || wsID == "" {
		return quickState{}, false, nil
	}
	ws := eventstore.StreamID{Category: workspace.Category, ID: wsID}
	if err := a.erasedContent(ws); err != nil {
		return quickState{}, false, err
	}
	sealed, err := a.sealer.Sealed(ctx, ws)
	if errors.Is(err, keys.ErrDestroyed) {
		return quickState{}, false, domain.Errorf(domain.NotFound, CodeQuickRetroExpired, "workspace %s belonged to a quick retro that expired; what was written in it was erased", wsID)
	}
	if err != nil || !sealed {
		return quickState{}, false, err
	}
	evs, err := a.d.Store.Load(ctx, eventstore.StreamID{Category: CategoryQuickContent, ID: wsID}, 0)
	if err != nil && !errors.Is(err, eventstore.ErrStreamNotFound) {
		return quickState{}, false, fmt.Errorf("quick retro of workspace %s: %w", wsID, err)
	}
	var owners []string
	for _, e := range evs {
		if e.Type != typeQuickContentOwner {
			continue
		}
		var o quickContentOwner
		if err := json.Unmarshal(e.Payload, &o); err != nil {
			return quickState{}, false, fmt.Errorf("quick retro of workspace %s: %w", wsID, err)
		}
		owners = append(owners, o.UserID)
	}
	if len(owners) == 0 {
		// Started before owners were noted: its starter is among the
		// workspace's admins.
		s, _, err := a.loadWorkspace(ctx, wsID)
		if err != nil {
			return quickState{}, false, err
		}
		for id := range s.Admins {
			if identity.IsQuickPerson(id) {
				owners = append(owners, id)
			}
		}
	}
	for _, id := range owners {
		st, err := a.loadQuick(ctx, id)
		if err != nil {
			return quickState{}, false, err
		}
		if st.started && st.WorkspaceID == wsID {
			return st, true, nil
		}
	}
	// Sealed, with no quick retro found: kept as strictly as an unclaimed one.
	return quickState{}, true, nil
}

// keptOnlyOnceClaimed refuses what, in an unclaimed quick retro's
// workspace wsID, would not be erased with it; what names it.
func (a *App) keptOnlyOnceClaimed(ctx context.Context, wsID, what string) error {
	st, quick, err := a.quickRetroOf(ctx, wsID)
	if err != nil || !quick || st.claimedBy != "" {
		return err
	}
	return domain.Errorf(domain.Forbidden, CodeQuickRetroUnclaimed,
		"%s: not in a quick retro, whose data is erased when it expires; claim it into an account first (POST /v1/quick-retros/claim)", what)
}

// keptOnlyOnceClaimedInTeam is keptOnlyOnceClaimed for team teamID's workspace.
func (a *App) keptOnlyOnceClaimedInTeam(ctx context.Context, teamID, what string) error {
	if a.sealer == nil {
		return nil
	}
	t, _, err := a.loadTeam(ctx, teamID)
	if err != nil {
		return err
	}
	return a.keptOnlyOnceClaimed(ctx, t.WorkspaceID, what)
}
