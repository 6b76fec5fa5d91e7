package app

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/hindsight-retro/hindsight/domain/calfeed"
	"github.com/hindsight-retro/hindsight/domain/schedule"
	"github.com/hindsight-retro/hindsight/domain/sharelink"
	"github.com/hindsight-retro/hindsight/eventstore"
)

// logIndex is which streams of a few small kinds exist, for the use cases
// that must find them by something other than their ID: the teams with a
// schedule (the timer), a retro's share links and a team's calendar feeds.
// It is read from the log, not kept anywhere: every node builds it on
// first use from the start of the log and, on every later use, reads only
// what was appended since, so it is as current as the log at that moment
// (a caller reads its own writes) and survives nothing but the process.
type logIndex struct {
	mu    sync.Mutex
	after uint64
	// scheduled: team IDs that have had a cadence.
	scheduled map[string]bool
	// shareLinks: retro ID → its share links' IDs, oldest first.
	shareLinks map[string][]string
	// feeds: team ID → its calendar feeds' IDs, oldest first.
	feeds map[string][]string
}

// read brings the index up to the end of the log and calls fn with it
// (under its lock).
func (x *logIndex) read(ctx context.Context, store eventstore.Store, fn func(x *logIndex)) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.scheduled == nil {
		x.scheduled, x.shareLinks, x.feeds = map[string]bool{}, map[string][]string{}, map[string][]string{}
	}
	err := store.ReadAll(ctx, x.after, func(_ context.Context, e eventstore.RecordedEvent) error {
		x.fold(e)
		if e.LastInCommit() {
			x.after = e.Position
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("index of schedules, share links and feeds: read the log: %w", err)
	}
	fn(x)
	return nil
}

func (x *logIndex) fold(e eventstore.RecordedEvent) {
	switch {
	case e.Stream.Category == schedule.Category && e.Type == schedule.TypeCadenceSet:
		x.scheduled[e.Stream.ID] = true
	case e.Stream.Category == sharelink.Category && e.Type == sharelink.TypeLinkCreated:
		ev, err := sharelink.DecodeEvent(e.Type, e.SchemaVersion, e.Payload)
		if c, ok := ev.(sharelink.LinkCreated); err == nil && ok && !slices.Contains(x.shareLinks[c.RetroID], e.Stream.ID) {
			x.shareLinks[c.RetroID] = append(x.shareLinks[c.RetroID], e.Stream.ID)
		}
	case e.Stream.Category == calfeed.Category && e.Type == calfeed.TypeFeedCreated:
		ev, err := calfeed.DecodeEvent(e.Type, e.SchemaVersion, e.Payload)
		if c, ok := ev.(calfeed.FeedCreated); err == nil && ok && !slices.Contains(x.feeds[c.TeamID], e.Stream.ID) {
			x.feeds[c.TeamID] = append(x.feeds[c.TeamID], e.Stream.ID)
		}
	}
}
