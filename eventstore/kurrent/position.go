package kurrent

import (
	"context"
	"fmt"
)

// KurrentDB gives each event of an append its own commit position in $all,
// while the port wants one position per commit, shared by its events. A
// commit's position here is the commit position of its first event
// (Index 0): it is monotonic across commits, and a reader resuming from it
// skips the whole commit, since its other events get the same position.

// firstEventLookup finds the first event of the commit that holds the event
// at revision rev of stream: its raw commit position and write ID. It is
// needed only when a read starts inside a commit.
type firstEventLookup func(ctx context.Context, stream string, rev uint64) (raw uint64, writeID string, err error)

// positionTracker assigns commit positions to events read in log or stream
// order. The events of one append are contiguous in both, so the first
// event's position is carried forward; a read that starts inside a commit
// asks lookup once.
type positionTracker struct {
	lookup firstEventLookup

	stream    string
	writeID   string
	nextIndex int
	pos       uint64
}

func (t *positionTracker) position(ctx context.Context, d decoded) (uint64, error) {
	name := streamName(d.stream)
	if d.meta.Index == 0 {
		t.stream, t.writeID, t.nextIndex, t.pos = name, d.meta.WriteID, 1, d.raw
		return d.raw, nil
	}
	if t.stream == name && t.writeID == d.meta.WriteID && t.nextIndex == d.meta.Index {
		t.nextIndex++
		return t.pos, nil
	}
	if t.lookup == nil || d.revision < uint64(d.meta.Index) {
		return 0, fmt.Errorf("kurrent: event %d of %s is inside a commit whose first event is unknown", d.revision, name)
	}
	raw, wid, err := t.lookup(ctx, name, d.revision-uint64(d.meta.Index))
	if err != nil {
		return 0, fmt.Errorf("kurrent: find the first event of the commit holding event %d of %s: %w", d.revision, name, err)
	}
	if wid != d.meta.WriteID {
		return 0, fmt.Errorf("kurrent: event %d of %s: the event %d before it belongs to another commit", d.revision, name, d.meta.Index)
	}
	t.stream, t.writeID, t.nextIndex, t.pos = name, wid, d.meta.Index+1, raw
	return raw, nil
}

// readEnd says whether a ReadAll that began when the log ended at raw
// position end must stop at an event with raw position raw. It stops at the
// first commit that starts after end, so a commit straddling end is
// delivered whole. ours is false for events that are not ours.
func readEnd(end, raw uint64, ours bool, index int) bool {
	return raw > end && (!ours || index == 0)
}
