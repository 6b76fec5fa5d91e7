package wire

import (
	"errors"
	"strings"
	"testing"

	"github.com/fxamacker/cbor/v2"
)

func TestRoundTripSync(t *testing.T) {
	id := NewDocumentID()
	in := Message{Type: TypeSync, SenderID: "client-1", TargetID: "server", DocumentID: id, Data: []byte{0x42, 1, 2}}
	b, err := Encode(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if out.Type != in.Type || out.DocumentID != id || string(out.Data) != string(in.Data) || out.SenderID != "client-1" {
		t.Fatalf("round trip changed the message: %+v", out)
	}
}

// A join as cbor-x writes it: undefined for an absent storage ID, camelCase keys.
func TestDecodeJoinWithUndefinedStorageID(t *testing.T) {
	b, err := cbor.Marshal(map[string]any{
		"type":                      "join",
		"senderId":                  "peer-abc",
		"peerMetadata":              map[string]any{"storageId": cbor.RawMessage{0xf7}, "isEphemeral": true},
		"supportedProtocolVersions": []string{"1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	m, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if m.PeerMetadata == nil || !m.PeerMetadata.IsEphemeral || m.PeerMetadata.StorageID != "" || !m.SupportsV1() {
		t.Fatalf("join read wrongly: %+v", m)
	}
}

func TestDecodeRejects(t *testing.T) {
	id := NewDocumentID()
	deep := any("x")
	for i := 0; i < 20; i++ {
		deep = []any{deep}
	}
	cases := map[string]any{
		"not a map":            []int{1, 2},
		"no sender":            map[string]any{"type": "sync", "documentId": id, "data": []byte{1}},
		"bad document ID":      map[string]any{"type": "sync", "senderId": "a", "documentId": "nope", "data": []byte{1}},
		"sync without data":    map[string]any{"type": "sync", "senderId": "a", "documentId": id},
		"data as text":         map[string]any{"type": "sync", "senderId": "a", "documentId": id, "data": "hello"},
		"too deep":             map[string]any{"type": "join", "senderId": "a", "peerMetadata": deep},
		"long sender":          map[string]any{"type": "join", "senderId": strings.Repeat("a", 500)},
		"ephemeral no session": map[string]any{"type": "ephemeral", "senderId": "a", "documentId": id, "data": []byte{1}, "count": 1},
	}
	for name, v := range cases {
		b, err := cbor.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Decode(b); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: want ErrMalformed, got %v", name, err)
		}
	}
	tagged := []byte{0xc1, 0x01} // tag 1 (epoch time) around 1
	if _, err := Decode(tagged); !errors.Is(err, ErrMalformed) {
		t.Errorf("tagged item: want ErrMalformed, got %v", err)
	}
	if _, err := Decode(make([]byte, MaxMessageBytes+1)); !errors.Is(err, ErrMalformed) {
		t.Errorf("oversized: want ErrMalformed, got %v", err)
	}
}

func TestDocumentIDs(t *testing.T) {
	// Made by @automerge/automerge-repo 2.5.6's Repo.create.
	if got, err := ParseDocumentID("automerge:A1ab3GXwQR9km9pAQGNrfgDzA2g"); err != nil || got != "A1ab3GXwQR9km9pAQGNrfgDzA2g" {
		t.Fatalf("a real automerge URL: %q, %v", got, err)
	}
	id := NewDocumentID()
	got, err := ParseDocumentID(URLPrefix + id)
	if err != nil || got != id {
		t.Fatalf("ParseDocumentID(url) = %q, %v", got, err)
	}
	// Flip one character: the checksum must catch it.
	bad := []byte(id)
	if bad[3] == 'a' {
		bad[3] = 'b'
	} else {
		bad[3] = 'a'
	}
	if _, err := ParseDocumentID(string(bad)); err == nil {
		t.Fatalf("a mistyped ID %q was accepted", bad)
	}
	for _, s := range []string{"", "0OIl", "automerge:", strings.Repeat("z", 41)} {
		if _, err := ParseDocumentID(s); err == nil {
			t.Errorf("ParseDocumentID(%q) accepted", s)
		}
	}
}

func FuzzDecode(f *testing.F) {
	id := NewDocumentID()
	for _, m := range []Message{
		{Type: TypeJoin, SenderID: "a", PeerMetadata: &PeerMetadata{IsEphemeral: true}, SupportedProtocolVersions: []string{"1"}},
		{Type: TypeSync, SenderID: "a", TargetID: "b", DocumentID: id, Data: []byte{0x42}},
		{Type: TypeEphemeral, SenderID: "a", TargetID: "b", DocumentID: id, Data: []byte{1}, Count: 3, SessionID: "s"},
	} {
		b, _ := Encode(m)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Decode(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error not marked malformed: %v", err)
			}
			return
		}
		// Whatever is accepted must survive being sent on.
		if _, err := Encode(m); err != nil {
			t.Fatalf("accepted message cannot be re-encoded: %v", err)
		}
	})
}
