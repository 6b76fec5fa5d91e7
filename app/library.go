package app

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/domain/library"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/domain/workspace"
	"github.com/hindsight-retro/hindsight/eventstore/aggregate"
)

// libraries runs the workspace template libraries without a cache: a
// library is read when a template is not the catalogue's, and an edit made
// on any node is seen on the next read.
func (a *App) libraries() *aggregate.Runner[library.State, library.Command, library.Event] {
	return &aggregate.Runner[library.State, library.Command, library.Event]{
		Store: a.d.Store, Category: library.Category, Initial: library.Initial, Decide: library.Decide, Evolve: library.Evolve,
		Codec: aggregate.CodecFuncs(library.EncodeEvent, library.DecodeEvent),
	}
}

// TemplateInput is a template to save: new (no BaseVersion), or an edit of
// the version the editor saw. CopyFrom names a catalogue entry of the same
// kind to start from; Template's own fields are then ignored.
type TemplateInput struct {
	Template    library.Template
	BaseVersion int
	CopyFrom    string
}

// Templates lists the workspace's templates in use (anyone who sees the
// workspace: its admins and its teams' members), of a kind or all.
// Archived ones are listed too for admins who ask.
func (a *App) Templates(ctx context.Context, p identity.Principal, workspaceID string, kind library.Kind, archived bool) ([]library.Entry, error) {
	if err := canRead(p); err != nil {
		return nil, err
	}
	ws, err := a.visibleWorkspace(ctx, p, workspaceID)
	if err != nil {
		return nil, err
	}
	s, _, err := a.libraries().Load(ctx, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("workspace %s: load templates: %w", workspaceID, err)
	}
	if !archived {
		return library.Active(s, kind), nil
	}
	if !workspace.IsAdmin(ws, p.UserID) {
		return nil, forbidden("only workspace admins see archived templates")
	}
	out := []library.Entry{}
	for _, id := range s.Order {
		if e := s.Entries[id]; kind == "" || e.Kind == kind {
			out = append(out, e)
		}
	}
	return out, nil
}

// SaveTemplate creates or edits one of the workspace's templates (its
// admins). A new template gets an ID from the app; an edit names its own.
// Result.ID is the template's ID.
func (a *App) SaveTemplate(ctx context.Context, c identity.Caller, workspaceID string, in TemplateInput) (Result, error) {
	if err := commandGate(c); err != nil {
		return Result{}, err
	}
	if err := notGuest(c.Principal); err != nil {
		return Result{}, err
	}
	ws, err := a.visibleWorkspace(ctx, c.Principal, workspaceID)
	if err != nil {
		return Result{}, err
	}
	if err := a.keptOnlyOnceClaimed(ctx, workspaceID, "the workspace's own templates"); err != nil {
		return Result{}, err
	}
	t := in.Template
	if in.CopyFrom != "" && in.BaseVersion != 0 {
		return Result{}, domain.Errorf(domain.Invalid, library.CodeInvalid, "a copy from the catalogue is a new template: leave baseVersion out")
	}
	if in.CopyFrom != "" {
		if t, err = a.catalogTemplate(t.Kind, in.CopyFrom); err != nil {
			return Result{}, err
		}
	}
	if in.BaseVersion == 0 {
		// A new template: its ID is the app's, the same on a retry.
		if t.ID, err = a.claimID(ctx, library.Category, c.Principal.UserID, c.CommandID); err != nil {
			return Result{}, err
		}
	}
	admin := workspace.IsAdmin(ws, c.Principal.UserID)
	if admin { // others hear they may not, before anything about the template
		if err := a.checkTemplateRefs(ctx, workspaceID, t); err != nil {
			return Result{}, err
		}
	}
	res, err := a.libraryCommand(ctx, c, workspaceID, library.SaveTemplate{
		Actor: domain.Actor{UserID: c.Principal.UserID}, At: a.now(), ActorIsAdmin: admin,
		Template: t, BaseVersion: in.BaseVersion, CopiedFrom: in.CopyFrom,
	})
	if err != nil {
		return Result{}, err
	}
	res.ID = t.ID
	return res, nil
}

