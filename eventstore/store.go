// Package eventstore holds the log: the Store port every backend implements,
// the envelope events are recorded in, and the typed errors callers branch on.
//
// A stream holds one aggregate's events. A commit is what one command wrote:
// one or more events appended atomically with an expected version and the
// command's ID. Every commit gets a global position, monotonic across the whole
// log; the events of one commit share it and are told apart by Index.
package eventstore

import (
	"context"
	"encoding/json"
	"time"
)

// Expected versions with a special meaning. Any other non-negative value is
// the version of the stream's last event the writer decided on.
const (
	// Any skips the concurrency check; the command ID still de-duplicates.
	Any int64 = -1
	// NoStream expects the stream to have no events yet.
	NoStream int64 = 0
)

// Limits every backend enforces, so input that one backend accepts is not
// rejected by another.
const (
	MaxEventsPerCommit = 500
	// MaxCommitBytes bounds the summed payloads and metadata of one commit;
	// it stays below JetStream's default 1 MiB message limit.
	MaxCommitBytes = 900 * 1024
	MaxIDLength    = 128
	MaxTypeLength  = 128
)

// Event is one event proposed for a commit.
type Event struct {
	// ID is the event's unique ID. Left empty, the store derives it from the
	// command ID and the event's index, so a retried command yields the same IDs.
	ID            string
	Type          string
	SchemaVersion int
	// Payload is the event's body as JSON.
	Payload json.RawMessage
}

// Commit is what one command appends to one stream.
type Commit struct {
	Stream StreamID
	// ExpectedVersion is the stream version the command was decided on:
	// NoStream, Any, or the version of the stream's last event.
	ExpectedVersion int64
	// CommandID identifies the command; a commit with a command ID already
	// stored on the stream is reported as success and written once.
	CommandID     string
	CausationID   string
	CorrelationID string
	// Actor is a reference to who acted, never personal data in clear: a user
	// ID, or a pseudonym in anonymous contexts.
	Actor  string
	Events []Event
}

// RecordedEvent is the envelope of an event in the log.
type RecordedEvent struct {
	EventID       string
	Type          string
	Stream        StreamID
	StreamVersion int64
	// Position is the global position of the commit that holds the event.
	Position uint64
	// Index is the event's place in its commit, from 0; CommitSize is the
	// number of events in that commit, so a reader can tell commit boundaries.
	Index         int
	CommitSize    int
	RecordedAt    time.Time
	CommandID     string
	CausationID   string
	CorrelationID string
	Actor         string
	SchemaVersion int
	Payload       json.RawMessage
}

// LastInCommit reports whether e closes its commit: a reader that checkpoints
// at e.Position must do so only here, or it skips the rest of the commit.
func (e RecordedEvent) LastInCommit() bool { return e.Index == e.CommitSize-1 }

// AppendResult tells a writer where its commit landed.
type AppendResult struct {
	// StreamVersion is the version of the commit's last event.
	StreamVersion int64
	// Position is the commit's global position.
	Position uint64
	// Duplicate is true when the command ID had been stored before and this
	// call wrote nothing.
	Duplicate bool
}

// Handler receives events in log order. Returning an error stops the read or
// subscription and is returned to its caller. An event's Payload may be
// shared with other readers of the log and must not be modified.
type Handler func(ctx context.Context, e RecordedEvent) error

// Store is the port to the log. Implementations are safe for concurrent use.
type Store interface {
	// Append writes a commit atomically. It returns a *ConflictError when the
	// stream's version is not the expected one, and an error wrapping
	// ErrInvalidArgument for malformed or oversized input.
	Append(ctx context.Context, c Commit) (AppendResult, error)

	// Load returns the stream's events with a version greater than
	// afterVersion, in order. A stream with no events at all gives
	// ErrStreamNotFound; one with none after afterVersion gives an empty slice.
	Load(ctx context.Context, stream StreamID, afterVersion int64) ([]RecordedEvent, error)

	// ReadAll calls h for every event whose commit position is greater than
	// after, in log order, up to the log's end when the call began.
	ReadAll(ctx context.Context, after uint64, h Handler) error

	// Subscribe calls h for every event whose commit position is greater than
	// after: first those already stored, then new ones as they are appended,
	// with no gap and no duplicate between the two. It returns when ctx is
	// done (with ctx's error) or when h fails.
	Subscribe(ctx context.Context, after uint64, h Handler) error

	// LastPosition is the position of the newest commit in the log, 0 if empty.
	LastPosition(ctx context.Context) (uint64, error)

	Close() error
}

// WriteChecker is a store that can tell, without writing, that an append
// would fail now (its disk is full), so a readiness probe can take the node
// out of rotation while reads still work.
type WriteChecker interface {
	// CheckWritable returns nil when appends can succeed, an error wrapping
	// ErrStorageFull when they cannot.
	CheckWritable(ctx context.Context) error
}

// CheckWritable asks s whether appends can succeed now; a store that cannot
// tell is taken to be writable.
func CheckWritable(ctx context.Context, s Store) error {
	if w, ok := s.(WriteChecker); ok {
		return w.CheckWritable(ctx)
	}
	return nil
}
