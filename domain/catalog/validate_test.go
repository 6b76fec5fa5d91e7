package catalog_test

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hindsight-retro/hindsight/domain/catalog"
)

// data is an editable copy of the shipped catalogue files.
type data struct {
	retro []catalog.RetroTemplate
	packs []catalog.HealthPack
	ice   []catalog.Icebreaker
	check []catalog.CheckIn
	teams []catalog.TeamTemplate
	dims  []catalog.Dimension
}

func shippedData(t *testing.T) *data {
	t.Helper()
	d := &data{}
	read := func(name string, into any) {
		raw, err := fs.ReadFile(os.DirFS("data"), name)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, into); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	read(catalog.FileRetroTemplates, &d.retro)
	read(catalog.FileHealthPacks, &d.packs)
	read(catalog.FileIcebreakers, &d.ice)
	read(catalog.FileCheckIns, &d.check)
	read(catalog.FileTeamTemplates, &d.teams)
	read(catalog.FileDimensions, &d.dims)
	return d
}

func (d *data) fs(t *testing.T) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	put := func(name string, v any) {
		raw, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		m[name] = &fstest.MapFile{Data: raw}
	}
	put(catalog.FileRetroTemplates, d.retro)
	put(catalog.FileHealthPacks, d.packs)
	put(catalog.FileIcebreakers, d.ice)
	put(catalog.FileCheckIns, d.check)
	put(catalog.FileTeamTemplates, d.teams)
	put(catalog.FileDimensions, d.dims)
	return m
}

func (d *data) retroByID(t *testing.T, id string) *catalog.RetroTemplate {
	t.Helper()
	for i := range d.retro {
		if d.retro[i].ID == id {
			return &d.retro[i]
		}
	}
	t.Fatalf("no retro template %q in the shipped data", id)
	return nil
}

func (d *data) packByID(t *testing.T, id string) *catalog.HealthPack {
	t.Helper()
	for i := range d.packs {
		if d.packs[i].ID == id {
			return &d.packs[i]
		}
	}
	t.Fatalf("no health pack %q in the shipped data", id)
	return nil
}

func TestShippedDataRoundTripsThroughParse(t *testing.T) {
	// The harness itself must not introduce problems, or every rejection
	// test below would pass for the wrong reason.
	if _, err := catalog.Parse(shippedData(t).fs(t)); err != nil {
		t.Fatalf("re-encoded shipped data does not parse: %v", err)
	}
}

