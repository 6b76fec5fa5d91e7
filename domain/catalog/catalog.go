// Package catalog is the template catalogue: retro templates, health-check
// packs and questions, icebreaker questions and team templates. It is data
// embedded in the binary (data/*.json), written in our own words, and
// validated when loaded.
package catalog

// Scale of a health-check question's answers.
type Scale string

const (
	// ScaleFive is answered 1 (worst) to 5 (best).
	ScaleFive Scale = "1-5"
	// ScaleTen is answered 0 to 10, eNPS style: 9-10 promoters, 0-6 detractors.
	ScaleTen Scale = "0-10"
)

// Column of a retro template's feedback board.
type Column struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Prompt string `json:"prompt"`
}

// RetroTemplate is a feedback board layout.
type RetroTemplate struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Columns     []Column `json:"columns"`
	// HealthPack is the ID of a suggested health-check pack, "" for none.
	HealthPack string   `json:"healthPack,omitempty"`
	Tags       []string `json:"tags,omitempty"`
	// Aliases are other names people know the format by ("Xmas",
	// "Mario Kart"); search finds the template by them as by its name.
	Aliases []string `json:"aliases,omitempty"`
}

// Question of a health check.
type Question struct {
	ID string `json:"id"`
	// Dimension groups questions across packs for trends and heat maps
	// (for example "psychological-safety", "delivery").
	Dimension string `json:"dimension"`
	Text      string `json:"text"`
	Scale     Scale  `json:"scale"`
	// Low and High describe the ends of the scale. Every question is
	// worded so that the high end is the healthy one, so scores can be
	// averaged per dimension and compared across packs without flipping.
	Low  string `json:"low"`
	High string `json:"high"`
}

// HealthPack is a named set of questions.
type HealthPack struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	// Aliases are other names people search for ("Spotify health check").
	Aliases   []string   `json:"aliases,omitempty"`
	Questions []Question `json:"questions"`
}

// Icebreaker is a warm-up question.
type Icebreaker struct {
	ID   string   `json:"id"`
	Text string   `json:"text"`
	Tags []string `json:"tags,omitempty"`
}

// CheckIn is a lobby poll: one light question with a few answers to tap,
// for everyone while people arrive, so the first minutes are not silence.
type CheckIn struct {
	ID       string          `json:"id"`
	Question string          `json:"question"`
	Options  []CheckInOption `json:"options"`
}

// CheckInOption is one answer of a check-in.
type CheckInOption struct {
	ID    string `json:"id"`
	Label string `json:"label"`
}

// TeamTemplate suggests defaults for a new team.
type TeamTemplate struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	HealthPack  string `json:"healthPack"`
	// RetroTemplate is the default retro template for the team's retros.
	RetroTemplate string `json:"retroTemplate"`
}

// Dimension is a cross-pack key for health-check questions. The set is kept
// small so that a heat map of teams by dimension stays readable.
type Dimension struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

// Catalog is the whole catalogue, loaded and validated. Treat it as
// read-only: the accessors hand out copies, but the exported slices are the
// catalogue's own.
type Catalog struct {
	RetroTemplates []RetroTemplate
	HealthPacks    []HealthPack
	Icebreakers    []Icebreaker
	CheckIns       []CheckIn
	TeamTemplates  []TeamTemplate
	// Dimensions are the declared question dimensions, in display order.
	Dimensions []Dimension

	retroByID map[string]*RetroTemplate
	packByID  map[string]*HealthPack
	iceByID   map[string]*Icebreaker
	teamByID  map[string]*TeamTemplate
	qByID     map[string]*Question
	dimByID   map[string]*Dimension
	// qPack maps a question ID to the ID of the pack that holds it.
	qPack map[string]string
}
