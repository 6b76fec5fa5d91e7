package domain_test

import (
	"strings"
	"testing"

	"github.com/hindsight-retro/hindsight/domain"
)

type ev interface{ EventType() string }

type noted struct {
	Text string `json:"text"`
}

func (noted) EventType() string { return "Noted" }

// renamed was written as v1 with "body" and is now v2 with "text".
type renamed struct {
	Text string `json:"text"`
}

func (renamed) EventType() string { return "Renamed" }

func testCodec() domain.Codec[ev] {
	return domain.Codec[ev]{Aggregate: "test", Lookup: func(typ string) (domain.Schema[ev], bool) {
		switch typ {
		case "Noted":
			return domain.Current[ev, noted](1), true
		case "Renamed":
			return domain.Upcast[ev, renamed](2, func(_ int, p []byte) (ev, error) {
				return renamed{Text: strings.TrimSuffix(strings.TrimPrefix(string(p), `{"body":"`), `"}`)}, nil
			}), true
		}
		return domain.Schema[ev]{}, false
	}}
}

func TestCodecRoundTripsAndUpcasts(t *testing.T) {
	c := testCodec()
	typ, v, p, err := c.Encode(noted{Text: "hi"})
	if err != nil || typ != "Noted" || v != 1 || string(p) != `{"text":"hi"}` {
		t.Fatalf("encode = %q v%d %s %v", typ, v, p, err)
	}
	e, err := c.Decode(typ, v, p)
	if err != nil || e != (noted{Text: "hi"}) {
		t.Fatalf("decode = %#v, %v", e, err)
	}
	old, err := c.Decode("Renamed", 1, []byte(`{"body":"then"}`))
	if err != nil || old != (renamed{Text: "then"}) {
		t.Fatalf("upcast v1 = %#v, %v", old, err)
	}
	if typ, v, _, _ := c.Encode(renamed{Text: "now"}); typ != "Renamed" || v != 2 {
		t.Fatalf("renamed encodes as %s v%d, want v2", typ, v)
	}
}

func TestCodecRejectsWhatItDoesNotKnow(t *testing.T) {
	c := testCodec()
	for name, err := range map[string]error{
		"unknown type":   second(c.Decode("Missing", 1, []byte(`{}`))),
		"future version": second(c.Decode("Noted", 3, []byte(`{}`))),
		"bad payload":    second(c.Decode("Noted", 1, []byte(`{"text":`))),
		"nil event":      fourth(c.Encode(nil)),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		} else if !strings.Contains(err.Error(), "test event") {
			t.Errorf("%s: %v does not name the aggregate", name, err)
		}
	}
}

func second[A any](_ A, err error) error { return err }

func fourth(_ string, _ int, _ []byte, err error) error { return err }
