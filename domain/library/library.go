package library

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/catalog"
)

// Kind of template.
type Kind string

// The kinds a library holds.
const (
	KindRetroTemplate  Kind = "retro-template"
	KindHealthPack     Kind = "health-pack"
	KindHealthQuestion Kind = "health-question"
	KindIcebreaker     Kind = "icebreaker"
)

// Kinds lists every kind, once.
func Kinds() []Kind {
	return []Kind{KindRetroTemplate, KindHealthPack, KindHealthQuestion, KindIcebreaker}
}

// Limits, in characters or items. They match the catalogue's where it has
// one, so a template copied from it always fits.
const (
	MaxIDLength          = 48
	MaxNameLength        = 60
	MaxTitleLength       = 40
	MaxDescriptionLength = 280
	MaxPromptLength      = 200
	MaxQuestionLength    = 200
	MaxAnchorLength      = 100
	MaxIcebreakerLength  = 200
	MinColumns           = 2
	MaxColumns           = 7
	MaxPackQuestions     = 20
	MaxSteps             = 20
	MaxTemplates         = 500
)

// Rejection codes, stable for clients.
const (
	CodeUnknownCommand  = "unknown-command"
	CodeActorRequired   = "actor-required"
	CodeNotAdmin        = "not-workspace-admin"
	CodeIDRequired      = "template-id-required"
	CodeUnknownKind     = "template-kind-unknown"
	CodeInvalid         = "template-invalid"
	CodeNotFound        = "template-not-found"
	CodeKindChanged     = "template-kind-changed"
	CodeVersionMismatch = "template-version-mismatch"
	CodeArchived        = "template-archived"
	CodeTooMany         = "too-many-templates"
)

// RetroTemplate is a workspace's retro template: the catalogue's shape and
// the steps its retros run, by step kind ("lobby", "collect", …); no steps
// means the default agenda.
type RetroTemplate struct {
	catalog.RetroTemplate
	Steps []string `json:"steps,omitempty"`
}

// Template is one saved template: exactly one of the kind's fields is set.
type Template struct {
	Kind           Kind                `json:"kind"`
	ID             string              `json:"id"`
	RetroTemplate  *RetroTemplate      `json:"retroTemplate,omitempty"`
	HealthPack     *catalog.HealthPack `json:"healthPack,omitempty"`
	HealthQuestion *catalog.Question   `json:"healthQuestion,omitempty"`
	Icebreaker     *catalog.Icebreaker `json:"icebreaker,omitempty"`
}

// Name is what a person picks the template by.
func (t Template) Name() string {
	switch t.Kind {
	case KindRetroTemplate:
		return t.RetroTemplate.Name
	case KindHealthPack:
		return t.HealthPack.Name
	case KindHealthQuestion:
		return t.HealthQuestion.Text
	case KindIcebreaker:
		return t.Icebreaker.Text
	}
	return ""
}

// Entry is a template in the library with its history's facts.
type Entry struct {
	Template
	Version    int       `json:"version"`
	Archived   bool      `json:"archived,omitempty"`
	CopiedFrom string    `json:"copiedFrom,omitempty"`
	UpdatedBy  string    `json:"updatedBy"`
	UpdatedAt  time.Time `json:"updatedAt"`
}

// Event is something that happened to a library.
type Event interface{ EventType() string }

// TemplateSaved: the template is new (Version 1) or edited (one more than
// before). CopiedFrom names the catalogue entry it started from, if any.
type TemplateSaved struct {
	Template   Template  `json:"template"`
	Version    int       `json:"version"`
	CopiedFrom string    `json:"copiedFrom,omitempty"`
	SavedBy    string    `json:"savedBy"`
	At         time.Time `json:"at"`
}

// TemplateArchived: the template is no longer offered for new uses.
type TemplateArchived struct {
	TemplateID string    `json:"templateId"`
	ArchivedBy string    `json:"archivedBy"`
	At         time.Time `json:"at"`
}

