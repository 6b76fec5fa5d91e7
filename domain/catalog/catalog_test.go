package catalog_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/hindsight-retro/hindsight/domain/catalog"
)

func load(t *testing.T) *catalog.Catalog {
	t.Helper()
	c, err := catalog.Load()
	if err != nil {
		t.Fatalf("the shipped catalogue does not load: %v", err)
	}
	return c
}

func TestShippedCatalogueMeetsTheMinimums(t *testing.T) {
	c := load(t)
	questions := 0
	for _, p := range c.HealthPacks {
		questions += len(p.Questions)
	}
	t.Logf("%d retro templates, %d health packs with %d questions, %d icebreakers, %d team templates, %d dimensions",
		len(c.RetroTemplates), len(c.HealthPacks), questions, len(c.Icebreakers), len(c.TeamTemplates), len(c.Dimensions))
	if len(c.RetroTemplates) < 50 {
		t.Errorf("%d retro templates, want at least 50", len(c.RetroTemplates))
	}
	if questions < 200 {
		t.Errorf("%d health-check questions, want at least 200", questions)
	}
	if len(c.Icebreakers) < 50 {
		t.Errorf("%d icebreakers, want at least 50", len(c.Icebreakers))
	}
	if len(c.TeamTemplates) < 3 {
		t.Errorf("%d team templates, want at least 3", len(c.TeamTemplates))
	}
	// A heat map of teams by dimension needs enough rows to say something
	// and few enough to read.
	if n := len(c.Dimensions); n < 15 || n > 25 {
		t.Errorf("%d dimensions, want 15 to 25", n)
	}
}

// The formats and packs that users ask for by name are there.
func TestWellKnownContentIsPresent(t *testing.T) {
	c := load(t)
	for _, id := range []string{
		"keep-stop-start", "start-stop-continue", "mad-sad-glad", "happy-wondering-sad", "starfish",
		"sailboat", "four-ls", "went-well-to-improve", "hot-air-balloon", "speedboat", "daki", "kalm",
		"lean-coffee", "three-little-pigs", "rose-thorn-bud",
	} {
		if _, ok := c.RetroTemplate(id); !ok {
			t.Errorf("retro template %q is missing", id)
		}
	}
	for _, id := range []string{
		"squad-health-check", "psychological-safety", "five-agile-values", "delivery-performance",
		"team-morale", "remote-collaboration", "enps",
	} {
		if _, ok := c.HealthPack(id); !ok {
			t.Errorf("health pack %q is missing", id)
		}
	}
	for _, id := range []string{"scrum-team", "kanban-team", "management-team", "new-team", "remote-team", "platform-team"} {
		if _, ok := c.TeamTemplate(id); !ok {
			t.Errorf("team template %q is missing", id)
		}
	}

	starfish, _ := c.RetroTemplate("starfish")
	if len(starfish.Columns) != 5 {
		t.Errorf("starfish has %d columns, want its five arms", len(starfish.Columns))
	}
	sailboat, _ := c.RetroTemplate("sailboat")
	var titles []string
	for _, col := range sailboat.Columns {
		titles = append(titles, col.Title)
	}
	if !slices.Equal(titles, []string{"Wind", "Anchors", "Rocks", "Island"}) {
		t.Errorf("sailboat columns are %v", titles)
	}
	q, ok := c.Question("enps-recommend-team")
	if !ok || q.Scale != catalog.ScaleTen || q.Dimension != "enps" {
		t.Errorf("the eNPS question is %+v (found %v), want a 0-10 question in the enps dimension", q, ok)
	}
}

func TestTeamTemplatesPickExistingPacksAndTemplates(t *testing.T) {
	c := load(t)
	for _, tt := range c.TeamTemplates {
		pack, ok := c.HealthPack(tt.HealthPack)
		if !ok {
			t.Errorf("team template %q picks health pack %q, which does not exist", tt.ID, tt.HealthPack)
		} else if len(pack.Questions) == 0 {
			t.Errorf("team template %q picks health pack %q, which has no questions", tt.ID, tt.HealthPack)
		}
		if _, ok := c.RetroTemplate(tt.RetroTemplate); !ok {
			t.Errorf("team template %q picks retro template %q, which does not exist", tt.ID, tt.RetroTemplate)
		}
	}
	// Suggested packs on retro templates resolve too.
	suggesting := 0
	for _, rt := range c.RetroTemplates {
		if rt.HealthPack == "" {
			continue
		}
		suggesting++
		if _, ok := c.HealthPack(rt.HealthPack); !ok {
			t.Errorf("retro template %q suggests missing health pack %q", rt.ID, rt.HealthPack)
		}
	}
	if suggesting == 0 {
		t.Error("no retro template suggests a health pack")
	}
}

