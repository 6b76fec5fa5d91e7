package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/documents"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/domain/team"
)

// Documents: a closed retro as a file (documents.Write) is built from the
// same per-viewer view the API serves that person, never from events, so
// a document cannot show more than its reader may see. Display names come
// with it only for readers who may list the team's members (its members);
// guests and share links see people by a short form of their ID.

// RetroSummary is the closed retro as the principal may see it, for a
// document: members of its team and the guests who were admitted to it.
func (a *App) RetroSummary(ctx context.Context, p identity.Principal, retroID string) (documents.Retro, error) {
	if err := canRead(p); err != nil {
		return documents.Retro{}, err
	}
	r, t, err := a.retroAccess(ctx, p, retroID)
	if err != nil {
		return documents.Retro{}, err
	}
	return a.summaryFor(ctx, r, t, p.UserID)
}

// RetroSummaryFor is the closed retro as the user userID may see it: the
// entry for whatever renders it for someone who is not the caller (the
// summary mail to each participant), redacted exactly as that person's
// own view. domain.ErrNotFound unless userID is a member of the retro's team or a
// guest admitted to it.
func (a *App) RetroSummaryFor(ctx context.Context, retroID, userID string) (documents.Retro, error) {
	r, _, err := a.loadRetro(ctx, retroID)
	if err != nil {
		return documents.Retro{}, err
	}
	t, _, err := a.loadTeam(ctx, r.TeamID)
	if err != nil {
		return documents.Retro{}, err
	}
	if userID == "" || (!t.IsMember(userID) && !admitted(t, userID, retroID)) {
		return documents.Retro{}, hidden("retro %s: %s is neither in its team nor a guest of it", retroID, userID)
	}
	return a.summaryFor(ctx, r, t, userID)
}

func (a *App) summaryFor(ctx context.Context, r retro.State, t team.State, userID string) (documents.Retro, error) {
	if !r.Closed {
		return documents.Retro{}, domain.Errorf(domain.Conflict, "retro-not-closed", "retro %s is still running: documents are made once it closes", r.RetroID)
	}
	// After closing, an anonymous retro's key is gone and the pseudonym
	// with it: the reader's view then holds nothing as theirs, like anyone's.
	actor, err := a.retroActor(ctx, r.RetroID, userID)
	if err != nil {
		return documents.Retro{}, err
	}
	v := retro.View(r, retro.Viewer{UserID: actor.UserID, Pseudonym: actor.Pseudonym}, a.GroupPolicy())
	doc := documents.Retro{View: v}
	if t.IsMember(userID) {
		if doc.Names, err = a.namesIn(ctx, t, peopleIn(v)); err != nil {
			return documents.Retro{}, fmt.Errorf("retro %s: %w", r.RetroID, err)
		}
	}
	return doc, nil
}

// TeamActionsSheet is the team's actions with the display names of their
// assignees, for the team's members (as TeamActions).
func (a *App) TeamActionsSheet(ctx context.Context, p identity.Principal, teamID string) ([]team.Action, map[string]string, error) {
	actions, err := a.TeamActions(ctx, p, teamID)
	if err != nil {
		return nil, nil, err
	}
	t, _, err := a.loadTeam(ctx, teamID)
	if err != nil {
		return nil, nil, err
	}
	var ids []string
	for _, act := range actions {
		ids = append(ids, act.Assignee)
	}
	names, err := a.namesIn(ctx, t, ids)
	if err != nil {
		return nil, nil, fmt.Errorf("team %s: %w", teamID, err)
	}
	return actions, names, nil
}

// peopleIn are the user IDs a view names: participants, the moderator,
// authors shown, assignees.
func peopleIn(v retro.RetroView) []string {
	ids := []string{v.Moderator}
	for _, p := range v.Participants {
		ids = append(ids, p.UserID)
	}
	if v.Icebreaker != nil {
		for _, an := range v.Icebreaker.Answers {
			ids = append(ids, an.Author)
		}
	}
	for _, ca := range v.ActionReview {
		ids = append(ids, ca.Assignee)
		for _, c := range ca.Comments {
			ids = append(ids, c.Author)
		}
	}
	for _, c := range v.Columns {
		for _, card := range c.Cards {
			ids = append(ids, card.Author)
		}
	}
	for _, act := range v.Actions {
		ids = append(ids, act.Assignee)
	}
	return ids
}

// namesIn are the display names of those of ids who are the team's
// members or guests (the people TeamMembers names); an erased person has
// none.
func (a *App) namesIn(ctx context.Context, t team.State, ids []string) (map[string]string, error) {
	names := map[string]string{}
	if a.d.Identity == nil {
		return names, nil
	}
	for _, id := range ids {
		if _, done := names[id]; done || id == "" {
			continue
		}
		if _, guest := t.Guests[id]; !t.IsMember(id) && !guest {
			continue
		}
		prof, err := a.d.Identity.Profile(ctx, id)
		switch {
		case err == nil:
			names[id] = prof.Name
		case errors.Is(err, identity.ErrErased), errors.Is(err, domain.ErrNotFound):
		default:
			return nil, fmt.Errorf("name of %s: %w", id, err)
		}
	}
	return names, nil
}
