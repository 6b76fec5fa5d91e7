package live

import (
	"errors"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/coder/websocket"

	"github.com/hindsight-retro/hindsight/domain"
)

// Whatever a client sends in a frame, the hub either takes a presence
// report from it or refuses it with errClientMsg; it never panics.
func FuzzDecodeClientMsg(f *testing.F) {
	f.Add(true, []byte(`{"type":"presence","typing":true,"done":false}`))
	f.Add(true, []byte(`{"type":"presence"}`))
	f.Add(true, []byte(`{"type":"card","text":"sneaky"}`))
	f.Add(false, []byte{0x82, 0x00, 0xff})
	f.Add(true, []byte(`{"type":"presence","typing":"yes"}`))
	f.Add(true, []byte(`[`))
	f.Fuzz(func(t *testing.T, text bool, data []byte) {
		typ := websocket.MessageBinary
		if text {
			typ = websocket.MessageText
		}
		m, err := decodeClientMsg(typ, data)
		if err != nil {
			if !errors.Is(err, errClientMsg) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if !text || m.Type != "presence" {
			t.Fatalf("accepted %q (text %v) as %+v", data, text, m)
		}
	})
}

// The resume position comes from a query parameter or, on SSE, a header:
// a non-negative integer or a clear refusal (invalid), never a panic.
func FuzzAfterParam(f *testing.F) {
	for _, s := range []string{"", "0", "42", "-1", "18446744073709551616", "1e3", "0x10", " 7"} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, raw string, sse bool) {
		r := httptest.NewRequest("GET", "/v1/retros/r/live", nil)
		q := r.URL.Query()
		q.Set("after", raw)
		r.URL.RawQuery = q.Encode()
		if sse {
			r.Header.Set("Last-Event-ID", raw)
		}
		got, err := afterParam(r, sse)
		want, perr := strconv.ParseUint(raw, 10, 64)
		switch {
		case raw == "":
			if got != nil || err != nil {
				t.Fatalf("empty position gave %v, %v", got, err)
			}
		case perr != nil:
			if domain.KindOf(err) != domain.Invalid {
				t.Fatalf("%q gave %v, %v; want an invalid-request refusal", raw, got, err)
			}
		default:
			if err != nil || got == nil || *got != want {
				t.Fatalf("%q gave %v, %v; want %d", raw, got, err, want)
			}
		}
	})
}
