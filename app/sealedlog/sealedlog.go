// Package sealedlog is a log that can forget what people wrote: a decorator
// of eventstore.Store that seals the free text of chosen streams' events
// (card texts, group names, actions, comments, titles, whiteboard content)
// under a key per stream kept in keys.Store, and opens it again on every
// read. Destroying a stream's key (Erase) makes its texts unreadable for
// ever, in the log's bytes too, without rewriting an event: the
// crypto-shredding personal data already gets, applied to content.
//
// A stream is sealed when its key exists; Seal makes the key, and only
// before the stream's first event, so every event of a sealed stream is
// sealed and a stream seen without a key stays plain. Everything else in
// an event (its type, times, IDs, votes, scores) stays readable, so every
// reader still folds it; once the key is gone the texts read as empty
// strings.
//
// Deciders never see any of this: events are sealed on their way into the
// log and opened on their way out, and every reader of the process (the
// aggregates, read models, live feed, whiteboard sync, time travel,
// exports) reads through the same Store.
package sealedlog

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/hindsight-retro/hindsight/app/keys"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/eventstore"
)

// CodeErased is the refusal of a write to a stream whose key was destroyed.
const CodeErased = "content-erased"

// member is the payload member that holds a sealed event's texts. A person's
// text cannot produce it: inside a JSON string a quote is always escaped, so
// the bytes `"$sealed"` only ever occur as a member name.
const member = "$sealed"

// sealed is the member's value: the key's subject and the texts, in the
// order Fields walks the payload, sealed as one JSON array of strings.
type sealed struct {
	Subject string `json:"subject"`
	Box     []byte `json:"box"`
}

// Subject names the key a stream's texts are sealed under.
func Subject(s eventstore.StreamID) string { return "content:" + s.Category + ":" + s.ID }

// Store seals and opens the texts of sealed streams; every other stream
// passes through untouched. Safe for concurrent use.
type Store struct {
	eventstore.Store
	keys keys.Store
	// plain remembers streams written to without a key: they stay plain
	// (a key is only ever made before a stream's first event).
	mu    sync.Mutex
	plain map[eventstore.StreamID]struct{}
	// erased remembers streams whose key this process saw destroyed, so
	// Erased answers without asking the key store.
	erased map[eventstore.StreamID]struct{}
}

// maxPlain bounds the memory of plain streams; when full it starts over.
const maxPlain = 100_000

// New wraps s; k holds the streams' keys.
func New(s eventstore.Store, k keys.Store) *Store {
	return &Store{Store: s, keys: k, plain: map[eventstore.StreamID]struct{}{}, erased: map[eventstore.StreamID]struct{}{}}
}

// SealsContent tells the app that this log can erase content.
func (s *Store) SealsContent() bool { return true }

// Sealable reports whether streams of category hold free text this log can seal.
func Sealable(category string) bool { return fields(category) != nil }

// Seal makes stream's key, so that every event written to it from now on
// is sealed. It refuses a stream that holds events already (they were
// written in clear) and one whose key was destroyed. Sealing twice is
// harmless.
func (s *Store) Seal(ctx context.Context, stream eventstore.StreamID) error {
	if !Sealable(stream.Category) {
		return fmt.Errorf("sealedlog: streams of %q hold no text to seal", stream.Category)
	}
	if _, err := s.keys.Get(ctx, Subject(stream)); err == nil {
		return nil
	} else if errors.Is(err, keys.ErrDestroyed) {
		return erased(stream)
	} else if !errors.Is(err, keys.ErrNotFound) {
		return fmt.Errorf("sealedlog: key of %s: %w", stream, err)
	}
	if _, err := s.Store.Load(ctx, stream, 0); err == nil {
		return domain.Errorf(domain.Conflict, "stream-not-sealable", "%s holds events written in clear already", stream)
	} else if !errors.Is(err, eventstore.ErrStreamNotFound) {
		return fmt.Errorf("sealedlog: seal %s: %w", stream, err)
	}
	if _, err := s.keys.GetOrCreate(ctx, Subject(stream)); err != nil {
		return fmt.Errorf("sealedlog: seal %s: %w", stream, err)
	}
	return nil
}

// Sealed reports whether stream's texts are sealed (its key exists).
func (s *Store) Sealed(ctx context.Context, stream eventstore.StreamID) (bool, error) {
	if !Sealable(stream.Category) {
		return false, nil
	}
	_, err := s.keys.Get(ctx, Subject(stream))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, keys.ErrNotFound):
		return false, nil
	default:
		return false, fmt.Errorf("sealedlog: key of %s: %w", stream, err)
	}
}

// Erase destroys stream's key: its texts are unreadable from now on,
// wherever the log's bytes are, and writing to it is refused.
func (s *Store) Erase(ctx context.Context, stream eventstore.StreamID) error {
	if err := s.keys.Destroy(ctx, Subject(stream)); err != nil {
		return fmt.Errorf("sealedlog: erase %s: %w", stream, err)
	}
	s.markErased(stream)
	return nil
}

