// Package storetest is the contract suite every eventstore.Store backend
// passes. The doc comments of package eventstore are its specification; each
// subtest names the promise it checks.
//
// The suite runs against logs that are shared and not empty (a cluster or a
// server is reused between subtests and test runs), so every subtest writes to
// fresh random streams and reads the global log only from the position it saw
// before it started, ignoring other streams' events there.
package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/eventstore"
)

// Run runs the contract suite. open may be called many times (once per
// subtest or so); each call returns a store over a log that is not necessarily
// empty. The suite closes each store it opens. Top-level subtests run one
// after another, so open is never called concurrently.
func Run(t *testing.T, open func(t *testing.T) eventstore.Store) {
	s := suite{open: open}
	t.Run("AppendLoad", s.appendLoad)
	t.Run("Load", s.load)
	t.Run("Conflict", s.conflict)
	t.Run("Idempotency", s.idempotency)
	t.Run("Ordering", s.ordering)
	t.Run("Subscribe", s.subscribe)
	t.Run("ConcurrentWriters", s.concurrentWriters)
	t.Run("Rejections", s.rejections)
	t.Run("Limits", s.limits)
	t.Run("PayloadIsolation", s.payloadIsolation)
	t.Run("Close", s.close)
}

type suite struct {
	open func(t *testing.T) eventstore.Store
}

// store opens a store that is closed when t ends.
func (s suite) store(t *testing.T) eventstore.Store {
	t.Helper()
	st := s.open(t)
	if st == nil {
		t.Fatal("open returned a nil store")
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	return st
}

// category is the one every stream of the suite lives in.
const category = "storetest"

// stall bounds waits for something that must eventually happen (a
// subscription catching up, a goroutine returning), so a broken backend fails
// the test instead of hanging it. It is not a performance figure.
const stall = 30 * time.Second

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails, per the crypto/rand documentation
	return hex.EncodeToString(b)
}

func newStream() eventstore.StreamID {
	return eventstore.StreamID{Category: category, ID: randomHex(8)}
}

func newID(prefix string) string { return prefix + "-" + randomHex(8) }

// commitOf builds a commit of n events under a fresh command ID; payloads
// carry the event's index so order can be checked.
func commitOf(stream eventstore.StreamID, expected int64, n int) eventstore.Commit {
	c := eventstore.Commit{Stream: stream, ExpectedVersion: expected, CommandID: newID("cmd")}
	for i := range n {
		c.Events = append(c.Events, eventstore.Event{
			Type:          "Happened",
			SchemaVersion: 1,
			Payload:       json.RawMessage(fmt.Sprintf(`{"cmd":%q,"i":%d}`, c.CommandID, i)),
		})
	}
	return c
}

func appendOK(t *testing.T, ctx context.Context, st eventstore.Store, c eventstore.Commit) eventstore.AppendResult {
	t.Helper()
	res, err := st.Append(ctx, c)
	if err != nil {
		t.Fatalf("append to %s with expected version %d: %v", c.Stream, c.ExpectedVersion, err)
	}
	return res
}

func loadOK(t *testing.T, ctx context.Context, st eventstore.Store, stream eventstore.StreamID, after int64) []eventstore.RecordedEvent {
	t.Helper()
	evs, err := st.Load(ctx, stream, after)
	if err != nil {
		t.Fatalf("load %s after version %d: %v", stream, after, err)
	}
	return evs
}

func lastPosition(t *testing.T, ctx context.Context, st eventstore.Store) uint64 {
	t.Helper()
	p, err := st.LastPosition(ctx)
	if err != nil {
		t.Fatalf("last position: %v", err)
	}
	return p
}

