package library_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/domain/decidertest"
	"github.com/hindsight-retro/hindsight/domain/library"
)

var (
	t0     = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	ada    = domain.Actor{UserID: "ada"}
	lib    = decidertest.For(library.Decider())
	wentOk = catalog.Column{ID: "went-well", Title: "Went well", Prompt: "What helped us?"}
	toFix  = catalog.Column{ID: "to-fix", Title: "To fix", Prompt: "What got in the way?"}
)

type rejection = decidertest.Refusal[library.Command, library.Event]

func retroTemplate() library.Template {
	return library.Template{Kind: library.KindRetroTemplate, ID: "tpl-1", RetroTemplate: &library.RetroTemplate{
		RetroTemplate: catalog.RetroTemplate{Name: "Our two columns", Columns: []catalog.Column{wentOk, toFix}, HealthPack: "quick-pulse"},
		Steps:         []string{"lobby", "collect", "vote", "discuss", "closed"},
	}}
}

func saved(v int, t library.Template) library.TemplateSaved {
	// What a save records: the template with its ID copied in.
	if t.RetroTemplate != nil {
		rt := *t.RetroTemplate
		rt.ID = t.ID
		t.RetroTemplate = &rt
	}
	return library.TemplateSaved{Template: t, Version: v, SavedBy: "ada", At: t0}
}

func TestAWorkspaceAdminSavesANewRetroTemplateAsVersionOne(t *testing.T) {
	s := lib.Then(t, nil,
		library.SaveTemplate{Actor: ada, At: t0, ActorIsAdmin: true, Template: retroTemplate(), CopiedFrom: "start-stop-continue"},
		func() library.TemplateSaved {
			e := saved(1, retroTemplate())
			e.CopiedFrom = "start-stop-continue"
			return e
		}())
	if got := library.Active(s, library.KindRetroTemplate); len(got) != 1 || got[0].RetroTemplate.Columns[1].ID != "to-fix" || got[0].CopiedFrom != "start-stop-continue" {
		t.Fatalf("active retro templates: %+v", got)
	}
}

func TestAnEditOnTheVersionSeenMakesTheNextVersionAndKeepsWhereItCameFrom(t *testing.T) {
	first := saved(1, retroTemplate())
	first.CopiedFrom = "start-stop-continue"
	edit := retroTemplate()
	edit.RetroTemplate.Name = "Our two columns, renamed"
	want := saved(2, edit)
	want.CopiedFrom = "start-stop-continue"
	lib.Then(t, []library.Event{first},
		library.SaveTemplate{Actor: ada, At: t0, ActorIsAdmin: true, Template: edit, BaseVersion: 1},
		want)
}

func TestAnArchivedTemplateIsNoLongerOfferedButStaysInTheLog(t *testing.T) {
	s := lib.Then(t, []library.Event{saved(1, retroTemplate())},
		library.ArchiveTemplate{Actor: ada, At: t0, ActorIsAdmin: true, TemplateID: "tpl-1"},
		library.TemplateArchived{TemplateID: "tpl-1", ArchivedBy: "ada", At: t0})
	if len(library.Active(s, "")) != 0 {
		t.Errorf("an archived template is still active: %+v", library.Active(s, ""))
	}
	if _, ok := library.Find(s, library.KindRetroTemplate, "tpl-1"); ok {
		t.Error("an archived template is still found for new uses")
	}
	if e, ok := s.Entries["tpl-1"]; !ok || !e.Archived {
		t.Errorf("the archived template's entry: %+v", e)
	}
}

func TestTextsAreTrimmedWhenSaved(t *testing.T) {
	ib := library.Template{Kind: library.KindIcebreaker, ID: "ice-1", Icebreaker: &catalog.Icebreaker{Text: "  Best snack this week?  "}}
	lib.Then(t, nil,
		library.SaveTemplate{Actor: ada, At: t0, ActorIsAdmin: true, Template: ib},
		library.TemplateSaved{Template: library.Template{Kind: library.KindIcebreaker, ID: "ice-1", Icebreaker: &catalog.Icebreaker{ID: "ice-1", Text: "Best snack this week?"}}, Version: 1, SavedBy: "ada", At: t0})
}