// ArchiveTemplate takes one of the workspace's templates out of use (its
// admins); retros made from it keep what they copied.
func (a *App) ArchiveTemplate(ctx context.Context, c identity.Caller, workspaceID, templateID string) (Result, error) {
	if err := commandGate(c); err != nil {
		return Result{}, err
	}
	if err := notGuest(c.Principal); err != nil {
		return Result{}, err
	}
	ws, err := a.visibleWorkspace(ctx, c.Principal, workspaceID)
	if err != nil {
		return Result{}, err
	}
	return a.libraryCommand(ctx, c, workspaceID, library.ArchiveTemplate{
		Actor: domain.Actor{UserID: c.Principal.UserID}, At: a.now(), ActorIsAdmin: workspace.IsAdmin(ws, c.Principal.UserID), TemplateID: templateID,
	})
}

// TemplateBundle is a workspace's templates as one JSON document, to move
// them to another workspace or installation.
type TemplateBundle struct {
	Format    string             `json:"format"`
	Templates []library.Template `json:"templates"`
}

// TemplateBundleFormat names the bundle's shape, so an import can refuse a
// file that is something else.
const TemplateBundleFormat = "hindsight.templates/v1"

// ExportTemplates is the workspace's templates in use as a bundle (its admins).
func (a *App) ExportTemplates(ctx context.Context, p identity.Principal, workspaceID string) (TemplateBundle, error) {
	if err := a.workspaceAdmin(ctx, p, workspaceID); err != nil {
		return TemplateBundle{}, err
	}
	entries, err := a.Templates(ctx, p, workspaceID, "", false)
	if err != nil {
		return TemplateBundle{}, err
	}
	b := TemplateBundle{Format: TemplateBundleFormat, Templates: []library.Template{}}
	for _, e := range entries {
		b.Templates = append(b.Templates, e.Template)
	}
	return b, nil
}

// ImportTemplates saves a bundle's templates into the workspace as new
// templates (its admins), in the bundle's order, and answers their new IDs.
// A health pack a retro template of the bundle suggests is mapped to its new
// ID. It stops at the first template refused and says which.
func (a *App) ImportTemplates(ctx context.Context, c identity.Caller, workspaceID string, b TemplateBundle) ([]string, error) {
	if b.Format != TemplateBundleFormat {
		return nil, domain.Errorf(domain.Invalid, "template-bundle-format", "a template bundle has format %q, not %q", TemplateBundleFormat, b.Format)
	}
	if len(b.Templates) == 0 || len(b.Templates) > library.MaxTemplates {
		return nil, domain.Errorf(domain.Invalid, "template-bundle-size", "a bundle holds 1 to %d templates", library.MaxTemplates)
	}
	if err := a.workspaceAdmin(ctx, c.Principal, workspaceID); err != nil {
		return nil, err
	}
	if err := a.keptOnlyOnceClaimed(ctx, workspaceID, "the workspace's own templates"); err != nil {
		return nil, err
	}
	// Packs first, so the retro templates that suggest them can name them.
	order := slices.Clone(b.Templates)
	slices.SortStableFunc(order, func(x, y library.Template) int {
		return kindRank(x.Kind) - kindRank(y.Kind)
	})
	newIDs := map[string]string{}
	for i, t := range order {
		old := t.ID
		if t.Kind == library.KindRetroTemplate && t.RetroTemplate != nil {
			if id, ok := newIDs[t.RetroTemplate.HealthPack]; ok {
				rt := *t.RetroTemplate
				rt.HealthPack = id
				t.RetroTemplate = &rt
			}
		}
		// Each template is its own command, keyed from the import's key.
		res, err := a.SaveTemplate(ctx, identity.Caller{Principal: c.Principal, CommandID: fmt.Sprintf("%s/%d", c.CommandID, i)}, workspaceID, TemplateInput{Template: t})
		if err != nil {
			return nil, fmt.Errorf("template %d (%s %q): %w", i+1, t.Kind, old, err)
		}
		newIDs[old] = res.ID
	}
	out := make([]string, len(b.Templates))
	for i, t := range b.Templates {
		out[i] = newIDs[t.ID]
	}
	return out, nil
}

