package api

import (
	"log/slog"
	"net/http"

	"github.com/hindsight-retro/hindsight/api/problem"
)

// fail answers err as a problem. Unexpected errors are logged with the
// request ID the client gets, and their text stays on the server.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	p, expected := problem.From(err)
	if !expected {
		s.logRequest(r, slog.LevelError, "request failed", slog.String("method", r.Method),
			slog.String("route", routePattern(r)), slog.String("request_id", requestIDFrom(r.Context())), slog.Any("err", err))
		if p.Status == http.StatusInternalServerError {
			p.Detail = "the server failed to handle this request; quote request ID " + requestIDFrom(r.Context())
		}
	}
	problem.Write(w, r, p)
}
