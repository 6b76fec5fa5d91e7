package retro

import (
	"slices"
	"strconv"
)

// ViewAfter is View(after, v, p) made from prev, the viewer's view of the
// state just before events (after being that state with events applied),
// when every event is a card added (the bulk of a live retro's commits);
// otherwise it reports false and the view is to be built whole. Building a
// view walks every card of the retro, so in a retro of thousands of cards
// each commit cost its feeds thousands of lookups per audience; a card
// added changes one column's list and, once its column is revealed, the
// topics. The view made shares every part the events did not change with
// prev: read both, change neither. added lists what it added, in order:
// applied to prev's JSON as "add" operations (RFC 6902), they make the new
// view's, with no diff of the two.
func ViewAfter(prev RetroView, after State, events []Event, v Viewer, p Policy) (view RetroView, added []Added, ok bool) {
	if len(events) == 0 || !after.Created || prev.RetroID != after.RetroID {
		return RetroView{}, nil, false
	}
	out := prev
	first := after.CardOrder.Len() - len(events)
	if first < 0 {
		return RetroView{}, nil, false
	}
	// Each list is copied once, on its first change, then appended to in
	// place: a writer behind sends a run of up to a thousand cards at once.
	var topicsCopied bool
	var cardsCopied []bool // per column
	for i, e := range events {
		card, ok := e.(CardAdded)
		if !ok || after.CardOrder.At(first+i) != card.CardID {
			return RetroView{}, nil, false
		}
		c, ok := after.Cards.Get(card.CardID)
		if !ok {
			return RetroView{}, nil, false
		}
		// A column's cards are in the retro's order, and the card is the
		// last of it: the last of its column too.
		if col := slices.IndexFunc(out.Columns, func(cv ColumnView) bool { return cv.ID == c.ColumnID }); col >= 0 {
			if cardsCopied == nil {
				out.Columns, cardsCopied = slices.Clone(out.Columns), make([]bool, len(out.Columns))
			}
			if !cardsCopied[col] {
				out.Columns[col].Cards, cardsCopied[col] = slices.Clip(out.Columns[col].Cards), true
			}
			cv := cardView(after, v, c)
			added = append(added, Added{Path: "/columns/" + strconv.Itoa(col) + "/cards/" + strconv.Itoa(len(out.Columns[col].Cards)), Value: cv})
			out.Columns[col].Cards = append(out.Columns[col].Cards, cv)
		}
		if tv, ok := cardTopic(after, c); ok {
			if !topicsCopied {
				out.Topics, topicsCopied = slices.Clip(out.Topics), true
			}
			// Where a stable sort by votes puts a topic that came last.
			at := slices.IndexFunc(out.Topics, func(t TopicView) bool { return byVotes(t, tv) > 0 })
			if at < 0 {
				at = len(out.Topics)
			}
			out.Topics = slices.Insert(out.Topics, at, tv)
			added = append(added, Added{Path: "/topics/" + strconv.Itoa(at), Value: tv})
		}
	}
	return out, added, true
}

// Added is an element ViewAfter added to one of the view's lists: Path is
// where, as a JSON pointer into the view with the additions before it made,
// and Value the element.
type Added struct {
	Path  string
	Value any
}
