package projections

import "github.com/hindsight-retro/hindsight/eventstore"

// FoldEverything makes the read model fold every decoded event, whatever
// its Selector says: the reference its declared list is held to.
func (f *Fold[S]) FoldEverything() {
	f.folds = func(_ eventstore.RecordedEvent, ev any) bool { return true }
}
