package api

import (
	"encoding/json"
	"mime"
	"net/http"
	"reflect"
	"strings"

	"github.com/hindsight-retro/hindsight/api/live"
	"github.com/hindsight-retro/hindsight/api/openapi"
	"github.com/hindsight-retro/hindsight/api/problem"
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
	// Patch is what changed in the viewer's view, as JSON Patch (RFC 6902:
	// add, remove, replace) of the view the client holds: the last snapshot
	// with every patch since applied in order (change, with ?changes=patch).
	Patch []LivePatchOp `json:"patch,omitempty"`
	// Here, Typing and Done are presence, by the IDs the view uses.
	Here   []string `json:"here,omitempty"`
	Typing []string `json:"typing,omitempty"`
	Done   []string `json:"done,omitempty"`
	// After is where to resume (resume).
	After uint64 `json:"after,omitempty"`
}

// LivePatchOp is one operation of a change's patch.
type LivePatchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value,omitempty"`
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
			Description: "resume: send every change after this position, then the current view", Type: reflect.TypeFor[uint64]()},
			{Name: "changes", In: "query",
				Description: "what a change carries besides its events: " + live.ChangesView + " (default), your whole view on the last change of a burst; or " +
					live.ChangesPatch + ", on every change a JSON Patch (RFC 6902) of your view, which is sent whole only in the snapshot"}},
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