// Erased reports whether this process has seen stream's key destroyed: by
// Erase, by reading the stream, or by Check. It asks no key store, so the
// paths that serve people can call it on every request.
func (s *Store) Erased(stream eventstore.StreamID) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.erased[stream]
	return ok
}

// Check asks the key store whether stream's key was destroyed (by another
// node, say) and remembers it for Erased.
func (s *Store) Check(ctx context.Context, stream eventstore.StreamID) (bool, error) {
	if !Sealable(stream.Category) {
		return false, nil
	}
	_, err := s.keys.Get(ctx, Subject(stream))
	switch {
	case errors.Is(err, keys.ErrDestroyed):
		s.markErased(stream)
		return true, nil
	case err == nil || errors.Is(err, keys.ErrNotFound):
		return false, nil
	default:
		return false, fmt.Errorf("sealedlog: key of %s: %w", stream, err)
	}
}

func (s *Store) markErased(stream eventstore.StreamID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.erased) >= maxPlain {
		clear(s.erased)
	}
	s.erased[stream] = struct{}{}
}

func erased(stream eventstore.StreamID) error {
	return domain.Errorf(domain.NotFound, CodeErased, "%s was erased", stream)
}

// CheckWritable passes the wrapped store's answer on (a readiness probe).
func (s *Store) CheckWritable(ctx context.Context) error {
	return eventstore.CheckWritable(ctx, s.Store)
}

// Append seals the commit's texts if its stream is sealed.
func (s *Store) Append(ctx context.Context, c eventstore.Commit) (eventstore.AppendResult, error) {
	key, err := s.writeKey(ctx, c.Stream)
	if err != nil {
		return eventstore.AppendResult{}, err
	}
	if key == nil {
		return s.Store.Append(ctx, c)
	}
	subject := Subject(c.Stream)
	evs := make([]eventstore.Event, len(c.Events))
	for i, e := range c.Events {
		p, err := seal(key, subject, c.Stream.Category, e.Type, e.Payload)
		if err != nil {
			return eventstore.AppendResult{}, fmt.Errorf("sealedlog: seal %s %s: %w", c.Stream, e.Type, err)
		}
		e.Payload = p
		evs[i] = e
	}
	c.Events = evs
	return s.Store.Append(ctx, c)
}

// writeKey is the key to seal stream's new events with, nil for a plain
// stream.
func (s *Store) writeKey(ctx context.Context, stream eventstore.StreamID) ([]byte, error) {
	if !Sealable(stream.Category) {
		return nil, nil
	}
	s.mu.Lock()
	_, plain := s.plain[stream]
	s.mu.Unlock()
	if plain {
		return nil, nil
	}
	key, err := s.keys.Get(ctx, Subject(stream))
	switch {
	case err == nil:
		return key, nil
	case errors.Is(err, keys.ErrDestroyed):
		s.markErased(stream)
		return nil, erased(stream)
	case errors.Is(err, keys.ErrNotFound):
		s.mu.Lock()
		if len(s.plain) >= maxPlain {
			clear(s.plain)
		}
		s.plain[stream] = struct{}{}
		s.mu.Unlock()
		return nil, nil
	default:
		return nil, fmt.Errorf("sealedlog: key of %s: %w", stream, err)
	}
}

// Load opens the texts of the stream's sealed events.
func (s *Store) Load(ctx context.Context, stream eventstore.StreamID, afterVersion int64) ([]eventstore.RecordedEvent, error) {
	evs, err := s.Store.Load(ctx, stream, afterVersion)
	if err != nil {
		return nil, err
	}
	for i := range evs {
		if evs[i], err = s.open(ctx, evs[i]); err != nil {
			return nil, err
		}
	}
	return evs, nil
}

// ReadAll opens sealed events before h sees them.
func (s *Store) ReadAll(ctx context.Context, after uint64, h eventstore.Handler) error {
	return s.Store.ReadAll(ctx, after, s.opening(h))
}

// Subscribe opens sealed events before h sees them.
func (s *Store) Subscribe(ctx context.Context, after uint64, h eventstore.Handler) error {
	return s.Store.Subscribe(ctx, after, s.opening(h))
}

func (s *Store) opening(h eventstore.Handler) eventstore.Handler {
	return func(ctx context.Context, e eventstore.RecordedEvent) error {
		e, err := s.open(ctx, e)
		if err != nil {
			return err
		}
		return h(ctx, e)
	}
}

