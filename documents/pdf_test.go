package documents

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// pdfToText renders a PDF to text with pdftotext (Debian's poppler-utils,
// which .ci/run installs), every run of white space made one space.
func pdfToText(t *testing.T, pdf []byte) string {
	t.Helper()
	in := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", in, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

func TestEmojiInThePDFReadAsTheirNamesNeverAsGarbage(t *testing.T) {
	var buf bytes.Buffer
	card := "Ship it 🚀🎉 ✅ 👍🏽 🇩🇪 ❤️ 👩‍💻 café Ελληνικά Кириллица 漢"
	if err := writePDF(&buf, oneCard(card)); err != nil {
		t.Fatal(err)
	}
	text := pdfToText(t, buf.Bytes())
	for _, want := range []string{"Ship it [rocket][party popper] [white heavy check mark] [thumbs up sign] [flag DE] [heavy black heart]",
		"[woman][personal computer]", "café Ελληνικά Кириллица [U+6F22]"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text lacks %q:\n%s", want, text)
		}
	}
	if strings.ContainsRune(text, '\uFFFD') || strings.Contains(text, "??") {
		t.Errorf("the PDF shows replacement characters:\n%s", text)
	}
}
