package kurrent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/hindsight-retro/hindsight/eventstore"
)

func TestExpectedRevision(t *testing.T) {
	cases := []struct {
		version int64
		want    esdb.ExpectedRevision
	}{
		{eventstore.Any, esdb.Any{}},
		{eventstore.NoStream, esdb.NoStream{}},
		{1, esdb.Revision(0)},
		{7, esdb.Revision(6)},
	}
	for _, c := range cases {
		got, err := expectedRevision(c.version)
		if err != nil {
			t.Fatalf("expectedRevision(%d): %v", c.version, err)
		}
		if got != c.want {
			t.Errorf("expectedRevision(%d) = %#v, want %#v", c.version, got, c.want)
		}
	}
	if _, err := expectedRevision(-2); !errors.Is(err, eventstore.ErrInvalidArgument) {
		t.Errorf("expectedRevision(-2) = %v, want ErrInvalidArgument", err)
	}
}

func TestVersionRevisionRoundTrip(t *testing.T) {
	for _, v := range []int64{1, 2, 10, 1 << 40} {
		rev, err := expectedRevision(v)
		if err != nil {
			t.Fatal(err)
		}
		if back := versionOf(rev.(esdb.StreamRevision).Value); back != v {
			t.Errorf("version %d -> revision %d -> version %d", v, rev.(esdb.StreamRevision).Value, back)
		}
		// The first event after version v is the one at revision v.
		if got := firstRevisionAfter(v); versionOf(got) != v+1 {
			t.Errorf("firstRevisionAfter(%d) = %d, whose version is %d", v, got, versionOf(got))
		}
	}
	if got := firstRevisionAfter(eventstore.NoStream); got != 0 {
		t.Errorf("firstRevisionAfter(NoStream) = %d, want 0", got)
	}
}

func TestStreamNames(t *testing.T) {
	id := eventstore.StreamID{Category: "retro", ID: "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"}
	name := streamName(id)
	if name != "retro-0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b" {
		t.Fatalf("streamName = %q", name)
	}
	back, ok := parseStreamName(name)
	if !ok || back != id {
		t.Fatalf("parseStreamName(%q) = %v, %v; want %v", name, back, ok, id)
	}
	for _, foreign := range []string{"$settings", "$$retro-1", "$ce-retro", "Orders-1", "nodash", "retro-"} {
		if s, ok := parseStreamName(foreign); ok {
			t.Errorf("parseStreamName(%q) accepted it as %v", foreign, s)
		}
	}
}

func testCommit() eventstore.Commit {
	return eventstore.Commit{
		Stream:          eventstore.StreamID{Category: "retro", ID: "r1"},
		ExpectedVersion: 3,
		CommandID:       "cmd-1",
		CausationID:     "cause-1",
		CorrelationID:   "corr-1",
		Actor:           "user-7",
		Events: []eventstore.Event{
			{Type: "CardAdded", SchemaVersion: 2, Payload: json.RawMessage(`{"text":"more coffee"}`)},
			{ID: "my-own-id", Type: "CardMoved", Payload: json.RawMessage(`{"column":2}`)},
			{ID: "0190A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B", Type: "VoteCast", Payload: json.RawMessage(`{}`)},
		},
	}
}

// recordedFrom plays the server: it turns proposed events into what a read
// returns, at revisions from rev and raw positions from raw.
func recordedFrom(stream string, data []esdb.EventData, rev, raw uint64) []*esdb.RecordedEvent {
	out := make([]*esdb.RecordedEvent, len(data))
	for i, d := range data {
		out[i] = &esdb.RecordedEvent{
			EventID: d.EventID, EventType: d.EventType, ContentType: "application/json",
			StreamID: stream, EventNumber: rev + uint64(i),
			Position:    esdb.Position{Commit: raw + uint64(i)*100, Prepare: raw + uint64(i)*100},
			CreatedDate: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC), Data: d.Data, UserMetadata: d.Metadata,
		}
	}
	return out
}

func TestEnvelopeRoundTrip(t *testing.T) {
	c := testCommit()
	data, err := toEventData(c, "write-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(data) != 3 {
		t.Fatalf("%d events, want 3", len(data))
	}
	for i, d := range data {
		if d.ContentType != esdb.ContentTypeJson {
			t.Errorf("event %d content type %v, want JSON", i, d.ContentType)
		}
	}
	tr := positionTracker{}
	for i, rec := range recordedFrom("retro-r1", data, 3, 5000) {
		d, ok, err := decodeRecorded(rec)
		if err != nil || !ok {
			t.Fatalf("event %d: decodeRecorded = %v, %v", i, ok, err)
		}
		pos, err := tr.position(context.Background(), d)
		if err != nil {
			t.Fatal(err)
		}
		got := d.envelope(pos)
		want := eventstore.RecordedEvent{
			EventID: eventstore.EventID(c, i), Type: c.Events[i].Type, Stream: c.Stream,
			StreamVersion: int64(4 + i), Position: 5000, Index: i, CommitSize: 3,
			RecordedAt: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC), CommandID: "cmd-1",
			CausationID: "cause-1", CorrelationID: "corr-1", Actor: "user-7",
			SchemaVersion: c.Events[i].SchemaVersion, Payload: c.Events[i].Payload,
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("event %d:\n got %+v\nwant %+v", i, got, want)
		}
	}
}