// Copy-paste shows up as the same text twice. Checked here independently
// of the validator, on the shipped data, so a bug in one does not hide a
// problem in the other.
func TestNoDuplicateTexts(t *testing.T) {
	c := load(t)
	seen := map[string]string{}
	check := func(where, text string) {
		key := strings.ToLower(strings.Join(strings.Fields(text), " "))
		if first, dup := seen[key]; dup {
			t.Errorf("%s repeats the text of %s: %q", where, first, text)
		}
		seen[key] = where
	}
	for _, rt := range c.RetroTemplates {
		check("retro template "+rt.ID+" name", rt.Name)
		check("retro template "+rt.ID+" description", rt.Description)
		for _, col := range rt.Columns {
			check("retro template "+rt.ID+" column "+col.ID+" prompt", col.Prompt)
		}
	}
	for _, p := range c.HealthPacks {
		check("health pack "+p.ID+" name", p.Name)
		check("health pack "+p.ID+" description", p.Description)
		for _, q := range p.Questions {
			check("question "+q.ID, q.Text)
		}
	}
	for _, ib := range c.Icebreakers {
		check("icebreaker "+ib.ID, ib.Text)
	}
	for _, tt := range c.TeamTemplates {
		check("team template "+tt.ID+" description", tt.Description)
	}
}

func TestEveryDimensionIsDeclaredAndUsed(t *testing.T) {
	c := load(t)
	used := map[string]int{}
	for _, p := range c.HealthPacks {
		for _, q := range p.Questions {
			if _, ok := c.Dimension(q.Dimension); !ok {
				t.Errorf("question %q has undeclared dimension %q", q.ID, q.Dimension)
			}
			used[q.Dimension]++
		}
	}
	for _, d := range c.Dimensions {
		if used[d.ID] == 0 {
			t.Errorf("dimension %q has no questions", d.ID)
		}
	}
}

func TestLookupsFindEveryItemAndMissOthers(t *testing.T) {
	c := load(t)
	for _, rt := range c.RetroTemplates {
		if got, ok := c.RetroTemplate(rt.ID); !ok || got.Name != rt.Name {
			t.Errorf("RetroTemplate(%q) = %q, %v", rt.ID, got.Name, ok)
		}
	}
	for _, p := range c.HealthPacks {
		if got, ok := c.HealthPack(p.ID); !ok || got.Name != p.Name {
			t.Errorf("HealthPack(%q) = %q, %v", p.ID, got.Name, ok)
		}
		for _, q := range p.Questions {
			if got, ok := c.Question(q.ID); !ok || got.Text != q.Text {
				t.Errorf("Question(%q) = %q, %v", q.ID, got.Text, ok)
			}
			if pack, ok := c.QuestionPack(q.ID); !ok || pack != p.ID {
				t.Errorf("QuestionPack(%q) = %q, %v; want %q", q.ID, pack, ok, p.ID)
			}
		}
	}
	for _, ib := range c.Icebreakers {
		if got, ok := c.Icebreaker(ib.ID); !ok || got.Text != ib.Text {
			t.Errorf("Icebreaker(%q) = %q, %v", ib.ID, got.Text, ok)
		}
	}
	if _, ok := c.RetroTemplate("no-such-template"); ok {
		t.Error("RetroTemplate found an ID that does not exist")
	}
	if _, ok := c.HealthPack("no-such-pack"); ok {
		t.Error("HealthPack found an ID that does not exist")
	}
	if _, ok := c.Question("no-such-question"); ok {
		t.Error("Question found an ID that does not exist")
	}
	if _, ok := c.Icebreaker("no-such-icebreaker"); ok {
		t.Error("Icebreaker found an ID that does not exist")
	}
	if _, ok := c.TeamTemplate("no-such-team"); ok {
		t.Error("TeamTemplate found an ID that does not exist")
	}
	if _, ok := c.Dimension("no-such-dimension"); ok {
		t.Error("Dimension found an ID that does not exist")
	}
}