// readOwn reads the log after a position and keeps the events of the given
// streams; other tests may be writing to the same log.
func readOwn(t *testing.T, ctx context.Context, st eventstore.Store, after uint64, own map[eventstore.StreamID]bool) []eventstore.RecordedEvent {
	t.Helper()
	var got []eventstore.RecordedEvent
	err := st.ReadAll(ctx, after, func(_ context.Context, e eventstore.RecordedEvent) error {
		if own[e.Stream] {
			got = append(got, e)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("read all after %d: %v", after, err)
	}
	return got
}

func setOf(streams ...eventstore.StreamID) map[eventstore.StreamID]bool {
	m := make(map[eventstore.StreamID]bool, len(streams))
	for _, s := range streams {
		m[s] = true
	}
	return m
}

// versions lists the stream versions of events, for readable failures.
func versions(evs []eventstore.RecordedEvent) []int64 {
	v := make([]int64, len(evs))
	for i, e := range evs {
		v[i] = e.StreamVersion
	}
	return v
}

// checkEvent compares a recorded event with the i-th event of the commit
// that produced it.
func checkEvent(t *testing.T, got eventstore.RecordedEvent, c eventstore.Commit, i int, res eventstore.AppendResult) {
	t.Helper()
	want := c.Events[i]
	wantVersion := res.StreamVersion - int64(len(c.Events)-1-i)
	where := fmt.Sprintf("%s v%d", c.Stream, wantVersion)
	if got.EventID != eventstore.EventID(c, i) {
		t.Errorf("%s: event ID %q, want %q", where, got.EventID, eventstore.EventID(c, i))
	}
	if got.Type != want.Type {
		t.Errorf("%s: type %q, want %q", where, got.Type, want.Type)
	}
	if got.Stream != c.Stream {
		t.Errorf("%s: stream %v, want %v", where, got.Stream, c.Stream)
	}
	if got.StreamVersion != wantVersion {
		t.Errorf("%s: stream version %d", where, got.StreamVersion)
	}
	if got.Position != res.Position {
		t.Errorf("%s: position %d, the append reported %d", where, got.Position, res.Position)
	}
	if got.Index != i || got.CommitSize != len(c.Events) {
		t.Errorf("%s: index %d of %d, want %d of %d", where, got.Index, got.CommitSize, i, len(c.Events))
	}
	if got.CommandID != c.CommandID || got.CausationID != c.CausationID || got.CorrelationID != c.CorrelationID {
		t.Errorf("%s: command/causation/correlation IDs %q/%q/%q, want %q/%q/%q", where,
			got.CommandID, got.CausationID, got.CorrelationID, c.CommandID, c.CausationID, c.CorrelationID)
	}
	if got.Actor != c.Actor {
		t.Errorf("%s: actor %q, want %q", where, got.Actor, c.Actor)
	}
	if got.SchemaVersion != want.SchemaVersion {
		t.Errorf("%s: schema version %d, want %d", where, got.SchemaVersion, want.SchemaVersion)
	}
	if err := samePayload(want.Payload, got.Payload); err != nil {
		t.Errorf("%s: %v", where, err)
	}
}

// samePayload accepts a payload back byte for byte when it was sent compact
// and free of characters encoding/json escapes, and as an equal JSON value
// otherwise: a backend that embeds payloads in a JSON envelope may compact
// insignificant whitespace, but must not change a value.
func samePayload(want, got json.RawMessage) error {
	var compact bytes.Buffer
	if json.Compact(&compact, want) == nil && bytes.Equal(compact.Bytes(), want) && !bytes.ContainsAny(want, "<>&") {
		if !bytes.Equal(want, got) {
			return fmt.Errorf("payload %s, want exactly %s", got, want)
		}
		return nil
	}
	w, err := decodeJSON(want)
	if err != nil {
		return fmt.Errorf("the suite's own payload %s: %v", want, err)
	}
	g, err := decodeJSON(got)
	if err != nil {
		return fmt.Errorf("payload %q is not JSON: %v", got, err)
	}
	if !reflect.DeepEqual(w, g) {
		return fmt.Errorf("payload %s, want the JSON value %s", got, want)
	}
	return nil
}

func decodeJSON(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// checkConflict asserts err is the typed conflict for the stream and the
// expected version, with the actual version when the backend knows it.
func checkConflict(t *testing.T, err error, stream eventstore.StreamID, expected, actual int64) {
	t.Helper()
	if !errors.Is(err, eventstore.ErrConflict) {
		t.Fatalf("append to %s expecting version %d: got %v, want a conflict", stream, expected, err)
	}
	var ce *eventstore.ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("conflict %v is not a *eventstore.ConflictError", err)
	}
	if ce.Stream != stream || ce.Expected != expected {
		t.Errorf("conflict names stream %v expected %d, want %v expected %d", ce.Stream, ce.Expected, stream, expected)
	}
	if ce.Actual != -1 && ce.Actual != actual {
		t.Errorf("conflict says actual version %d, the stream is at %d", ce.Actual, actual)
	}
	if !strings.Contains(err.Error(), stream.String()) {
		t.Errorf("conflict message %q does not name the stream %s", err, stream)
	}
}

// wait fails the test if done is not closed before the stall bound.
func wait(t *testing.T, done <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-done:
	case <-time.After(stall):
		t.Fatalf("%s: nothing happened for %v", what, stall)
	}
}
