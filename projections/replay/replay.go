// Package replay rebuilds every read model in one pass over a log: from a
// live store, or from an export file. Each event is decoded once and folded
// into every read model, which is what makes a replay run near the raw read
// rate.
package replay

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/projections"
	"github.com/hindsight-retro/hindsight/projections/actiontracker"
	"github.com/hindsight-retro/hindsight/projections/dashboard"
	"github.com/hindsight-retro/hindsight/projections/export"
	"github.com/hindsight-retro/hindsight/projections/healthtrends"
	"github.com/hindsight-retro/hindsight/projections/membership"
	"github.com/hindsight-retro/hindsight/projections/names"
	"github.com/hindsight-retro/hindsight/projections/teamhistory"
	"github.com/hindsight-retro/hindsight/projections/teamsurveys"
)

// Set is every read model of issue 5, and the names of teams and
// workspaces for the tables an analyst reads.
type Set struct {
	History   *teamhistory.History
	Actions   *actiontracker.Tracker
	Health    *healthtrends.Trends
	Dashboard *dashboard.Dashboard
	Names     *names.Names
	// Membership is serve's index of who is in which workspace and team,
	// here so --snapshots seeds it like the others (serve catches up from
	// the lowest checkpoint of all).
	Membership *membership.Index
	// Surveys is serve's list of each team's surveys, seeded the same way.
	Surveys *teamsurveys.Index
}

// NewSet makes empty read models; health's minimum group applies to the
// dashboard too.
func NewSet(health healthtrends.Config) *Set {
	return &Set{History: teamhistory.New(retro.Policy{MinRespondents: health.MinRespondents}), Actions: actiontracker.New(), Health: healthtrends.New(health),
		Dashboard: dashboard.New(health.MinRespondents), Names: names.New(), Membership: membership.New(),
		Surveys: teamsurveys.New()}
}

// All lists the read models.
func (s *Set) All() []projections.Projection {
	return []projections.Projection{s.History, s.Actions, s.Health, s.Dashboard, s.Names, s.Membership, s.Surveys}
}

// Stats of a replay.
type Stats struct {
	// Events read, and of those Skipped (undecodable: moved past, not folded).
	Events, Skipped int
	// Later counts the events left out because they happened after
	// Until.Time; they are not in Events.
	Later int
	// Position of the last event read.
	Position uint64
	// Time the last event was recorded.
	RecordedAt time.Time
}

// decode decodes e if some read model folds its type; nil otherwise.
func decode(e eventstore.RecordedEvent) (any, error) {
	if !projections.Relevant(e) {
		return nil, nil
	}
	return projections.Decode(e)
}

// apply folds e, decoded once as ev (or failed with err), into every read
// model in ps.
func apply(ps []projections.Projection, e eventstore.RecordedEvent, ev any, err error, st *Stats) error {
	st.Events++
	st.Position, st.RecordedAt = e.Position, e.RecordedAt
	if err != nil {
		st.Skipped++
		for _, p := range ps {
			p.Skip(e)
		}
		return nil
	}
	for _, p := range ps {
		if err := p.ApplyDecoded(e, ev); err != nil {
			return fmt.Errorf("replay: %s: %w", p.Name(), err)
		}
	}
	return nil
}

// Until bounds a replay: events after Position (when not 0), or that
// happened after Time (when not zero), are not replayed. Time is the
// domain's (when a card was added, a retro closed: projections.OccurredAt),
// not when the log stored the event; a history imported or generated in one
// go was stored within minutes but happened over a year. Each stream's
// events happen in order, so leaving out the later ones leaves every retro,
// team and survey as it stood at Time.
type Until struct {
	Position uint64
	Time     time.Time
}

// ParseUntil reads --until: a position (digits) or an RFC 3339 time.
func ParseUntil(s string) (Until, error) {
	if s == "" {
		return Until{}, nil
	}
	if n, err := strconv.ParseUint(s, 10, 64); err == nil {
		if n == 0 {
			return Until{}, errors.New("--until 0 replays nothing; give a position of at least 1 or a time")
		}
		return Until{Position: n}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return Until{}, fmt.Errorf("--until %q is neither a position nor an RFC 3339 time (2026-03-01T00:00:00Z)", s)
	}
	return Until{Time: t}, nil
}

// past reports that e and everything after it in the log are beyond the
// position bound.
func (u Until) past(e eventstore.RecordedEvent) bool {
	return u.Position > 0 && e.Position > u.Position
}

// later reports that e happened after the time bound. Streams interleave
// in the log, so a later event does not end the replay: events of other
// streams after it may still have happened before Time.
func (u Until) later(e eventstore.RecordedEvent) bool {
	return !u.Time.IsZero() && projections.HappenedAfter(e, u.Time)
}

var errDone = errors.New("replay: bound reached")

// FromStore replays the store's log into set. Reading the log, decoding
// it and folding it run on three goroutines (projections.DecodePipeline).
// progress, when set, is called now and then with the stats so far.
func FromStore(ctx context.Context, store eventstore.Store, set *Set, until Until, progress func(Stats)) (Stats, error) {
	var st Stats
	ps := set.All()
	next := 4096
	err := projections.DecodePipeline(ctx, func(ctx context.Context, h eventstore.Handler) error {
		return store.ReadAll(ctx, 0, h)
	}, decode, func(batch []projections.Decoded) error {
		for i := range batch {
			d := &batch[i]
			if until.past(d.Event) {
				return projections.ErrStop
			}
			if until.later(d.Event) {
				st.Later++
				continue
			}
			if err := apply(ps, d.Event, d.Ev, d.Err, &st); err != nil {
				return err
			}
		}
		if progress != nil && st.Events >= next {
			next = st.Events + 4096
			progress(st)
		}
		return nil
	})
	if err != nil {
		return st, fmt.Errorf("replay from store: %w", err)
	}
	if progress != nil {
		progress(st)
	}
	return st, nil
}

// FromExport replays an export file (NDJSON CloudEvents) into set. The
// read models then hold what the export's caller could see.
func FromExport(ctx context.Context, r io.Reader, set *Set, until Until, progress func(Stats)) (Stats, error) {
	var st Stats
	ps := set.All()
	n := 0
	err := export.Read(r, func(e eventstore.RecordedEvent) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if until.past(e) {
			return errDone
		}
		if until.later(e) {
			st.Later++
			return nil
		}
		ev, err := decode(e)
		if err := apply(ps, e, ev, err, &st); err != nil {
			return err
		}
		if n++; progress != nil && n%4096 == 0 {
			progress(st)
		}
		return nil
	})
	if err != nil && !errors.Is(err, errDone) {
		return st, fmt.Errorf("replay from export: %w", err)
	}
	if progress != nil {
		progress(st)
	}
	return st, nil
}
