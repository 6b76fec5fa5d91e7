package documents

import (
	"encoding/json"
	"io"

	"github.com/hindsight-retro/hindsight/domain/retro"
)

// JSONSummary is the JSON summary: the view as the API serves it, and
// the names of the people it mentions that the viewer may know.
type JSONSummary struct {
	Format string            `json:"format"`
	Retro  retro.RetroView   `json:"retro"`
	Names  map[string]string `json:"names"`
}

// jsonFormatName names the JSON summary's shape, for readers that keep files.
const jsonFormatName = "hindsight.retro-summary/v1"

func writeJSON(w io.Writer, r Retro) error {
	names := r.Names
	if names == nil {
		names = map[string]string{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(JSONSummary{Format: jsonFormatName, Retro: r.View, Names: names})
}
