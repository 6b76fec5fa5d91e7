package collab

import (
	"cmp"
	"context"
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

// MergeNotes is a reveal: it copies every item of each private notes
// document into the board boardID (keeping the item's ID, its text as
// collaborative text, and placing it above what the board holds), with the
// item's author set to the Notes' Author whatever the notes said, and
// appends that change to the board's stream, from where every node's
// loaded copy merges it and sends it to its peers. Items the board holds
// already (a repeated reveal) are left as they are, so a retry adds
// nothing; the append's command ID is the board's, so a retried reveal is
// stored once. The notes are read from the log: call Flush first for
// documents this node may hold unflushed changes of.
func MergeNotes(ctx context.Context, store eventstore.Store, boardID string, notes []Notes) error {
	if _, err := wire.ParseDocumentID(boardID); err != nil {
		return fmt.Errorf("collab: reveal notes: %w", err)
	}
	doc, _, found, err := loadDoc(ctx, store, boardID)
	if err != nil {
		return fmt.Errorf("collab: reveal notes on %s: %w", boardID, err)
	}
	if !found {
		return fmt.Errorf("collab: reveal notes on %s: the board has no content", boardID)
	}
	heads := doc.Heads()
	items, err := itemsMap(doc)
	if err != nil {
		return fmt.Errorf("collab: reveal notes on %s: %w", boardID, err)
	}
	top, err := topZ(items)
	if err != nil {
		return fmt.Errorf("collab: reveal notes on %s: %w", boardID, err)
	}
	added := 0
	for _, n := range notes {
		src, _, found, err := loadDoc(ctx, store, n.DocID)
		if err != nil {
			return fmt.Errorf("collab: reveal notes %s on %s: %w", n.DocID, boardID, err)
		}
		if !found {
			continue // opened, never stored: nothing written
		}
		from, err := itemsMap(src)
		if err != nil {
			return fmt.Errorf("collab: reveal notes %s: %w", n.DocID, err)
		}
		values, err := from.Values()
		if err != nil {
			return fmt.Errorf("collab: reveal notes %s: %w", n.DocID, err)
		}
		// In the notes' stacking order, so they keep it on the board.
		ids := make([]string, 0, len(values))
		for id, v := range values {
			if v.Kind() == automerge.KindMap {
				ids = append(ids, id)
			}
		}
		slices.SortFunc(ids, func(a, b string) int {
			return cmp.Or(cmp.Compare(zOf(values[a]), zOf(values[b])), cmp.Compare(a, b))
		})
		for _, id := range ids {
			if have, err := items.Get(id); err == nil && !have.IsVoid() {
				continue
			}
			v, err := copyValue(values[id], 0)
			if err != nil {
				// Not something a board client writes (nested deeper than
				// any item, a kind no item has): that item stays behind,
				// and it holds up nobody else's notes.
				continue
			}
			m := v.(map[string]any)
			top++
			m["z"] = top
			m["author"] = automerge.NewText(n.Author)
			if err := items.Set(id, m); err != nil {
				return fmt.Errorf("collab: reveal notes %s item %s: %w", n.DocID, id, err)
			}
			added++
		}
	}
	if added == 0 {
		return nil
	}
	if _, err := doc.Commit("reveal notes"); err != nil {
		return fmt.Errorf("collab: reveal notes on %s: %w", boardID, err)
	}
	changes, err := doc.Changes(heads...)
	if err != nil {
		return fmt.Errorf("collab: reveal notes on %s: %w", boardID, err)
	}
	ev := chunkEvent(eventChunk, automerge.SaveChanges(changes))
	if len(ev.Payload) > eventstore.MaxCommitBytes-4096 {
		ev = chunkEvent(eventSnapshot, doc.Save())
	}
	_, err = store.Append(ctx, eventstore.Commit{
		Stream: docStream(boardID), ExpectedVersion: eventstore.Any, CommandID: "reveal-" + boardID,
		Events: []eventstore.Event{ev},
	})
	if err != nil {
		return fmt.Errorf("collab: reveal notes on %s: %w", boardID, err)
	}
	return nil
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

// copyValue reads a document value as something Map.Set writes again: text
// stays collaborative text, a scalar string stays scalar, maps and lists
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
		return automerge.NewText(s), nil
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
