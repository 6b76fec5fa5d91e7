package eventstore

import (
	"errors"
	"fmt"
)

var (
	// ErrConflict matches every *ConflictError with errors.Is.
	ErrConflict = errors.New("eventstore: wrong expected version")
	// ErrStreamNotFound is returned when loading a stream with no events.
	ErrStreamNotFound = errors.New("eventstore: stream not found")
	// ErrInvalidArgument wraps every rejection of malformed or oversized input.
	ErrInvalidArgument = errors.New("eventstore: invalid argument")
	// ErrClosed is returned by a store after Close.
	ErrClosed = errors.New("eventstore: store closed")
	// ErrStorageFull is returned by an append the store refused or could
	// not complete because its storage is full. Nothing was acknowledged:
	// retry with the same command ID once space is back.
	ErrStorageFull = errors.New("eventstore: storage full")
	// ErrDataLoss is returned by checks that found the log missing commits
	// it held, or holding some that cannot be read, or a read model or key
	// store that knows of more than the log.
	ErrDataLoss = errors.New("eventstore: data lost")
)

// ConflictError says a commit was decided on a stale version of its stream.
// The writer should reload the stream, decide again and retry.
type ConflictError struct {
	Stream   StreamID
	Expected int64
	// Actual is the stream's version when the conflict was seen, or -1 when
	// the backend could not tell.
	Actual int64
}

func (e *ConflictError) Error() string {
	if e.Actual < 0 {
		return fmt.Sprintf("eventstore: stream %s: expected version %d, but it has moved on", e.Stream, e.Expected)
	}
	return fmt.Sprintf("eventstore: stream %s: expected version %d, actual %d", e.Stream, e.Expected, e.Actual)
}

func (e *ConflictError) Is(target error) bool { return target == ErrConflict }
