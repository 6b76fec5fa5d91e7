package catalog

import (
	"strings"
	"unicode"
)

// Search matches the way people type into a search box: every word of the
// query must begin a word of the item, case, punctuation and word
// order aside, so "squad health", "spotify" and "xmas" each find what a
// person means. Items whose name or an alias matches come before items
// found only by a tag or their description; otherwise catalogue order holds.
// An empty query matches everything.

// SearchRetroTemplates returns the retro templates matching query.
func (c *Catalog) SearchRetroTemplates(query string) []RetroTemplate {
	q := words(query)
	var byName, byOther []RetroTemplate
	for i := range c.RetroTemplates {
		t := &c.RetroTemplates[i]
		names := append([]string{t.Name, t.ID}, t.Aliases...)
		switch {
		case matches(q, names...):
			byName = append(byName, t.clone())
		case matches(q, append(append(names, t.Tags...), t.Description)...):
			byOther = append(byOther, t.clone())
		}
	}
	return append(byName, byOther...)
}

// SearchHealthPacks returns the health-check packs matching query.
func (c *Catalog) SearchHealthPacks(query string) []HealthPack {
	q := words(query)
	var byName, byOther []HealthPack
	for i := range c.HealthPacks {
		p := &c.HealthPacks[i]
		names := append([]string{p.Name, p.ID}, p.Aliases...)
		switch {
		case matches(q, names...):
			byName = append(byName, p.clone())
		case matches(q, append(names, p.Description)...):
			byOther = append(byOther, p.clone())
		}
	}
	return append(byName, byOther...)
}

// matches reports whether every query word begins some word of texts.
func matches(query []string, texts ...string) bool {
	var have []string
	for _, t := range texts {
		have = append(have, words(t)...)
	}
	for _, w := range query {
		found := false
		for _, h := range have {
			if strings.HasPrefix(h, w) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// words splits s into lower-case runs of letters and digits; "4 Ls",
// "kart-racing" and "Kart racing" give the same words.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}