func TestParseRejectsABrokenCatalogueNamingTheItem(t *testing.T) {
	long := strings.Repeat("very ", 80) + "long"
	cases := []struct {
		name   string
		mutate func(t *testing.T, d *data)
		// want are fragments that must all appear in one reported problem.
		want []string
	}{
		{"duplicate retro template id", func(t *testing.T, d *data) {
			d.retroByID(t, "kalm").ID = "daki"
		}, []string{catalog.FileRetroTemplates, `retro template "daki"`, "used more than once"}},
		{"id not kebab-case", func(t *testing.T, d *data) {
			d.retroByID(t, "sailboat").ID = "Sail_Boat"
		}, []string{`retro template "Sail_Boat"`, "kebab-case"}},
		{"empty id", func(t *testing.T, d *data) {
			d.ice[3].ID = ""
		}, []string{catalog.FileIcebreakers, "icebreaker with an empty id"}},
		{"check-in with one option", func(t *testing.T, d *data) {
			d.check[0].Options = d.check[0].Options[:1]
		}, []string{catalog.FileCheckIns, `check-in "` + d0(t).check[0].ID + `"`, "a check-in offers 2 to 6"}},
		{"check-in option twice", func(t *testing.T, d *data) {
			d.check[1].Options[1].ID = d.check[1].Options[0].ID
		}, []string{catalog.FileCheckIns, "option", "used more than once"}},
		{"empty column prompt", func(t *testing.T, d *data) {
			d.retroByID(t, "sailboat").Columns[2].Prompt = "  "
		}, []string{`retro template "sailboat": column "rocks"`, "prompt is empty"}},
		{"description too long", func(t *testing.T, d *data) {
			d.retroByID(t, "starfish").Description = long
		}, []string{`retro template "starfish"`, "description is", "the limit is"}},
		{"text with a line break", func(t *testing.T, d *data) {
			d.ice[0].Text = "Line one\nline two?"
		}, []string{`icebreaker "` + d0(t).ice[0].ID + `"`, "line break"}},
		{"text with stray spaces", func(t *testing.T, d *data) {
			d.packByID(t, "enps").Questions[0].Text = " How likely? "
		}, []string{`question "enps-recommend-team"`, "leading or trailing spaces"}},
		{"one column only", func(t *testing.T, d *data) {
			rt := d.retroByID(t, "plus-delta")
			rt.Columns = rt.Columns[:1]
		}, []string{`retro template "plus-delta"`, "has 1 columns", "2 to 7"}},
		{"eight columns", func(t *testing.T, d *data) {
			rt := d.retroByID(t, "starfish")
			rt.Columns = append(rt.Columns,
				catalog.Column{ID: "six", Title: "Six", Prompt: "A sixth arm nobody needs?"},
				catalog.Column{ID: "seven", Title: "Seven", Prompt: "A seventh arm nobody needs?"},
				catalog.Column{ID: "eight", Title: "Eight", Prompt: "An eighth arm nobody needs?"})
		}, []string{`retro template "starfish"`, "has 8 columns"}},
		{"duplicate column id", func(t *testing.T, d *data) {
			d.retroByID(t, "sailboat").Columns[1].ID = "wind"
		}, []string{`retro template "sailboat": column "wind"`, "used more than once"}},
		{"duplicate column title", func(t *testing.T, d *data) {
			d.retroByID(t, "sailboat").Columns[1].Title = "Wind"
		}, []string{`retro template "sailboat": column "anchors"`, `title "Wind"`}},
		{"retro template suggests a missing pack", func(t *testing.T, d *data) {
			d.retroByID(t, "sailboat").HealthPack = "no-such-pack"
		}, []string{`retro template "sailboat"`, `health pack "no-such-pack" does not exist`}},
		{"bad retro template tag", func(t *testing.T, d *data) {
			d.retroByID(t, "sailboat").Tags = []string{"Metaphor!"}
		}, []string{`retro template "sailboat"`, `tag "Metaphor!"`}},
		{"question id repeated in another pack", func(t *testing.T, d *data) {
			d.packByID(t, "enps").Questions[1].ID = "shc-fun"
		}, []string{catalog.FileHealthPacks, `health pack "enps": question "shc-fun"`, "used more than once"}},
		{"undeclared dimension", func(t *testing.T, d *data) {
			d.packByID(t, "team-morale").Questions[0].Dimension = "happiness"
		}, []string{`question "tm-energy"`, `dimension "happiness" is not declared`}},
		{"invalid scale", func(t *testing.T, d *data) {
			d.packByID(t, "team-morale").Questions[0].Scale = "1-7"
		}, []string{`question "tm-energy"`, `scale "1-7"`}},
		{"empty low anchor", func(t *testing.T, d *data) {
			d.packByID(t, "team-morale").Questions[1].Low = ""
		}, []string{`question "tm-recognition"`, "low anchor is empty"}},
		{"identical anchors", func(t *testing.T, d *data) {
			q := &d.packByID(t, "team-morale").Questions[1]
			q.High = q.Low
		}, []string{`question "tm-recognition"`, "anchors are the same"}},
		{"pack too small", func(t *testing.T, d *data) {
			p := d.packByID(t, "enps")
			p.Questions = p.Questions[:2]
			// Keep the total above the minimum so only this rule trips.
		}, []string{`health pack "enps"`, "has 2 questions"}},
		{"dimension declared but unused", func(t *testing.T, d *data) {
			d.dims = append(d.dims, catalog.Dimension{ID: "cheese", Name: "Cheese", Description: "How much cheese the team eats."})
		}, []string{catalog.FileDimensions, `dimension "cheese"`, "no question uses it"}},
		{"too many dimensions", func(t *testing.T, d *data) {
			for _, id := range []string{"a", "b", "c", "d", "e", "f"} {
				d.dims = append(d.dims, catalog.Dimension{ID: "extra-" + id, Name: "Extra " + id, Description: "Padding dimension " + id + "."})
			}
		}, []string{catalog.FileDimensions, "26 dimensions declared"}},
		{"team template picks a missing pack", func(t *testing.T, d *data) {
			d.teams[0].HealthPack = "no-such-pack"
		}, []string{catalog.FileTeamTemplates, `team template "` + d0(t).teams[0].ID + `"`, `health pack "no-such-pack" does not exist`}},
		{"team template without a pack", func(t *testing.T, d *data) {
			d.teams[1].HealthPack = ""
		}, []string{`team template "` + d0(t).teams[1].ID + `"`, `health pack "" does not exist`}},
		{"team template picks a missing retro template", func(t *testing.T, d *data) {
			d.teams[0].RetroTemplate = "no-such-retro"
		}, []string{`team template "` + d0(t).teams[0].ID + `"`, `retro template "no-such-retro" does not exist`}},
		{"unknown icebreaker tag", func(t *testing.T, d *data) {
			d.ice[2].Tags = []string{"quick", "spicy"}
		}, []string{`icebreaker "` + d0(t).ice[2].ID + `"`, `tag "spicy" is not allowed`}},
		{"icebreaker without tags", func(t *testing.T, d *data) {
			d.ice[2].Tags = nil
		}, []string{`icebreaker "` + d0(t).ice[2].ID + `"`, "at least one tag"}},
		{"copy-pasted question text", func(t *testing.T, d *data) {
			// Different case and punctuation still count as the same text.
			d.packByID(t, "team-autonomy").Questions[0].Text = "HOW much do you enjoy working in this team"
		}, []string{`question "ta-choose-how"`, "duplicates", `question "shc-fun"`}},
		{"copy-pasted prompt in another template", func(t *testing.T, d *data) {
			d.retroByID(t, "kalm").Columns[0].Prompt = d.retroByID(t, "sailboat").Columns[0].Prompt
		}, []string{`retro template "kalm": column "keep"`, "prompt duplicates", `retro template "sailboat": column "wind"`}},
		{"copy-pasted icebreaker", func(t *testing.T, d *data) {
			d.ice[5].Text = d.ice[4].Text
		}, []string{`icebreaker "` + d0(t).ice[5].ID + `"`, "duplicates"}},
		{"copy-pasted template name", func(t *testing.T, d *data) {
			d.retroByID(t, "kalm").Name = "Sailboat"
		}, []string{`retro template "kalm"`, "name duplicates"}},
		{"alias that is another template's name", func(t *testing.T, d *data) {
			d.retroByID(t, "kalm").Aliases = []string{"sailboat"}
		}, []string{`retro template "kalm"`, `alias "sailboat" duplicates`, `retro template "sailboat"`}},
		{"alias shared by two packs", func(t *testing.T, d *data) {
			d.packByID(t, "team-morale").Aliases = []string{"Spotify health check"}
		}, []string{`health pack "team-morale"`, `alias "Spotify health check" duplicates`}},
		{"empty alias", func(t *testing.T, d *data) {
			d.retroByID(t, "christmas").Aliases = []string{""}
		}, []string{`retro template "christmas"`, "alias is empty"}},
		{"too few retro templates", func(t *testing.T, d *data) {
			d.retro = dropUnreferenced(d, 49)
		}, []string{catalog.FileRetroTemplates, "49 retro templates", "at least 50"}},
		{"too few questions", func(t *testing.T, d *data) {
			for i := range d.packs {
				d.packs[i].Questions = d.packs[i].Questions[:min(len(d.packs[i].Questions), 9)]
			}
		}, []string{catalog.FileHealthPacks, "health-check questions, at least 200"}},
		{"too few icebreakers", func(t *testing.T, d *data) {
			d.ice = d.ice[:49]
		}, []string{catalog.FileIcebreakers, "49 icebreakers, at least 50"}},
		{"too few team templates", func(t *testing.T, d *data) {
			d.teams = d.teams[:2]
		}, []string{catalog.FileTeamTemplates, "2 team templates, at least 3"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := shippedData(t)
			tc.mutate(t, d)
			_, err := catalog.Parse(d.fs(t))
			var ve *catalog.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Parse accepted the broken catalogue or failed differently: %v", err)
			}
			for _, p := range ve.Problems {
				if containsAll(p, tc.want) {
					return
				}
			}
			t.Errorf("no problem mentions all of %q; got:\n  %s", tc.want, strings.Join(ve.Problems, "\n  "))
		})
	}
}