// Category is the stream category of libraries: a workspace's library is
// stored under library-<workspace ID>.
const Category = "library"

// Event type names as stored in the log, by the rule in package domain.
const (
	TypeTemplateSaved    = "library.TemplateSaved"
	TypeTemplateArchived = "library.TemplateArchived"
)

// EventType names the event in the log.
func (TemplateSaved) EventType() string { return TypeTemplateSaved }

// EventType names the event in the log.
func (TemplateArchived) EventType() string { return TypeTemplateArchived }

// Events lists one value of every library event type, once.
func Events() []Event { return []Event{TemplateSaved{}, TemplateArchived{}} }

// Command is a request to change a library. The set is closed.
type Command interface{ isCommand() }

// SaveTemplate creates a template (BaseVersion 0, a new ID) or edits one
// (BaseVersion is the version the editor saw, so two admins' edits do not
// silently overwrite each other).
type SaveTemplate struct {
	Actor        domain.Actor
	At           time.Time
	ActorIsAdmin bool
	Template     Template
	BaseVersion  int
	CopiedFrom   string
}

// ArchiveTemplate takes a template out of use.
type ArchiveTemplate struct {
	Actor        domain.Actor
	At           time.Time
	ActorIsAdmin bool
	TemplateID   string
}

func (SaveTemplate) isCommand()    {}
func (ArchiveTemplate) isCommand() {}

// Commands lists one value of every library command type, once.
func Commands() []Command { return []Command{SaveTemplate{}, ArchiveTemplate{}} }

// State is the folded library: every template ever saved, by ID.
type State struct {
	Entries map[string]Entry
	// Order is the IDs in the order they were first saved.
	Order []string
}

// Initial is the state before any event: an empty library.
func Initial() State { return State{} }

// Active is the library's templates in use, of a kind ("" for all), in the
// order they were made.
func Active(s State, kind Kind) []Entry {
	out := []Entry{}
	for _, id := range s.Order {
		e := s.Entries[id]
		if !e.Archived && (kind == "" || e.Kind == kind) {
			out = append(out, e)
		}
	}
	return out
}

// Find is a template in use by ID and kind.
func Find(s State, kind Kind, id string) (Entry, bool) {
	e, ok := s.Entries[id]
	if !ok || e.Archived || e.Kind != kind {
		return Entry{}, false
	}
	return e, true
}

// Decider is the library's rules as one value, for tests and the runner.
func Decider() domain.Decider[State, Command, Event] {
	return domain.Decider[State, Command, Event]{Initial: Initial, Decide: Decide, Evolve: Evolve}
}

// Decide turns a command into events, or rejects it with a *domain.Error.
func Decide(s State, c Command) ([]Event, error) {
	switch c := c.(type) {
	case SaveTemplate:
		return decideSave(s, c)
	case ArchiveTemplate:
		return decideArchive(s, c)
	}
	return nil, domain.Errorf(domain.Invalid, CodeUnknownCommand, "unknown library command %T", c)
}

func gate(a domain.Actor, admin bool) error {
	if a.UserID == "" {
		return domain.Errorf(domain.Invalid, CodeActorRequired, "the acting user is missing")
	}
	if !admin {
		return domain.Errorf(domain.Forbidden, CodeNotAdmin, "only workspace admins change the workspace's templates")
	}
	return nil
}

