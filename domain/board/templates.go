package board

import "fmt"

// Template is a reusable starting point for a board: a name, what it is
// for, the prompts its document starts with, and how they are laid out on
// the canvas. The catalogue is data kept here beside the aggregate
// (domain/catalog holds retro templates only); the board's document gets
// the prompts and the layout's items when the server creates it.
type Template struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Prompts     []string `json:"prompts"`
	// Arrangement says how the prompts are laid out: Row, Grid, Flow or
	// Seasons; Layout is what that makes (filled by Templates).
	Arrangement string `json:"arrangement,omitempty"`
	Layout      []Item `json:"layout"`
}

// Arrangements of a template's prompts on the canvas.
const (
	Row     = "row"     // frames side by side, under a mood scale
	Grid    = "grid"    // frames two by two around the team in the middle
	Flow    = "flow"    // frames left to right, joined by arrows
	Seasons = "seasons" // four coloured frames, two by two
)

// Item is one thing a template places on a new board, in the board
// schema's terms (collab/README.md, "Board schema"): kind frame, note,
// text, shape or connector; position and size in board units; a palette
// colour. A connector joins the items named by From and To.
type Item struct {
	ID    string `json:"id"`
	Kind  string `json:"kind"`
	X     int    `json:"x"`
	Y     int    `json:"y"`
	W     int    `json:"w"`
	H     int    `json:"h"`
	Color string `json:"color"`
	Text  string `json:"text,omitempty"`
	Shape string `json:"shape,omitempty"`
	From  string `json:"from,omitempty"`
	To    string `json:"to,omitempty"`
}

// templates are the stock whiteboard templates. IDs are stable: boards
// record them in their Created event.
var templates = []Template{
	{
		ID: "check-in", Name: "Check-in", Arrangement: Row,
		Description: "Start a session: everyone places a sticky on how they arrive today.",
		Prompts:     []string{"How are you arriving today, in one word?", "What do you need from this session?"},
	},
	{
		ID: "team-building", Name: "Team building", Arrangement: Grid,
		Description: "Get to know each other: a map of strengths, hobbies and working styles.",
		Prompts:     []string{"Something you are good at that the team may not know", "How you like to work", "Something that made you smile this week"},
	},
	{
		ID: "deriving-actions", Name: "Deriving actions", Arrangement: Flow,
		Description: "Turn a discussed topic into actions: causes, ideas, then who does what by when.",
		Prompts:     []string{"What causes this?", "What could we try?", "Which one do we do, who owns it, by when?"},
	},
	{
		ID: "seasons", Name: "Four seasons", Arrangement: Seasons,
		Description: "A seasonal retro: what is growing, what is in full bloom, what to let fall, what was cold.",
		Prompts: []string{"Spring: what is new or starting to grow?", "Summer: what is going really well?",
			"Autumn: what should we let go of?", "Winter: what was hard or cold?"},
	},
	{
		ID: "blank", Name: "Blank board",
		Description: "An empty canvas.",
		Prompts:     []string{},
	},
}

// Templates lists the stock templates with their layouts (copies: callers
// may not change the catalogue).
func Templates() []Template {
	out := make([]Template, len(templates))
	for i, t := range templates {
		t.Prompts = append([]string(nil), t.Prompts...)
		t.Layout = layout(t)
		out[i] = t
	}
	return out
}

// TemplateByID finds a stock template.
func TemplateByID(id string) (Template, bool) {
	for _, t := range Templates() {
		if t.ID == id {
			return t, true
		}
	}
	return Template{}, false
}

// Frame sizes and the gap between frames, in board units.
const (
	frameW, frameH, gap = 420, 360, 40
)

// layout places a template's prompts as frames (the prompts are the one
// source of the frames' titles) and adds what its arrangement draws around
// them. IDs are fixed per position: the layout is made once per board.
func layout(t Template) []Item {
	items := []Item{}
	frame := func(i, x, y int, color string) Item {
		return Item{ID: fmt.Sprintf("frame-%d", i), Kind: "frame", X: x, Y: y, W: frameW, H: frameH, Color: color, Text: t.Prompts[i]}
	}
	switch t.Arrangement {
	case Row:
		// A mood scale above the frames: people put a sticky by the face that fits.
		moods := []struct{ face, color string }{{"😄", "green"}, {"🙂", "green"}, {"😐", "yellow"}, {"🙁", "orange"}, {"😫", "pink"}}
		for i, m := range moods {
			items = append(items, Item{ID: fmt.Sprintf("mood-%d", i), Kind: "shape", Shape: "ellipse", X: i * 120, Y: 0, W: 90, H: 90, Color: m.color, Text: m.face})
		}
		for i := range t.Prompts {
			items = append(items, frame(i, i*(frameW+gap), 130, "white"))
		}
	case Grid:
		colors := []string{"blue", "green", "purple", "orange"}
		for i := range t.Prompts {
			items = append(items, frame(i, (i%2)*(frameW+gap), (i/2)*(frameH+gap), colors[i%len(colors)]))
		}
	case Flow:
		for i := range t.Prompts {
			items = append(items, frame(i, i*(frameW+2*gap), 0, "white"))
			if i > 0 {
				items = append(items, Item{ID: fmt.Sprintf("arrow-%d", i), Kind: "connector", Color: "grey",
					From: fmt.Sprintf("frame-%d", i-1), To: fmt.Sprintf("frame-%d", i)})
			}
		}
	case Seasons:
		colors := []string{"green", "yellow", "orange", "blue"}
		for i := range t.Prompts {
			items = append(items, frame(i, (i%2)*(frameW+gap), (i/2)*(frameH+gap), colors[i%len(colors)]))
		}
	}
	return items
}
