package natsjs

import (
	"encoding/json"
	"testing"

	"github.com/hindsight-retro/hindsight/eventstore"
)

// A foreign or damaged message is an error for the reader, never a panic.
func FuzzDecodeCommit(f *testing.F) {
	c := eventstore.Commit{Stream: eventstore.StreamID{Category: "retro", ID: "x"}, CommandID: "c", Actor: "u",
		Events: []eventstore.Event{{Type: "A", Payload: json.RawMessage(`{}`)}, {Type: "B", SchemaVersion: 3, Payload: json.RawMessage(`[1]`)}}}
	first := head{version: 2, count: 2}
	f.Add(encodeBody(&first, encodeEvents(c)), uint64(5))
	later := first.next(5, 4, 2)
	later = later.next(9, 6, 2)
	f.Add(encodeBody(&later, encodeEvents(c)), uint64(12))
	f.Add([]byte("{\"json\":true}"), uint64(1))
	f.Fuzz(func(t *testing.T, body []byte, seq uint64) {
		var d decoder
		evs, err := d.decode(body, &meta{position: seq})
		if err != nil {
			return
		}
		var h head
		if _, err := decodeHead(body, seq, &h); err != nil || len(evs) != h.count {
			t.Fatalf("decoded %d events, head %+v, %v", len(evs), h, err)
		}
		for i, l := range h.links[:h.nlinks] {
			if l >= seq || i > 0 && l >= h.links[i-1] {
				t.Fatalf("link %d = %d does not point back from %d: %v", i, l, seq, h.links[:h.nlinks])
			}
		}
	})
}

// What a writer encodes, a reader decodes, links included.
func TestCodecRoundTrip(t *testing.T) {
	c := eventstore.Commit{Stream: eventstore.StreamID{Category: "retro", ID: "x"}, CommandID: "cmd", CausationID: "cause",
		CorrelationID: "corr", Actor: "user", Events: []eventstore.Event{
			{ID: "e1", Type: "CardAdded", SchemaVersion: 2, Payload: json.RawMessage(`{"a":1}`)},
			{Type: "CardMoved", Payload: json.RawMessage(`"x"`)}}}
	h := head{version: 2, count: 2}
	seq := uint64(3)
	for i := range 40 {
		next := h.next(seq, h.version+2, 2)
		seq += uint64(1 + i%7)
		body := encodeBody(&next, encodeEvents(c))
		var got head
		if _, err := decodeHead(body, seq, &got); err != nil || got != next {
			t.Fatalf("commit %d: head %+v, %v; want %+v", i, got, err, next)
		}
		if got.nlinks != min(i+1, maxLinks) || got.first != 3 {
			t.Fatalf("commit %d: %d links, first %d; want %d links, first 3", i, got.nlinks, got.first, min(i+1, maxLinks))
		}
		var d decoder
		evs, err := d.decode(body, &meta{stream: c.Stream, position: seq, commandID: c.CommandID})
		if err != nil || len(evs) != 2 {
			t.Fatalf("commit %d: %v, %v", i, evs, err)
		}
		e := evs[1]
		if e.StreamVersion != next.version || e.Index != 1 || e.CommitSize != 2 || e.Type != "CardMoved" ||
			e.EventID != eventstore.EventID(c, 1) || string(e.Payload) != `"x"` || e.Actor != "user" ||
			e.CausationID != "cause" || e.CorrelationID != "corr" || evs[0].EventID != "e1" || evs[0].SchemaVersion != 2 {
			t.Fatalf("commit %d: decoded %+v", i, evs)
		}
		h = next
	}
}
