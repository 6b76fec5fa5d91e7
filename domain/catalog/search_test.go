package catalog_test

import (
	"slices"
	"testing"

	"github.com/hindsight-retro/hindsight/domain/catalog"
)

// People look formats up by the name they heard, not by our IDs: each query
// here must bring the format up first.
func TestNamedFormatsAreFoundByTheNamePeopleSearchFor(t *testing.T) {
	c := load(t)
	for _, tc := range []struct{ query, want string }{
		{"easter", "easter-egg-hunt"},
		{"Christmas", "christmas"},
		{"xmas", "christmas"},
		{"halloween", "halloween"},
		{"summer", "summer-holiday"},
		{"autumn", "autumn-harvest"},
		{"new year", "new-year-resolutions"},
		{"seven dwarfs", "seven-dwarfs"},
		{"7 dwarfs", "seven-dwarfs"},
		{"snow white", "seven-dwarfs"},
		{"kart racing", "kart-racing"},
		{"mario kart", "kart-racing"},
		{"time travel", "time-travel"},
		{"time machine", "time-travel"},
		{"football", "match-report"},
		{"soccer", "match-report"},
		{"Sailboat", "sailboat"},
	} {
		got := c.SearchRetroTemplates(tc.query)
		if len(got) == 0 || got[0].ID != tc.want {
			t.Errorf("searching retro templates for %q gives %v, want %q first", tc.query, retroIDs(got), tc.want)
		}
	}
	for _, tc := range []struct{ query, want string }{
		{"spotify", "squad-health-check"},
		{"squad health", "squad-health-check"},
		{"Spotify squad health check", "squad-health-check"},
		{"dora", "dora-metrics"},
		{"DORA metrics", "dora-metrics"},
		{"four key metrics", "dora-metrics"},
	} {
		got := c.SearchHealthPacks(tc.query)
		if len(got) == 0 || got[0].ID != tc.want {
			t.Errorf("searching health packs for %q gives %v, want %q first", tc.query, packIDs(got), tc.want)
		}
	}
}

func TestSeasonalRetrosShareATag(t *testing.T) {
	c := load(t)
	got := retroIDs(c.SearchRetroTemplates("seasonal"))
	for _, id := range []string{"easter-egg-hunt", "christmas", "halloween", "summer-holiday", "autumn-harvest", "new-year-resolutions", "spring-cleaning"} {
		if !contains(got, id) {
			t.Errorf("searching for \"seasonal\" gives %v, which lacks %q", got, id)
		}
	}
}

func TestTheSevenDwarfsHaveAColumnEach(t *testing.T) {
	c := load(t)
	rt, ok := c.RetroTemplate("seven-dwarfs")
	if !ok {
		t.Fatal("no seven-dwarfs template")
	}
	var titles []string
	for _, col := range rt.Columns {
		titles = append(titles, col.Title)
	}
	for _, dwarf := range []string{"Doc", "Happy", "Grumpy", "Sleepy", "Bashful", "Sneezy", "Dopey"} {
		if !contains(titles, dwarf) {
			t.Errorf("seven-dwarfs columns %v lack %s", titles, dwarf)
		}
	}
}

func TestTheDORAPackAsksTheFourKeyMetrics(t *testing.T) {
	c := load(t)
	p, ok := c.HealthPack("dora-metrics")
	if !ok {
		t.Fatal("no dora-metrics pack")
	}
	var ids []string
	for _, q := range p.Questions {
		ids = append(ids, q.ID)
	}
	for _, id := range []string{"dora-deployment-frequency", "dora-change-lead-time", "dora-change-fail-rate", "dora-recovery-time"} {
		if !contains(ids, id) {
			t.Errorf("dora-metrics questions %v lack %q", ids, id)
		}
	}
}

func TestSearchNarrowsAndAnEmptyQueryListsEverything(t *testing.T) {
	c := load(t)
	if got := c.SearchRetroTemplates(""); len(got) != len(c.RetroTemplates) {
		t.Errorf("an empty query gives %d retro templates, want all %d", len(got), len(c.RetroTemplates))
	}
	if got := c.SearchHealthPacks("  "); len(got) != len(c.HealthPacks) {
		t.Errorf("a blank query gives %d packs, want all %d", len(got), len(c.HealthPacks))
	}
	if got := c.SearchRetroTemplates("zeppelin quasar"); len(got) != 0 {
		t.Errorf("a query matching nothing gives %v", retroIDs(got))
	}
	// Every word must match: "kart" alone finds the race, "kart easter" nothing.
	if got := c.SearchRetroTemplates("kart easter"); len(got) != 0 {
		t.Errorf("\"kart easter\" gives %v, want nothing", retroIDs(got))
	}
	// A result is a copy: editing it leaves the catalogue alone.
	got := c.SearchRetroTemplates("christmas")
	got[0].Aliases[0] = "changed"
	if again, _ := c.RetroTemplate("christmas"); again.Aliases[0] == "changed" {
		t.Error("editing a search result changed the catalogue")
	}
}

func retroIDs(ts []catalog.RetroTemplate) []string {
	var ids []string
	for _, t := range ts {
		ids = append(ids, t.ID)
	}
	return ids
}

func packIDs(ps []catalog.HealthPack) []string {
	var ids []string
	for _, p := range ps {
		ids = append(ids, p.ID)
	}
	return ids
}

func contains(list []string, s string) bool { return slices.Contains(list, s) }
