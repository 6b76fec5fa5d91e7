package kurrent

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/hindsight-retro/hindsight/eventstore"
)

// This file holds the pure mapping between the eventstore envelope and
// KurrentDB's model, so it is tested without a server.

// envelopeFormat marks metadata written by this backend; events without it
// (other applications sharing the server) are skipped by ReadAll/Subscribe.
const envelopeFormat = 1

// expectedRevision maps an expected stream version to KurrentDB's expected
// revision. Our versions count events (1-based); KurrentDB revisions number
// them from 0, so version N is revision N-1.
func expectedRevision(v int64) (esdb.ExpectedRevision, error) {
	switch {
	case v == eventstore.Any:
		return esdb.Any{}, nil
	case v == eventstore.NoStream:
		return esdb.NoStream{}, nil
	case v > 0:
		return esdb.Revision(uint64(v - 1)), nil
	default:
		return nil, fmt.Errorf("%w: expected version %d", eventstore.ErrInvalidArgument, v)
	}
}

// versionOf is the stream version reached by the event at revision rev.
func versionOf(rev uint64) int64 { return int64(rev) + 1 }

// firstRevisionAfter is the revision of the first event after version v.
func firstRevisionAfter(v int64) uint64 {
	if v <= 0 {
		return 0
	}
	return uint64(v)
}

// streamName is the KurrentDB stream of an aggregate: <category>-<id>.
func streamName(s eventstore.StreamID) string { return s.String() }

// parseStreamName reads a KurrentDB stream name back; ok is false for system
// streams ($...) and names not of our <category>-<id> form.
func parseStreamName(name string) (eventstore.StreamID, bool) {
	if strings.HasPrefix(name, "$") {
		return eventstore.StreamID{}, false
	}
	s, err := eventstore.ParseStreamID(name)
	if err != nil {
		return eventstore.StreamID{}, false
	}
	return s, true
}

// streamFilterRegex selects our streams server-side in subscriptions; the
// client-side check in decodeRecorded still applies.
const streamFilterRegex = `^[a-z0-9_]+-`

// eventMetadata is the JSON stored as each event's user metadata.
type eventMetadata struct {
	Format        int    `json:"hindsight"`
	CommandID     string `json:"commandId"`
	CausationID   string `json:"causationId,omitempty"`
	CorrelationID string `json:"correlationId,omitempty"`
	Actor         string `json:"actor,omitempty"`
	SchemaVersion int    `json:"schemaVersion"`
	Index         int    `json:"index"`
	CommitSize    int    `json:"commitSize"`
	// EventID is the caller's event ID when it is not a canonical UUID, since
	// KurrentDB event IDs must be UUIDs.
	EventID string `json:"eventId,omitempty"`
	// WriteID is unique per Append call. KurrentDB answers an idempotent
	// replay like a fresh write; reading the first event back and comparing
	// its WriteID tells the two apart (AppendResult.Duplicate). It also ties
	// the events of one commit together when computing their position.
	WriteID string `json:"writeId"`
}

func decodeMetadata(b []byte) (eventMetadata, error) {
	var m eventMetadata
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("event metadata is not JSON: %w", err)
	}
	switch {
	case m.Format != envelopeFormat:
		return m, fmt.Errorf("event metadata format %d, want %d", m.Format, envelopeFormat)
	case m.CommandID == "" || m.WriteID == "":
		return m, errors.New("event metadata lacks a command or write ID")
	case m.CommitSize < 1 || m.Index < 0 || m.Index >= m.CommitSize:
		return m, fmt.Errorf("event metadata index %d of commit size %d", m.Index, m.CommitSize)
	}
	return m, nil
}

// eventIDNamespace derives KurrentDB UUIDs from caller IDs that are not UUIDs.
var eventIDNamespace = uuid.MustParse("6f0c1d7e-3a52-4a8e-9a57-1c9e4b0e2f61")

// eventUUID maps an envelope event ID to a KurrentDB event ID. A canonical
// UUID is used as is; anything else gets a stable name-based UUID and is kept
// in the metadata (keep is non-empty), so a retry maps to the same UUID.
func eventUUID(id string) (u uuid.UUID, keep string) {
	if p, err := uuid.Parse(id); err == nil && p.String() == id {
		return p, ""
	}
	return uuid.NewSHA1(eventIDNamespace, []byte(id)), id
}

