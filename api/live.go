package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"reflect"
	"strings"

	"github.com/hindsight-retro/hindsight/api/live"
	"github.com/hindsight-retro/hindsight/api/openapi"
	"github.com/hindsight-retro/hindsight/api/problem"
	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/domain/retro"
)

// LiveMessage documents the messages of the live feed (WebSocket frames or
// SSE data lines); type says which fields are present. The live package
// writes them.
type LiveMessage struct {
	// Type: snapshot, change, presence or resume.
	Type string `json:"type"`
	// Position is the global position the message brings the viewer to;
	// reconnect with ?after=<position> to resume without gap or duplicate.
	Position uint64 `json:"position,omitempty"`
	// View is the retro as the viewer may see it (snapshot; change when coalesced).
	View *retro.RetroView `json:"view,omitempty"`
	// Events are the commit's events as the viewer may see them (change).
	Events []LiveEvent `json:"events,omitempty"`
	// Here, Typing and Done are presence, by the IDs the view uses.
	Here   []string `json:"here,omitempty"`
	Typing []string `json:"typing,omitempty"`
	Done   []string `json:"done,omitempty"`
	// After is where to resume (resume).
	After uint64 `json:"after,omitempty"`
}

// LiveEvent is one redacted event of a change.
type LiveEvent struct {
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

func liveRoutes() []route {
	return tagged("live", route{
		method: http.MethodGet, pattern: "/v1/retros/{retroId}/live", op: "followRetro",
		summary: "Follow the retro live: a WebSocket (Upgrade: websocket), or Server-Sent Events (Accept: text/event-stream). " +
			"First a snapshot of your view, then every change as you may see it, each with its position",
		resp: reflect.TypeFor[LiveMessage](), respTypes: []string{"text/event-stream"},
		auth: true, queryToken: true,
		params: []openapi.Param{{Name: "after", In: "query",
			Description: "resume: send every change after this position, then the current view", Type: reflect.TypeFor[uint64]()}},
		handle: func(s *server, rt *route, w http.ResponseWriter, r *http.Request) {
			c, ok := s.begin(rt, w, r)
			if !ok {
				return
			}
			if s.deps.Live == nil {
				problem.Write(w, r, problem.New(problem.Unavailable, "the live feed is not configured on this server"))
				return
			}
			retroID := c.param("retroId")
			switch {
			case isWebSocket(r):
				s.deps.Live.ServeWS(w, r, c.p, retroID)
			case acceptsEventStream(r):
				s.deps.Live.ServeSSE(w, r, c.p, retroID)
			default:
				problem.Write(w, r, problem.New(problem.Validation,
					"the live feed is a WebSocket (Upgrade: websocket) or Server-Sent Events (Accept: text/event-stream)").
					WithCode("live-transport-required"))
			}
		},
	})
}

func isWebSocket(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

func acceptsEventStream(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		if mt, _, err := mime.ParseMediaType(strings.TrimSpace(part)); err == nil && mt == "text/event-stream" {
			return true
		}
	}
	return false
}

// LiveRefusal writes the problem for a live-feed request the hub refuses
// before its stream starts; pass it as live.Deps.Refuse so refusals look
// like every other error of the API.
func LiveRefusal(w http.ResponseWriter, r *http.Request, status int, err error) {
	if status == http.StatusForbidden && errors.Is(err, app.ErrNotFound) {
		// A retro that is missing, or not the caller's to know of, is
		// answered 404 as on every other route.
		status = http.StatusNotFound
	}
	p, expected := problemFor(err)
	if !expected || p.Status != status {
		// The hub's status is authoritative; keep the kind that matches it.
		p = problem.New(kindForStatus(status), "")
		if status < 500 && err != nil && !errors.Is(err, live.ErrUnavailable) {
			p.Detail = fmt.Sprint("the live feed refused the request: ", publicReason(err))
		}
	}
	problem.Write(w, r, p)
}

// publicReason keeps internal error text away from clients: only the
// hub's own sentinel reasons are named.
func publicReason(err error) string {
	switch {
	case errors.Is(err, live.ErrBadRequest):
		return "bad request parameters"
	case errors.Is(err, live.ErrNoRetro):
		return "no such retro"
	}
	return "not allowed"
}

func kindForStatus(status int) problem.Kind {
	for _, k := range problem.Kinds() {
		if k.Status() == status {
			return k
		}
	}
	return problem.Internal
}