// d0 is the unmodified shipped data, for naming items in expectations.
func d0(t *testing.T) *data { return shippedData(t) }

// dropUnreferenced keeps n retro templates, preferring those no team
// template points at, so only the count rule trips.
func dropUnreferenced(d *data, n int) []catalog.RetroTemplate {
	referenced := map[string]bool{}
	for _, tt := range d.teams {
		referenced[tt.RetroTemplate] = true
	}
	var keep []catalog.RetroTemplate
	for _, rt := range d.retro {
		if referenced[rt.ID] {
			keep = append(keep, rt)
		}
	}
	for _, rt := range d.retro {
		if len(keep) == n {
			break
		}
		if !referenced[rt.ID] {
			keep = append(keep, rt)
		}
	}
	return keep
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

func TestParseReportsEveryProblemAtOnce(t *testing.T) {
	d := shippedData(t)
	d.retroByID(t, "sailboat").Columns[0].Prompt = ""
	d.packByID(t, "enps").Questions[0].Scale = "1-3"
	d.teams[0].RetroTemplate = "gone"
	_, err := catalog.Parse(d.fs(t))
	var ve *catalog.ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) != 3 {
		t.Fatalf("want exactly the 3 problems reported together, got %v", err)
	}
}

func TestParseRejectsUnreadableFilesNamingTheFile(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(m fstest.MapFS)
		want   []string
	}{
		{"missing file", func(m fstest.MapFS) {
			delete(m, catalog.FileIcebreakers)
		}, []string{catalog.FileIcebreakers}},
		{"malformed JSON", func(m fstest.MapFS) {
			m[catalog.FileHealthPacks] = &fstest.MapFile{Data: []byte(`[{"id": "x",`)}
		}, []string{catalog.FileHealthPacks}},
		{"misspelt field", func(m fstest.MapFS) {
			m[catalog.FileTeamTemplates] = &fstest.MapFile{Data: []byte(`[{"id": "x", "helthPack": "enps"}]`)}
		}, []string{catalog.FileTeamTemplates, "helthPack"}},
		{"object instead of array", func(m fstest.MapFS) {
			m[catalog.FileDimensions] = &fstest.MapFile{Data: []byte(`{"id": "fun"}`)}
		}, []string{catalog.FileDimensions}},
		{"trailing data", func(m fstest.MapFS) {
			raw := m[catalog.FileIcebreakers].Data
			m[catalog.FileIcebreakers] = &fstest.MapFile{Data: append(append([]byte{}, raw...), []byte(" []")...)}
		}, []string{catalog.FileIcebreakers, "after the top-level array"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := shippedData(t).fs(t)
			tc.mutate(m)
			_, err := catalog.Parse(m)
			if err == nil {
				t.Fatal("Parse accepted it")
			}
			if !containsAll(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
		})
	}
}

