package api_test

import (
	"bytes"
	"image"
	"image/png"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/hindsight-retro/hindsight/api"
)

// scanQR reads a QR code from an image with ZXing's decoder (gozxing), an
// implementation apart from the one that drew it. Its camera path (finding
// the code in a photo) misreads about 1 clean code in 200 (checked: the same
// images decode as pure barcodes), so a code it cannot find is read again
// as what it is, a clean generated image; a code that is wrong fails both.
func scanQR(t *testing.T, img image.Image) string {
	t.Helper()
	var errs []error
	for _, hints := range []map[gozxing.DecodeHintType]interface{}{nil, {gozxing.DecodeHintType_PURE_BARCODE: true}} {
		bmp, err := gozxing.NewBinaryBitmapFromImage(img)
		if err != nil {
			t.Fatal(err)
		}
		res, err := qrcode.NewQRCodeReader().Decode(bmp, hints)
		if err == nil {
			return res.GetText()
		}
		errs = append(errs, err)
	}
	t.Fatalf("the image holds no QR code ZXing can read: %v", errs)
	return ""
}

// rasterize renders an SVG to PNG with librsvg's rsvg-convert (Debian's
// librsvg2-bin; .ci/run installs it), as a browser or a slide tool would.
func rasterize(t *testing.T, svg []byte) image.Image {
	t.Helper()
	dir := t.TempDir()
	in, out := filepath.Join(dir, "qr.svg"), filepath.Join(dir, "qr.png")
	if err := os.WriteFile(in, svg, 0o600); err != nil {
		t.Fatal(err)
	}
	if msg, err := exec.Command("rsvg-convert", "-b", "white", "-o", out, in).CombinedOutput(); err != nil {
		t.Fatalf("rsvg-convert: %v\n%s", err, msg)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func TestAnInvitesJoinLinkScansBackFromItsQRCodeInPNGAndSVG(t *testing.T) {
	h := newHarness(t)
	f := newRetro(t, h)
	code := h.must(http.StatusCreated, req{method: "POST", path: "/v1/retros/" + f.retro + "/invites", token: f.mod.token,
		body: api.InviteRequest{}}).str("code")
	want := h.srv.URL + "/join/" + code

	res := h.must(http.StatusOK, req{method: "GET", path: "/v1/invites/" + code + "/qr.png"})
	if ct := res.header.Get("Content-Type"); ct != "image/png" {
		t.Errorf("qr.png answered %q", ct)
	}
	img, err := png.Decode(bytes.NewReader(res.raw))
	if err != nil {
		t.Fatalf("qr.png is no PNG: %v", err)
	}
	if got := scanQR(t, img); got != want {
		t.Errorf("the PNG scans as %q, want %q", got, want)
	}

	res = h.must(http.StatusOK, req{method: "GET", path: "/v1/invites/" + code + "/qr.svg"})
	if ct := res.header.Get("Content-Type"); ct != "image/svg+xml" || !bytes.Contains(res.raw, []byte("<svg")) {
		t.Errorf("qr.svg answered %q: %.100s", ct, res.raw)
	}
	if got := scanQR(t, rasterize(t, res.raw)); got != want {
		t.Errorf("the SVG scans as %q, want %q", got, want)
	}

	// Behind a proxy that ended TLS, the link is https.
	res = h.must(http.StatusOK, req{method: "GET", path: "/v1/invites/" + code + "/qr.png", header: map[string]string{"X-Forwarded-Proto": "https"}})
	img, _ = png.Decode(bytes.NewReader(res.raw))
	if got := scanQR(t, img); got != strings.Replace(want, "http://", "https://", 1) {
		t.Errorf("behind TLS the PNG scans as %q", got)
	}
}

func TestSomethingThatIsNoInviteCodeGetsNoQRCode(t *testing.T) {
	h := newHarness(t)
	for _, code := range []string{"short", strings.Repeat("a", 21) + "!", strings.Repeat("a", 200)} {
		res := h.do(req{method: "GET", path: "/v1/invites/" + code + "/qr.svg"})
		if res.status != http.StatusNotFound || res.problemType() == "" {
			t.Errorf("code %q = %d %s, want a 404 problem", code, res.status, res.raw)
		}
	}
}
