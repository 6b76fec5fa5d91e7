package catalog

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ValidationError lists everything wrong with a catalogue. Each problem
// names the file and the item (by ID) at fault.
type ValidationError struct {
	Problems []string
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("catalog: %d problem(s):\n  %s", len(e.Problems), strings.Join(e.Problems, "\n  "))
}

// Length limits, in characters. They keep texts readable on a card or a
// phone screen; a longer text is usually two ideas that should be split.
const (
	maxID          = 48
	maxName        = 60
	maxTitle       = 40
	maxDescription = 280
	maxPrompt      = 200
	maxQuestion    = 200
	maxAnchor      = 100
	maxIcebreaker  = 200
	maxTag         = 24

	minColumns       = 2
	maxColumns       = 7
	minPackQuestions = 3
	maxDimensions    = 25
)

// knownIcebreakerTag is the closed set of icebreaker tags, so that a
// facilitator filtering by "quick" finds every quick one.
func knownIcebreakerTag(t string) bool {
	switch t {
	case "quick", "fun", "deep", "remote", "work", "creative", "new-team", "reflective":
		return true
	}
	return false
}

type validator struct {
	problems []string
	// seen maps a scope ("prompt", "question", …) and a normalised text to
	// the item that used it first, to catch copy-paste.
	seen map[string]string
}

func (v *validator) addf(file, format string, args ...any) {
	v.problems = append(v.problems, file+": "+fmt.Sprintf(format, args...))
}

// text checks a user-visible text: present, trimmed, one line, not too long.
func (v *validator) text(file, where, field, s string, max int) {
	switch {
	case strings.TrimSpace(s) == "":
		v.addf(file, "%s: %s is empty", where, field)
		return
	case strings.TrimSpace(s) != s:
		v.addf(file, "%s: %s has leading or trailing spaces", where, field)
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		v.addf(file, "%s: %s contains a control character or line break", where, field)
	}
	if n := utf8.RuneCountInString(s); n > max {
		v.addf(file, "%s: %s is %d characters long, the limit is %d", where, field, n, max)
	}
}

// unique reports a text that an earlier item in the same scope already
// used. Comparison ignores case, spacing and punctuation.
func (v *validator) unique(file, scope, where, field, s string) {
	key := scope + "\x00" + normalise(s)
	if normalise(s) == "" {
		return
	}
	if first, dup := v.seen[key]; dup {
		v.addf(file, "%s: %s duplicates the one of %s", where, field, first)
		return
	}
	v.seen[key] = where
}