// Whatever bytes a data file holds, Parse answers with an error or a valid
// catalogue, never a panic.
func FuzzParse(f *testing.F) {
	for _, name := range []string{catalog.FileRetroTemplates, catalog.FileHealthPacks, catalog.FileTeamTemplates} {
		raw, err := fs.ReadFile(os.DirFS("data"), name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(name, raw)
	}
	f.Add(catalog.FileIcebreakers, []byte(`[{"id":"a","text":"x","tags":[null]}]`))
	f.Add(catalog.FileDimensions, []byte(`null`))
	shipped := map[string][]byte{}
	for _, n := range []string{catalog.FileRetroTemplates, catalog.FileHealthPacks, catalog.FileIcebreakers, catalog.FileCheckIns, catalog.FileTeamTemplates, catalog.FileDimensions} {
		raw, err := fs.ReadFile(os.DirFS("data"), n)
		if err != nil {
			f.Fatal(err)
		}
		shipped[n] = raw
	}
	f.Fuzz(func(t *testing.T, name string, content []byte) {
		m := fstest.MapFS{}
		for n, raw := range shipped {
			m[n] = &fstest.MapFile{Data: raw}
		}
		m[name] = &fstest.MapFile{Data: content}
		c, err := catalog.Parse(m)
		if err == nil {
			_ = c.IcebreakerAt(len(content))
		}
	})
}
