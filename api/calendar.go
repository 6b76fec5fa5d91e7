package api

import (
	"bytes"
	"net/http"
	"net/url"
	"reflect"

	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/documents"
)

// CalendarFeedResponse is a created feed. The token is shown here only:
// the server keeps its hash.
type CalendarFeedResponse struct {
	FeedID string `json:"feedId"`
	TeamID string `json:"teamId"`
	Token  string `json:"token"`
	// Path is the feed's URL path on this server, for a calendar app to
	// subscribe to (no sign-in).
	Path string `json:"path"`
}

// calendarFile is a GET answering an iCalendar file fn makes.
func calendarFile(pattern, op, summary, name string, fn func(s *server, c call) (documents.Calendar, error)) route {
	return route{
		method: http.MethodGet, pattern: pattern, op: op, summary: summary,
		resp: reflect.TypeFor[string](), respTypes: []string{documents.CalendarContentType}, auth: true,
		handle: func(s *server, rt *route, w http.ResponseWriter, r *http.Request) {
			c, ok := s.begin(rt, w, r)
			if !ok {
				return
			}
			cal, err := fn(s, c)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			var buf bytes.Buffer
			if err := documents.WriteCalendar(&buf, cal); err != nil {
				s.fail(w, r, err)
				return
			}
			sendFile(w, documents.CalendarContentType, name, buf.Bytes())
		},
	}
}

func calendarRoutes() []route {
	return tagged("calendars",
		calendarFile("/v1/teams/{teamId}/calendar.ics", "getTeamCalendar",
			"The team's scheduled retros as iCalendar: the last 90 days' and the next 10 occurrences (members)", "team.ics",
			func(s *server, c call) (documents.Calendar, error) {
				return s.deps.App.TeamCalendar(c.r.Context(), c.p, c.param("teamId"))
			}),
		calendarFile("/v1/retros/{retroId}/calendar.ics", "getRetroCalendar",
			"A scheduled retro as an iCalendar file (whoever sees the retro; 404 retro-not-scheduled for one made by hand)", "retro.ics",
			func(s *server, c call) (documents.Calendar, error) {
				return s.deps.App.RetroCalendar(c.r.Context(), c.p, c.param("retroId"))
			}),
		exchange("/v1/teams/{teamId}/calendar-feeds", "createCalendarFeed",
			"A secret feed URL of the team's calendar for a calendar app, open without a session until revoked (members)", true,
			func(s *server, c call, _ struct{}) (CalendarFeedResponse, error) {
				f, err := s.deps.App.CreateCalendarFeed(c.r.Context(), c.caller(), c.param("teamId"))
				if err != nil {
					return CalendarFeedResponse{}, err
				}
				return CalendarFeedResponse{FeedID: f.FeedID, TeamID: f.TeamID, Token: f.Token,
					Path: "/v1/calendars/" + url.PathEscape(f.Token) + "/team.ics"}, nil
			}).created(),
		list("/v1/teams/{teamId}/calendar-feeds", "listCalendarFeeds",
			"The team's calendar feeds you may revoke (yours; every one for team admins), without their secrets",
			func(s *server, c call) ([]app.CalendarFeedInfo, error) {
				return s.deps.App.CalendarFeeds(c.r.Context(), c.p, c.param("teamId"))
			}),
		action(http.MethodDelete, "/v1/calendar-feeds/{feedId}", "revokeCalendarFeed",
			"Revoke a calendar feed: from the next poll on it answers 404 calendar-feed-revoked (its creator or a team admin)",
			func(s *server, c call) (app.Result, error) {
				return s.deps.App.RevokeCalendarFeed(c.r.Context(), c.caller(), c.param("feedId"))
			}),
		calendarFile("/v1/calendars/{token}/team.ics", "getCalendarFeed",
			"A team's calendar opened by a feed token, for calendar apps (no sign-in)", "team.ics",
			func(s *server, c call) (documents.Calendar, error) {
				return s.deps.App.FeedCalendar(c.r.Context(), c.param("token"))
			}).public(),
	)
}
