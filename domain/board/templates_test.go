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
	if got, _ := board.TemplateByID(ts[0].ID); got.Prompts[0] == "changed" {
		t.Fatal("a caller changed the catalogue")
	}
}
