package api

import (
	"net/http"

	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/domain/schedule"
)

// scheduleRoutes set, show and remove a team's recurring retro.
func scheduleRoutes() []route {
	return tagged("schedules",
		command(http.MethodPut, "/v1/teams/{teamId}/schedule", "setTeamSchedule",
			"Set or change the team's recurring retro: cadence in the team's time zone, template, lead time, survey (team admins)",
			func(s *server, c call, in schedule.Settings) (app.Result, error) {
				return s.deps.App.SetSchedule(c.r.Context(), c.caller(), c.param("teamId"), app.ScheduleInput{Settings: in})
			}),
		action(http.MethodDelete, "/v1/teams/{teamId}/schedule", "removeTeamSchedule",
			"Stop the team's retros recurring (team admins)",
			func(s *server, c call) (app.Result, error) {
				return s.deps.App.RemoveSchedule(c.r.Context(), c.caller(), c.param("teamId"))
			}),
		query("/v1/teams/{teamId}/schedule", "getTeamSchedule",
			"The team's cadence, its next occurrences and the retros it made (members)",
			func(s *server, c call) (app.ScheduleView, error) {
				return s.deps.App.Schedule(c.r.Context(), c.p, c.param("teamId"))
			}),
	)
}
