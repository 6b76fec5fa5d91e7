package problem

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/eventstore"
)

// ofKind is the one map from a refusal's kind (domain.Error, the server's
// one error type) to the kind of problem the client sees, and so to its
// status.
var ofKind = map[domain.Kind]Kind{
	domain.Invalid:         Validation,
	domain.Forbidden:       Forbidden,
	domain.NotFound:        NotFound,
	domain.Conflict:        Conflict,
	domain.Unauthenticated: Unauthenticated,
	domain.Unavailable:     Unavailable,
}

// From maps every error a handler can get to the problem the client sees.
// It is the one place that decides statuses. A refusal (*domain.Error) is
// answered with its kind, code and message; the event log's and the
// context's errors with fixed texts; anything else as an internal error
// whose text stays on the server. expected is false for what the operator
// should hear of: those get logged by the caller.
func From(err error) (p *Problem, expected bool) {
	var pb *Problem
	if errors.As(err, &pb) {
		return pb, true
	}
	var de *domain.Error
	if errors.As(err, &de) {
		kind, ok := ofKind[de.Kind]
		if !ok {
			return New(Internal, ""), false
		}
		p := New(kind, de.Message).WithCode(de.Code)
		return p, p.Status < http.StatusInternalServerError
	}
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return BodyTooLarge(tooLarge.Limit), true
	case errors.Is(err, eventstore.ErrStreamNotFound):
		return New(NotFound, domain.ErrNotFound.Message), true
	case errors.Is(err, eventstore.ErrConflict):
		// The aggregate runner retries conflicts; one that still escapes
		// means the stream is very busy.
		return New(Conflict, "the resource changed while the command ran; retry with the same Idempotency-Key").WithCode("concurrent-change"), true
	case errors.Is(err, eventstore.ErrInvalidArgument):
		return New(Validation, "the request exceeds a limit of the event log"), false
	case errors.Is(err, eventstore.ErrStorageFull):
		p := New(StorageFull, "the server's storage is full, so nothing was stored; retry with the same Idempotency-Key once space is freed")
		p.RetryAfter = 30
		return p, false
	case errors.Is(err, eventstore.ErrClosed):
		return New(Unavailable, "the server is shutting down; retry"), false
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return New(Unavailable, "the request was cancelled or timed out; retry"), false
	}
	return New(Internal, ""), false
}

// BodyTooLarge is the problem of a request body over the server's limit.
func BodyTooLarge(limit int64) *Problem {
	return New(TooLarge, fmt.Sprintf("the request body is larger than %d bytes", limit))
}
