package aggregate_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/aggregate"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
)

// A counter with an optional limit is the test aggregate.

type state struct{ N, Limit int }

type command struct {
	Add      int
	SetLimit int
}

type event interface{ isEvent() }

type added struct {
	By int `json:"by"`
}

type limitSet struct {
	Limit int `json:"limit"`
}

func (added) isEvent()    {}
func (limitSet) isEvent() {}

var (
	errNegative    = errors.New("counter: cannot add a negative amount")
	errOverLimit   = errors.New("counter: over the limit")
	errUnknownType = errors.New("counter: unknown event type")
	errUnlucky     = errors.New("counter: 13 cannot be encoded")
)

func decide(s state, c command) ([]event, error) {
	switch {
	case c.SetLimit > 0:
		return []event{limitSet{c.SetLimit}}, nil
	case c.Add < 0:
		return nil, errNegative
	case c.Add == 0:
		return nil, nil
	case s.Limit > 0 && s.N+c.Add > s.Limit:
		return nil, errOverLimit
	}
	return []event{added{c.Add}}, nil
}

func evolve(s state, e event) state {
	switch e := e.(type) {
	case added:
		s.N += e.By
	case limitSet:
		s.Limit = e.Limit
	}
	return s
}

func encode(e event) (string, int, []byte, error) {
	switch e := e.(type) {
	case added:
		if e.By == 13 {
			return "", 0, nil, errUnlucky
		}
		p, err := json.Marshal(e)
		return "Added", 2, p, err
	case limitSet:
		p, err := json.Marshal(e)
		return "LimitSet", 1, p, err
	}
	return "", 0, nil, fmt.Errorf("%w: %T", errUnknownType, e)
}

func decode(typ string, v int, p []byte) (event, error) {
	switch {
	case typ == "Added" && v == 1:
		// Schema 1 called the amount "amount".
		var old struct{ Amount int }
		if err := json.Unmarshal(p, &old); err != nil {
			return nil, err
		}
		return added{old.Amount}, nil
	case typ == "Added" && v == 2:
		var e added
		err := json.Unmarshal(p, &e)
		return e, err
	case typ == "LimitSet":
		var e limitSet
		err := json.Unmarshal(p, &e)
		return e, err
	}
	return nil, fmt.Errorf("%w %q", errUnknownType, typ)
}

type runner = aggregate.Runner[state, command, event]

func newRunner(st eventstore.Store, cache *aggregate.Cache[state]) *runner {
	return &runner{
		Store: st, Category: "counter",
		Initial: func() state { return state{} }, Decide: decide, Evolve: evolve,
		Codec: aggregate.CodecFuncs(encode, decode), Cache: cache,
	}
}

func newStore(t *testing.T) *memstore.Store {
	st := memstore.New(nil)
	t.Cleanup(func() { st.Close() })
	return st
}

var nextID atomic.Int64

func meta() aggregate.Meta {
	n := nextID.Add(1)
	return aggregate.Meta{CommandID: fmt.Sprintf("cmd-%d", n), CausationID: fmt.Sprintf("cause-%d", n), CorrelationID: "corr-1", Actor: "user-7"}
}

func stream(id string) eventstore.StreamID { return eventstore.StreamID{Category: "counter", ID: id} }

// given stores raw events on a counter, one commit each.
func given(t *testing.T, st eventstore.Store, id string, evs ...eventstore.Event) {
	t.Helper()
	for _, e := range evs {
		if _, err := st.Append(t.Context(), eventstore.Commit{
			Stream: stream(id), ExpectedVersion: eventstore.Any, CommandID: meta().CommandID, Events: []eventstore.Event{e},
		}); err != nil {
			t.Fatalf("given: %v", err)
		}
	}
}

func addedV1(n int) eventstore.Event {
	return eventstore.Event{Type: "Added", SchemaVersion: 1, Payload: json.RawMessage(fmt.Sprintf(`{"amount":%d}`, n))}
}

func addedV2(n int) eventstore.Event {
	return eventstore.Event{Type: "Added", SchemaVersion: 2, Payload: json.RawMessage(fmt.Sprintf(`{"by":%d}`, n))}
}

func limit(n int) eventstore.Event {
	return eventstore.Event{Type: "LimitSet", SchemaVersion: 1, Payload: json.RawMessage(fmt.Sprintf(`{"limit":%d}`, n))}
}

func storedVersion(t *testing.T, st eventstore.Store, id string) int64 {
	t.Helper()
	evs, err := st.Load(t.Context(), stream(id), 0)
	if errors.Is(err, eventstore.ErrStreamNotFound) {
		return 0
	}
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return evs[len(evs)-1].StreamVersion
}

// hooked lets a test act just before the runner's appends reach the store,
// the way another node would.
type hooked struct {
	eventstore.Store
	appends atomic.Int64
	before  func(n int64, c eventstore.Commit)

	mu          sync.Mutex
	loadedAfter []int64
}

func (h *hooked) Append(ctx context.Context, c eventstore.Commit) (eventstore.AppendResult, error) {
	n := h.appends.Add(1)
	if h.before != nil {
		h.before(n, c)
	}
	return h.Store.Append(ctx, c)
}

func (h *hooked) Load(ctx context.Context, s eventstore.StreamID, after int64) ([]eventstore.RecordedEvent, error) {
	h.mu.Lock()
	h.loadedAfter = append(h.loadedAfter, after)
	h.mu.Unlock()
	return h.Store.Load(ctx, s, after)
}
