package documents

import (
	"fmt"
	"io"

	qr "github.com/piglig/go-qr"
)

// QR image formats.
const (
	QRPNG Format = "png"
	QRSVG Format = "svg"
)

// QRFormats are the formats a join link's QR code comes in.
var QRFormats = []Format{QRPNG, QRSVG}

// qrScale is pixels per module in the PNG (and user units in the SVG): a
// 33-module code of a typical join link is 330 px with its quiet zone,
// sharp when printed on a slide or scanned from a screen.
const qrScale = 8

// QRContentType is the media type a QR format is served as.
func QRContentType(f Format) string {
	if f == QRSVG {
		return "image/svg+xml"
	}
	return "image/png"
}

// QRCode writes link as a QR code image in format f (png or svg), with
// medium error correction (a smudged print still scans) and the quiet zone
// of four modules the standard asks for.
func QRCode(w io.Writer, f Format, link string) error {
	code, err := qr.EncodeText(link, qr.Medium)
	if err != nil {
		return fmt.Errorf("documents: QR code of a %d-byte link: %w", len(link), err)
	}
	cfg := qr.NewQrCodeImgConfig(qrScale, 4*qrScale)
	switch f {
	case QRPNG:
		err = code.WriteAsPNG(cfg, w)
	case QRSVG:
		err = code.WriteAsSVG(cfg, w)
	default:
		return fmt.Errorf("documents: no QR code as %q", f)
	}
	if err != nil {
		return fmt.Errorf("documents: QR code as %s: %w", f, err)
	}
	return nil
}