func decideSave(s State, c SaveTemplate) ([]Event, error) {
	if err := gate(c.Actor, c.ActorIsAdmin); err != nil {
		return nil, err
	}
	t, err := clean(c.Template)
	if err != nil {
		return nil, err
	}
	old, exists := s.Entries[t.ID]
	switch {
	case !exists && c.BaseVersion != 0:
		return nil, domain.Errorf(domain.NotFound, CodeNotFound, "no template %q to edit", t.ID)
	case !exists && len(s.Entries) >= MaxTemplates:
		return nil, domain.Errorf(domain.Conflict, CodeTooMany, "a workspace keeps at most %d templates", MaxTemplates)
	case exists && old.Kind != t.Kind:
		return nil, domain.Errorf(domain.Invalid, CodeKindChanged, "template %q is a %s, not a %s", t.ID, old.Kind, t.Kind)
	case exists && old.Archived:
		return nil, domain.Errorf(domain.Conflict, CodeArchived, "template %q is archived", t.ID)
	case exists && c.BaseVersion != old.Version:
		return nil, domain.Errorf(domain.Conflict, CodeVersionMismatch, "template %q is at version %d, not %d: reload it and edit again", t.ID, old.Version, c.BaseVersion)
	}
	from := c.CopiedFrom
	if exists {
		from = old.CopiedFrom
	}
	return []Event{TemplateSaved{Template: t, Version: old.Version + 1, CopiedFrom: from, SavedBy: c.Actor.UserID, At: c.At.UTC()}}, nil
}

func decideArchive(s State, c ArchiveTemplate) ([]Event, error) {
	if err := gate(c.Actor, c.ActorIsAdmin); err != nil {
		return nil, err
	}
	e, ok := s.Entries[c.TemplateID]
	if !ok {
		return nil, domain.Errorf(domain.NotFound, CodeNotFound, "no template %q", c.TemplateID)
	}
	if e.Archived {
		return nil, nil // archived already: nothing changes
	}
	return []Event{TemplateArchived{TemplateID: c.TemplateID, ArchivedBy: c.Actor.UserID, At: c.At.UTC()}}, nil
}

// Evolve folds one event into the state. It copies the map it changes, so
// earlier states stay as they were.
func Evolve(s State, e Event) State {
	entries := make(map[string]Entry, len(s.Entries)+1)
	for k, v := range s.Entries {
		entries[k] = v
	}
	switch e := e.(type) {
	case TemplateSaved:
		if _, ok := entries[e.Template.ID]; !ok {
			s.Order = append(slices.Clip(s.Order), e.Template.ID)
		}
		entries[e.Template.ID] = Entry{Template: e.Template, Version: e.Version, CopiedFrom: e.CopiedFrom, UpdatedBy: e.SavedBy, UpdatedAt: e.At}
	case TemplateArchived:
		if x, ok := entries[e.TemplateID]; ok {
			x.Archived, x.UpdatedBy, x.UpdatedAt = true, e.ArchivedBy, e.At
			entries[e.TemplateID] = x
		}
	}
	s.Entries = entries
	return s
}

// problem collects what is wrong with a template, for one clear error.
type problem struct{ what []string }

func (p *problem) addf(format string, args ...any) {
	p.what = append(p.what, sprintf(format, args...))
}

// text trims a one-line text and checks it is present and short enough.
func (p *problem) text(field, v string, max int, required bool) string {
	t := strings.TrimSpace(v)
	switch {
	case t == "" && required:
		p.addf("%s is required", field)
	case utf8.RuneCountInString(t) > max:
		p.addf("%s is longer than %d characters", field, max)
	case strings.ContainsFunc(t, unicode.IsControl):
		p.addf("%s has a control character (one line only)", field)
	}
	return t
}

func (p *problem) id(field, v string) string {
	t := p.text(field, v, MaxIDLength, true)
	if strings.ContainsFunc(t, unicode.IsSpace) {
		p.addf("%s %q has a space", field, t)
	}
	return t
}