// toEventData builds the KurrentDB events of a validated commit.
func toEventData(c eventstore.Commit, writeID string) ([]esdb.EventData, error) {
	out := make([]esdb.EventData, len(c.Events))
	for i, e := range c.Events {
		u, keep := eventUUID(eventstore.EventID(c, i))
		meta, err := json.Marshal(eventMetadata{
			Format: envelopeFormat, CommandID: c.CommandID, CausationID: c.CausationID,
			CorrelationID: c.CorrelationID, Actor: c.Actor, SchemaVersion: e.SchemaVersion,
			Index: i, CommitSize: len(c.Events), EventID: keep, WriteID: writeID,
		})
		if err != nil {
			return nil, fmt.Errorf("encode metadata of event %d: %w", i, err)
		}
		out[i] = esdb.EventData{
			EventID: u, EventType: e.Type, ContentType: esdb.ContentTypeJson,
			Data: e.Payload, Metadata: meta,
		}
	}
	return out, nil
}

// decoded is a KurrentDB event recognised as ours, before its commit position
// is known.
type decoded struct {
	stream   eventstore.StreamID
	revision uint64
	// raw is the event's own commit position in $all. KurrentDB gives every
	// event of an append its own position; the commit's position is that of
	// its first event (see positionTracker).
	raw  uint64
	meta eventMetadata
	ev   *esdb.RecordedEvent
}

// decodeRecorded recognises one of our events. ok is false for system
// events, streams not of our form and events without our metadata; err is set
// only when a stream of our form holds an event it cannot read.
func decodeRecorded(ev *esdb.RecordedEvent) (d decoded, ok bool, err error) {
	if ev == nil || strings.HasPrefix(ev.EventType, "$") {
		return d, false, nil
	}
	s, ok := parseStreamName(ev.StreamID)
	if !ok {
		return d, false, nil
	}
	m, err := decodeMetadata(ev.UserMetadata)
	if err != nil {
		return d, false, fmt.Errorf("event %d of stream %s: %w", ev.EventNumber, ev.StreamID, err)
	}
	return decoded{stream: s, revision: ev.EventNumber, raw: ev.Position.Commit, meta: m, ev: ev}, true, nil
}

// envelope builds the RecordedEvent once the commit position is known.
func (d decoded) envelope(position uint64) eventstore.RecordedEvent {
	id := d.meta.EventID
	if id == "" {
		id = d.ev.EventID.String()
	}
	return eventstore.RecordedEvent{
		EventID: id, Type: d.ev.EventType, Stream: d.stream, StreamVersion: versionOf(d.revision),
		Position: position, Index: d.meta.Index, CommitSize: d.meta.CommitSize,
		RecordedAt: d.ev.CreatedDate.UTC(), CommandID: d.meta.CommandID,
		CausationID: d.meta.CausationID, CorrelationID: d.meta.CorrelationID, Actor: d.meta.Actor,
		SchemaVersion: d.meta.SchemaVersion, Payload: json.RawMessage(d.ev.Data),
	}
}

// esdbCode returns the client's error code, if err carries one.
func esdbCode(err error) (esdb.ErrorCode, bool) {
	var e *esdb.Error
	if errors.As(err, &e) {
		return e.Code(), true
	}
	return 0, false
}

// actualRE reads the current revision out of the client's
// "wrong expected version: expecting 'X' but got 'Y'" message; v4 carries it
// only as text.
var actualRE = regexp.MustCompile(`but got '([^']*)'`)

// actualVersion is the stream version a wrong-expected-version error
// reports, or -1 when it does not say.
func actualVersion(err error) int64 {
	m := actualRE.FindStringSubmatch(err.Error())
	if m == nil {
		return -1
	}
	if m[1] == "no_stream" {
		return 0
	}
	rev, perr := strconv.ParseUint(m[1], 10, 63)
	if perr != nil {
		return -1
	}
	return versionOf(rev)
}

// translateAppendError maps an append failure to the port's errors. The
// duplicate check on conflicts happens in the caller, which can read.
func translateAppendError(err error, c eventstore.Commit) error {
	code, ok := esdbCode(err)
	switch {
	case ok && code == esdb.ErrorCodeWrongExpectedVersion:
		return &eventstore.ConflictError{Stream: c.Stream, Expected: c.ExpectedVersion, Actual: actualVersion(err)}
	case ok && code == esdb.ErrorCodeStreamDeleted:
		return fmt.Errorf("kurrent: append to %s: stream is deleted: %w", c.Stream, err)
	case status.Code(err) == codes.InvalidArgument:
		// KurrentDB rejects appends over its MaxAppendSize this way.
		return fmt.Errorf("%w: kurrent: append to %s rejected: %v", eventstore.ErrInvalidArgument, c.Stream, err)
	}
	return fmt.Errorf("kurrent: append to %s: %w", c.Stream, err)
}

// translateReadError maps a stream read failure to the port's errors.
func translateReadError(err error, s eventstore.StreamID) error {
	if code, ok := esdbCode(err); ok && (code == esdb.ErrorCodeResourceNotFound || code == esdb.ErrorCodeStreamDeleted) {
		return fmt.Errorf("kurrent: load %s: %w", s, eventstore.ErrStreamNotFound)
	}
	return fmt.Errorf("kurrent: load %s: %w", s, err)
}
