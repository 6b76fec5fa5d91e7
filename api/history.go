package api

import (
	"context"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"time"

	"github.com/hindsight-retro/hindsight/api/openapi"
	"github.com/hindsight-retro/hindsight/api/problem"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/projections/actiontracker"
	"github.com/hindsight-retro/hindsight/projections/dashboard"
	"github.com/hindsight-retro/hindsight/projections/export"
	"github.com/hindsight-retro/hindsight/projections/healthtrends"
	"github.com/hindsight-retro/hindsight/projections/timetravel"
)

// WorkspaceDashboard is the workspace's months, oldest first.
type WorkspaceDashboard struct {
	WorkspaceID string            `json:"workspaceId"`
	Months      []dashboard.Month `json:"months"`
}

// readModelWait bounds how long a read model query with ?after= waits for
// the read models to catch up with the client's own write.
const readModelWait = 5 * time.Second

var afterParam = openapi.Param{Name: "after", In: "query", Type: reflect.TypeFor[uint64](),
	Description: "a command's position: wait (up to 5 s) until the read models include it, to read your own write"}

// withParams adds query parameters to a route's documented ones.
func withParams(rt route, ps ...openapi.Param) route {
	rt.params = append(append([]openapi.Param(nil), rt.params...), ps...)
	return rt
}

// queryUint reads an optional non-negative integer query parameter.
func queryUint(c call, name string) (uint64, error) {
	v := c.r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, problem.New(problem.Validation, name+" must be a position").WithField(name, "a non-negative integer")
	}
	return n, nil
}

// queryTime reads an optional time query parameter: RFC 3339, a date
// (2006-01-02) or a month (2006-01), in UTC.
func queryTime(c call, name string) (time.Time, error) {
	v := c.r.URL.Query().Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, time.DateOnly, "2006-01"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, problem.New(problem.Validation, name+" must be a time").
		WithField(name, "RFC 3339 (2026-03-01T12:00:00Z), a date (2026-03-01) or a month (2026-03)")
}

// waitAfter waits, when the request has ?after=, until wait says the read
// models include that position.
func waitAfter(c call, wait func(context.Context, uint64) error) error {
	pos, err := queryUint(c, "after")
	if err != nil || pos == 0 {
		return err
	}
	ctx, cancel := context.WithTimeout(c.r.Context(), readModelWait)
	defer cancel()
	return wait(ctx, pos)
}

func historyRoutes() []route {
	rs := tagged("history",
		withParams(query("/v1/retros/{retroId}/archive", "getRetroArchive",
			"A closed retro's board as everyone saw it at the end: concealed text and anonymous authors stay hidden",
			func(s *server, c call) (retro.RetroView, error) {
				if err := waitAfter(c, s.deps.App.WaitForHistory); err != nil {
					return retro.RetroView{}, err
				}
				return s.deps.App.RetroArchive(c.r.Context(), c.p, c.param("retroId"))
			}), afterParam),
		withParams(query("/v1/retros/{retroId}/at", "getRetroAt",
			"Time travel: the retro as you may see it after the event at a position, or as it stood at a time (participants)",
			func(s *server, c call) (timetravel.Snapshot, error) {
				pos, err := queryUint(c, "position")
				if err != nil {
					return timetravel.Snapshot{}, err
				}
				at, err := queryTime(c, "time")
				if err != nil {
					return timetravel.Snapshot{}, err
				}
				if (pos == 0) == at.IsZero() {
					return timetravel.Snapshot{}, problem.New(problem.Validation, "give exactly one of position (> 0) or time").
						WithField("position", "a log position, or use time")
				}
				return s.deps.App.RetroAt(c.r.Context(), c.p, c.param("retroId"), pos, at)
			}),
			openapi.Param{Name: "position", In: "query", Type: reflect.TypeFor[uint64](),
				Description: "a global log position: the retro after every event at or before it"},
			openapi.Param{Name: "time", In: "query", Description: "an RFC 3339 time: the retro after every event recorded at or before it"}),
		withParams(query("/v1/teams/{teamId}/action-tracker", "getTeamActionTracker",
			"The team's actions as of now: open, done and discarded, with age, overdue and the retro each came from (members)",
			func(s *server, c call) (actiontracker.Summary, error) {
				if err := waitAfter(c, s.deps.App.WaitForReadModels); err != nil {
					return actiontracker.Summary{}, err
				}
				return s.deps.App.TeamActionTracker(c.r.Context(), c.p, c.param("teamId"))
			}), afterParam),
		withParams(query("/v1/me/actions", "getMyActions",
			"The actions assigned to you as of now, across your teams: open, done and discarded, with age and overdue",
			func(s *server, c call) (actiontracker.Summary, error) {
				if err := waitAfter(c, s.deps.App.WaitForReadModels); err != nil {
					return actiontracker.Summary{}, err
				}
				return s.deps.App.MyActions(c.r.Context(), c.p)
			}), afterParam),
		withParams(query("/v1/teams/{teamId}/health", "getTeamHealth",
			"The team's health over time per question and pack, and its eNPS, with trends (members); small groups carry no numbers",
			func(s *server, c call) (healthtrends.TeamTrends, error) {
				if err := waitAfter(c, s.deps.App.WaitForReadModels); err != nil {
					return healthtrends.TeamTrends{}, err
				}
				return s.deps.App.TeamHealth(c.r.Context(), c.p, c.param("teamId"))
			}), afterParam),
		withParams(query("/v1/workspaces/{workspaceId}/health/heatmap", "getWorkspaceHeatMap",
			"Teams × health dimensions, latest value and change (workspace admins); groups below the minimum size are suppressed",
			func(s *server, c call) (healthtrends.HeatMap, error) {
				if err := waitAfter(c, s.deps.App.WaitForReadModels); err != nil {
					return healthtrends.HeatMap{}, err
				}
				return s.deps.App.WorkspaceHeatMap(c.r.Context(), c.p, c.param("workspaceId"))
			}), afterParam),
		withParams(query("/v1/workspaces/{workspaceId}/health/enps", "getWorkspaceENPS",
			"The workspace's eNPS pooled over its teams' latest checks (workspace admins); suppressed below the minimum group size",
			func(s *server, c call) (healthtrends.Point, error) {
				if err := waitAfter(c, s.deps.App.WaitForReadModels); err != nil {
					return healthtrends.Point{}, err
				}
				return s.deps.App.WorkspaceENPS(c.r.Context(), c.p, c.param("workspaceId"))
			}), afterParam),
		withParams(query("/v1/workspaces/{workspaceId}/dashboard", "getWorkspaceDashboard",
			"Per month: retros run, participation, ROTI and health across the workspace's teams (workspace admins)",
			func(s *server, c call) (WorkspaceDashboard, error) {
				if err := waitAfter(c, s.deps.App.WaitForReadModels); err != nil {
					return WorkspaceDashboard{}, err
				}
				from, err := queryTime(c, "from")
				if err != nil {
					return WorkspaceDashboard{}, err
				}
				to, err := queryTime(c, "to")
				if err != nil {
					return WorkspaceDashboard{}, err
				}
				ws := c.param("workspaceId")
				months, err := s.deps.App.WorkspaceDashboard(c.r.Context(), c.p, ws, from, to)
				return WorkspaceDashboard{WorkspaceID: ws, Months: months}, err
			}), afterParam,
			openapi.Param{Name: "from", In: "query", Description: "first month shown: RFC 3339, a date or a month (2026-01); absent: no bound"},
			openapi.Param{Name: "to", In: "query", Description: "last month shown, inclusive; absent: no bound"}),
		teamEventsRoute(),
		teamSQLiteRoute(),
	)
	return rs
}

