package documents

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/text/unicode/runenames"

	"github.com/hindsight-retro/hindsight/domain/retro"
)

// Page layout of the PDF summary, in millimetres on A4.
const (
	pdfMargin   = 18.0
	pdfLine     = 5.5
	pdfFont     = "go"
	chartLabelW = 70.0 // the question's column beside the bars
	chartBarH   = 6.0
)

// ChartColor is the fill of the health chart's bars, so a reader of the
// rendered page can tell them from text.
var ChartColor = [3]int{38, 110, 190}

// writePDF lays the summary out on A4 pages with the health check as a bar
// chart: one bar per question, its length the average on the question's
// scale. The Go fonts are embedded, so any script they cover prints as
// written; the document's dates are fixed by the retro, not the clock, so
// the same view gives the same bytes.
func writePDF(w io.Writer, r Retro) error {
	v := r.View
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCreationDate(time.Unix(0, 0).UTC())
	pdf.SetModificationDate(time.Unix(0, 0).UTC())
	pdf.SetCatalogSort(true)
	pdf.AddUTF8FontFromBytes(pdfFont, "", goregular.TTF)
	pdf.AddUTF8FontFromBytes(pdfFont, "B", gobold.TTF)
	pdf.SetTitle(pdfText(v.Title), true)
	pdf.SetCreator("Hindsight", true)
	pdf.SetMargins(pdfMargin, pdfMargin, pdfMargin)
	pdf.SetAutoPageBreak(true, pdfMargin)
	pdf.AddPage()
	width, _ := pdf.GetPageSize()
	textW := width - 2*pdfMargin

	heading := func(size float64, s string) {
		pdf.Ln(2)
		pdf.SetFont(pdfFont, "B", size)
		pdf.MultiCell(textW, size*0.5, pdfText(s), "", "L", false)
		pdf.Ln(1)
		pdf.SetFont(pdfFont, "", 10)
	}
	line := func(s string) { pdf.MultiCell(textW, pdfLine, pdfText(s), "", "L", false) }
	item := func(s string) {
		pdf.SetX(pdfMargin + 4)
		pdf.MultiCell(textW-4, pdfLine, pdfText("• "+s), "", "L", false)
	}

	heading(18, v.Title)
	line(summaryLine(r))
	if len(v.Participants) > 0 {
		heading(13, "Participants")
		for _, p := range v.Participants {
			item(fmt.Sprintf("%s (%s)", r.person(p.UserID), p.Role))
		}
	}
	if ib := v.Icebreaker; ib != nil {
		heading(13, "Icebreaker: "+ib.Text)
		for _, a := range ib.Answers {
			item(a.Text + plainByline(r, a.Author))
		}
	}
	if len(v.ActionReview) > 0 {
		heading(13, "Review of earlier actions")
		for _, a := range v.ActionReview {
			item(a.Title + ": " + outcome(a.Outcome))
			for _, c := range a.Comments {
				pdf.SetX(pdfMargin + 10)
				pdf.MultiCell(textW-10, pdfLine, pdfText("– "+c.Text+plainByline(r, c.Author)), "", "L", false)
			}
		}
	}
	if h := v.Health; h != nil {
		heading(13, "Health check")
		healthChart(pdf, h, textW)
	}
	heading(13, "Board")
	for _, c := range v.Columns {
		pdf.SetFont(pdfFont, "B", 11)
		line(c.Title)
		pdf.SetFont(pdfFont, "", 10)
		if len(c.Cards) == 0 {
			item("No cards.")
		}
		for _, card := range c.Cards {
			item(cardText(card) + votes(card.Votes) + plainByline(r, card.Author))
		}
	}
	if len(v.Topics) > 0 {
		heading(13, "Topics by votes")
		for i, t := range v.Topics {
			item(fmt.Sprintf("%d. %s%s", i+1, topicTitle(t), votes(t.Votes)))
		}
	}
	heading(13, "Actions")
	if len(v.Actions) == 0 {
		item("No actions.")
	}
	for _, a := range v.Actions {
		item(a.Title + actionDetail(r, a))
	}
	heading(13, "Return on time invested")
	line(rotiLine(v.Roti))
	return pdf.Output(w)
}

