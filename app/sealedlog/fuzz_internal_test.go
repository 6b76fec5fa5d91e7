package sealedlog

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/hindsight-retro/hindsight/app/keys"
	"github.com/hindsight-retro/hindsight/domain/retro"
)

// FuzzOpen feeds stored payloads, as a copied or tampered log could hold
// them, to the decoder every read goes through: it answers or refuses,
// never panics, never leaves the sealed member in what it answers, and
// what seal made opens to what was written.
func FuzzOpen(f *testing.F) {
	key := bytes.Repeat([]byte{7}, keys.KeySize)
	subject := "content:retro:r1"
	keyOf := func(s string) ([]byte, error) {
		if s != subject {
			return nil, keys.ErrNotFound
		}
		return key, nil
	}
	for _, p := range []string{
		`{"text":"a card","cardId":"c1"}`,
		`{"title":"t","columns":[{"id":"start","title":"Start","prompt":"what?"}]}`,
		`{"answers":{"q1":"fine","q2":["a","b"]},"n":1.5e300}`,
	} {
		sealed, err := seal(key, subject, retro.Category, "CardAdded", []byte(p))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(sealed)
		f.Add([]byte(p))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		out, err := Open(retro.Category, "CardAdded", payload, keyOf)
		if err == nil && bytes.Contains(payload, []byte(`"`+member+`"`)) && json.Valid(payload) {
			if obj, _ := decodeObject(out); obj != nil {
				if _, still := obj[member]; still {
					t.Fatalf("opened payload still holds the sealed member: %s", out)
				}
			}
		}
		sealed, err := seal(key, subject, retro.Category, "CardAdded", payload)
		if err != nil {
			return
		}
		opened, err := Open(retro.Category, "CardAdded", sealed, keyOf)
		if err != nil {
			t.Fatalf("a payload sealed here does not open: %v\n%s", err, sealed)
		}
		var want, got any
		if json.Unmarshal(payload, &want) != nil {
			return
		}
		if err := json.Unmarshal(opened, &got); err != nil || !reflect.DeepEqual(want, got) {
			t.Fatalf("sealed and opened:\n%s\nwant:\n%s", opened, payload)
		}
	})
}