// teamEventsRoute streams the team's history as NDJSON, one CloudEvents
// event per line, redacted for the caller.
func teamEventsRoute() route {
	return withParams(route{
		method: http.MethodGet, pattern: "/v1/teams/{teamId}/events", op: "exportTeamEvents",
		summary: "The team's history as NDJSON, one CloudEvents 1.0 event per line, redacted as the live feed would for you (members)",
		resp:    reflect.TypeFor[export.CloudEvent](), respTypes: []string{"application/x-ndjson"}, auth: true,
		handle: func(s *server, rt *route, w http.ResponseWriter, r *http.Request) {
			c, ok := s.begin(rt, w, r)
			if !ok {
				return
			}
			f := export.Filter{TeamID: c.param("teamId"), RetroID: r.URL.Query().Get("retro")}
			var err error
			if f.After, err = queryUint(c, "after"); err != nil {
				s.fail(w, r, err)
				return
			}
			if f.Until, err = queryUint(c, "until"); err != nil {
				s.fail(w, r, err)
				return
			}
			write, err := s.deps.App.TeamEvents(r.Context(), c.p, f)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			w.Header().Set("Content-Type", "application/x-ndjson")
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusOK)
			if err := write(w); err != nil {
				// The status is sent: a cut stream is all the client can be told.
				s.log.Warn("team export cut off", "team", f.TeamID, "request_id", requestIDFrom(r.Context()), "err", err)
			}
		},
	},
		openapi.Param{Name: "after", In: "query", Type: reflect.TypeFor[uint64](), Description: "only events after this position"},
		openapi.Param{Name: "until", In: "query", Type: reflect.TypeFor[uint64](), Description: "only events up to this position"},
		openapi.Param{Name: "retro", In: "query", Description: "only this retro's events"})
}

// teamSQLiteRoute sends the SQLite file of `hindsight replay --sqlite` for
// the team, built from its export redacted for the caller. The file is
// built whole first, so a failure is still a problem+json answer.
func teamSQLiteRoute() route {
	return route{
		method: http.MethodGet, pattern: "/v1/teams/{teamId}/sqlite", op: "exportTeamSQLite",
		summary: "The team's read models as a SQLite file (the tables of hindsight replay --sqlite), built from its export redacted for you (team admins, and workspace admins in the team)",
		resp:    reflect.TypeFor[string](), respTypes: []string{sqliteType}, auth: true,
		handle: func(s *server, rt *route, w http.ResponseWriter, r *http.Request) {
			c, ok := s.begin(rt, w, r)
			if !ok {
				return
			}
			teamID := c.param("teamId")
			f, err := s.deps.App.TeamSQLite(r.Context(), c.p, teamID)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			defer f.Close()
			w.Header().Set("Content-Type", sqliteType)
			w.Header().Set("Content-Length", strconv.FormatInt(f.Size, 10))
			w.Header().Set("Cache-Control", "no-store")
			w.Header().Set("X-Content-Type-Options", "nosniff")
			w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "team-" + teamID + ".sqlite"}))
			w.WriteHeader(http.StatusOK)
			if _, err := io.Copy(w, f); err != nil {
				// The status is sent: a cut stream is all the client can be told.
				s.log.Warn("team sqlite cut off", "team", teamID, "request_id", requestIDFrom(r.Context()), "err", err)
			}
		},
	}
}

// sqliteType is the media type of a SQLite database file.
const sqliteType = "application/vnd.sqlite3"
