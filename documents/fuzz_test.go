package documents

import (
	"bytes"
	"encoding/csv"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hindsight-retro/hindsight/domain/retro"
)

// oneCard is a closed retro whose one revealed card and one action say text.
func oneCard(text string) Retro {
	return Retro{View: retro.RetroView{
		RetroID: "r1", Title: text, Closed: true,
		Columns: []retro.ColumnView{{ID: "c1", Title: text, Revealed: true,
			Cards: []retro.CardView{{ID: "k1", ColumnID: "c1", Text: text, Author: "u1"}}}},
		Actions: []retro.ActionView{{ID: "a1", Title: text, Status: retro.ActionOpen}},
	}, Names: map[string]string{"u1": text}}
}

// FuzzWhatPeopleWriteStaysText renders what someone wrote in every format:
// no format fails or panics on it, in Markdown it stays on its line and
// makes no markup, and in CSV it reads back as written (behind an
// apostrophe where it would be a formula).
func FuzzWhatPeopleWriteStaysText(f *testing.F) {
	for _, seed := range []string{"plain", "[x](http://e) <b>", "line\nbreak\r\nagain", "# heading", "1. list", "=1+1",
		"@SUM(A1)", "-2", "\t=x", "`code` *em* _u_ ~s~ |t|", "\\", "\xff\xfe", "Ünïcødé 漢字 😀", "", "&amp;"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		r := oneCard(text)
		for _, fm := range Formats {
			if err := Write(io.Discard, fm, r); err != nil {
				t.Fatalf("%s of %q: %v", fm, text, err)
			}
		}
		esc := md(text)
		if strings.ContainsAny(esc, "\r\n<>") {
			t.Fatalf("md(%q) = %q: a line break or a tag survives", text, esc)
		}
		bare := esc
		for _, c := range "\\`*_[]|~" {
			bare = strings.ReplaceAll(bare, `\`+string(c), "")
		}
		if strings.ContainsAny(bare, "`*_[]|~") {
			t.Fatalf("md(%q) = %q: markup left unescaped", text, esc)
		}
		if text == "" || !utf8.ValidString(text) || strings.ContainsRune(text, '\r') {
			return // a card has text; encoding/csv reads \r\n inside a field as \n
		}
		var buf bytes.Buffer
		if err := writeCSV(&buf, r); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatalf("the CSV of %q does not read back: %v", text, err)
		}
		want := text
		if text != "" && strings.ContainsRune("=+-@\t\r", rune(text[0])) {
			want = "'" + text
		}
		if len(rows) != 3 || rows[1][4] != want || rows[2][4] != want {
			t.Fatalf("the CSV of %q reads back as %q", text, rows)
		}
	})
}
