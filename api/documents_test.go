package api_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"image/png"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/api"
	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/documents"
)

// summaryFixture is a closed retro of Mod's team with Bea and Cid: cards in
// a revealed column, a card of Bea's in a column never revealed, a card of
// Bea's the moderator hid, votes, a health check all three answered, and an
// action for Bea. plain is a closed retro of the same team with nothing in it.
type summaryFixture struct {
	h                  *harness
	mod, bea, cid, out user
	team, retro, plain string
	question           string // the health check's first question
}

// Texts written in the fixture's retro.
const (
	shownBea   = "Standups ran long"
	shownCid   = "Pairing helped a lot"
	keptBea    = "My draft nobody saw"
	hiddenBea  = "A remark the moderator hid"
	formulaCid = `=HYPERLINK("http://evil.example","click")`
	linkCid    = "[click me](http://evil.example) <b>bold</b>"
	actionText = "Timebox the standup"
)

func newSummaryFixture(t *testing.T, anonymous bool) *summaryFixture {
	t.Helper()
	return newSummaryFixtureWith(t, anonymous)
}

func newSummaryFixtureWith(t *testing.T, anonymous bool, opts ...option) *summaryFixture {
	t.Helper()
	h := newHarness(t, opts...)
	f := &summaryFixture{h: h, mod: h.user("Mod"), bea: h.user("Bea"), cid: h.user("Cid"), out: h.user("Out")}
	_, f.team = h.team(f.mod)
	for _, u := range []user{f.bea, f.cid} {
		h.must(http.StatusOK, req{method: "POST", path: "/v1/teams/" + f.team + "/members", token: f.mod.token, body: api.UserRequest{UserID: u.id}})
	}
	f.retro = h.must(http.StatusCreated, req{method: "POST", path: "/v1/teams/" + f.team + "/retros", token: f.mod.token,
		body: api.CreateRetroRequest{Title: "Sprint 7 review", Anonymous: anonymous}}).str("id")
	for _, u := range []user{f.bea, f.cid} {
		h.must(http.StatusOK, req{method: "POST", path: f.path("/join"), token: u.token})
	}
	v := h.must(http.StatusOK, req{method: "GET", path: f.path(""), token: f.mod.token})
	cols, _ := v.body["columns"].([]any)
	if len(cols) < 2 {
		t.Fatalf("the retro has %d columns, the fixture needs two: %s", len(cols), v.raw)
	}
	open, kept := cols[0].(map[string]any)["id"].(string), cols[1].(map[string]any)["id"].(string)
	card := func(u user, col, text string) string {
		return h.must(http.StatusCreated, req{method: "POST", path: f.path("/cards"), token: u.token,
			body: api.AddCardRequest{ColumnID: col, Text: text}}).str("id")
	}
	card(f.bea, open, shownBea)
	voted := card(f.cid, open, shownCid)
	card(f.cid, open, formulaCid)
	card(f.cid, open, linkCid)
	hid := card(f.bea, open, hiddenBea)
	card(f.bea, kept, keptBea)
	h.must(http.StatusOK, req{method: "POST", path: f.path("/columns/" + open + "/reveal"), token: f.mod.token})
	h.must(http.StatusOK, req{method: "POST", path: f.path("/cards/" + hid + "/hide"), token: f.mod.token})
	h.must(http.StatusCreated, req{method: "POST", path: f.path("/voting"), token: f.mod.token, body: api.StartVotingRequest{Budget: 3}})
	for range 2 {
		h.must(http.StatusOK, req{method: "POST", path: f.path("/votes"), token: f.bea.token, body: api.TopicRequest{TopicID: voted}})
	}
	h.must(http.StatusOK, req{method: "POST", path: f.path("/voting/close"), token: f.mod.token})

	h.must(http.StatusOK, req{method: "POST", path: f.path("/steps/health-check/go"), token: f.mod.token})
	v = h.must(http.StatusOK, req{method: "GET", path: f.path(""), token: f.mod.token})
	qs, _ := v.body["health"].(map[string]any)["questions"].([]any)
	if len(qs) == 0 {
		t.Fatalf("the health check has no questions: %s", v.raw)
	}
	f.question = qs[0].(map[string]any)["text"].(string)
	for i, u := range []user{f.mod, f.bea, f.cid} {
		for _, q := range qs {
			q := q.(map[string]any)
			score := 2 + i
			if strings.Contains(q["scale"].(string), "10") {
				score = 6 + i
			}
			h.must(http.StatusOK, req{method: "POST", path: f.path("/health/answers"), token: u.token,
				body: api.HealthAnswerRequest{QuestionID: q["id"].(string), Score: score}})
		}
	}
	h.must(http.StatusOK, req{method: "POST", path: f.path("/health/reveal"), token: f.mod.token})
	due := time.Date(2030, 1, 15, 0, 0, 0, 0, time.UTC)
	h.must(http.StatusCreated, req{method: "POST", path: f.path("/actions"), token: f.mod.token,
		body: api.CreateActionRequest{Title: actionText, Assignee: f.bea.id, Due: &due}})
	h.must(http.StatusOK, req{method: "POST", path: f.path("/close"), token: f.mod.token})

	f.plain = h.must(http.StatusCreated, req{method: "POST", path: "/v1/teams/" + f.team + "/retros", token: f.mod.token,
		body: api.CreateRetroRequest{Title: "Quiet sprint"}}).str("id")
	h.must(http.StatusOK, req{method: "POST", path: "/v1/retros/" + f.plain + "/close", token: f.mod.token})
	return f
}

