package keys

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
)

// testContract is what every Store must do; each implementation's test
// hands in a constructor of fresh stores. open, when not nil, opens a second
// handle on the same storage (another process, another node).
func testContract(t *testing.T, newStore func(t *testing.T) Store, reopen func(t *testing.T, s Store) Store) {
	ctx := context.Background()

	t.Run("get of a never created subject is not found", func(t *testing.T) {
		s := newStore(t)
		_, err := s.Get(ctx, "user:nobody")
		if !errors.Is(err, ErrNotFound) || errors.Is(err, ErrDestroyed) {
			t.Fatalf("Get = %v, want ErrNotFound and not ErrDestroyed", err)
		}
	})

	t.Run("get or create makes one key and get returns it", func(t *testing.T) {
		s := newStore(t)
		k1, err := s.GetOrCreate(ctx, "retro:r1")
		if err != nil {
			t.Fatal(err)
		}
		if len(k1) != KeySize || bytes.Equal(k1, make([]byte, KeySize)) {
			t.Fatalf("key = %x, want %d random bytes", k1, KeySize)
		}
		k2, err := s.GetOrCreate(ctx, "retro:r1")
		if err != nil || !bytes.Equal(k1, k2) {
			t.Fatalf("second GetOrCreate = %x, %v; want the first key", k2, err)
		}
		k3, err := s.Get(ctx, "retro:r1")
		if err != nil || !bytes.Equal(k1, k3) {
			t.Fatalf("Get = %x, %v; want the created key", k3, err)
		}
		other, err := s.GetOrCreate(ctx, "retro:r2")
		if err != nil || bytes.Equal(other, k1) {
			t.Fatalf("another subject got %x, %v; want a different key", other, err)
		}
	})

	t.Run("a changed returned slice does not change the key", func(t *testing.T) {
		s := newStore(t)
		k, _ := s.GetOrCreate(ctx, "user:u")
		want := append([]byte(nil), k...)
		clear(k)
		got, err := s.Get(ctx, "user:u")
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("Get after the caller cleared its copy = %x, %v; want %x", got, err, want)
		}
	})

	t.Run("destroyed key is gone and never recreated", func(t *testing.T) {
		s := newStore(t)
		if _, err := s.GetOrCreate(ctx, "user:u1"); err != nil {
			t.Fatal(err)
		}
		if err := s.Destroy(ctx, "user:u1"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get(ctx, "user:u1"); !errors.Is(err, ErrDestroyed) || !errors.Is(err, ErrNotFound) {
			t.Fatalf("Get after Destroy = %v, want ErrDestroyed (which is also ErrNotFound)", err)
		}
		if k, err := s.GetOrCreate(ctx, "user:u1"); !errors.Is(err, ErrDestroyed) {
			t.Fatalf("GetOrCreate after Destroy = %x, %v; want ErrDestroyed", k, err)
		}
		if err := s.Destroy(ctx, "user:u1"); err != nil {
			t.Fatalf("second Destroy = %v, want nil", err)
		}
		if _, err := s.Get(ctx, "user:u1"); !errors.Is(err, ErrDestroyed) {
			t.Fatalf("Get after second Destroy = %v, want ErrDestroyed", err)
		}
	})

	t.Run("destroying an unknown subject blocks its creation", func(t *testing.T) {
		s := newStore(t)
		if err := s.Destroy(ctx, "retro:never"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetOrCreate(ctx, "retro:never"); !errors.Is(err, ErrDestroyed) {
			t.Fatalf("GetOrCreate = %v, want ErrDestroyed", err)
		}
	})

	t.Run("invalid subjects are refused", func(t *testing.T) {
		s := newStore(t)
		for _, subj := range []string{"", "a b", "user:\x00", "ü", string(make([]byte, MaxSubjectLength+1))} {
			if _, err := s.GetOrCreate(ctx, subj); !errors.Is(err, ErrInvalidSubject) {
				t.Errorf("GetOrCreate(%q) = %v, want ErrInvalidSubject", subj, err)
			}
			if _, err := s.Get(ctx, subj); !errors.Is(err, ErrInvalidSubject) {
				t.Errorf("Get(%q) = %v, want ErrInvalidSubject", subj, err)
			}
			if err := s.Destroy(ctx, subj); !errors.Is(err, ErrInvalidSubject) {
				t.Errorf("Destroy(%q) = %v, want ErrInvalidSubject", subj, err)
			}
		}
	})

	t.Run("subjects differing only in case or punctuation are distinct", func(t *testing.T) {
		s := newStore(t)
		seen := map[string]string{}
		for _, subj := range []string{"user:a", "user:A", "user/a", "user:a.", "user:a/.."} {
			k, err := s.GetOrCreate(ctx, subj)
			if err != nil {
				t.Fatalf("GetOrCreate(%q): %v", subj, err)
			}
			if prev, ok := seen[string(k)]; ok {
				t.Fatalf("%q and %q share a key", prev, subj)
			}
			seen[string(k)] = subj
		}
	})

	t.Run("concurrent get or create agree on one key", func(t *testing.T) {
		s := newStore(t)
		handles := []Store{s}
		if reopen != nil {
			handles = append(handles, reopen(t, s), reopen(t, s))
		}
		const n = 12
		got := make([][]byte, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { got[i], errs[i] = handles[i%len(handles)].GetOrCreate(ctx, "server:token-signing") })
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("caller %d: %v", i, errs[i])
			}
			if !bytes.Equal(got[i], got[0]) {
				t.Fatalf("caller %d got %x, caller 0 got %x", i, got[i], got[0])
			}
		}
	})

	if reopen != nil {
		t.Run("another handle sees keys and tombstones", func(t *testing.T) {
			s := newStore(t)
			k, _ := s.GetOrCreate(ctx, "retro:shared")
			_ = s.Destroy(ctx, "user:gone")
			o := reopen(t, s)
			if got, err := o.Get(ctx, "retro:shared"); err != nil || !bytes.Equal(got, k) {
				t.Fatalf("other handle Get = %x, %v; want %x", got, err, k)
			}
			if _, err := o.GetOrCreate(ctx, "user:gone"); !errors.Is(err, ErrDestroyed) {
				t.Fatalf("other handle GetOrCreate of destroyed = %v, want ErrDestroyed", err)
			}
		})
	}

	t.Run("destroy races with get or create and the key stays destroyed", func(t *testing.T) {
		s := newStore(t)
		for i := range 5 {
			subj := fmt.Sprintf("user:race%d", i)
			var wg sync.WaitGroup
			wg.Go(func() { _, _ = s.GetOrCreate(ctx, subj) })
			wg.Go(func() {
				if err := s.Destroy(ctx, subj); err != nil {
					t.Errorf("Destroy: %v", err)
				}
			})
			wg.Wait()
			if _, err := s.GetOrCreate(ctx, subj); !errors.Is(err, ErrDestroyed) {
				t.Fatalf("%s: GetOrCreate after the race = %v, want ErrDestroyed", subj, err)
			}
		}
	})
}

func TestMemory(t *testing.T) {
	testContract(t, func(t *testing.T) Store { return NewMemory() }, nil)
}
