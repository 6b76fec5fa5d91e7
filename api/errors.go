package api

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/hindsight-retro/hindsight/api/live"
	"github.com/hindsight-retro/hindsight/api/problem"
	"github.com/hindsight-retro/hindsight/domain"
)

// problemFor is problem.From, with the live feed's refusals that reach a
// handler.
func problemFor(err error) (p *problem.Problem, expected bool) {
	switch {
	case errors.Is(err, live.ErrNoRetro):
		return problem.New(problem.NotFound, domain.ErrNotFound.Message), true
	case errors.Is(err, live.ErrBadRequest):
		return problem.New(problem.Validation, "the live feed request is malformed: "+err.Error()), true
	case errors.Is(err, live.ErrUnavailable):
		p := problem.New(problem.Unavailable, "the live feed is not available on this node; retry")
		p.RetryAfter = 1
		return p, true
	}
	return problem.From(err)
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
