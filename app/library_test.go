package app_test

import (
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/domain/library"
)

func ownPack() library.Template {
	return library.Template{Kind: library.KindHealthPack, HealthPack: &catalog.HealthPack{
		Name: "Our pulse", Questions: []catalog.Question{
			{ID: "our-focus", Dimension: "delivery", Text: "We finished what we started.", Scale: catalog.ScaleFive, Low: "rarely", High: "always"},
			{ID: "our-calm", Dimension: "wellbeing", Text: "The week felt calm.", Scale: catalog.ScaleFive, Low: "frantic", High: "calm"},
		}}}
}

func TestAWorkspacesOwnTemplatesAreUsedLikeTheCatalogues(t *testing.T) {
	f := newTeam(t)
	ctx := f.ctx()
	// ada, the workspace admin, makes a pack, an icebreaker and a retro
	// template copied from the catalogue, then edits the copy.
	pack := must(f.app.SaveTemplate(ctx, f.as(user(uAda)), f.ws, app.TemplateInput{Template: ownPack()}))(t)
	ice := must(f.app.SaveTemplate(ctx, f.as(user(uAda)), f.ws, app.TemplateInput{Template: library.Template{
		Kind: library.KindIcebreaker, Icebreaker: &catalog.Icebreaker{Text: "Which tool saved you this week?"}}}))(t)
	tpl := must(f.app.SaveTemplate(ctx, f.as(user(uAda)), f.ws, app.TemplateInput{Template: library.Template{Kind: library.KindRetroTemplate}, CopyFrom: "start-stop-continue"}))(t)
	list := must(f.app.Templates(ctx, user(uBea), f.ws, library.KindRetroTemplate, false))(t)
	if len(list) != 1 || list[0].ID != tpl.ID || list[0].CopiedFrom != "start-stop-continue" || list[0].Version != 1 || len(list[0].RetroTemplate.Columns) != 3 {
		t.Fatalf("a member lists the workspace's retro templates: %+v", list)
	}
	edit := list[0].Template
	rt := *edit.RetroTemplate
	rt.Name = "Start, stop, continue, our way"
	rt.HealthPack = pack.ID
	rt.Steps = []string{"lobby", "icebreaker", "health-check", "collect", "vote", "closed"}
	edit.RetroTemplate = &rt
	must(f.app.SaveTemplate(ctx, f.as(user(uAda)), f.ws, app.TemplateInput{Template: edit, BaseVersion: 1}))(t)
	// A second edit on the same version seen is refused: it would overwrite the first.
	_, err := f.app.SaveTemplate(ctx, f.as(user(uAda)), f.ws, app.TemplateInput{Template: edit, BaseVersion: 1})
	rejected(t, "an edit of a version no longer current", err, domain.Conflict, library.CodeVersionMismatch)

	// mod makes a retro from it: its columns and steps, its suggested pack.
	r := must(f.app.CreateRetro(ctx, f.as(user(uMod)), app.CreateRetroInput{TeamID: f.team, Title: "Ours", TemplateID: tpl.ID}))(t)
	v := f.view(user(uMod), r.ID)
	var kinds []string
	for _, st := range v.Agenda {
		kinds = append(kinds, string(st.Kind))
	}
	if got := len(v.Columns); got != 3 || len(kinds) != 6 || kinds[2] != "health-check" || kinds[4] != "vote" {
		t.Fatalf("retro from the workspace template: %d columns, steps %v", got, kinds)
	}
	must(f.retro(user(uMod), r.ID, app.ChooseIcebreaker{IcebreakerID: ice.ID}))(t)
	must(f.retro(user(uMod), r.ID, app.StartHealthCheck{}))(t)
	v = f.view(user(uMod), r.ID)
	if v.Icebreaker == nil || v.Icebreaker.Text != "Which tool saved you this week?" {
		t.Errorf("the workspace's icebreaker: %+v", v.Icebreaker)
	}
	if v.Health == nil || len(v.Health.Questions) != 2 || v.Health.Questions[0].ID != "our-focus" {
		t.Errorf("the health check started with the template's suggested workspace pack: %+v", v.Health)
	}

	// A survey asks the workspace's questions, by pack or by ID.
	sv := must(f.app.CreateSurvey(ctx, f.as(user(uMod)), app.CreateSurveyInput{TeamIDs: []string{f.team}, Title: "Pulse", QuestionIDs: []string{"our-calm"}, ClosesAt: t0.Add(48 * time.Hour)}))(t)
	if s := must(f.app.Survey(ctx, user(uMod), sv.ID))(t); len(s.HealthQuestions) != 1 || s.HealthQuestions[0].Text != "The week felt calm." {
		t.Errorf("survey of a workspace question: %+v", s.HealthQuestions)
	}

	// Archived: offered no more, refused for new retros; the retro made from it keeps its copy.
	must(f.app.ArchiveTemplate(ctx, f.as(user(uAda)), f.ws, tpl.ID))(t)
	if l := must(f.app.Templates(ctx, user(uBea), f.ws, library.KindRetroTemplate, false))(t); len(l) != 0 {
		t.Errorf("an archived template is still listed: %+v", l)
	}
	_, err = f.app.CreateRetro(ctx, f.as(user(uMod)), app.CreateRetroInput{TeamID: f.team, Title: "Again", TemplateID: tpl.ID})
	rejected(t, "a retro from an archived template", err, domain.Invalid, "retro-template-not-found")
	if v := f.view(user(uMod), r.ID); len(v.Columns) != 3 {
		t.Errorf("the retro made from the archived template: %d columns", len(v.Columns))
	}
	if l := must(f.app.Templates(ctx, user(uAda), f.ws, "", true))(t); len(l) != 3 {
		t.Errorf("ada lists archived ones too: %d templates, want 3", len(l))
	}
	_, err = f.app.Templates(ctx, user(uBea), f.ws, "", true)
	refused(t, "a member lists archived templates", err, domain.ErrForbidden)
}

