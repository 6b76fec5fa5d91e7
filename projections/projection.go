// Package projections holds what every read model shares: the cursor that
// makes applying an event idempotent by its place in the log, the interface
// the runner drives, and the decoding of a recorded event into its domain
// type, done once per event however many read models fold it.
//
// Read models live in subpackages (teamhistory, actiontracker, healthtrends,
// dashboard); the runner that feeds them from the log is in runner.
package projections

import (
	"fmt"

	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/domain/survey"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/domain/workspace"
	"github.com/hindsight-retro/hindsight/eventstore"
)

// Projection is a read model the runner feeds. Apply and ApplyDecoded are
// idempotent by (Position, Index): an event at or before the last one
// applied changes nothing, so a resumed or repeated delivery is harmless.
type Projection interface {
	// Name is stable: it names the read model's metric, snapshot and handler.
	Name() string
	// Apply decodes and folds one event. An event it cannot decode is
	// reported and not applied; the cursor stays where it was so the runner
	// can retry it or, once it gives up, Skip it.
	Apply(e eventstore.RecordedEvent) error
	// ApplyDecoded folds an event decoded once by Decode for every read model.
	ApplyDecoded(e eventstore.RecordedEvent, ev any) error
	// Folds reports whether ApplyDecoded(e, ev) would fold the event; for
	// any other it only moves the cursor, as Skip does.
	Folds(e eventstore.RecordedEvent, ev any) bool
	// Skip moves the cursor past an event without folding it (a poison event).
	Skip(e eventstore.RecordedEvent)
	// Checkpoint is the position of the last commit applied whole.
	Checkpoint() uint64
	// Snapshot encodes the state together with its checkpoint; Restore
	// replaces the state with one Snapshot made.
	Snapshot() ([]byte, error)
	Restore(b []byte) error
}

// Cursor is the last event applied, stored with the state it describes.
// The zero value is before the first event.
type Cursor struct {
	Pos  uint64 `json:"pos"`
	Idx  int    `json:"idx"`
	Done uint64 `json:"done"`
	Any  bool   `json:"any"`
}

// Seen reports whether e is at or before the last event applied.
func (c Cursor) Seen(e eventstore.RecordedEvent) bool {
	if !c.Any {
		return false
	}
	return e.Position < c.Pos || (e.Position == c.Pos && e.Index <= c.Idx)
}

// Advance records e as applied. Done moves only when e closes its commit,
// so a checkpoint never claims half a commit.
func (c *Cursor) Advance(e eventstore.RecordedEvent) {
	c.Pos, c.Idx, c.Any = e.Position, e.Index, true
	if e.LastInCommit() {
		c.Done = e.Position
	}
}

// Decode reads a recorded event into its domain type: a retro.Event,
// team.Event, workspace.Event or survey.Event. Events of other categories
// (identity, ID claims, whiteboards) give nil and no error: read models
// skip them.
func Decode(e eventstore.RecordedEvent) (any, error) {
	var (
		ev  any
		err error
	)
	switch e.Stream.Category {
	case retro.Category:
		ev, err = retro.DecodeEvent(e.Type, e.SchemaVersion, e.Payload)
	case team.Category:
		ev, err = team.DecodeEvent(e.Type, e.SchemaVersion, e.Payload)
	case workspace.Category:
		ev, err = workspace.DecodeEvent(e.Type, e.SchemaVersion, e.Payload)
	case survey.Category:
		ev, err = survey.DecodeEvent(e.Type, e.SchemaVersion, e.Payload)
	default:
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("decode %s at position %d index %d: %w", e.Stream, e.Position, e.Index, err)
	}
	return ev, nil
}

// Relevant reports whether any read model here folds the event's type, so
// a replay can skip decoding the rest. Team history folds every retro event
// (it rebuilds the board at close); the others read only the types below.
// Keep this in step with the read models' folds: a type missing here is
// never seen by them in a replay. The replay package's tests hold it to
// every event type the domain lists (retro.Events, team.Events, ...).
func Relevant(e eventstore.RecordedEvent) bool {
	switch e.Stream.Category {
	case retro.Category:
		return true
	case team.Category:
		switch e.Type {
		case team.TypeTeamCreated, team.TypeMemberAdded, team.TypeMemberRemoved, team.TypeGuestPromoted,
			team.TypeActionRecorded, team.TypeActionStatusChanged:
			return true
		}
	case workspace.Category:
		switch e.Type {
		case workspace.TypeTeamRegistered, workspace.TypeWorkspaceCreated, workspace.TypeWorkspaceRenamed,
			workspace.TypeWorkspaceAdminAdded, workspace.TypeWorkspaceAdminRemoved:
			return true
		}
	case survey.Category:
		switch e.Type {
		case survey.TypeSurveyCreated, survey.TypeResponseSubmitted, survey.TypeSurveyClosed:
			return true
		}
	}
	return false
}