// clean trims a template's texts and checks it, all problems at once.
func clean(t Template) (Template, error) {
	var p problem
	if t.ID == "" {
		return t, domain.Errorf(domain.Invalid, CodeIDRequired, "a template needs its ID")
	}
	t.ID = p.id("id", t.ID)
	set := 0
	for _, ok := range []bool{t.RetroTemplate != nil, t.HealthPack != nil, t.HealthQuestion != nil, t.Icebreaker != nil} {
		if ok {
			set++
		}
	}
	want := map[Kind]bool{KindRetroTemplate: t.RetroTemplate != nil, KindHealthPack: t.HealthPack != nil,
		KindHealthQuestion: t.HealthQuestion != nil, KindIcebreaker: t.Icebreaker != nil}
	has, known := want[t.Kind]
	if !known {
		return t, domain.Errorf(domain.Invalid, CodeUnknownKind, "template kind %q is not one of %v", t.Kind, Kinds())
	}
	if !has || set != 1 {
		return t, domain.Errorf(domain.Invalid, CodeInvalid, "a %s template carries its %s and nothing else", t.Kind, t.Kind)
	}
	switch t.Kind {
	case KindRetroTemplate:
		rt := *t.RetroTemplate
		rt.ID = t.ID
		rt.Name = p.text("name", rt.Name, MaxNameLength, true)
		rt.Description = p.text("description", rt.Description, MaxDescriptionLength, false)
		rt.HealthPack = strings.TrimSpace(rt.HealthPack)
		if n := len(rt.Columns); n < MinColumns || n > MaxColumns {
			p.addf("a board has %d to %d columns, not %d", MinColumns, MaxColumns, n)
		}
		cols := make([]catalog.Column, len(rt.Columns))
		seen := map[string]bool{}
		for i, c := range rt.Columns {
			c.ID = p.id("column id", c.ID)
			if seen[c.ID] {
				p.addf("column %q is there twice", c.ID)
			}
			seen[c.ID] = true
			c.Title = p.text("column title", c.Title, MaxTitleLength, true)
			c.Prompt = p.text("column prompt", c.Prompt, MaxPromptLength, false)
			cols[i] = c
		}
		rt.Columns = cols
		if len(rt.Steps) > MaxSteps {
			p.addf("at most %d steps", MaxSteps)
		}
		rt.Steps = slices.Clone(rt.Steps)
		rt.Tags, rt.Aliases = slices.Clone(rt.Tags), slices.Clone(rt.Aliases)
		t.RetroTemplate = &rt
	case KindHealthPack:
		hp := *t.HealthPack
		hp.ID = t.ID
		hp.Name = p.text("name", hp.Name, MaxNameLength, true)
		hp.Description = p.text("description", hp.Description, MaxDescriptionLength, false)
		if n := len(hp.Questions); n < 1 || n > MaxPackQuestions {
			p.addf("a pack asks 1 to %d questions, not %d", MaxPackQuestions, n)
		}
		qs := make([]catalog.Question, len(hp.Questions))
		seen := map[string]bool{}
		for i, q := range hp.Questions {
			qs[i] = p.question(q)
			if seen[qs[i].ID] {
				p.addf("question %q is there twice", qs[i].ID)
			}
			seen[qs[i].ID] = true
		}
		hp.Questions = qs
		hp.Aliases = slices.Clone(hp.Aliases)
		t.HealthPack = &hp
	case KindHealthQuestion:
		q := *t.HealthQuestion
		q.ID = t.ID
		q = p.question(q)
		t.HealthQuestion = &q
	case KindIcebreaker:
		ib := *t.Icebreaker
		ib.ID = t.ID
		ib.Text = p.text("text", ib.Text, MaxIcebreakerLength, true)
		ib.Tags = slices.Clone(ib.Tags)
		t.Icebreaker = &ib
	}
	if len(p.what) > 0 {
		return t, domain.Errorf(domain.Invalid, CodeInvalid, "template %q: %s", t.ID, strings.Join(p.what, "; "))
	}
	return t, nil
}

func (p *problem) question(q catalog.Question) catalog.Question {
	q.ID = p.id("question id", q.ID)
	q.Dimension = p.id("question dimension", q.Dimension)
	q.Text = p.text("question text", q.Text, MaxQuestionLength, true)
	q.Low = p.text("question low end", q.Low, MaxAnchorLength, false)
	q.High = p.text("question high end", q.High, MaxAnchorLength, false)
	if q.Scale != catalog.ScaleFive && q.Scale != catalog.ScaleTen {
		p.addf("question %q has scale %q; want 1-5 or 0-10", q.ID, q.Scale)
	}
	return q
}
