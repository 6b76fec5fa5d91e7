package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	texttemplate "text/template"

	"github.com/hindsight-retro/hindsight/documents"
)

//go:embed templates
var templateFS embed.FS

// Templates are the parsed mail templates; one set serves every language.
type Templates struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

// ParseTemplates reads the embedded templates.
func ParseTemplates() (*Templates, error) {
	t, err := texttemplate.ParseFS(templateFS, "templates/*.txt.tmpl")
	if err != nil {
		return nil, fmt.Errorf("mail: text templates: %w", err)
	}
	h, err := htmltemplate.ParseFS(templateFS, "templates/*.html.tmpl")
	if err != nil {
		return nil, fmt.Errorf("mail: HTML templates: %w", err)
	}
	return &Templates{text: t, html: h}, nil
}

// Lang is a recipient's language; anything but German reads English.
type Lang string

// The languages mails are written in.
const (
	English Lang = "en"
	German  Lang = "de"
)

// LangOf is the language of a person's mails from the language they chose
// (identity.Profile.Language): English for anything Hindsight does not
// write in.
func LangOf(chosen string) Lang {
	if l := Lang(chosen); l == German {
		return l
	}
	return English
}

// summaryWords are the summary mail's own words per language.
type summaryWords struct {
	Subject, Intro, Open, Unsubscribe string
}

var summaryText = map[Lang]summaryWords{
	English: {Subject: "Summary of the retro", Intro: "The retro has closed. Here is what you saw in it:",
		Open: "Open it in Hindsight", Unsubscribe: "No more summaries by e-mail"},
	German: {Subject: "Zusammenfassung der Retro", Intro: "Die Retro ist beendet. Das hast du in ihr gesehen:",
		Open: "In Hindsight öffnen", Unsubscribe: "Keine Zusammenfassungen mehr per E-Mail"},
}

// Summary composes the summary of a closed retro for one reader: doc is
// that reader's own view (app.RetroSummaryFor), rendered as the Markdown
// document the reader could download, so the mail holds nothing more.
func (t *Templates) Summary(lang Lang, doc documents.Retro, link, unsubscribe string) (subject, text, html string, err error) {
	w, ok := summaryText[lang]
	if !ok {
		lang, w = English, summaryText[English]
	}
	var md bytes.Buffer
	if err := documents.Write(&md, documents.Markdown, doc); err != nil {
		return "", "", "", fmt.Errorf("mail: summary body: %w", err)
	}
	subject = w.Subject + ": " + doc.View.Title
	data := map[string]any{"T": w, "Lang": string(lang), "Title": doc.View.Title, "Body": md.String(),
		"Link": link, "Unsubscribe": unsubscribe, "Subject": subject}
	var tb, hb bytes.Buffer
	if err := t.text.ExecuteTemplate(&tb, "summary.txt.tmpl", data); err != nil {
		return "", "", "", fmt.Errorf("mail: summary text: %w", err)
	}
	if err := t.html.ExecuteTemplate(&hb, "summary.html.tmpl", data); err != nil {
		return "", "", "", fmt.Errorf("mail: summary HTML: %w", err)
	}
	return subject, tb.String(), hb.String(), nil
}