func TestSavingAndArchivingAreRefusedWithAClearReason(t *testing.T) {
	ok := library.SaveTemplate{Actor: ada, At: t0, ActorIsAdmin: true, Template: retroTemplate()}
	with := func(f func(*library.SaveTemplate)) library.SaveTemplate {
		c := ok
		rt := *c.Template.RetroTemplate
		rt.Columns = append([]catalog.Column(nil), rt.Columns...)
		c.Template.RetroTemplate = &rt
		f(&c)
		return c
	}
	have := []library.Event{saved(1, retroTemplate())}
	pack := library.Template{Kind: library.KindHealthPack, ID: "tpl-1", HealthPack: &catalog.HealthPack{Name: "P", Questions: []catalog.Question{{ID: "q", Dimension: "delivery", Text: "Q?", Scale: catalog.ScaleFive}}}}
	lib.RefusedAll(t, map[string]rejection{
		"not an admin":      {When: with(func(c *library.SaveTemplate) { c.ActorIsAdmin = false }), Kind: domain.Forbidden, Code: library.CodeNotAdmin},
		"no actor":          {When: with(func(c *library.SaveTemplate) { c.Actor = domain.Actor{} }), Kind: domain.Invalid, Code: library.CodeActorRequired},
		"no ID":             {When: with(func(c *library.SaveTemplate) { c.Template.ID = "" }), Kind: domain.Invalid, Code: library.CodeIDRequired},
		"unknown kind":      {When: with(func(c *library.SaveTemplate) { c.Template.Kind = "poster" }), Kind: domain.Invalid, Code: library.CodeUnknownKind},
		"two bodies":        {When: with(func(c *library.SaveTemplate) { c.Template.Icebreaker = &catalog.Icebreaker{Text: "x"} }), Kind: domain.Invalid, Code: library.CodeInvalid},
		"one column":        {When: with(func(c *library.SaveTemplate) { c.Template.RetroTemplate.Columns = c.Template.RetroTemplate.Columns[:1] }), Kind: domain.Invalid, Code: library.CodeInvalid},
		"column twice":      {When: with(func(c *library.SaveTemplate) { c.Template.RetroTemplate.Columns[1] = wentOk }), Kind: domain.Invalid, Code: library.CodeInvalid},
		"long name":         {When: with(func(c *library.SaveTemplate) { c.Template.RetroTemplate.Name = strings.Repeat("n", 61) }), Kind: domain.Invalid, Code: library.CodeInvalid},
		"two-line title":    {When: with(func(c *library.SaveTemplate) { c.Template.RetroTemplate.Columns[0].Title = "a\nb" }), Kind: domain.Invalid, Code: library.CodeInvalid},
		"edit of nothing":   {When: with(func(c *library.SaveTemplate) { c.BaseVersion = 1 }), Kind: domain.NotFound, Code: library.CodeNotFound},
		"stale edit":        {Given: have, When: with(func(c *library.SaveTemplate) { c.BaseVersion = 0 }), Kind: domain.Conflict, Code: library.CodeVersionMismatch},
		"another kind":      {Given: have, When: library.SaveTemplate{Actor: ada, At: t0, ActorIsAdmin: true, Template: pack, BaseVersion: 1}, Kind: domain.Invalid, Code: library.CodeKindChanged},
		"edit of archived":  {Given: append(have, library.TemplateArchived{TemplateID: "tpl-1"}), When: with(func(c *library.SaveTemplate) { c.BaseVersion = 1 }), Kind: domain.Conflict, Code: library.CodeArchived},
		"archive of none":   {When: library.ArchiveTemplate{Actor: ada, At: t0, ActorIsAdmin: true, TemplateID: "nope"}, Kind: domain.NotFound, Code: library.CodeNotFound},
		"archive, no admin": {Given: have, When: library.ArchiveTemplate{Actor: ada, At: t0, TemplateID: "tpl-1"}, Kind: domain.Forbidden, Code: library.CodeNotAdmin},
		"bad scale": {When: library.SaveTemplate{Actor: ada, At: t0, ActorIsAdmin: true, Template: library.Template{Kind: library.KindHealthQuestion, ID: "q1",
			HealthQuestion: &catalog.Question{Dimension: "delivery", Text: "Q?", Scale: "1-7"}}}, Kind: domain.Invalid, Code: library.CodeInvalid},
	})
}