func TestEventIDsAreStableUUIDs(t *testing.T) {
	c := testCommit()
	a, _ := toEventData(c, "write-1")
	b, _ := toEventData(c, "write-2")
	for i := range a {
		if a[i].EventID != b[i].EventID {
			t.Errorf("event %d: a retried commit maps to another KurrentDB ID", i)
		}
		if a[i].EventID == uuid.Nil {
			t.Errorf("event %d: nil UUID", i)
		}
	}
	// A derived ID is a UUID and is used as is, so KurrentDB's own
	// idempotency check sees the same IDs on a retry.
	if got, want := a[0].EventID.String(), eventstore.EventID(c, 0); got != want {
		t.Errorf("derived ID sent as %s, want %s", got, want)
	}
	if a[1].EventID == a[2].EventID {
		t.Error("two caller IDs map to one UUID")
	}
}

func TestDecodeMetadataRejectsForeignOrBroken(t *testing.T) {
	for name, meta := range map[string]string{
		"not JSON":       `nope`,
		"other app":      `{"$correlationId":"x"}`,
		"no write ID":    `{"hindsight":1,"commandId":"c","index":0,"commitSize":1}`,
		"index too high": `{"hindsight":1,"commandId":"c","writeId":"w","index":2,"commitSize":2}`,
		"future format":  `{"hindsight":2,"commandId":"c","writeId":"w","index":0,"commitSize":1}`,
	} {
		if _, err := decodeMetadata([]byte(meta)); err == nil {
			t.Errorf("%s: decodeMetadata accepted %s", name, meta)
		}
	}
}

func TestAllStreamFilter(t *testing.T) {
	ours, _ := toEventData(eventstore.Commit{
		Stream: eventstore.StreamID{Category: "team", ID: "t1"}, CommandID: "c",
		Events: []eventstore.Event{{Type: "MemberJoined", Payload: json.RawMessage(`{}`)}},
	}, "w")
	mk := func(stream, typ string, meta []byte) *esdb.RecordedEvent {
		return &esdb.RecordedEvent{StreamID: stream, EventType: typ, Data: []byte(`{}`), UserMetadata: meta}
	}
	skipped := map[string]*esdb.RecordedEvent{
		"system stream":           mk("$settings", "$settings", nil),
		"stream metadata":         mk("$$team-t1", "$metadata", nil),
		"projection link":         mk("$ce-team", "$>", []byte(`{"$v":"1"}`)),
		"system type in a stream": mk("team-t1", "$metadata", nil),
		"foreign stream name":     mk("Orders", "OrderPlaced", []byte(`{}`)),
	}
	for name, ev := range skipped {
		if _, ok, err := decodeRecorded(ev); ok || err != nil {
			t.Errorf("%s: decodeRecorded = %v, %v; want skipped quietly", name, ok, err)
		}
	}
	// A stream named like ours but written by someone else is skipped too,
	// with an error the reader can log.
	if _, ok, err := decodeRecorded(mk("team-t2", "Joined", []byte(`{"x":1}`))); ok || err == nil {
		t.Errorf("foreign event in a stream of our form: ok=%v err=%v", ok, err)
	}
	if _, ok, err := decodeRecorded(mk("team-t1", "MemberJoined", ours[0].Metadata)); !ok || err != nil {
		t.Errorf("our event: ok=%v err=%v", ok, err)
	}
}

// deliveries runs events through a feed as ReadAll and Subscribe do.
func deliveries(t *testing.T, after uint64, evs []*esdb.RecordedEvent, lookup firstEventLookup) []eventstore.RecordedEvent {
	t.Helper()
	f := feed{after: after, tr: positionTracker{lookup: lookup}, log: discardLogger()}
	var out []eventstore.RecordedEvent
	for _, ev := range evs {
		d, ok := f.recognise(ev)
		if !ok {
			continue
		}
		re, deliver, err := f.deliver(context.Background(), d)
		if err != nil {
			t.Fatal(err)
		}
		if deliver {
			out = append(out, re)
		}
	}
	return out
}

