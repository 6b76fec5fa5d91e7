package api

import (
	"github.com/hindsight-retro/hindsight/api/openapi"
	"github.com/hindsight-retro/hindsight/domain/catalog"
)

var searchParam = openapi.Param{Name: "q", In: "query",
	Description: "search words: each must begin a word of the name, an alias, a tag or the description (\"squad health\", \"xmas\"); name and alias matches come first"}

func catalogRoutes() []route {
	return tagged("catalogue",
		withParams(list("/v1/catalog/retro-templates", "listRetroTemplates", "Retro templates: board layouts",
			func(s *server, c call) ([]catalog.RetroTemplate, error) {
				return s.deps.App.RetroTemplates(c.r.Context(), c.p, c.r.URL.Query().Get("q"))
			}), searchParam),
		query("/v1/catalog/retro-templates/{templateId}", "getRetroTemplate", "One retro template",
			func(s *server, c call) (catalog.RetroTemplate, error) {
				return s.deps.App.RetroTemplate(c.r.Context(), c.p, c.param("templateId"))
			}),
		withParams(list("/v1/catalog/health-packs", "listHealthPacks", "Health-check packs with their questions",
			func(s *server, c call) ([]catalog.HealthPack, error) {
				return s.deps.App.HealthPacks(c.r.Context(), c.p, c.r.URL.Query().Get("q"))
			}), searchParam),
		query("/v1/catalog/health-packs/{packId}", "getHealthPack", "One health-check pack",
			func(s *server, c call) (catalog.HealthPack, error) {
				return s.deps.App.HealthPack(c.r.Context(), c.p, c.param("packId"))
			}),
		list("/v1/catalog/icebreakers", "listIcebreakers", "Icebreaker questions",
			func(s *server, c call) ([]catalog.Icebreaker, error) {
				return s.deps.App.Icebreakers(c.r.Context(), c.p)
			}),
		list("/v1/catalog/team-templates", "listTeamTemplates", "Team templates: health pack and default retro template",
			func(s *server, c call) ([]catalog.TeamTemplate, error) {
				return s.deps.App.TeamTemplates(c.r.Context(), c.p)
			}),
		list("/v1/catalog/dimensions", "listDimensions", "Health-question dimensions, in display order",
			func(s *server, c call) ([]catalog.Dimension, error) { return s.deps.App.Dimensions(c.r.Context(), c.p) }),
	)
}
