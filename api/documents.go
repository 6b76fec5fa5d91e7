package api

import (
	"bytes"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"time"

	"github.com/hindsight-retro/hindsight/api/problem"
	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/documents"
)

// A document route answers a file: the body is rendered whole before the
// first byte is sent, so a failure is still a problem, never half a file.

// documentRoute is a GET answering a retro summary in format f.
func documentRoute(pattern, op, summary string, f documents.Format, fn func(s *server, c call) (documents.Retro, error)) route {
	resp := reflect.TypeFor[string]()
	if f == documents.JSON {
		resp = reflect.TypeFor[documents.JSONSummary]()
	}
	return route{
		method: http.MethodGet, pattern: pattern, op: op, summary: summary,
		resp: resp, respTypes: []string{mediaType(f.ContentType())}, auth: true,
		handle: func(s *server, rt *route, w http.ResponseWriter, r *http.Request) {
			c, ok := s.begin(rt, w, r)
			if !ok {
				return
			}
			doc, err := fn(s, c)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			var buf bytes.Buffer
			if err := documents.Write(&buf, f, doc); err != nil {
				s.fail(w, r, err)
				return
			}
			sendFile(w, f.ContentType(), documents.FileName(doc.View, f), buf.Bytes())
		},
	}
}

// sendFile answers a rendered file as a download that no cache keeps.
func sendFile(w http.ResponseWriter, contentType, name string, body []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// mediaType is a content type without its parameters, as OpenAPI keys it.
func mediaType(ct string) string {
	t, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return ct
	}
	return t
}

// summaryRoutes are a closed retro's summary in every format, as the
// caller may see it.
func summaryRoutes(base, opPrefix, who string, fn func(s *server, c call) (documents.Retro, error)) []route {
	var rs []route
	for _, f := range documents.Formats {
		rs = append(rs, documentRoute(base+"/summary."+string(f), opPrefix+formatOpName[f],
			"A closed retro's summary as "+formatTitle[f]+", "+who, f, fn))
	}
	return rs
}

var (
	formatOpName = map[documents.Format]string{documents.Markdown: "Markdown", documents.PDF: "PDF", documents.CSV: "CSV", documents.JSON: "JSON"}
	formatTitle  = map[documents.Format]string{
		documents.Markdown: "Markdown", documents.PDF: "PDF (health check as a chart)",
		documents.CSV: "CSV (cards, topics with votes, actions)", documents.JSON: "JSON (the view and the names it mentions)"}
)

func documentRoutes() []route {
	rs := summaryRoutes("/v1/retros/{retroId}", "getRetroSummary",
		"redacted as your own view of it (members and its guests)",
		func(s *server, c call) (documents.Retro, error) {
			return s.deps.App.RetroSummary(c.r.Context(), c.p, c.param("retroId"))
		})
	rs = append(rs, route{
		method: http.MethodGet, pattern: "/v1/teams/{teamId}/actions.csv", op: "getTeamActionsCSV",
		summary: "The team's action items as CSV, oldest first (members)",
		resp:    reflect.TypeFor[string](), respTypes: []string{"text/csv"}, auth: true,
		handle: func(s *server, rt *route, w http.ResponseWriter, r *http.Request) {
			c, ok := s.begin(rt, w, r)
			if !ok {
				return
			}
			actions, names, err := s.deps.App.TeamActionsSheet(r.Context(), c.p, c.param("teamId"))
			if err != nil {
				s.fail(w, r, err)
				return
			}
			var buf bytes.Buffer
			if err := documents.TeamActionsCSV(&buf, actions, names); err != nil {
				s.fail(w, r, err)
				return
			}
			sendFile(w, documents.CSV.ContentType(), "team-actions.csv", buf.Bytes())
		},
	})
	rs = tagged("documents", rs...)
	rs = append(rs, shareLinkRoutes()...)
	return append(rs, joinQRRoutes()...)
}

// Share links: a moderator shares a closed retro's summary with someone
// outside the team.
type (
	// ShareLinkRequest creates a share link; expiresAt absent means in 7 days
	// (at most 90).
	ShareLinkRequest struct {
		ExpiresAt *time.Time `json:"expiresAt,omitempty"`
	}
	// ShareLinkResponse is a created link. The token is shown here only:
	// the server keeps its hash.
	ShareLinkResponse struct {
		LinkID    string    `json:"linkId"`
		RetroID   string    `json:"retroId"`
		Token     string    `json:"token"`
		ExpiresAt time.Time `json:"expiresAt"`
		// Paths are the summary's formats as the link opens them, no token needed.
		Paths map[string]string `json:"paths"`
	}
)

