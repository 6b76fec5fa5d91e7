package keys

import (
	"bytes"
	"errors"
	"testing"
)

func TestSealOpen(t *testing.T) {
	key := bytes.Repeat([]byte{7}, KeySize)
	aad := []byte("user:u1|email")
	sealed, err := Seal(key, []byte("ada@example.org"), aad)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("ada@example.org")) {
		t.Fatal("sealed value holds the plaintext")
	}
	got, err := Open(key, sealed, aad)
	if err != nil || string(got) != "ada@example.org" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	again, _ := Seal(key, []byte("ada@example.org"), aad)
	if bytes.Equal(again, sealed) {
		t.Fatal("two seals of the same text are equal: the nonce is not random")
	}

	otherKey := bytes.Repeat([]byte{8}, KeySize)
	flipped := append([]byte(nil), sealed...)
	flipped[len(flipped)-1] ^= 1
	for name, tc := range map[string]struct{ key, sealed, aad []byte }{
		"other key":       {otherKey, sealed, aad},
		"other subject":   {key, sealed, []byte("user:u2|email")},
		"other field":     {key, sealed, []byte("user:u1|name")},
		"flipped byte":    {key, flipped, aad},
		"truncated":       {key, sealed[:10], aad},
		"empty":           {key, nil, aad},
		"unknown version": {key, append([]byte{9}, sealed[1:]...), aad},
	} {
		if _, err := Open(tc.key, tc.sealed, tc.aad); !errors.Is(err, ErrOpen) {
			t.Errorf("%s: Open = %v, want ErrOpen", name, err)
		}
	}
	if _, err := Seal(key[:16], []byte("x"), nil); err == nil {
		t.Error("Seal with a 16-byte key succeeded; want an error (AES-256 only)")
	}
	if _, err := Open(nil, sealed, aad); err == nil {
		t.Error("Open with no key succeeded")
	}
}