func kindRank(k library.Kind) int {
	if k == library.KindRetroTemplate {
		return 1
	}
	return 0
}

func (a *App) libraryCommand(ctx context.Context, c identity.Caller, workspaceID string, cmd library.Command) (Result, error) {
	r, err := a.libraries().Handle(ctx, workspaceID, aggregate.Meta{CommandID: c.CommandID, Actor: c.Principal.UserID}, cmd)
	if err != nil {
		return Result{}, fmt.Errorf("workspace %s: templates: %w", workspaceID, err)
	}
	return Result{StreamVersion: r.Version, Position: r.Position, Duplicate: r.Duplicate}, nil
}

// catalogTemplate is a catalogue entry as a library template to copy.
func (a *App) catalogTemplate(kind library.Kind, id string) (library.Template, error) {
	t := library.Template{Kind: kind}
	ok := false
	switch kind {
	case library.KindRetroTemplate:
		var rt catalog.RetroTemplate
		if rt, ok = a.d.Catalog.RetroTemplate(id); ok {
			t.RetroTemplate = &library.RetroTemplate{RetroTemplate: rt}
		}
	case library.KindHealthPack:
		var hp catalog.HealthPack
		if hp, ok = a.d.Catalog.HealthPack(id); ok {
			t.HealthPack = &hp
		}
	case library.KindHealthQuestion:
		var q catalog.Question
		if q, ok = a.d.Catalog.Question(id); ok {
			t.HealthQuestion = &q
		}
	case library.KindIcebreaker:
		var ib catalog.Icebreaker
		if ib, ok = a.d.Catalog.Icebreaker(id); ok {
			t.Icebreaker = &ib
		}
	default:
		return t, domain.Errorf(domain.Invalid, library.CodeUnknownKind, "template kind %q is not one of %v", kind, library.Kinds())
	}
	if !ok {
		return t, domain.Errorf(domain.Invalid, "catalog-entry-not-found", "no %s %q in the catalogue to copy", kind, id)
	}
	return t, nil
}

// checkTemplateRefs checks what a template names outside itself: the
// dimensions of its questions (the catalogue's closed set, so heat maps stay
// readable), a retro template's steps and suggested health pack.
func (a *App) checkTemplateRefs(ctx context.Context, workspaceID string, t library.Template) error {
	var qs []catalog.Question
	switch {
	case t.HealthPack != nil:
		qs = t.HealthPack.Questions
	case t.HealthQuestion != nil:
		qs = []catalog.Question{*t.HealthQuestion}
	case t.RetroTemplate != nil:
		if _, err := stepsAgenda(t.RetroTemplate.Steps); err != nil {
			return err
		}
		if id := t.RetroTemplate.HealthPack; id != "" {
			if _, err := a.healthPack(ctx, workspaceID, id); err != nil {
				return err
			}
		}
	}
	for _, q := range qs {
		if _, ok := a.d.Catalog.Dimension(q.Dimension); !ok {
			return domain.Errorf(domain.Invalid, library.CodeInvalid, "question %q: no dimension %q (GET /v1/catalog/dimensions lists them)", q.ID, q.Dimension)
		}
	}
	return nil
}

// stepsAgenda is a template's steps as a retro agenda, checked by the
// retro's own rule; none is the default agenda (nil).
func stepsAgenda(steps []string) ([]retro.Step, error) {
	if len(steps) == 0 {
		return nil, nil
	}
	agenda := make([]retro.Step, len(steps))
	for i, k := range steps {
		agenda[i] = retro.Step{ID: k, Kind: retro.StepKind(k)}
	}
	if err := retro.CheckAgenda(agenda); err != nil {
		return nil, domain.Errorf(domain.Invalid, library.CodeInvalid, "steps: %s", errMessage(err))
	}
	return agenda, nil
}

