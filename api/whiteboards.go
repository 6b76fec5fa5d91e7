package api

import (
	"context"
	"errors"
	"net/http"
	"reflect"

	"github.com/hindsight-retro/hindsight/api/openapi"
	"github.com/hindsight-retro/hindsight/api/problem"
	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/domain/board"
)

// SyncCookie is the cookie GET /v1/sync also reads the token from, for
// browser pages that would rather not put it in the URL: the session cookie.
const SyncCookie = SessionCookie

// CreateWhiteboardRequest creates a team's board. Without documentId the
// server creates the document (from the template) and answers its ID; with
// one, it registers a document a client made with repo.create(), which the
// sync server refuses (doc-unavailable) until then.
type CreateWhiteboardRequest struct {
	Title      string `json:"title,omitempty"`
	TemplateID string `json:"templateId,omitempty"`
	DocumentID string `json:"documentId,omitempty"`
}

func whiteboardRoutes() []route {
	return tagged("whiteboards",
		command(http.MethodPost, "/v1/teams/{teamId}/whiteboards", "createWhiteboard",
			"Create a whiteboard for the team (members), or register a document a client created; id is its Automerge document ID (open automerge:<id>)",
			func(s *server, c call, in CreateWhiteboardRequest) (app.Result, error) {
				return s.deps.App.CreateWhiteboard(c.r.Context(), c.caller(), app.CreateWhiteboardInput{
					TeamID: c.param("teamId"), DocumentID: in.DocumentID, TemplateID: in.TemplateID, Title: in.Title,
				})
			}).created(),
		list("/v1/teams/{teamId}/whiteboards", "listTeamWhiteboards", "The team's whiteboards, archived ones included (members)",
			func(s *server, c call) ([]app.WhiteboardView, error) {
				return s.deps.App.TeamWhiteboards(c.r.Context(), c.p, c.param("teamId"))
			}),
		query("/v1/whiteboards/{whiteboardId}", "getWhiteboard", "A whiteboard's metadata (its team's members, guests of its retro)",
			func(s *server, c call) (app.WhiteboardView, error) {
				return s.deps.App.Whiteboard(c.r.Context(), c.p, c.param("whiteboardId"))
			}),
		action(http.MethodPost, "/v1/whiteboards/{whiteboardId}/archive", "archiveWhiteboard",
			"Archive a whiteboard (members): its metadata stays, its document is no longer synced",
			func(s *server, c call) (app.Result, error) {
				return s.deps.App.ArchiveWhiteboard(c.r.Context(), c.caller(), c.param("whiteboardId"))
			}),
		action(http.MethodPost, "/v1/whiteboards/{whiteboardId}/writing", "startWhiteboardWriting",
			"Start the whiteboard's writing phase (its moderator: the retro's, or the board's creator): notes are concealed until the reveal",
			func(s *server, c call) (app.Result, error) {
				return s.deps.App.StartWhiteboardWriting(c.r.Context(), c.caller(), c.param("whiteboardId"))
			}),
		action(http.MethodPost, "/v1/whiteboards/{whiteboardId}/notes", "openWhiteboardNotes",
			"Your private notes document during the board's writing phase (made on the first call); id is its Automerge document ID, served to you alone until the reveal",
			func(s *server, c call) (app.Result, error) {
				n, err := s.deps.App.WhiteboardNotes(c.r.Context(), c.caller(), c.param("whiteboardId"))
				return app.Result{ID: n.ID}, err
			}),
		action(http.MethodPost, "/v1/whiteboards/{whiteboardId}/reveal", "revealWhiteboardNotes",
			"End the writing phase (its moderator): everyone's notes are merged into the board, the private documents are no longer served; notes says how many went on the board and how many were left out because the board would have outgrown its limit",
			func(s *server, c call) (app.RevealResult, error) {
				return s.deps.App.RevealWhiteboardNotes(c.r.Context(), c.caller(), c.param("whiteboardId"))
			}),
		list("/v1/catalog/whiteboard-templates", "listWhiteboardTemplates", "Whiteboard templates: check-ins, team building, deriving actions",
			func(s *server, _ call) ([]board.Template, error) { return s.deps.App.WhiteboardTemplates(), nil }),
		syncRoute(),
	)
}

// syncRoute is GET /v1/sync, the automerge-repo WebSocket endpoint. It is
// public in the table so a browser may authenticate with the cookie alone;
// the sync server itself refuses the upgrade (401) without a principal.
func syncRoute() route {
	return route{
		method: http.MethodGet, pattern: "/v1/sync", op: "syncWhiteboards",
		summary: "Sync whiteboards: a WebSocket (Upgrade: websocket) speaking the automerge-repo network protocol v1 " +
			"(CBOR join/peer, request/sync/doc-unavailable, ephemeral). Token in ?token=, the " + SyncCookie +
			" cookie or Authorization; a board you may not open is answered doc-unavailable, like an unknown one",
		resp: reflect.TypeFor[string](), respTypes: []string{"application/cbor"},
		queryToken: true,
		params:     []openapi.Param{{Name: SyncCookie, In: "cookie", Description: "bearer token, instead of ?token="}},
		handle: func(s *server, rt *route, w http.ResponseWriter, r *http.Request) {
			if s.deps.Sync == nil {
				problem.Write(w, r, problem.New(problem.Unavailable, "whiteboard sync is not configured on this server"))
				return
			}
			if !isWebSocket(r) {
				problem.Write(w, r, problem.New(problem.Validation, "whiteboard sync is a WebSocket (Upgrade: websocket)").
					WithCode("websocket-required"))
				return
			}
			s.deps.Sync.ServeHTTP(w, r)
		},
	}
}

// SyncAuthenticator is collab.Deps.Authenticate over the API's tokens: the
// principal the API's middleware established from Authorization or ?token=,
// else the token in the SyncCookie cookie. Syncing edits, so read-only
// tokens are refused. valid asks again whether that token still
// authenticates the same user (an API token revoked, a session expired), so
// the sync server can close a connection whose token lapsed.
func SyncAuthenticator(id *identity.Service) func(r *http.Request) (userID string, valid func(context.Context) bool, err error) {
	return func(r *http.Request) (string, func(context.Context) bool, error) {
		p, ok := principalFrom(r.Context())
		token := ""
		if ok && p.UserID != "" {
			token, _ = bearerToken(r, true)
		} else {
			c, err := r.Cookie(SyncCookie)
			if err != nil || c.Value == "" {
				return "", nil, errors.New("no token: send ?token=, the " + SyncCookie + " cookie or Authorization")
			}
			token = c.Value
			if p, err = id.Authenticate(r.Context(), token); err != nil {
				return "", nil, err
			}
		}
		if !p.Can(identity.ScopeWrite) {
			return "", nil, errors.New("a read-only token cannot sync whiteboards")
		}
		valid := func(ctx context.Context) bool {
			again, err := id.Authenticate(ctx, token)
			return err == nil && again.UserID == p.UserID && again.Can(identity.ScopeWrite)
		}
		return p.UserID, valid, nil
	}
}
