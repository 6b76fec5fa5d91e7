package board

// Template is a reusable starting point for a board: a name, what it is
// for, and the prompts its document starts with. The catalogue is data kept
// here beside the aggregate (domain/catalog holds retro templates only);
// the board's document gets the prompts when the server creates it.
type Template struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Prompts     []string `json:"prompts"`
}

// templates are the stock whiteboard templates. IDs are stable: boards
// record them in their Created event.
var templates = []Template{
	{
		ID: "check-in", Name: "Check-in",
		Description: "Start a session: everyone places a sticky on how they arrive today.",
		Prompts:     []string{"How are you arriving today, in one word?", "What do you need from this session?"},
	},
	{
		ID: "team-building", Name: "Team building",
		Description: "Get to know each other: a map of strengths, hobbies and working styles.",
		Prompts:     []string{"Something you are good at that the team may not know", "How you like to work", "Something that made you smile this week"},
	},
	{
		ID: "deriving-actions", Name: "Deriving actions",
		Description: "Turn a discussed topic into actions: causes, ideas, then who does what by when.",
		Prompts:     []string{"What causes this?", "What could we try?", "Which one do we do, who owns it, by when?"},
	},
	{
		ID: "blank", Name: "Blank board",
		Description: "An empty canvas.",
		Prompts:     []string{},
	},
}

// Templates lists the stock templates (a copy: callers may not change the catalogue).
func Templates() []Template {
	out := make([]Template, len(templates))
	for i, t := range templates {
		t.Prompts = append([]string(nil), t.Prompts...)
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
