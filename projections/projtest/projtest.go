// Package projtest builds recorded events for read-model tests: commit by
// commit, encoded by the domain's own codecs, as a subscription delivers them.
package projtest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/domain/survey"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/domain/workspace"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/projections"
)

// Log is a log under construction.
type Log struct {
	T      testing.TB
	Pos    uint64
	At     time.Time
	Events []eventstore.RecordedEvent
}

// New starts an empty log whose commits are recorded at t0 onwards.
func New(t testing.TB, t0 time.Time) *Log { return &Log{T: t, At: t0} }

type encoded struct {
	typ     string
	version int
	payload []byte
}

func (l *Log) commit(category, id string, evs []encoded) uint64 {
	l.Pos++
	for i, e := range evs {
		l.Events = append(l.Events, eventstore.RecordedEvent{
			EventID: fmt.Sprintf("ev-%d-%d", l.Pos, i), Stream: eventstore.StreamID{Category: category, ID: id},
			Position: l.Pos, Index: i, CommitSize: len(evs), Type: e.typ, SchemaVersion: e.version,
			Payload: e.payload, RecordedAt: l.At, StreamVersion: int64(l.Pos),
		})
	}
	return l.Pos
}

// Retro appends one commit of retro events to the retro's stream.
func (l *Log) Retro(id string, evs ...retro.Event) uint64 {
	l.T.Helper()
	out := make([]encoded, len(evs))
	for i, e := range evs {
		typ, v, p, err := retro.EncodeEvent(e)
		if err != nil {
			l.T.Fatal(err)
		}
		out[i] = encoded{typ, v, p}
	}
	return l.commit(retro.Category, id, out)
}

// Team appends one commit of team events.
func (l *Log) Team(id string, evs ...team.Event) uint64 {
	l.T.Helper()
	out := make([]encoded, len(evs))
	for i, e := range evs {
		typ, v, p, err := team.EncodeEvent(e)
		if err != nil {
			l.T.Fatal(err)
		}
		out[i] = encoded{typ, v, p}
	}
	return l.commit(team.Category, id, out)
}

// Workspace appends one commit of workspace events.
func (l *Log) Workspace(id string, evs ...workspace.Event) uint64 {
	l.T.Helper()
	out := make([]encoded, len(evs))
	for i, e := range evs {
		typ, v, p, err := workspace.EncodeEvent(e)
		if err != nil {
			l.T.Fatal(err)
		}
		out[i] = encoded{typ, v, p}
	}
	return l.commit(workspace.Category, id, out)
}

// Survey appends one commit of survey events.
func (l *Log) Survey(id string, evs ...survey.Event) uint64 {
	l.T.Helper()
	out := make([]encoded, len(evs))
	for i, e := range evs {
		typ, v, p, err := survey.EncodeEvent(e)
		if err != nil {
			l.T.Fatal(err)
		}
		out[i] = encoded{typ, v, p}
	}
	return l.commit(survey.Category, id, out)
}

// Other appends an event of a category no read model folds.
func (l *Log) Other(category, id, typ string) uint64 {
	return l.commit(category, id, []encoded{{typ, 1, []byte(`{}`)}})
}

// ApplyAll feeds every event to p, failing the test on an error.
func ApplyAll(t testing.TB, p projections.Projection, evs []eventstore.RecordedEvent) {
	t.Helper()
	for _, e := range evs {
		if err := p.Apply(e); err != nil {
			t.Fatalf("apply %s at %d: %v", e.Type, e.Position, err)
		}
	}
}

// AppendAll writes the events to a store, one commit per position, so a
// runner reads them back from a real log.
func AppendAll(ctx context.Context, t testing.TB, store eventstore.Store, evs []eventstore.RecordedEvent) uint64 {
	t.Helper()
	var last uint64
	for i := 0; i < len(evs); {
		first := evs[i]
		c := eventstore.Commit{Stream: first.Stream, ExpectedVersion: eventstore.Any,
			CommandID: fmt.Sprintf("cmd-%d-%s", first.Position, first.Stream), Actor: "u-test"}
		for ; i < len(evs) && evs[i].Position == first.Position; i++ {
			c.Events = append(c.Events, eventstore.Event{Type: evs[i].Type, SchemaVersion: evs[i].SchemaVersion, Payload: evs[i].Payload})
		}
		res, err := store.Append(ctx, c)
		if err != nil {
			t.Fatalf("append commit at %d: %v", first.Position, err)
		}
		last = res.Position
	}
	return last
}