// questionStart is the first words of the health question, which a PDF
// line holds whatever its wrapping.
func (f *summaryFixture) questionStart() string {
	words := strings.Fields(f.question)
	return strings.Join(words[:min(3, len(words))], " ")
}

func (f *summaryFixture) path(p string) string { return "/v1/retros/" + f.retro + p }

// summary downloads the retro's summary in format fm as u and returns it
// as text (a PDF through pdftotext).
func (f *summaryFixture) summary(u user, fm documents.Format) string {
	f.h.t.Helper()
	res := f.h.must(http.StatusOK, req{method: "GET", path: f.path("/summary." + string(fm)), token: u.token})
	if got := res.header.Get("Content-Type"); got != fm.ContentType() {
		f.h.t.Errorf("summary.%s answered Content-Type %q, want %q", fm, got, fm.ContentType())
	}
	if cd := res.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, ".") {
		f.h.t.Errorf("summary.%s answered Content-Disposition %q, want an attachment with a file name", fm, cd)
	}
	if fm == documents.PDF {
		return pdfText(f.h.t, res.raw)
	}
	return string(res.raw)
}

// pdfText is the PDF's text as poppler's pdftotext reads it.
func pdfText(t testing.TB, pdf []byte) string {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "doc.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", in, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext (Debian's poppler-utils; .ci/run installs it): %v\n%s", err, out)
	}
	return string(out)
}