// open gives e with its texts in clear, or with them empty if its stream's
// key was destroyed. A key store that cannot answer is an error, never an
// erasure.
func (s *Store) open(ctx context.Context, e eventstore.RecordedEvent) (eventstore.RecordedEvent, error) {
	if !Sealable(e.Stream.Category) || !bytes.Contains(e.Payload, []byte(`"`+member+`"`)) {
		return e, nil
	}
	p, err := Open(e.Stream.Category, e.Type, e.Payload, func(subject string) ([]byte, error) {
		if subject != Subject(e.Stream) {
			// Texts copied from another stream's event open nowhere else.
			return nil, fmt.Errorf("sealed under %q, not under this stream's key", subject)
		}
		k, err := s.keys.Get(ctx, subject)
		if errors.Is(err, keys.ErrDestroyed) && subject == Subject(e.Stream) {
			s.markErased(e.Stream)
		}
		return k, err
	})
	if err != nil {
		return e, fmt.Errorf("sealedlog: open %s@%d %s: %w", e.Stream, e.StreamVersion, e.Type, err)
	}
	e.Payload = p
	return e, nil
}

// Open gives a stored payload with its texts opened by the key keyOf
// answers for the subject it names; when keyOf answers keys.ErrNotFound
// (the key was destroyed) the texts are empty. A payload that holds no
// sealed texts comes back as it is.
func Open(category, typ string, payload []byte, keyOf func(subject string) ([]byte, error)) ([]byte, error) {
	obj, err := decodeObject(payload)
	if err != nil || obj == nil {
		return payload, nil //nolint:nilerr // not an object: nothing was sealed
	}
	raw, ok := obj[member]
	if !ok {
		return payload, nil
	}
	delete(obj, member)
	b, err := json.Marshal(raw)
	if err != nil {
		return nil, err
	}
	var sv sealed
	if err := json.Unmarshal(b, &sv); err != nil {
		return nil, fmt.Errorf("sealed texts: %w", err)
	}
	key, err := keyOf(sv.Subject)
	if errors.Is(err, keys.ErrNotFound) {
		return json.Marshal(obj)
	}
	if err != nil {
		return nil, err
	}
	plain, err := keys.Open(key, sv.Box, aad(sv.Subject, typ))
	if err != nil {
		return nil, err
	}
	var texts []string
	if err := json.Unmarshal(plain, &texts); err != nil {
		return nil, fmt.Errorf("sealed texts: %w", err)
	}
	i := 0
	walk(obj, fields(category), func(string) string {
		if i >= len(texts) {
			i++
			return ""
		}
		i++
		return texts[i-1]
	})
	if i != len(texts) {
		return nil, fmt.Errorf("sealed texts: %d sealed, %d places for them", len(texts), i)
	}
	return json.Marshal(obj)
}

// seal moves the texts of payload into the sealed member, leaving empty
// strings in their places. A payload without texts is stored as it is.
func seal(key []byte, subject, category, typ string, payload []byte) ([]byte, error) {
	obj, err := decodeObject(payload)
	if err != nil {
		return nil, err
	}
	if obj == nil {
		return payload, nil
	}
	if _, ok := obj[member]; ok {
		return nil, fmt.Errorf("payload holds %q already", member)
	}
	var texts []string
	walk(obj, fields(category), func(s string) string {
		texts = append(texts, s)
		return ""
	})
	if len(texts) == 0 {
		return payload, nil
	}
	plain, err := json.Marshal(texts)
	if err != nil {
		return nil, err
	}
	box, err := keys.Seal(key, plain, aad(subject, typ))
	if err != nil {
		return nil, err
	}
	obj[member] = sealed{Subject: subject, Box: box}
	return json.Marshal(obj)
}

// aad binds sealed texts to their stream and event type: copied into
// another stream's or type's event they do not open.
func aad(subject, typ string) []byte {
	return []byte("hindsight/sealedlog/v1\x00" + subject + "\x00" + typ)
}

// decodeObject reads a JSON object keeping numbers as written; anything
// else gives nil.
func decodeObject(payload []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("payload: %w", err)
	}
	obj, _ := v.(map[string]any)
	return obj, nil
}

// walk calls f on every text of v, in a fixed order (members by name), and
// puts what f answers in its place. A text is every string held, at any
// depth, by a member named as text (fields): a title, a list of options, a
// map of answers by question.
func walk(v any, text map[string]bool, f func(string) string) {
	switch v := v.(type) {
	case map[string]any:
		for _, k := range sortedNames(v) {
			if text[k] {
				v[k] = every(v[k], f)
			} else {
				walk(v[k], text, f)
			}
		}
	case []any:
		for _, el := range v {
			walk(el, text, f)
		}
	}
}

// every puts what f answers in place of every string of v.
func every(v any, f func(string) string) any {
	switch c := v.(type) {
	case string:
		return f(c)
	case []any:
		for i, el := range c {
			c[i] = every(el, f)
		}
	case map[string]any:
		for _, k := range sortedNames(c) {
			c[k] = every(c[k], f)
		}
	}
	return v
}

func sortedNames(m map[string]any) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}
