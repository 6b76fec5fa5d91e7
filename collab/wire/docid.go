package wire

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/big"
	"strings"
)

// A document ID is 16 random bytes written in base58check, the form
// automerge-repo puts in documentId fields and, after "automerge:", in URLs.

const base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// URLPrefix starts every automerge URL.
const URLPrefix = "automerge:"

// ParseDocumentID checks a document ID (or an automerge URL) and returns the
// bare ID. Only 16-byte IDs with a valid checksum pass, so an ID can be used
// as a stream name as it is.
func ParseDocumentID(s string) (string, error) {
	s = strings.TrimPrefix(s, URLPrefix)
	if s == "" || len(s) > 40 {
		return "", errors.New("document ID missing or too long")
	}
	raw, err := decodeBase58(s)
	if err != nil {
		return "", fmt.Errorf("document ID %q: %w", s, err)
	}
	if len(raw) != 16+4 {
		return "", fmt.Errorf("document ID %q: %d bytes, want 16 and a checksum", s, len(raw)-4)
	}
	sum := checksum(raw[:16])
	if !bytes.Equal(sum[:], raw[16:]) {
		return "", fmt.Errorf("document ID %q: bad checksum", s)
	}
	return s, nil
}

// NewDocumentID returns a fresh random document ID.
func NewDocumentID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err)) // the OS gives no randomness: nothing sane to do
	}
	return encodeBase58(append(b[:], func() []byte { s := checksum(b[:]); return s[:] }()...))
}

func checksum(b []byte) [4]byte {
	h1 := sha256.Sum256(b)
	h2 := sha256.Sum256(h1[:])
	return [4]byte(h2[:4])
}

func decodeBase58(s string) ([]byte, error) {
	n := new(big.Int)
	radix := big.NewInt(58)
	zeros := 0
	for i := 0; i < len(s) && s[i] == '1'; i++ {
		zeros++
	}
	for i := 0; i < len(s); i++ {
		d := strings.IndexByte(base58Alphabet, s[i])
		if d < 0 {
			return nil, fmt.Errorf("character %q is not base58", s[i])
		}
		n.Mul(n, radix)
		n.Add(n, big.NewInt(int64(d)))
	}
	return append(make([]byte, zeros), n.Bytes()...), nil
}

func encodeBase58(b []byte) string {
	n := new(big.Int).SetBytes(b)
	radix := big.NewInt(58)
	mod := new(big.Int)
	var out []byte
	for n.Sign() > 0 {
		n.DivMod(n, radix, mod)
		out = append(out, base58Alphabet[mod.Int64()])
	}
	for i := 0; i < len(b) && b[i] == 0; i++ {
		out = append(out, '1')
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return string(out)
}