func TestOnlyWorkspaceAdminsChangeTheWorkspacesTemplates(t *testing.T) {
	f := newTeam(t)
	ctx := f.ctx()
	// mod runs a team but not the workspace.
	_, err := f.app.SaveTemplate(ctx, f.as(user(uMod)), f.ws, app.TemplateInput{Template: ownPack()})
	rejected(t, "a team admin saves a workspace template", err, domain.Forbidden, library.CodeNotAdmin)
	_, err = f.app.SaveTemplate(ctx, f.as(user(uOut)), f.ws, app.TemplateInput{Template: ownPack()})
	refused(t, "an outsider saves one", err, domain.ErrNotFound)
	_, err = f.app.Templates(ctx, user(uOut), f.ws, "", false)
	refused(t, "an outsider lists them", err, domain.ErrNotFound)
	// A question on a dimension the catalogue does not declare is refused.
	bad := ownPack()
	hp := *bad.HealthPack
	hp.Questions = []catalog.Question{{ID: "x", Dimension: "vibes", Text: "Vibes?", Scale: catalog.ScaleFive}}
	bad.HealthPack = &hp
	_, err = f.app.SaveTemplate(ctx, f.as(user(uAda)), f.ws, app.TemplateInput{Template: bad})
	rejected(t, "a question on an unknown dimension", err, domain.Invalid, library.CodeInvalid)
	// So are steps the retro's agenda rule refuses (the lobby must come first).
	_, err = f.app.SaveTemplate(ctx, f.as(user(uAda)), f.ws, app.TemplateInput{Template: library.Template{Kind: library.KindRetroTemplate, RetroTemplate: &library.RetroTemplate{
		RetroTemplate: catalog.RetroTemplate{Name: "Odd", Columns: []catalog.Column{{ID: "a", Title: "A"}, {ID: "b", Title: "B"}}},
		Steps:         []string{"collect", "lobby", "closed"}}}})
	rejected(t, "steps out of order", err, domain.Invalid, library.CodeInvalid)
}

func TestAnExportedBundleImportsIntoAnotherWorkspaceWithNewIDs(t *testing.T) {
	f := newTeam(t)
	ctx := f.ctx()
	pack := must(f.app.SaveTemplate(ctx, f.as(user(uAda)), f.ws, app.TemplateInput{Template: ownPack()}))(t)
	rt := library.Template{Kind: library.KindRetroTemplate, RetroTemplate: &library.RetroTemplate{RetroTemplate: catalog.RetroTemplate{
		Name: "Two columns", HealthPack: pack.ID, Columns: []catalog.Column{{ID: "up", Title: "Up"}, {ID: "down", Title: "Down"}}}}}
	must(f.app.SaveTemplate(ctx, f.as(user(uAda)), f.ws, app.TemplateInput{Template: rt}))(t)
	b := must(f.app.ExportTemplates(ctx, user(uAda), f.ws))(t)
	if b.Format != app.TemplateBundleFormat || len(b.Templates) != 2 {
		t.Fatalf("bundle: %+v", b)
	}
	other := must(f.app.CreateWorkspace(ctx, f.as(user(uAda)), app.WorkspaceInput{Name: "Elsewhere"}))(t)
	// The retro template first in the bundle: the import still maps its pack.
	b.Templates[0], b.Templates[1] = b.Templates[1], b.Templates[0]
	importing := identity.Caller{Principal: user(uAda), CommandID: "import-1"}
	ids := must(f.app.ImportTemplates(ctx, importing, other.ID, b))(t)
	if len(ids) != 2 || ids[0] == b.Templates[0].ID || ids[1] == b.Templates[1].ID {
		t.Fatalf("imported IDs %v, want two new ones (bundle had %s, %s)", ids, b.Templates[0].ID, b.Templates[1].ID)
	}
	got := must(f.app.Templates(ctx, user(uAda), other.ID, library.KindRetroTemplate, false))(t)
	if len(got) != 1 || got[0].RetroTemplate.HealthPack != ids[1] || got[0].RetroTemplate.Columns[1].Title != "Down" {
		t.Errorf("imported retro template: %+v, want it to suggest the imported pack %s", got, ids[1])
	}
	// A file that is not a bundle is refused with a reason.
	_, err := f.app.ImportTemplates(ctx, f.as(user(uAda)), other.ID, app.TemplateBundle{Format: "something-else"})
	rejected(t, "a file of another format", err, domain.Invalid, "template-bundle-format")
	// Importing with the same key again is a retry: no second copy.
	if again := must(f.app.ImportTemplates(ctx, importing, other.ID, b))(t); again[0] != ids[0] || again[1] != ids[1] {
		t.Errorf("a retried import answers %v, want the same IDs %v", again, ids)
	}
	if l := must(f.app.Templates(ctx, user(uAda), other.ID, "", false))(t); len(l) != 2 {
		t.Errorf("after a retried import: %d templates, want 2", len(l))
	}
}