// defaultShareTTL is how long a share link lasts when the moderator does not say.
const defaultShareTTL = 7 * 24 * time.Hour

func shareLinkRoutes() []route {
	rs := []route{
		exchange("/v1/retros/{retroId}/share-links", "createShareLink",
			"Share a closed retro's summary read-only with anyone holding the link, until it expires or is revoked (moderator)", true,
			func(s *server, c call, in ShareLinkRequest) (ShareLinkResponse, error) {
				expires := time.Now().Add(defaultShareTTL)
				if in.ExpiresAt != nil {
					expires = *in.ExpiresAt
				}
				l, err := s.deps.App.CreateShareLink(c.r.Context(), c.caller(), c.param("retroId"), expires)
				if err != nil {
					return ShareLinkResponse{}, err
				}
				out := ShareLinkResponse{LinkID: l.LinkID, RetroID: l.RetroID, Token: l.Token, ExpiresAt: l.ExpiresAt, Paths: map[string]string{}}
				for _, f := range documents.Formats {
					out.Paths[string(f)] = "/v1/shared/" + url.PathEscape(l.Token) + "/summary." + string(f)
				}
				return out, nil
			}).created(),
		list("/v1/retros/{retroId}/share-links", "listShareLinks",
			"The retro's share links, oldest first, without their tokens: created, expiry, revoked (moderator)",
			func(s *server, c call) ([]app.ShareLinkInfo, error) {
				return s.deps.App.ShareLinks(c.r.Context(), c.p, c.param("retroId"))
			}),
		action(http.MethodDelete, "/v1/share-links/{linkId}", "revokeShareLink",
			"Revoke a share link: it opens for nobody from now on, on every node (its creator or the retro's moderator)",
			func(s *server, c call) (app.Result, error) {
				return s.deps.App.RevokeShareLink(c.r.Context(), c.caller(), c.param("linkId"))
			}),
	}
	for _, rt := range summaryRoutes("/v1/shared/{token}", "getSharedSummary",
		"opened by a share link's token: what a guest who took part sees, naming nobody (no sign-in)",
		func(s *server, c call) (documents.Retro, error) {
			return s.deps.App.SharedRetroSummary(c.r.Context(), c.param("token"))
		}) {
		rs = append(rs, rt.public())
	}
	return tagged("share links", rs...)
}

// joinQRRoutes are an invite's join link as a QR code: the link the app's
// invite dialog shows (<this server>/join/<code>), to put on a slide or a
// whiteboard. Public like the join itself: the image holds nothing but the
// code its caller already has, and the route does not say whether the
// code names an invite.
func joinQRRoutes() []route {
	var rs []route
	for _, f := range documents.QRFormats {
		rs = append(rs, route{
			method: http.MethodGet, pattern: "/v1/invites/{code}/qr." + string(f), op: "getInviteQR" + strings.ToUpper(string(f)),
			summary: "An invite's join link as a QR code (" + strings.ToUpper(string(f)) + ")",
			resp:    reflect.TypeFor[string](), respTypes: []string{documents.QRContentType(f)},
			handle: func(s *server, rt *route, w http.ResponseWriter, r *http.Request) {
				c, ok := s.begin(rt, w, r)
				if !ok {
					return
				}
				code := c.param("code")
				if !identity.IsInviteCode(code) {
					problem.Write(w, r, problem.New(problem.NotFound, "not an invite code"))
					return
				}
				var buf bytes.Buffer
				if err := documents.QRCode(&buf, f, joinLink(r, code)); err != nil {
					s.fail(w, r, err)
					return
				}
				w.Header().Set("Content-Type", documents.QRContentType(f))
				w.Header().Set("Cache-Control", "no-store")
				w.Header().Set("X-Content-Type-Options", "nosniff")
				_, _ = w.Write(buf.Bytes())
			},
		})
	}
	return tagged("accounts", rs...)
}

// joinLink is the app's join page for code on the server as the caller
// reached it.
func joinLink(r *http.Request, code string) string {
	scheme := "http"
	if secureRequest(r) {
		scheme = "https"
	}
	return (&url.URL{Scheme: scheme, Host: r.Host, Path: "/join/" + code}).String()
}
