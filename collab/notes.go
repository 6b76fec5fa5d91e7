package collab

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/automerge/automerge-go"
	"github.com/hindsight-retro/hindsight/collab/wire"
	"github.com/hindsight-retro/hindsight/eventstore"
)

// Notes is one person's private notes document of a board's concealed
// writing phase, and the author its items get on the board: the person's
// user ID, or "" on a board of an anonymous retro.
type Notes struct {
	DocID  string
	Author string
}

// SeedNotes stores the first content of a private notes document: an empty
// board (schema, title, no prompts, items), so the person's client opens it
// by URL and writes into items like on any board.
func SeedNotes(ctx context.Context, store eventstore.Store, docID, title string) error {
	return SeedBoard(ctx, store, docID, title, nil, nil)
}

// Flush appends what the boards docIDs loaded on this node changed and has
// not appended yet, once the messages being checked for them are applied,
// so a reader of the log sees every change this node received for them up
// to now.
func (s *Server) Flush(ctx context.Context, docIDs ...string) error {
	var errs []error
	for _, id := range docIDs {
		s.mu.Lock()
		b := s.boards[id]
		s.mu.Unlock()
		if b == nil {
			continue
		}
		for b.busy() && ctx.Err() == nil {
			time.Sleep(5 * time.Millisecond) // a worker check: at most CheckTimeout
		}
		if err := b.flush(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// DefaultMaxDocBytes is the largest saved board unless Deps.MaxDocBytes
// says otherwise: any snapshot of it fits one log commit.
const DefaultMaxDocBytes = 512 << 10

// Reveal is what a reveal merges: every private notes document of the
// board Board.
type Reveal struct {
	Board string
	Notes []Notes
	// Anonymous: the board belongs to an anonymous retro. The merged items
	// carry nothing that tells whose they were or which of them one person
	// wrote: only the board schema's item fields (no author, no field a
	// client added), new item IDs, and an order on the board (and in the
	// change) that interleaves the writers at random.
	Anonymous bool
	// MaxBytes bounds the board's saved size after the merge
	// (DefaultMaxDocBytes when 0): notes that would take it past are left
	// out, taken from the end of an order that goes round the writers one
	// note each, so who wrote most loses their last notes first.
	MaxBytes int
}

// Merged is what a reveal did: how many items went on the board and how
// many were left out because the board would have grown past its limit.
type Merged struct {
	Added   int `json:"added"`
	LeftOut int `json:"leftOut"`
}

// eventRevealed records a reveal's Merged in the board's content stream,
// in the commit that holds the merge, so whoever asks later reads what it
// did (RevealOutcome).
const eventRevealed = "WhiteboardNotesMerged"

// MergeNotes is a reveal: it copies every item of each private notes
// document into the board (its text as collaborative text, placed above
// what the board holds), with the item's author set to the Notes' Author
// whatever the notes said, and appends that change to the board's stream,
// from where every node's loaded copy merges it and sends it to its peers.
// The items are written anew by the server, under an actor of its own: no
// change a writer made reaches the board, so the board's history names no
// writer's actor. Items the board holds already (a repeated reveal) are
// left as they are, so a retry adds nothing; the append's command ID is the
// board's, so a retried reveal is stored once. The notes are read from the
// log: call Flush first for documents this node may hold unflushed changes
// of.
func MergeNotes(ctx context.Context, store eventstore.Store, r Reveal) (Merged, error) {
	boardID := r.Board
	if _, err := wire.ParseDocumentID(boardID); err != nil {
		return Merged{}, fmt.Errorf("collab: reveal notes: %w", err)
	}
	limit := cmp.Or(r.MaxBytes, DefaultMaxDocBytes)
	doc, _, found, err := loadDoc(ctx, store, boardID)
	if err != nil {
		return Merged{}, fmt.Errorf("collab: reveal notes on %s: %w", boardID, err)
	}
	if !found {
		return Merged{}, fmt.Errorf("collab: reveal notes on %s: the board has no content", boardID)
	}
	items, err := itemsMap(doc)
	if err != nil {
		return Merged{}, fmt.Errorf("collab: reveal notes on %s: %w", boardID, err)
	}
	top, err := topZ(items)
	if err != nil {
		return Merged{}, fmt.Errorf("collab: reveal notes on %s: %w", boardID, err)
	}
	var writers [][]revealed
	for _, n := range r.Notes {
		got, err := notesItems(ctx, store, boardID, n, r.Anonymous)
		if err != nil {
			return Merged{}, err
		}
		fresh := got[:0]
		for _, it := range got {
			if have, err := items.Get(it.id); err != nil || have.IsVoid() {
				fresh = append(fresh, it)
			}
		}
		writers = append(writers, fresh)
	}
	order := mergeOrder(writers, r.Anonymous)
	base := doc.Save()
	// The largest part of the order that keeps the board within its limit:
	// all of it as a rule, else a binary search over saves.
	fits := func(k int) (*automerge.Doc, bool, error) {
		d, err := automerge.Load(base)
		if err != nil {
			return nil, false, err
		}
		if err := addItems(d, order[:k], top); err != nil {
			return nil, false, err
		}
		return d, len(d.Save()) <= limit, nil
	}
	k := len(order)
	merged, ok, err := fits(k)
	if err != nil {
		return Merged{}, fmt.Errorf("collab: reveal notes on %s: %w", boardID, err)
	}
	if !ok {
		lo, hi := 0, k-1 // lo fits (the board as it is, at worst), hi+1 does not
		for lo < hi {
			mid := (lo + hi + 1) / 2
			if _, ok, err := fits(mid); err != nil {
				return Merged{}, fmt.Errorf("collab: reveal notes on %s: %w", boardID, err)
			} else if ok {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		k = lo
		if merged, _, err = fits(k); err != nil {
			return Merged{}, fmt.Errorf("collab: reveal notes on %s: %w", boardID, err)
		}
	}
	out := Merged{Added: k, LeftOut: len(order) - k}
	outcome, _ := json.Marshal(out) // cannot fail: two ints
	events := []eventstore.Event{{Type: eventRevealed, SchemaVersion: 1, Payload: outcome}}
	if k > 0 {
		changes, err := merged.Changes(doc.Heads()...)
		if err != nil {
			return Merged{}, fmt.Errorf("collab: reveal notes on %s: %w", boardID, err)
		}
		ev := chunkEvent(eventChunk, automerge.SaveChanges(changes))
		if len(ev.Payload) > eventstore.MaxCommitBytes-4096 {
			ev = chunkEvent(eventSnapshot, merged.Save())
		}
		events = append([]eventstore.Event{ev}, events...)
	}
	_, err = store.Append(ctx, eventstore.Commit{
		Stream: docStream(boardID), ExpectedVersion: eventstore.Any, CommandID: "reveal-" + boardID,
		Events: events,
	})
	if err != nil {
		return Merged{}, fmt.Errorf("collab: reveal notes on %s: %w", boardID, err)
	}
	return out, nil
}

// RevealOutcome is what the reveal of board boardID did; found is false
// before it is stored.
func RevealOutcome(ctx context.Context, store eventstore.Store, boardID string) (m Merged, found bool, err error) {
	events, err := store.Load(ctx, docStream(boardID), 0)
	if errors.Is(err, eventstore.ErrStreamNotFound) {
		return Merged{}, false, nil
	}
	if err != nil {
		return Merged{}, false, fmt.Errorf("collab: reveal outcome of %s: %w", boardID, err)
	}
	for i := len(events) - 1; i >= 0; i-- {
		if events[i].Type == eventRevealed {
			if err := json.Unmarshal(events[i].Payload, &m); err != nil {
				return Merged{}, false, fmt.Errorf("collab: reveal outcome of %s: %w", boardID, err)
			}
			return m, true, nil
		}
	}
	return Merged{}, false, nil
}

// revealed is one item of a person's notes as the board gets it.
type revealed struct {
	id    string
	value map[string]any // as copyValue reads it; author set
	layer int            // frames under everything else, when interleaved
}

// itemFields are the fields of the board schema's items (collab/README.md)
// an anonymous retro's revealed item keeps: any other might sign it.
var itemFields = []string{"kind", "x", "y", "w", "h", "color", "z", "text", "shape", "from", "to", "points", "url"}

// notesItems reads the items of n's notes document, in its stacking order,
// as they go on the board.
func notesItems(ctx context.Context, store eventstore.Store, boardID string, n Notes, anonymous bool) ([]revealed, error) {
	src, _, found, err := loadDoc(ctx, store, n.DocID)
	if err != nil {
		return nil, fmt.Errorf("collab: reveal notes %s on %s: %w", n.DocID, boardID, err)
	}
	if !found {
		return nil, nil // opened, never stored: nothing written
	}
	from, err := itemsMap(src)
	if err != nil {
		return nil, fmt.Errorf("collab: reveal notes %s: %w", n.DocID, err)
	}
	values, err := from.Values()
	if err != nil {
		return nil, fmt.Errorf("collab: reveal notes %s: %w", n.DocID, err)
	}
	ids := make([]string, 0, len(values))
	for id, v := range values {
		if v.Kind() == automerge.KindMap {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, func(a, b string) int {
		return cmp.Or(cmp.Compare(zOf(values[a]), zOf(values[b])), cmp.Compare(a, b))
	})
	// On an anonymous retro's board an item gets an ID made from the
	// reveal's inputs (so a retried reveal makes the same), which tells
	// nothing of the ID its writer's client made.
	rename := func(id string) string { return id }
	if anonymous {
		rename = func(id string) string {
			h := sha256.Sum256([]byte("reveal\x00" + boardID + "\x00" + n.DocID + "\x00" + id))
			return hex.EncodeToString(h[:9])
		}
	}
	out := make([]revealed, 0, len(ids))
	for _, id := range ids {
		v, err := copyValue(values[id], 0)
		if err != nil {
			// Not something a board client writes (nested deeper than
			// any item, a kind no item has): that item stays behind,
			// and it holds up nobody else's notes.
			continue
		}
		m := v.(map[string]any)
		if anonymous {
			kept := make(map[string]any, len(itemFields))
			for _, f := range itemFields {
				if x, ok := m[f]; ok {
					kept[f] = x
				}
			}
			m = kept
			for _, end := range []string{"from", "to"} {
				if ref, ok := m[end].(string); ok && values[ref] != nil {
					m[end] = rename(ref)
				} else if ref, ok := m[end].(textValue); ok && values[string(ref)] != nil {
					m[end] = textValue(rename(string(ref)))
				}
			}
		}
		m["author"] = textValue(n.Author)
		layer := 1
		if k, _ := m["kind"].(textValue); k == "frame" {
			layer = 0
		} else if k, _ := m["kind"].(string); k == "frame" {
			layer = 0
		}
		out = append(out, revealed{id: rename(id), value: m, layer: layer})
	}
	return out, nil
}

// mergeOrder is the order the writers' items go on the board (and are left
// out from the end of): one item of each writer in turn, each writer's in
// their stacking order. On an anonymous retro's board it is by layer, then
// by the new item IDs, which interleaves the writers at random.
func mergeOrder(writers [][]revealed, anonymous bool) []revealed {
	var order []revealed
	for i := 0; ; i++ {
		n := len(order)
		for _, w := range writers {
			if i < len(w) {
				order = append(order, w[i])
			}
		}
		if len(order) == n {
			break
		}
	}
	if anonymous {
		slices.SortFunc(order, func(a, b revealed) int { return cmp.Or(cmp.Compare(a.layer, b.layer), cmp.Compare(a.id, b.id)) })
	}
	return order
}

// addItems writes items into doc's items map, stacked from top+1 up, as one
// change.
func addItems(doc *automerge.Doc, items []revealed, top int64) error {
	if len(items) == 0 {
		return nil
	}
	m, err := itemsMap(doc)
	if err != nil {
		return err
	}
	for i, it := range items {
		v := toDocValue(it.value).(map[string]any)
		v["z"] = top + int64(i) + 1
		if err := m.Set(it.id, v); err != nil {
			return fmt.Errorf("item %s: %w", it.id, err)
		}
	}
	if _, err := doc.Commit("reveal notes"); err != nil {
		return err
	}
	return nil
}

// textValue is collaborative text read from a document, kept as a string
// until it is written again (a document's Text is bound to one document).
type textValue string

// toDocValue makes what copyValue read writable into a document.
func toDocValue(v any) any {
	switch v := v.(type) {
	case textValue:
		return automerge.NewText(string(v))
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = toDocValue(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = toDocValue(x)
		}
		return out
	}
	return v
}

// itemsMap is the board's items map, made if a document lacks one.
func itemsMap(doc *automerge.Doc) (*automerge.Map, error) {
	v, err := doc.RootMap().Get("items")
	if err != nil {
		return nil, err
	}
	if v.Kind() == automerge.KindMap {
		return v.Map(), nil
	}
	m := automerge.NewMap()
	if err := doc.RootMap().Set("items", m); err != nil {
		return nil, err
	}
	return m, nil
}

func topZ(items *automerge.Map) (int64, error) {
	values, err := items.Values()
	if err != nil {
		return 0, err
	}
	var top int64
	for _, v := range values {
		top = max(top, zOf(v))
	}
	return top, nil
}

// zOf is an item's z as a whole number; 0 when it has none.
func zOf(v *automerge.Value) int64 {
	if v.Kind() != automerge.KindMap {
		return 0
	}
	z, err := v.Map().Get("z")
	if err != nil {
		return 0
	}
	switch z.Kind() {
	case automerge.KindInt64:
		return z.Int64()
	case automerge.KindUint64:
		return int64(min(z.Uint64(), 1<<62))
	case automerge.KindFloat64:
		return int64(z.Float64())
	}
	return 0
}

// maxItemDepth bounds how deep an item's value is copied: an item of the
// board schema is two levels deep (a drawing's points).
const maxItemDepth = 8

// copyValue reads a document value as something Map.Set writes again once
// toDocValue made it so: text stays collaborative text, a scalar string stays scalar, maps and lists
// are copied deeply (to maxItemDepth). Counters become their value.
func copyValue(v *automerge.Value, depth int) (any, error) {
	if depth > maxItemDepth {
		return nil, errors.New("nested too deep for a board item")
	}
	switch v.Kind() {
	case automerge.KindMap:
		values, err := v.Map().Values()
		if err != nil {
			return nil, err
		}
		out := make(map[string]any, len(values))
		for k, x := range values {
			c, err := copyValue(x, depth+1)
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return out, nil
	case automerge.KindList:
		values, err := v.List().Values()
		if err != nil {
			return nil, err
		}
		out := make([]any, 0, len(values))
		for _, x := range values {
			c, err := copyValue(x, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, c)
		}
		return out, nil
	case automerge.KindText:
		s, err := v.Text().Get()
		if err != nil {
			return nil, err
		}
		return textValue(s), nil
	case automerge.KindCounter:
		n, err := v.Counter().Get()
		if err != nil {
			return nil, err
		}
		return n, nil
	case automerge.KindStr:
		return v.Str(), nil
	case automerge.KindNull:
		return nil, nil
	case automerge.KindBool, automerge.KindInt64, automerge.KindUint64, automerge.KindFloat64, automerge.KindBytes, automerge.KindTime:
		return v.Interface(), nil
	}
	return nil, fmt.Errorf("a value of kind %v", v.Kind())
}
