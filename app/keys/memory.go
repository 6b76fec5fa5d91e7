package keys

import (
	"context"
	"fmt"
	"sync"
)

// Memory keeps keys in process memory, for tests and single-process runs
// that need no durability. Nothing survives the process.
type Memory struct {
	mu        sync.Mutex
	keys      map[string][]byte
	destroyed map[string]bool
}

// NewMemory returns an empty in-memory store.
func NewMemory() *Memory {
	return &Memory{keys: map[string][]byte{}, destroyed: map[string]bool{}}
}

var _ Store = (*Memory)(nil)

func (m *Memory) Get(ctx context.Context, subject string) ([]byte, error) {
	if err := ValidateSubject(subject); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.lookup(subject)
}

func (m *Memory) lookup(subject string) ([]byte, error) {
	if m.destroyed[subject] {
		return nil, fmt.Errorf("subject %q: %w", subject, ErrDestroyed)
	}
	k, ok := m.keys[subject]
	if !ok {
		return nil, fmt.Errorf("subject %q: %w", subject, ErrNotFound)
	}
	// A copy: a caller that zeroes or changes its slice must not change the key.
	return append([]byte(nil), k...), nil
}

func (m *Memory) GetOrCreate(ctx context.Context, subject string) ([]byte, error) {
	if err := ValidateSubject(subject); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	k, err := m.lookup(subject)
	if err == nil || m.destroyed[subject] {
		return k, err
	}
	k, err = newKey()
	if err != nil {
		return nil, err
	}
	m.keys[subject] = k
	return append([]byte(nil), k...), nil
}

func (m *Memory) Destroy(ctx context.Context, subject string) error {
	if err := ValidateSubject(subject); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if k, ok := m.keys[subject]; ok {
		clear(k)
		delete(m.keys, subject)
	}
	m.destroyed[subject] = true
	return nil
}
