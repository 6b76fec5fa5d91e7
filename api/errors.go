package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/hindsight-retro/hindsight/api/live"
	"github.com/hindsight-retro/hindsight/api/problem"
	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/eventstore"
)

// problemFor maps every error a handler can get to the problem the client
// sees. It is the one place that decides statuses; messages of unexpected
// errors never reach the client (they are logged by fail).
func problemFor(err error) (p *problem.Problem, expected bool) {
	var pb *problem.Problem
	if errors.As(err, &pb) {
		return pb, true
	}
	var de *domain.Error
	if errors.As(err, &de) {
		kind := map[domain.Kind]problem.Kind{
			domain.Invalid:   problem.Validation,
			domain.Forbidden: problem.Forbidden,
			domain.NotFound:  problem.NotFound,
			domain.Conflict:  problem.Conflict,
		}[de.Kind]
		if kind == "" {
			return problem.New(problem.Internal, ""), false
		}
		return problem.New(kind, de.Message).WithCode(de.Code), true
	}
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return tooLargeProblem(tooLarge.Limit), true
	case errors.Is(err, identity.ErrUnauthenticated), errors.Is(err, app.ErrUnauthenticated):
		return problem.New(problem.Unauthenticated, "the bearer token is missing, invalid, expired or revoked"), true
	case errors.Is(err, identity.ErrBadCredentials):
		return problem.New(problem.Unauthenticated, "wrong e-mail address or password").WithCode("bad-credentials"), true
	case errors.Is(err, identity.ErrEmailTaken):
		return problem.New(problem.Conflict, "an account with this e-mail address exists").WithCode("email-taken"), true
	case errors.Is(err, identity.ErrAccountExists):
		return problem.New(problem.Conflict, "this e-mail address has an account; log in, then join").WithCode("account-exists"), true
	case errors.Is(err, identity.ErrAlreadyIssued):
		return problem.New(problem.Conflict, "this Idempotency-Key already issued a token, whose secret was shown once").WithCode("token-already-issued"), true
	case errors.Is(err, identity.ErrInviteInvalid):
		return problem.New(problem.NotFound, "the invite code is unknown or expired").WithCode("invite-invalid"), true
	case errors.Is(err, identity.ErrErased):
		return problem.New(problem.NotFound, "this person's data was erased").WithCode("erased"), true
	case errors.Is(err, identity.ErrForbidden), errors.Is(err, app.ErrForbidden):
		return problem.New(problem.Forbidden, "you may not do this here"), true
	case errors.Is(err, identity.ErrNotFound), errors.Is(err, app.ErrNotFound), errors.Is(err, live.ErrNoRetro),
		errors.Is(err, eventstore.ErrStreamNotFound):
		return problem.New(problem.NotFound, "no such resource, or not one you may see"), true
	case errors.Is(err, live.ErrBadRequest):
		return problem.New(problem.Validation, "the live feed request is malformed: "+err.Error()), true
	case errors.Is(err, live.ErrUnavailable):
		p := problem.New(problem.Unavailable, "the live feed is not available on this node; retry")
		p.RetryAfter = 1
		return p, true
	case errors.Is(err, eventstore.ErrConflict):
		// The aggregate runner retries conflicts; one that still escapes
		// means the stream is very busy.
		return problem.New(problem.Conflict, "the resource changed while the command ran; retry with the same Idempotency-Key").WithCode("concurrent-change"), true
	case errors.Is(err, app.ErrIncomplete):
		return problem.New(problem.Unavailable, "the command was stored but a follow-up failed; retry with the same Idempotency-Key").WithCode("incomplete"), false
	case errors.Is(err, eventstore.ErrInvalidArgument):
		return problem.New(problem.Validation, "the request exceeds a limit of the event log"), false
	case errors.Is(err, eventstore.ErrStorageFull):
		p := problem.New(problem.StorageFull, "the server's storage is full, so nothing was stored; retry with the same Idempotency-Key once space is freed")
		p.RetryAfter = 30
		return p, false
	case errors.Is(err, eventstore.ErrClosed):
		return problem.New(problem.Unavailable, "the server is shutting down; retry"), false
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return problem.New(problem.Unavailable, "the request was cancelled or timed out; retry"), false
	}
	return problem.New(problem.Internal, ""), false
}

// fail answers err as a problem. Unexpected errors are logged with the
// request ID the client gets, and their text stays on the server.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	p, expected := problemFor(err)
	if !expected {
		s.logRequest(r, slog.LevelError, "request failed", slog.String("method", r.Method),
			slog.String("route", routePattern(r)), slog.String("request_id", requestIDFrom(r.Context())), slog.Any("err", err))
		if p.Status == http.StatusInternalServerError {
			p.Detail = "the server failed to handle this request; quote request ID " + requestIDFrom(r.Context())
		}
	}
	problem.Write(w, r, p)
}