// A caller customising what it got must not change the catalogue for
// everyone else, and each Load is independent.
func TestCallersCannotChangeTheCatalogue(t *testing.T) {
	c := load(t)
	rt, _ := c.RetroTemplate("sailboat")
	rt.Columns[0].Title = "Changed"
	rt.Tags[0] = "changed"
	pack, _ := c.HealthPack("enps")
	pack.Questions[0].Text = "Changed"
	ib, _ := c.Icebreaker("weather-inside")
	ib.Tags[0] = "changed"

	again, _ := c.RetroTemplate("sailboat")
	if again.Columns[0].Title != "Wind" || again.Tags[0] == "changed" {
		t.Errorf("editing a returned template changed the catalogue: %+v", again)
	}
	if q, _ := c.Question(pack.Questions[0].ID); q.Text == "Changed" {
		t.Error("editing a returned pack changed the catalogue's question")
	}
	if ib2, _ := c.Icebreaker("weather-inside"); ib2.Tags[0] == "changed" {
		t.Error("editing a returned icebreaker changed the catalogue")
	}

	c.RetroTemplates[0].Name = "Vandalised"
	fresh := load(t)
	if fresh.RetroTemplates[0].Name == "Vandalised" {
		t.Error("Load shares state between calls")
	}
}

func TestIcebreakerAtIsDeterministicAndCoversEveryIcebreaker(t *testing.T) {
	c := load(t)
	n := len(c.Icebreakers)
	seen := map[string]bool{}
	for i := range n {
		ib := c.IcebreakerAt(i)
		if ib.ID == "" {
			t.Fatalf("IcebreakerAt(%d) returned an empty icebreaker", i)
		}
		seen[ib.ID] = true
		if again := c.IcebreakerAt(i); again.ID != ib.ID {
			t.Errorf("IcebreakerAt(%d) gave %q then %q", i, ib.ID, again.ID)
		}
		if wrapped := c.IcebreakerAt(i + 7*n); wrapped.ID != ib.ID {
			t.Errorf("IcebreakerAt(%d) = %q, want it to wrap to %q", i+7*n, wrapped.ID, ib.ID)
		}
	}
	if len(seen) != n {
		t.Errorf("the first %d numbers reach %d distinct icebreakers, want all of them", n, len(seen))
	}
	// Numbers drawn at the edge may be negative or huge; neither may panic.
	for _, draw := range []int{-1, -n, -n - 3, int(^uint(0) >> 1), -int(^uint(0)>>1) - 1} {
		if ib := c.IcebreakerAt(draw); ib.ID == "" {
			t.Errorf("IcebreakerAt(%d) returned an empty icebreaker", draw)
		}
	}
	if got := c.IcebreakerAt(-1); got.ID != c.Icebreakers[n-1].ID {
		t.Errorf("IcebreakerAt(-1) = %q, want the last one %q", got.ID, c.Icebreakers[n-1].ID)
	}
	var empty catalog.Catalog
	if ib := empty.IcebreakerAt(3); ib.ID != "" {
		t.Errorf("an empty catalogue gave icebreaker %q", ib.ID)
	}
}

func TestIcebreakerTaggedAtPicksOnlyTaggedOnes(t *testing.T) {
	c := load(t)
	for i := range 40 {
		ib, ok := c.IcebreakerTaggedAt("remote", i)
		if !ok {
			t.Fatal("no icebreaker is tagged remote")
		}
		if !slices.Contains(ib.Tags, "remote") {
			t.Errorf("IcebreakerTaggedAt(remote, %d) = %q with tags %v", i, ib.ID, ib.Tags)
		}
	}
	if _, ok := c.IcebreakerTaggedAt("no-such-tag", 1); ok {
		t.Error("an unknown tag found an icebreaker")
	}
}
