package mailtest

import (
	"bytes"
	"encoding/base64"
	"io"
)

// base64Reader decodes a base64 body, line breaks and all.
func base64Reader(b []byte) io.Reader {
	clean := bytes.Map(func(r rune) rune {
		if r == '\r' || r == '\n' || r == ' ' {
			return -1
		}
		return r
	}, b)
	return base64.NewDecoder(base64.StdEncoding, bytes.NewReader(clean))
}