func errMessage(err error) string {
	var de *domain.Error
	if errors.As(err, &de) {
		return de.Message
	}
	return err.Error()
}

// library loads a workspace's library; a workspace with none is empty.
func (a *App) library(ctx context.Context, workspaceID string) (library.State, error) {
	s, _, err := a.libraries().Load(ctx, workspaceID)
	if err != nil {
		return s, fmt.Errorf("workspace %s: load templates: %w", workspaceID, err)
	}
	return s, nil
}

// retroTemplate is a retro template by ID: the catalogue's, or one of the
// workspace's in use. Its steps are the agenda its retros get (nil for the
// default).
func (a *App) retroTemplate(ctx context.Context, workspaceID, id string) (catalog.RetroTemplate, []retro.Step, error) {
	if t, ok := a.d.Catalog.RetroTemplate(id); ok {
		return t, nil, nil
	}
	s, err := a.library(ctx, workspaceID)
	if err != nil {
		return catalog.RetroTemplate{}, nil, err
	}
	e, ok := library.Find(s, library.KindRetroTemplate, id)
	if !ok {
		return catalog.RetroTemplate{}, nil, domain.Errorf(domain.Invalid, "retro-template-not-found", "no retro template %q in the catalogue or the workspace's templates", id)
	}
	agenda, err := stepsAgenda(e.RetroTemplate.Steps)
	return e.RetroTemplate.RetroTemplate, agenda, err
}

// healthPack is a health pack by ID: the catalogue's, or one of the
// workspace's in use.
func (a *App) healthPack(ctx context.Context, workspaceID, id string) (catalog.HealthPack, error) {
	if p, ok := a.d.Catalog.HealthPack(id); ok {
		return p, nil
	}
	s, err := a.library(ctx, workspaceID)
	if err != nil {
		return catalog.HealthPack{}, err
	}
	e, ok := library.Find(s, library.KindHealthPack, id)
	if !ok {
		return catalog.HealthPack{}, domain.Errorf(domain.Invalid, "health-pack-not-found", "no health-check pack %q in the catalogue or the workspace's templates", id)
	}
	return *e.HealthPack, nil
}

// healthQuestion is a health question by ID: the catalogue's, or one of the
// workspace's in use (on its own or in one of its packs).
func (a *App) healthQuestion(ctx context.Context, workspaceID, id string) (catalog.Question, error) {
	if q, ok := a.d.Catalog.Question(id); ok {
		return q, nil
	}
	s, err := a.library(ctx, workspaceID)
	if err != nil {
		return catalog.Question{}, err
	}
	if e, ok := library.Find(s, library.KindHealthQuestion, id); ok {
		return *e.HealthQuestion, nil
	}
	for _, e := range library.Active(s, library.KindHealthPack) {
		for _, q := range e.HealthPack.Questions {
			if q.ID == id {
				return q, nil
			}
		}
	}
	return catalog.Question{}, domain.Errorf(domain.Invalid, "question-not-found", "no health question %q in the catalogue or the workspace's templates", id)
}

// icebreaker is an icebreaker by ID: the catalogue's, or one of the
// workspace's in use.
func (a *App) icebreakerByID(ctx context.Context, workspaceID, id string) (catalog.Icebreaker, error) {
	if ib, ok := a.d.Catalog.Icebreaker(id); ok {
		return ib, nil
	}
	s, err := a.library(ctx, workspaceID)
	if err != nil {
		return catalog.Icebreaker{}, err
	}
	e, ok := library.Find(s, library.KindIcebreaker, id)
	if !ok {
		return catalog.Icebreaker{}, domain.Errorf(domain.Invalid, "icebreaker-not-found", "no icebreaker %q in the catalogue or the workspace's templates", id)
	}
	return *e.Icebreaker, nil
}
