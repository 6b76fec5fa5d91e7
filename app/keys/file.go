package keys

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// File keeps one file per subject in a folder: <subject>.key holds the key's
// raw bytes, <subject>.destroyed marks a destroyed key (subjects are
// base64url-encoded in file names). Files are 0600 in a 0700 folder, written
// to a temporary file, synced, and then moved into place, so a crash never
// leaves a half-written key. Several processes may share the folder: a new
// key is put in place with a hard link, which fails if another process put
// one there first, so all of them end up with the same key.
type File struct {
	dir string
	// mu serialises this process's writers; other processes are handled
	// by the link and the tombstone re-check.
	mu sync.Mutex
}

// NewFile opens (creating if needed) the folder dir as a key store.
func NewFile(dir string) (*File, error) {
	if dir == "" {
		return nil, errors.New("keys: file store needs a folder")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("keys: create folder %s: %w", dir, err)
	}
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("keys: %s is not a folder", dir)
	}
	return &File{dir: dir}, nil
}

var _ Store = (*File)(nil)

func (f *File) keyPath(subject string) string {
	return filepath.Join(f.dir, encodeSubject(subject)+".key")
}

func (f *File) tombPath(subject string) string {
	return filepath.Join(f.dir, encodeSubject(subject)+".destroyed")
}

func (f *File) Get(ctx context.Context, subject string) ([]byte, error) {
	if err := ValidateSubject(subject); err != nil {
		return nil, err
	}
	return f.read(subject)
}

func (f *File) read(subject string) ([]byte, error) {
	destroyed, err := exists(f.tombPath(subject))
	if err != nil {
		return nil, err
	}
	if destroyed {
		return nil, fmt.Errorf("subject %q: %w", subject, ErrDestroyed)
	}
	k, err := os.ReadFile(f.keyPath(subject))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("subject %q: %w", subject, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("keys: read key of %q: %w", subject, err)
	}
	if len(k) != KeySize {
		return nil, fmt.Errorf("keys: key file of %q holds %d bytes, want %d", subject, len(k), KeySize)
	}
	return k, nil
}

func (f *File) GetOrCreate(ctx context.Context, subject string) ([]byte, error) {
	if err := ValidateSubject(subject); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	k, err := f.read(subject)
	if !errors.Is(err, ErrNotFound) || errors.Is(err, ErrDestroyed) {
		return k, err
	}
	k, err = newKey()
	if err != nil {
		return nil, err
	}
	tmp, err := f.writeTemp(k)
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp)
	// Link, not rename: rename would replace a key another process has
	// just created and handed out.
	linkErr := os.Link(tmp, f.keyPath(subject))
	if linkErr != nil && !errors.Is(linkErr, fs.ErrExist) {
		return nil, fmt.Errorf("keys: put key of %q in place: %w", subject, linkErr)
	}
	if err := syncDir(f.dir); err != nil {
		return nil, err
	}
	// A Destroy in another process may have written its tombstone after
	// our first look and removed the key file before our link: the
	// tombstone is written first, so looking again catches it.
	if destroyed, err := exists(f.tombPath(subject)); err != nil || destroyed {
		if err != nil {
			return nil, err
		}
		if err := f.shred(subject); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("subject %q: %w", subject, ErrDestroyed)
	}
	if linkErr != nil {
		return f.read(subject)
	}
	return k, nil
}

func (f *File) Destroy(ctx context.Context, subject string) error {
	if err := ValidateSubject(subject); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	tmp, err := f.writeTemp([]byte("destroyed\n"))
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if err := os.Rename(tmp, f.tombPath(subject)); err != nil {
		return fmt.Errorf("keys: write tombstone of %q: %w", subject, err)
	}
	if err := syncDir(f.dir); err != nil {
		return err
	}
	return f.shred(subject)
}

// shred overwrites the subject's key file in place, syncs it, and only then
// removes it, so the bytes do not linger in the freed blocks of a file
// system that writes in place. Copy-on-write file systems, journals that
// log data and SSDs remapping blocks may still keep old copies; the README
// says so.
func (f *File) shred(subject string) error {
	p := f.keyPath(subject)
	if w, err := os.OpenFile(p, os.O_WRONLY, 0); err == nil {
		_, werr := w.WriteAt(make([]byte, KeySize), 0)
		serr := w.Sync()
		cerr := w.Close()
		if err := errors.Join(werr, serr, cerr); err != nil {
			return fmt.Errorf("keys: overwrite key of %q: %w", subject, err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("keys: open key of %q: %w", subject, err)
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("keys: remove key of %q: %w", subject, err)
	}
	return syncDir(f.dir)
}

// writeTemp writes data to a new synced 0600 file in the folder.
func (f *File) writeTemp(data []byte) (string, error) {
	w, err := os.CreateTemp(f.dir, ".tmp-*")
	if err != nil {
		return "", fmt.Errorf("keys: create temporary file: %w", err)
	}
	name := w.Name()
	err = w.Chmod(0o600)
	if err == nil {
		_, err = w.Write(data)
	}
	if err == nil {
		err = w.Sync()
	}
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return "", fmt.Errorf("keys: write temporary file: %w", err)
	}
	return name, nil
}

func exists(path string) (bool, error) {
	_, err := os.Lstat(path)
	if err == nil {
		return true, nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return false, fmt.Errorf("keys: %w", err)
}

// syncDir makes renames, links and removals in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("keys: open folder: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("keys: sync folder: %w", err)
	}
	return nil
}
