package board_test

import (
	"testing"

	"github.com/hindsight-retro/hindsight/domain/board"
)

func TestTemplatesAreCopies(t *testing.T) {
	ts := board.Templates()
	if len(ts) == 0 {
		t.Fatal("no templates")
	}
	ts[0].Prompts[0] = "changed"
	ts[0].Layout[0].Text = "changed"
	if got, _ := board.TemplateByID(ts[0].ID); got.Prompts[0] == "changed" || got.Layout[0].Text == "changed" {
		t.Fatal("a caller changed the catalogue")
	}
}

// Every template but the blank one is a layout on the canvas: each prompt is
// a frame's title, frames do not overlap, item IDs are unique and
// connectors join items that are there.
func TestEveryTemplateLaysItsPromptsOutAsFramesThatDoNotOverlap(t *testing.T) {
	for _, tpl := range board.Templates() {
		if tpl.ID == "blank" {
			if len(tpl.Layout) != 0 {
				t.Errorf("the blank board has %d items", len(tpl.Layout))
			}
			continue
		}
		ids := map[string]board.Item{}
		var frames []board.Item
		for _, it := range tpl.Layout {
			if _, dup := ids[it.ID]; dup || it.ID == "" {
				t.Errorf("%s: item ID %q is empty or used twice", tpl.ID, it.ID)
			}
			ids[it.ID] = it
			if it.Kind == "frame" {
				frames = append(frames, it)
			}
		}
		if len(frames) != len(tpl.Prompts) {
			t.Fatalf("%s: %d frames for %d prompts", tpl.ID, len(frames), len(tpl.Prompts))
		}
		for i, f := range frames {
			if f.Text != tpl.Prompts[i] {
				t.Errorf("%s: frame %d is titled %q, want the prompt %q", tpl.ID, i, f.Text, tpl.Prompts[i])
			}
			for _, g := range frames[:i] {
				if f.X < g.X+g.W && g.X < f.X+f.W && f.Y < g.Y+g.H && g.Y < f.Y+f.H {
					t.Errorf("%s: frames %q and %q overlap", tpl.ID, f.Text, g.Text)
				}
			}
		}
		for _, it := range tpl.Layout {
			if it.Kind != "connector" {
				continue
			}
			if _, ok := ids[it.From]; !ok {
				t.Errorf("%s: connector %s starts at a missing item %q", tpl.ID, it.ID, it.From)
			}
			if _, ok := ids[it.To]; !ok {
				t.Errorf("%s: connector %s ends at a missing item %q", tpl.ID, it.ID, it.To)
			}
		}
	}
	if tpl, ok := board.TemplateByID("seasons"); !ok || len(tpl.Layout) != 4 {
		t.Fatalf("no seasonal template with four frames: %+v", tpl)
	}
}
