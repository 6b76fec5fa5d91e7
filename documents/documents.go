// Package documents renders what one person may see of a retro as files a
// person keeps: Markdown, PDF, CSV and JSON, and a team's actions as CSV.
//
// Every renderer takes a retro.RetroView, the per-viewer view the API
// serves, never a state or events: concealed text, anonymous authors and
// open votes are decided there, once, and a document can show no more than
// the view it is given. Whoever renders for someone (a download, a share
// link, a summary mail) builds that person's view first.
package documents

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/hindsight-retro/hindsight/domain/retro"
)

// Format is a kind of document.
type Format string

// The formats of a retro summary.
const (
	Markdown Format = "md"
	PDF      Format = "pdf"
	CSV      Format = "csv"
	JSON     Format = "json"
)

// Formats are the retro summary's formats, in the order the API lists them.
var Formats = []Format{Markdown, PDF, CSV, JSON}

// ParseFormat reads a format name; ok is false for an unknown one.
func ParseFormat(s string) (Format, bool) {
	f := Format(s)
	return f, slices.Contains(Formats, f)
}

// ContentType is the media type a format is served as.
func (f Format) ContentType() string {
	switch f {
	case Markdown:
		return "text/markdown; charset=utf-8"
	case PDF:
		return "application/pdf"
	case CSV:
		return "text/csv; charset=utf-8"
	default:
		return "application/json"
	}
}

// Retro is a retro summary's content: one viewer's view of the retro and
// the display names of people that viewer may know by name. A user ID
// missing from Names is shown as a short form of the ID.
type Retro struct {
	View  retro.RetroView
	Names map[string]string
}

// Write renders the summary in format f.
func Write(w io.Writer, f Format, r Retro) error {
	var err error
	switch f {
	case Markdown:
		err = writeMarkdown(w, r)
	case PDF:
		err = writePDF(w, r)
	case CSV:
		err = writeCSV(w, r)
	case JSON:
		err = writeJSON(w, r)
	default:
		return fmt.Errorf("documents: unknown format %q", f)
	}
	if err != nil {
		return fmt.Errorf("documents: retro %s as %s: %w", r.View.RetroID, f, err)
	}
	return nil
}

// FileName is the name a download of the summary suggests.
func FileName(r retro.RetroView, f Format) string {
	var b strings.Builder
	for _, c := range strings.ToLower(r.Title) {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b.WriteRune(c)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	name := strings.Trim(b.String(), "-")
	if name == "" {
		name = "retro"
	}
	return "retro-" + name + "." + string(f)
}

// person is how a document names someone: their name if the viewer may
// know it, else the first part of their ID.
func (r Retro) person(userID string) string {
	if userID == "" {
		return ""
	}
	if n := r.Names[userID]; n != "" {
		return n
	}
	if i := strings.IndexByte(userID, '-'); i > 0 {
		return "user " + userID[:i]
	}
	return "user " + userID
}

// cardText is a card as a document shows it: its text, or why it has none.
func cardText(c retro.CardView) string {
	switch {
	case c.Text != "" && c.Hidden:
		return c.Text + " (hidden by the moderator: only you see it)"
	case c.Text != "" && c.Concealed:
		return c.Text + " (never revealed: only you see it)"
	case c.Text != "":
		return c.Text
	case c.Hidden:
		return "(hidden by the moderator)"
	default:
		return "(concealed)"
	}
}

// topicTitle names a topic: its group's name or its card's text.
func topicTitle(t retro.TopicView) string {
	switch {
	case t.Hidden:
		return "(hidden by the moderator)"
	case t.Title != "":
		return t.Title
	case t.Kind == "group":
		return "(unnamed group)"
	default:
		return "(untitled)"
	}
}

// healthLine says one question's result in words.
func healthLine(q retro.HealthQuestionView) string {
	switch r := q.Result; {
	case r == nil:
		return fmt.Sprintf("not revealed (%d answers)", q.Respondents)
	case r.Withheld:
		return fmt.Sprintf("%d answers: too few to show more", r.Count)
	default:
		s := fmt.Sprintf("average %.1f of %s from %d answers", deref(r.Average), scaleMax(q), r.Count)
		if r.ENPS != nil {
			s += fmt.Sprintf(", eNPS %+.0f", *r.ENPS)
		}
		return s
	}
}

func scaleMax(q retro.HealthQuestionView) string {
	if i := strings.IndexByte(string(q.Scale), '-'); i >= 0 {
		return string(q.Scale)[i+1:]
	}
	return string(q.Scale)
}

func deref(f *float64) float64 {
	if f == nil {
		return 0
	}
	return *f
}

// rotiLine says the ROTI result in words.
func rotiLine(v retro.RotiView) string {
	switch r := v.Result; {
	case r == nil:
		return fmt.Sprintf("%d of %d rated; not shown", v.Ratings, v.Participants)
	case r.Count == 0:
		return "nobody rated"
	case r.Withheld:
		return fmt.Sprintf("%d ratings: too few to show more", r.Count)
	default:
		return fmt.Sprintf("average %.1f on %s from %d ratings", deref(r.Average), v.Scale, r.Count)
	}
}
