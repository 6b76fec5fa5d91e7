package keys

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFile(t *testing.T) {
	dirs := map[Store]string{}
	testContract(t,
		func(t *testing.T) Store {
			dir := filepath.Join(t.TempDir(), "keys")
			f, err := NewFile(dir)
			if err != nil {
				t.Fatal(err)
			}
			dirs[f] = dir
			return f
		},
		func(t *testing.T, s Store) Store {
			f, err := NewFile(dirs[s])
			if err != nil {
				t.Fatal(err)
			}
			return f
		})
}

func TestFilePermissionsAndLeftovers(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	f, err := NewFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := f.GetOrCreate(ctx, "user:u1"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.GetOrCreate(ctx, "user:u2"); err != nil {
		t.Fatal(err)
	}
	if err := f.Destroy(ctx, "user:u2"); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		t.Errorf("folder mode %v: others may read it", perm)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
		fi, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		if perm := fi.Mode().Perm(); perm != 0o600 {
			t.Errorf("%s has mode %v, want 0600", e.Name(), perm)
		}
		if strings.HasPrefix(e.Name(), ".tmp-") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
	want := []string{encodeSubject("user:u1") + ".key", encodeSubject("user:u2") + ".destroyed"}
	if strings.Join(names, ",") != strings.Join(want, ",") && strings.Join(names, ",") != want[1]+","+want[0] {
		t.Errorf("folder holds %v, want %v: one key file and one tombstone, no key file for the destroyed subject", names, want)
	}
}

func TestFileRefusesCorruptKey(t *testing.T) {
	dir := t.TempDir()
	f, err := NewFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, encodeSubject("user:x")+".key"), []byte("short"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Get(context.Background(), "user:x"); err == nil {
		t.Fatal("Get of a 5-byte key file succeeded; want an error")
	}
}
