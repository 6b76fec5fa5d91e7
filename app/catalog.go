package app

import (
	"context"

	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/domain/catalog"
)

// The catalogue is the same for everyone who may read at all; these return
// copies, so a caller that edits what it got changes nobody else's.

// RetroTemplates lists the retro templates matching query (see
// catalog.SearchRetroTemplates); an empty query lists them all.
func (a *App) RetroTemplates(ctx context.Context, p identity.Principal, query string) ([]catalog.RetroTemplate, error) {
	if err := canRead(p); err != nil {
		return nil, err
	}
	return a.d.Catalog.SearchRetroTemplates(query), nil
}

// RetroTemplate returns one retro template.
func (a *App) RetroTemplate(ctx context.Context, p identity.Principal, id string) (catalog.RetroTemplate, error) {
	if err := canRead(p); err != nil {
		return catalog.RetroTemplate{}, err
	}
	t, ok := a.d.Catalog.RetroTemplate(id)
	if !ok {
		return catalog.RetroTemplate{}, notFound("retro template %q", id)
	}
	return t, nil
}

// HealthPacks lists the health-check packs matching query, with their
// questions; an empty query lists them all.
func (a *App) HealthPacks(ctx context.Context, p identity.Principal, query string) ([]catalog.HealthPack, error) {
	if err := canRead(p); err != nil {
		return nil, err
	}
	return a.d.Catalog.SearchHealthPacks(query), nil
}

// HealthPack returns one health-check pack.
func (a *App) HealthPack(ctx context.Context, p identity.Principal, id string) (catalog.HealthPack, error) {
	if err := canRead(p); err != nil {
		return catalog.HealthPack{}, err
	}
	hp, ok := a.d.Catalog.HealthPack(id)
	if !ok {
		return catalog.HealthPack{}, notFound("health pack %q", id)
	}
	return hp, nil
}

// Icebreakers lists the icebreaker questions.
func (a *App) Icebreakers(ctx context.Context, p identity.Principal) ([]catalog.Icebreaker, error) {
	if err := canRead(p); err != nil {
		return nil, err
	}
	out := make([]catalog.Icebreaker, 0, len(a.d.Catalog.Icebreakers))
	for _, ib := range a.d.Catalog.Icebreakers {
		c, _ := a.d.Catalog.Icebreaker(ib.ID)
		out = append(out, c)
	}
	return out, nil
}

// TeamTemplates lists the team templates.
func (a *App) TeamTemplates(ctx context.Context, p identity.Principal) ([]catalog.TeamTemplate, error) {
	if err := canRead(p); err != nil {
		return nil, err
	}
	out := make([]catalog.TeamTemplate, 0, len(a.d.Catalog.TeamTemplates))
	for _, t := range a.d.Catalog.TeamTemplates {
		c, _ := a.d.Catalog.TeamTemplate(t.ID)
		out = append(out, c)
	}
	return out, nil
}

// Dimensions lists the health-question dimensions, in display order.
func (a *App) Dimensions(ctx context.Context, p identity.Principal) ([]catalog.Dimension, error) {
	if err := canRead(p); err != nil {
		return nil, err
	}
	out := make([]catalog.Dimension, len(a.d.Catalog.Dimensions))
	copy(out, a.d.Catalog.Dimensions)
	return out, nil
}
