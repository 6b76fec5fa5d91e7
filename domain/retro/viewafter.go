package retro

import "slices"

// ViewAfter is View(after, v, p) made from prev, the viewer's view of the
// state just before events (after being that state with events applied),
// when every event is a card added (the bulk of a live retro's commits);
// otherwise it reports false and the view is to be built whole. Building a
// view walks every card of the retro, so in a retro of thousands of cards
// each commit cost its feeds thousands of lookups per audience; a card
// added changes one column's list and, once its column is revealed, the
// topics. The view made shares every part the events did not change with
// prev: read both, change neither.
func ViewAfter(prev RetroView, after State, events []Event, v Viewer, p Policy) (RetroView, bool) {
	if len(events) == 0 || !after.Created || prev.RetroID != after.RetroID {
		return RetroView{}, false
	}
	out := prev
	first := after.CardOrder.Len() - len(events)
	if first < 0 {
		return RetroView{}, false
	}
	var colsCopied, topicsCopied bool
	for i, e := range events {
		added, ok := e.(CardAdded)
		if !ok || after.CardOrder.At(first+i) != added.CardID {
			return RetroView{}, false
		}
		c, ok := after.Cards.Get(added.CardID)
		if !ok {
			return RetroView{}, false
		}
		// A column's cards are in the retro's order, and the card is the
		// last of it: the last of its column too.
		if col := slices.IndexFunc(out.Columns, func(cv ColumnView) bool { return cv.ID == c.ColumnID }); col >= 0 {
			if !colsCopied {
				out.Columns, colsCopied = slices.Clone(out.Columns), true
			}
			out.Columns[col].Cards = append(slices.Clip(out.Columns[col].Cards), cardView(after, v, c))
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
		}
	}
	return out, true
}
