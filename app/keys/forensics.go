package keys

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
)

// Recover does what someone holding copies of data folders and this source
// code would try: read every file under dirs, take every key an earlier
// version stored raw, and open every wrapped key with every KEK found
// anywhere in the files, whatever was deleted or purged. It returns the keys
// it recovered for subjects. The tests use it to show that a destroyed key
// is beyond reach of a data folder while a live one is not.
func Recover(dirs []string, subjects []string) (map[string][]byte, error) {
	type blob struct {
		epoch  uint64
		sealed []byte
	}
	var keks []cipher.AEAD
	var blobs []blob
	recovered := map[string][]byte{}
	const sealedLen = 1 + 12 + KeySize + 16
	err := readFiles(dirs, func(_ string, data []byte) {
		for _, at := range indexAll(data, kekTag) {
			if c := data[at+len(kekTag):]; len(c) >= KeySize {
				block, _ := aes.NewCipher(c[:KeySize])
				gcm, _ := cipher.NewGCM(block)
				keks = append(keks, gcm)
			}
		}
		for _, at := range indexAll(data, wrappedTag) {
			ep, sealed, ok := bytes.Cut(data[at+len(wrappedTag):], []byte(":"))
			epoch, err := strconv.ParseUint(string(ep), 10, 64)
			if ok && err == nil && len(sealed) >= sealedLen {
				blobs = append(blobs, blob{epoch, sealed[:sealedLen]})
			}
		}
		// Raw keys as earlier versions stored them, just after the
		// message subject that names them.
		for _, at := range indexAll(data, legacyTag) {
			k := data[at+len(legacyTag):]
			if len(k) < KeySize {
				continue
			}
			for _, s := range subjects {
				if i := bytes.LastIndex(data[:at], []byte(encodeSubject(s))); i >= 0 && at-i < 200 {
					recovered[s] = append([]byte(nil), k[:KeySize]...)
				}
			}
		}
	})
	if err != nil {
		return nil, err
	}
	for _, b := range blobs {
		for _, s := range subjects {
			aad := wrapAAD(b.epoch, s)
			for _, gcm := range keks {
				if k, err := gcm.Open(nil, b.sealed[1:13], b.sealed[13:], aad); err == nil {
					recovered[s] = k
				}
			}
		}
	}
	return recovered, nil
}

// readFiles hands the content of every file under dirs to each. A server
// removes a deleted stream's folder in the background, so files vanishing
// meanwhile are skipped.
func readFiles(dirs []string, each func(path string, data []byte)) error {
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(path)
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			if err != nil {
				return err
			}
			each(path, data)
			return nil
		})
		if err != nil {
			return fmt.Errorf("keys: read %s: %w", dir, err)
		}
	}
	return nil
}

func indexAll(data, sep []byte) []int {
	var at []int
	for i := 0; ; {
		j := bytes.Index(data[i:], sep)
		if j < 0 {
			return at
		}
		at = append(at, i+j)
		i += j + 1
	}
}
