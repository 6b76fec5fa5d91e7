package catalog

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
)

// The shipped catalogue. Read-only, so sharing it is safe; Load parses it
// afresh every time and callers own what they get.
//
//go:embed data/*.json
var shipped embed.FS

// File names inside the catalogue folder.
const (
	FileRetroTemplates = "retro_templates.json"
	FileHealthPacks    = "health_packs.json"
	FileIcebreakers    = "icebreakers.json"
	FileCheckIns       = "check_ins.json"
	FileTeamTemplates  = "team_templates.json"
	FileDimensions     = "dimensions.json"
)

// Minimum sizes of the shipped catalogue; Parse refuses anything smaller so
// a truncated data file cannot slip into a release.
const (
	MinRetroTemplates = 50
	MinQuestions      = 200
	MinIcebreakers    = 50
	MinCheckIns       = 3
	MinTeamTemplates  = 3
)

// Load parses and validates the catalogue embedded in the binary.
func Load() (*Catalog, error) {
	sub, err := fs.Sub(shipped, "data")
	if err != nil {
		return nil, fmt.Errorf("catalog: open embedded data: %w", err)
	}
	return Parse(sub)
}

// Parse reads the catalogue files from the root of fsys and validates them.
// A file that is not valid JSON, or has fields we do not know (usually a
// typo), fails at once; otherwise every rule is checked and all problems are
// reported together in a *ValidationError, so a content author sees the
// whole list in one run.
func Parse(fsys fs.FS) (*Catalog, error) {
	c := &Catalog{}
	files := []struct {
		name string
		into any
	}{
		{FileDimensions, &c.Dimensions},
		{FileRetroTemplates, &c.RetroTemplates},
		{FileHealthPacks, &c.HealthPacks},
		{FileIcebreakers, &c.Icebreakers},
		{FileCheckIns, &c.CheckIns},
		{FileTeamTemplates, &c.TeamTemplates},
	}
	for _, f := range files {
		if err := decodeFile(fsys, f.name, f.into); err != nil {
			return nil, err
		}
	}
	if err := validate(c); err != nil {
		return nil, err
	}
	c.index()
	return c, nil
}

func decodeFile(fsys fs.FS, name string, into any) error {
	raw, err := fs.ReadFile(fsys, name)
	if err != nil {
		return fmt.Errorf("catalog: read %s: %w", name, err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		return fmt.Errorf("catalog: %s: %w", name, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("catalog: %s: unexpected data after the top-level array", name)
	}
	return nil
}

// index builds the lookup maps. It runs after validation, so IDs are unique
// and the slices are never appended to again: the pointers stay valid.
func (c *Catalog) index() {
	c.retroByID = make(map[string]*RetroTemplate, len(c.RetroTemplates))
	for i := range c.RetroTemplates {
		c.retroByID[c.RetroTemplates[i].ID] = &c.RetroTemplates[i]
	}
	c.packByID = make(map[string]*HealthPack, len(c.HealthPacks))
	c.qByID = make(map[string]*Question)
	c.qPack = make(map[string]string)
	for i := range c.HealthPacks {
		p := &c.HealthPacks[i]
		c.packByID[p.ID] = p
		for j := range p.Questions {
			c.qByID[p.Questions[j].ID] = &p.Questions[j]
			c.qPack[p.Questions[j].ID] = p.ID
		}
	}
	c.iceByID = make(map[string]*Icebreaker, len(c.Icebreakers))
	for i := range c.Icebreakers {
		c.iceByID[c.Icebreakers[i].ID] = &c.Icebreakers[i]
	}
	c.teamByID = make(map[string]*TeamTemplate, len(c.TeamTemplates))
	for i := range c.TeamTemplates {
		c.teamByID[c.TeamTemplates[i].ID] = &c.TeamTemplates[i]
	}
	c.dimByID = make(map[string]*Dimension, len(c.Dimensions))
	for i := range c.Dimensions {
		c.dimByID[c.Dimensions[i].ID] = &c.Dimensions[i]
	}
}