// lineWith is the line of text holding s, "" if none.
func lineWith(text, s string) string {
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

func TestAClosedRetrosSummaryShowsEachReaderOnlyTheirOwnView(t *testing.T) {
	f := newSummaryFixture(t, false)
	for _, fm := range []documents.Format{documents.Markdown, documents.PDF, documents.CSV} {
		for _, u := range []user{f.mod, f.bea, f.cid} {
			name := map[string]string{f.mod.id: "Mod", f.bea.id: "Bea", f.cid.id: "Cid"}[u.id]
			text := f.summary(u, fm)
			for _, want := range []string{"Sprint 7 review", shownBea, shownCid, actionText} {
				if fm == documents.CSV && want == "Sprint 7 review" {
					continue // its rows are cards, topics and actions
				}
				if !strings.Contains(text, want) {
					t.Errorf("%s's %s summary lacks %q:\n%s", name, fm, want, text)
				}
			}
			// Bea's own concealed and hidden cards are hers alone.
			for _, own := range []string{keptBea, hiddenBea} {
				if got := strings.Contains(text, own); got != (u.id == f.bea.id) {
					t.Errorf("%s's %s summary shows Bea's %q: %v, want %v", name, fm, own, got, u.id == f.bea.id)
				}
			}
			// and her document says so, lest she paste it where others read.
			if l := lineWith(text, hiddenBea); u.id == f.bea.id && !strings.Contains(l, "only you see it") {
				t.Errorf("Bea's %s summary does not mark her hidden card as hers alone: %q", fm, l)
			}
			// A named retro names its authors to the team's members.
			if l := lineWith(text, shownCid); !strings.Contains(l, "Cid") {
				t.Errorf("%s's %s summary: %q does not name its author Cid", name, fm, l)
			}
			if fm != documents.CSV {
				if l := lineWith(text, actionText); !strings.Contains(l, actionText+" (Bea, due 2030-01-15)") {
					t.Errorf("%s's %s summary: the action reads %q, want its assignee and due date", name, fm, l)
				}
				if l := lineWith(text, f.questionStart()); !strings.Contains(l, "/5") && !strings.Contains(l, "average") && !strings.Contains(l, "/10") {
					t.Errorf("%s's %s summary shows no result for %q: %q", name, fm, f.question, l)
				}
			}
		}
	}
	res := f.h.do(req{method: "GET", path: f.path("/summary.md"), token: f.out.token})
	if res.status != http.StatusNotFound || res.problemType() == "" {
		t.Errorf("someone outside the team read the summary: %d %s", res.status, res.raw)
	}
}

func TestAnAnonymousRetrosSummaryLinksNobodyToWhatTheyWrote(t *testing.T) {
	f := newSummaryFixture(t, true)
	people := []user{f.mod, f.bea, f.cid}
	for _, fm := range documents.Formats {
		for _, u := range people {
			text := f.summary(u, fm)
			if strings.Contains(text, "anon:") {
				t.Errorf("a pseudonym in a %s summary", fm)
			}
			// The key is gone once the retro closed: nobody's view holds
			// anything as theirs, so Bea's concealed and hidden cards are
			// nobody's to read, hers included.
			for _, gone := range []string{keptBea, hiddenBea} {
				if strings.Contains(text, gone) {
					t.Errorf("a %s summary of the closed anonymous retro shows %q", fm, gone)
				}
			}
			if fm == documents.JSON {
				var doc documents.JSONSummary
				if err := json.Unmarshal([]byte(text), &doc); err != nil {
					t.Fatalf("the JSON summary does not decode: %v", err)
				}
				for _, c := range doc.Retro.Columns {
					for _, card := range c.Cards {
						if card.Author != "" || card.Mine {
							t.Errorf("the JSON summary ties card %q to someone: author %q, mine %v", card.Text, card.Author, card.Mine)
						}
					}
				}
				continue
			}
			for _, written := range []string{shownBea, shownCid} {
				l := lineWith(text, written)
				if l == "" {
					t.Errorf("the %s summary lacks %q", fm, written)
				}
				for _, p := range people {
					for _, trace := range []string{p.id, p.id[:8], "Mod", "Bea", "Cid"} {
						if strings.Contains(l, trace) {
							t.Errorf("the %s summary's line %q names someone (%q)", fm, l, trace)
						}
					}
				}
			}
		}
	}
}

func TestARunningRetroHasNoSummaryYet(t *testing.T) {
	h := newHarness(t)
	f := newRetro(t, h)
	for _, fm := range documents.Formats {
		res := h.do(req{method: "GET", path: "/v1/retros/" + f.retro + "/summary." + string(fm), token: f.mod.token})
		if res.status != http.StatusConflict || res.str("code") != "retro-not-closed" {
			t.Errorf("summary.%s of a running retro = %d %s, want 409 retro-not-closed", fm, res.status, res.raw)
		}
	}
}

func TestWhatPeopleWroteCannotBecomeMarkupOrAFormula(t *testing.T) {
	f := newSummaryFixture(t, false)
	md := f.summary(f.mod, documents.Markdown)
	for _, raw := range []string{"[click me](", "<b>"} {
		if strings.Contains(md, raw) {
			t.Errorf("the Markdown summary carries %q unescaped:\n%s", raw, md)
		}
	}
	if !strings.Contains(md, `\[click me\](http://evil.example) &lt;b&gt;bold&lt;/b&gt;`) {
		t.Errorf("the Markdown summary does not show the link card as text:\n%s", md)
	}
	rows, err := csv.NewReader(strings.NewReader(f.summary(f.mod, documents.CSV))).ReadAll()
	if err != nil {
		t.Fatalf("the CSV summary does not parse: %v", err)
	}
	found := false
	for _, row := range rows {
		for _, cell := range row {
			if strings.Contains(cell, "HYPERLINK") {
				found = true
				if cell != "'"+formulaCid {
					t.Errorf("a cell holding a formula is %q, want it as text behind an apostrophe", cell)
				}
			}
		}
	}
	if !found {
		t.Errorf("the CSV summary lacks the card that looks like a formula")
	}
}

func TestTheRetroPDFHasItsTextAndDrawsTheHealthChart(t *testing.T) {
	f := newSummaryFixture(t, false)
	pdf := f.h.must(http.StatusOK, req{method: "GET", path: f.path("/summary.pdf"), token: f.cid.token}).raw
	text := pdfText(t, pdf)
	for _, want := range []string{"Sprint 7 review", "Health check", f.questionStart(), shownBea, actionText, "Return on time invested"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text lacks %q:\n%s", want, text)
		}
	}
	if n := chartPixels(t, pdf); n < 500 {
		t.Errorf("the PDF's first page has %d pixels of the chart's colour, want the health check's bars", n)
	}
	plain := f.h.must(http.StatusOK, req{method: "GET", path: "/v1/retros/" + f.plain + "/summary.pdf", token: f.cid.token}).raw
	if n := chartPixels(t, plain); n != 0 {
		t.Errorf("a retro without a health check has %d pixels of the chart's colour, want none", n)
	}
}