// threeCommits is a log: a system event, a two-event commit, a foreign
// event, a one-event commit and a three-event commit.
func threeCommits(t *testing.T) []*esdb.RecordedEvent {
	mk := func(id string, n int) []esdb.EventData {
		c := eventstore.Commit{Stream: eventstore.StreamID{Category: "retro", ID: id}, CommandID: "cmd-" + id}
		for i := 0; i < n; i++ {
			c.Events = append(c.Events, eventstore.Event{Type: "CardAdded", Payload: json.RawMessage(`{}`)})
		}
		d, err := toEventData(c, "write-"+id)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	var log []*esdb.RecordedEvent
	log = append(log, &esdb.RecordedEvent{StreamID: "$settings", EventType: "$settings", Position: esdb.Position{Commit: 50}})
	log = append(log, recordedFrom("retro-a", mk("a", 2), 0, 1000)...) // raw 1000, 1100
	log = append(log, &esdb.RecordedEvent{StreamID: "$stats-1", EventType: "$statsCollected", Position: esdb.Position{Commit: 1150}})
	log = append(log, recordedFrom("retro-b", mk("b", 1), 0, 1200)...) // raw 1200
	log = append(log, recordedFrom("retro-a", mk("c", 3), 2, 1300)...) // raw 1300, 1400, 1500
	return log
}

func TestFeedSharesOnePositionPerCommit(t *testing.T) {
	got := deliveries(t, 0, threeCommits(t), nil)
	want := []uint64{1000, 1000, 1200, 1300, 1300, 1300}
	if len(got) != len(want) {
		t.Fatalf("delivered %d events, want %d", len(got), len(want))
	}
	for i, e := range got {
		if e.Position != want[i] {
			t.Errorf("event %d (%s index %d): position %d, want %d", i, e.Stream, e.Index, e.Position, want[i])
		}
	}
	if !got[1].LastInCommit() || got[0].LastInCommit() || !got[5].LastInCommit() {
		t.Error("commit boundaries lost")
	}
}

func TestFeedAfterSkipsWholeCommits(t *testing.T) {
	log := threeCommits(t)
	for _, c := range []struct {
		after uint64
		n     int
	}{{999, 6}, {1000, 4}, {1100, 4}, {1200, 3}, {1300, 0}, {1500, 0}} {
		// A read from position after starts at the event there (reads are
		// inclusive), or after it (subscriptions are exclusive): both must
		// deliver the same.
		for _, start := range []int{firstAtOrAfter(log, c.after), firstAfter(log, c.after)} {
			lookup := func(ctx context.Context, stream string, rev uint64) (uint64, string, error) {
				for _, ev := range log {
					if ev.StreamID == stream && ev.EventNumber == rev {
						m, err := decodeMetadata(ev.UserMetadata)
						return ev.Position.Commit, m.WriteID, err
					}
				}
				return 0, "", errors.New("not found")
			}
			got := deliveries(t, c.after, log[start:], lookup)
			if len(got) != c.n {
				t.Errorf("after %d, reading from log index %d: %d events, want %d", c.after, start, len(got), c.n)
			}
			for _, e := range got {
				if e.Position <= c.after {
					t.Errorf("after %d: delivered position %d", c.after, e.Position)
				}
			}
		}
	}
}

func firstAtOrAfter(log []*esdb.RecordedEvent, p uint64) int {
	for i, ev := range log {
		if ev.Position.Commit >= p {
			return i
		}
	}
	return len(log)
}

func firstAfter(log []*esdb.RecordedEvent, p uint64) int {
	for i, ev := range log {
		if ev.Position.Commit > p {
			return i
		}
	}
	return len(log)
}

func TestTrackerRefusesUnknownCommitStart(t *testing.T) {
	log := threeCommits(t)
	// Starting at the middle of commit c without a way to look its first
	// event up must fail, not invent a position.
	f := feed{tr: positionTracker{}, log: discardLogger()}
	d, ok := f.recognise(log[len(log)-1])
	if !ok {
		t.Fatal("not recognised")
	}
	if _, _, err := f.deliver(context.Background(), d); err == nil || !strings.Contains(err.Error(), "inside a commit") {
		t.Errorf("deliver = %v, want an error about the commit's unknown start", err)
	}
}

func TestReadEnd(t *testing.T) {
	// The log ended at raw 1300 when ReadAll began, in the middle of the
	// commit at 1300..1500 (as seen by a reader racing the writer).
	for _, c := range []struct {
		raw   uint64
		ours  bool
		index int
		stop  bool
	}{
		{1200, true, 0, false},
		{1300, true, 0, false},
		{1400, true, 1, false}, // rest of the straddling commit
		{1500, true, 2, false},
		{1600, true, 0, true}, // next commit began after the end
		{1600, false, 0, true},
	} {
		if got := readEnd(1300, c.raw, c.ours, c.index); got != c.stop {
			t.Errorf("readEnd(1300, %d, %v, %d) = %v, want %v", c.raw, c.ours, c.index, got, c.stop)
		}
	}
}

func TestActualVersion(t *testing.T) {
	for msg, want := range map[string]int64{
		"wrong expected version: expecting '3' but got '5'":         6,
		"wrong expected version: expecting 'no_stream' but got '0'": 1,
		"wrong expected version: expecting '2' but got 'no_stream'": 0,
		"something else": -1,
	} {
		if got := actualVersion(errors.New(msg)); got != want {
			t.Errorf("actualVersion(%q) = %d, want %d", msg, got, want)
		}
	}
}

func TestRedact(t *testing.T) {
	got := redact("esdb://admin:changeit@127.0.0.1:2113?tls=false")
	if strings.Contains(got, "changeit") {
		t.Errorf("redact kept the password: %s", got)
	}
	if got := redact("esdb://127.0.0.1:2113"); got != "esdb://127.0.0.1:2113" {
		t.Errorf("redact changed a URL without credentials: %s", got)
	}
}