func normalise(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// id checks an identifier: kebab-case, short, unique within its kind.
func (v *validator) id(file, kind, id string, seen map[string]bool) {
	switch {
	case id == "":
		v.addf(file, "%s with an empty id", kind)
		return
	case !isKebab(id):
		v.addf(file, "%s %q: id must be kebab-case (a-z, 0-9, single hyphens)", kind, id)
	case len(id) > maxID:
		v.addf(file, "%s %q: id is longer than %d characters", kind, id, maxID)
	}
	if seen[id] {
		v.addf(file, "%s %q: id is used more than once", kind, id)
	}
	seen[id] = true
}

func isKebab(s string) bool {
	if s == "" || s[0] == '-' || s[len(s)-1] == '-' || strings.Contains(s, "--") {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

func validate(c *Catalog) error {
	v := &validator{seen: make(map[string]string)}
	dims := v.dimensions(c.Dimensions)
	packs, used := v.healthPacks(c.HealthPacks, dims)
	for _, d := range c.Dimensions {
		if d.ID != "" && !used[d.ID] {
			v.addf(FileDimensions, "dimension %q: no question uses it; drop it or add questions", d.ID)
		}
	}
	templates := v.retroTemplates(c.RetroTemplates, packs)
	v.icebreakers(c.Icebreakers)
	v.checkIns(c.CheckIns)
	v.teamTemplates(c.TeamTemplates, packs, templates)
	v.minimums(c)
	if len(v.problems) > 0 {
		return &ValidationError{Problems: v.problems}
	}
	return nil
}

func (v *validator) dimensions(ds []Dimension) map[string]bool {
	const f = FileDimensions
	ids := make(map[string]bool, len(ds))
	for _, d := range ds {
		v.id(f, "dimension", d.ID, ids)
		where := fmt.Sprintf("dimension %q", d.ID)
		v.text(f, where, "name", d.Name, maxTitle)
		v.unique(f, "dimension-name", where, "name", d.Name)
		v.text(f, where, "description", d.Description, maxDescription)
		v.unique(f, "description", where, "description", d.Description)
	}
	if len(ds) == 0 {
		v.addf(f, "no dimensions declared")
	}
	if len(ds) > maxDimensions {
		v.addf(f, "%d dimensions declared, at most %d keep a heat map readable", len(ds), maxDimensions)
	}
	return ids
}

// healthPacks returns the pack IDs and the dimensions the questions use.
func (v *validator) healthPacks(ps []HealthPack, dims map[string]bool) (ids, used map[string]bool) {
	const f = FileHealthPacks
	ids = make(map[string]bool, len(ps))
	used = make(map[string]bool)
	qids := make(map[string]bool)
	for _, p := range ps {
		v.id(f, "health pack", p.ID, ids)
		where := fmt.Sprintf("health pack %q", p.ID)
		v.text(f, where, "name", p.Name, maxName)
		v.unique(f, "pack-name", where, "name", p.Name)
		v.aliases(f, "pack-name", where, p.Aliases)
		v.text(f, where, "description", p.Description, maxDescription)
		v.unique(f, "description", where, "description", p.Description)
		if len(p.Questions) < minPackQuestions {
			v.addf(f, "%s: has %d questions, at least %d are needed", where, len(p.Questions), minPackQuestions)
		}
		for _, q := range p.Questions {
			// Question IDs are unique across packs: answers are stored by
			// question ID, and trends must not mix two questions.
			v.id(f, where+": question", q.ID, qids)
			qw := fmt.Sprintf("%s: question %q", where, q.ID)
			v.text(f, qw, "text", q.Text, maxQuestion)
			v.unique(f, "question", qw, "text", q.Text)
			v.text(f, qw, "low anchor", q.Low, maxAnchor)
			v.text(f, qw, "high anchor", q.High, maxAnchor)
			if q.Low != "" && normalise(q.Low) == normalise(q.High) {
				v.addf(f, "%s: low and high anchors are the same", qw)
			}
			if q.Scale != ScaleFive && q.Scale != ScaleTen {
				v.addf(f, "%s: scale %q is not one of %q, %q", qw, q.Scale, ScaleFive, ScaleTen)
			}
			if !dims[q.Dimension] {
				v.addf(f, "%s: dimension %q is not declared in %s", qw, q.Dimension, FileDimensions)
			}
			used[q.Dimension] = true
		}
	}
	return ids, used
}

func (v *validator) retroTemplates(ts []RetroTemplate, packs map[string]bool) map[string]bool {
	const f = FileRetroTemplates
	ids := make(map[string]bool, len(ts))
	for _, t := range ts {
		v.id(f, "retro template", t.ID, ids)
		where := fmt.Sprintf("retro template %q", t.ID)
		v.text(f, where, "name", t.Name, maxName)
		v.unique(f, "template-name", where, "name", t.Name)
		v.aliases(f, "template-name", where, t.Aliases)
		v.text(f, where, "description", t.Description, maxDescription)
		v.unique(f, "description", where, "description", t.Description)
		if n := len(t.Columns); n < minColumns || n > maxColumns {
			v.addf(f, "%s: has %d columns, a board needs %d to %d", where, n, minColumns, maxColumns)
		}
		cols := make(map[string]bool, len(t.Columns))
		titles := make(map[string]string, len(t.Columns))
		for _, col := range t.Columns {
			v.id(f, where+": column", col.ID, cols)
			cw := fmt.Sprintf("%s: column %q", where, col.ID)
			v.text(f, cw, "title", col.Title, maxTitle)
			if first, dup := titles[normalise(col.Title)]; dup && col.Title != "" {
				v.addf(f, "%s: title %q is also the title of column %q", cw, col.Title, first)
			}
			titles[normalise(col.Title)] = col.ID
			v.text(f, cw, "prompt", col.Prompt, maxPrompt)
			v.unique(f, "prompt", cw, "prompt", col.Prompt)
		}
		if t.HealthPack != "" && !packs[t.HealthPack] {
			v.addf(f, "%s: suggested health pack %q does not exist", where, t.HealthPack)
		}
		v.tags(f, where, t.Tags, isKebab)
	}
	return ids
}

// aliases checks a template's or pack's other names. They share the scope
// of the names, so that an alias never points at two items and never hides
// another item's name.
func (v *validator) aliases(f, scope, where string, aliases []string) {
	for _, a := range aliases {
		v.text(f, where, "alias", a, maxName)
		v.unique(f, scope, where, fmt.Sprintf("alias %q", a), a)
	}
}

func (v *validator) icebreakers(ibs []Icebreaker) {
	const f = FileIcebreakers
	ids := make(map[string]bool, len(ibs))
	for _, ib := range ibs {
		v.id(f, "icebreaker", ib.ID, ids)
		where := fmt.Sprintf("icebreaker %q", ib.ID)
		v.text(f, where, "text", ib.Text, maxIcebreaker)
		v.unique(f, "icebreaker", where, "text", ib.Text)
		if len(ib.Tags) == 0 {
			v.addf(f, "%s: needs at least one tag", where)
		}
		v.tags(f, where, ib.Tags, knownIcebreakerTag)
	}
}

func (v *validator) checkIns(cs []CheckIn) {
	const f = FileCheckIns
	ids := make(map[string]bool, len(cs))
	for _, c := range cs {
		v.id(f, "check-in", c.ID, ids)
		where := fmt.Sprintf("check-in %q", c.ID)
		v.text(f, where, "question", c.Question, maxIcebreaker)
		if n := len(c.Options); n < MinCheckInOptions || n > MaxCheckInOptions {
			v.addf(f, "%s: has %d options, a check-in offers %d to %d", where, n, MinCheckInOptions, MaxCheckInOptions)
		}
		opts := make(map[string]bool, len(c.Options))
		for _, o := range c.Options {
			v.id(f, where+" option", o.ID, opts)
			v.text(f, where, "option label", o.Label, maxTitle)
		}
	}
}

// Bounds of a check-in's options: a choice, and few enough to tap on a phone.
const (
	MinCheckInOptions = 2
	MaxCheckInOptions = 6
)

func (v *validator) tags(f, where string, tags []string, ok func(string) bool) {
	seen := make(map[string]bool, len(tags))
	for _, tag := range tags {
		switch {
		case !ok(tag) || len(tag) > maxTag:
			v.addf(f, "%s: tag %q is not allowed", where, tag)
		case seen[tag]:
			v.addf(f, "%s: tag %q appears twice", where, tag)
		}
		seen[tag] = true
	}
}

func (v *validator) teamTemplates(ts []TeamTemplate, packs, retros map[string]bool) {
	const f = FileTeamTemplates
	ids := make(map[string]bool, len(ts))
	for _, t := range ts {
		v.id(f, "team template", t.ID, ids)
		where := fmt.Sprintf("team template %q", t.ID)
		v.text(f, where, "name", t.Name, maxName)
		v.unique(f, "team-name", where, "name", t.Name)
		v.text(f, where, "description", t.Description, maxDescription)
		v.unique(f, "description", where, "description", t.Description)
		// A new team gets its first health check from here, so the pack is
		// required, not optional as on a retro template.
		if !packs[t.HealthPack] {
			v.addf(f, "%s: health pack %q does not exist", where, t.HealthPack)
		}
		if !retros[t.RetroTemplate] {
			v.addf(f, "%s: retro template %q does not exist", where, t.RetroTemplate)
		}
	}
}

func (v *validator) minimums(c *Catalog) {
	questions := 0
	for _, p := range c.HealthPacks {
		questions += len(p.Questions)
	}
	if n := len(c.RetroTemplates); n < MinRetroTemplates {
		v.addf(FileRetroTemplates, "%d retro templates, at least %d are required", n, MinRetroTemplates)
	}
	if questions < MinQuestions {
		v.addf(FileHealthPacks, "%d health-check questions, at least %d are required", questions, MinQuestions)
	}
	if n := len(c.CheckIns); n < MinCheckIns {
		v.addf(FileCheckIns, "%d check-ins, at least %d are required", n, MinCheckIns)
	}
	if n := len(c.Icebreakers); n < MinIcebreakers {
		v.addf(FileIcebreakers, "%d icebreakers, at least %d are required", n, MinIcebreakers)
	}
	if n := len(c.TeamTemplates); n < MinTeamTemplates {
		v.addf(FileTeamTemplates, "%d team templates, at least %d are required", n, MinTeamTemplates)
	}
}