// chartPixels renders the PDF's first page with poppler's pdftoppm and
// counts the pixels of the health chart's bar colour.
func chartPixels(t *testing.T, pdf []byte) int {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "doc.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", in, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm (Debian's poppler-utils; .ci/run installs it): %v\n%s", err, out)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "page.png"))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("pdftoppm's page does not decode: %v", err)
	}
	near := func(a uint32, b int) bool { d := int(a>>8) - b; return d > -12 && d < 12 }
	n := 0
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if near(r, documents.ChartColor[0]) && near(g, documents.ChartColor[1]) && near(b, documents.ChartColor[2]) {
				n++
			}
		}
	}
	return n
}

func TestTheTeamsActionsDownloadAsCSV(t *testing.T) {
	f := newSummaryFixture(t, false)
	res := f.h.must(http.StatusOK, req{method: "GET", path: "/v1/teams/" + f.team + "/actions.csv", token: f.cid.token})
	rows, err := csv.NewReader(bytes.NewReader(res.raw)).ReadAll()
	if err != nil {
		t.Fatalf("the actions CSV does not parse: %v\n%s", err, res.raw)
	}
	if len(rows) != 2 || rows[0][1] != "title" {
		t.Fatalf("the actions CSV = %q, want a header and the retro's action", rows)
	}
	got := map[string]string{}
	for i, h := range rows[0] {
		got[h] = rows[1][i]
	}
	if got["title"] != actionText || got["assignee"] != "Bea" || got["due"] != "2030-01-15" || got["status"] != "open" || got["originRetroId"] != f.retro {
		t.Errorf("the action's row = %v, want %q for Bea, due 2030-01-15, open, from the retro", got, actionText)
	}
	if res := f.h.do(req{method: "GET", path: "/v1/teams/" + f.team + "/actions.csv", token: f.out.token}); res.status < 400 || res.problemType() == "" {
		t.Errorf("someone outside the team read its actions: %d %s", res.status, res.raw)
	}
}

// The summary mail will render each recipient's document without a request
// from them: app.RetroSummaryFor must give exactly what that person
// downloads, and nothing for someone outside the retro.
func TestASummaryRenderedForSomeoneIsTheOneTheyDownload(t *testing.T) {
	var a *app.App
	f := newSummaryFixtureWith(t, false, func(d *api.Deps) { a = d.App })
	for _, u := range []user{f.mod, f.bea, f.cid} {
		doc, err := a.RetroSummaryFor(context.Background(), f.retro, u.id)
		if err != nil {
			t.Fatalf("summary for %s: %v", u.id, err)
		}
		var rendered bytes.Buffer
		if err := documents.Write(&rendered, documents.Markdown, doc); err != nil {
			t.Fatal(err)
		}
		if got := f.summary(u, documents.Markdown); got != rendered.String() {
			t.Errorf("the summary rendered for %s differs from their download:\n%s\n---\n%s", u.id, rendered.String(), got)
		}
	}
	if _, err := a.RetroSummaryFor(context.Background(), f.retro, f.out.id); err == nil {
		t.Errorf("a summary was rendered for someone outside the team")
	}
}