// healthChart draws one labelled bar per question, the bar's length its
// average on the question's scale; a question without a shown result gets
// its reason in words instead of a bar.
func healthChart(pdf *fpdf.Fpdf, h *retro.HealthView, textW float64) {
	barW := textW - chartLabelW - 22
	for _, q := range h.Questions {
		top := pdf.GetY()
		if top+chartBarH+4 > 297-pdfMargin {
			pdf.AddPage()
			top = pdf.GetY()
		}
		pdf.SetXY(pdfMargin, top)
		pdf.MultiCell(chartLabelW, pdfLine*0.8, pdfText(q.Text), "", "L", false)
		bottom := pdf.GetY()
		x := pdfMargin + chartLabelW + 2
		if res := q.Result; res != nil && !res.Withheld && res.Average != nil {
			lo, hi := 1.0, 5.0
			if q.Scale == "0-10" {
				lo, hi = 0, 10
			}
			frac := (*res.Average - lo) / (hi - lo)
			frac = min(max(frac, 0.02), 1)
			pdf.SetDrawColor(200, 200, 200)
			pdf.Rect(x, top, barW, chartBarH, "D")
			pdf.SetFillColor(ChartColor[0], ChartColor[1], ChartColor[2])
			pdf.Rect(x, top, barW*frac, chartBarH, "F")
			pdf.SetXY(x+barW+2, top)
			pdf.CellFormat(20, chartBarH, fmt.Sprintf("%.1f/%s", *res.Average, scaleMax(q)), "", 0, "L", false, 0, "")
		} else {
			pdf.SetXY(x, top)
			pdf.MultiCell(barW+20, pdfLine*0.8, pdfText(healthLine(q)), "", "L", false)
		}
		pdf.SetY(max(bottom, pdf.GetY(), top+chartBarH) + 2)
	}
	pdf.SetX(pdfMargin)
}

// pdfText is text as the PDF can show it: valid UTF-8 (fpdf indexes past
// the end of a broken sequence), each character the embedded Go fonts
// draw as written, and every other one (emoji, which fpdf cannot take at
// all outside the Basic Multilingual Plane, and scripts the Go fonts lack)
// as its Unicode name in brackets, "[party popper]" (or its code point,
// "[U+6F22]", where Unicode names only its range), so a reader sees what
// was meant instead of an empty box or a replacement character. Joiners,
// variation selectors and skin tones, which only shape the emoji before
// them, are dropped; a pair of regional indicators is a flag, "[flag DE]".
func pdfText(s string) string {
	runes := []rune(strings.ToValidUTF8(s, "\uFFFD"))
	var b strings.Builder
	for i := 0; i < len(runes); i++ {
		r := runes[i]
		switch {
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case unicode.IsControl(r) || emojiShaping(r):
		case isRegional(r) && i+1 < len(runes) && isRegional(runes[i+1]):
			b.WriteString("[flag " + string('A'+r-0x1F1E6) + string('A'+runes[i+1]-0x1F1E6) + "]")
			i++
		case r <= 0xFFFF && goGlyphs.has(r):
			b.WriteRune(r)
		default:
			// Ranges such as the CJK ideographs are named only as a
			// range ("<CJK Ideograph>"): their code point says more.
			name := strings.ToLower(runenames.Name(r))
			if name == "" || strings.HasPrefix(name, "<") {
				name = fmt.Sprintf("U+%04X", r)
			}
			b.WriteString("[" + name + "]")
		}
	}
	return b.String()
}

// emojiShaping: a zero-width joiner, a variation selector, a skin-tone
// modifier or a tag character.
func emojiShaping(r rune) bool {
	return r == 0x200D || (r >= 0xFE00 && r <= 0xFE0F) || (r >= 0x1F3FB && r <= 0x1F3FF) || (r >= 0xE0020 && r <= 0xE007F)
}

func isRegional(r rune) bool { return r >= 0x1F1E6 && r <= 0x1F1FF }

// glyphSet is which runes a font draws.
type glyphSet struct{ font *sfnt.Font }

// goGlyphs are the runes of the embedded Go font (regular and bold cover
// the same). It is read once: the font is a constant of the binary.
var goGlyphs = func() glyphSet {
	f, err := sfnt.Parse(goregular.TTF)
	if err != nil {
		panic(fmt.Sprintf("documents: the embedded Go font does not parse: %v", err))
	}
	return glyphSet{font: f}
}()

func (g glyphSet) has(r rune) bool {
	var buf sfnt.Buffer
	i, err := g.font.GlyphIndex(&buf, r)
	return err == nil && i != 0
}

func plainByline(r Retro, author string) string {
	if author == "" {
		return ""
	}
	return " — " + r.person(author)
}
