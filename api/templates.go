package api

import (
	"net/http"

	"github.com/hindsight-retro/hindsight/api/openapi"
	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/domain/library"
)

// TemplateRequest creates or edits a workspace template. To start from a
// catalogue entry, give kind and copyFrom and leave the body out; to edit,
// give baseVersion, the version you read.
type TemplateRequest struct {
	library.Template
	BaseVersion int    `json:"baseVersion,omitempty"`
	CopyFrom    string `json:"copyFrom,omitempty"`
}

// ImportedTemplates are the new IDs of a bundle's templates, in its order.
type ImportedTemplates struct {
	IDs []string `json:"ids"`
}

var (
	kindParam = openapi.Param{Name: "kind", In: "query",
		Description: "only templates of this kind: retro-template, health-pack, health-question or icebreaker"}
	archivedParam = openapi.Param{Name: "archived", In: "query",
		Description: "true lists archived templates too (workspace admins)"}
)

func templateRoutes() []route {
	return tagged("workspace templates",
		withParams(list("/v1/workspaces/{workspaceId}/templates", "listWorkspaceTemplates",
			"The workspace's own templates, used like the catalogue's by their ID (the workspace's admins and its teams' members)",
			func(s *server, c call) ([]library.Entry, error) {
				q := c.r.URL.Query()
				return s.deps.App.Templates(c.r.Context(), c.p, c.param("workspaceId"), library.Kind(q.Get("kind")), q.Get("archived") == "true")
			}), kindParam, archivedParam),
		command(http.MethodPost, "/v1/workspaces/{workspaceId}/templates", "saveWorkspaceTemplate",
			"Create a workspace template, from scratch or copied from the catalogue, or edit one (workspace admins)",
			func(s *server, c call, in TemplateRequest) (app.Result, error) {
				return s.deps.App.SaveTemplate(c.r.Context(), c.caller(), c.param("workspaceId"),
					app.TemplateInput{Template: in.Template, BaseVersion: in.BaseVersion, CopyFrom: in.CopyFrom})
			}).created(),
		action(http.MethodPost, "/v1/workspaces/{workspaceId}/templates/{templateId}/archive", "archiveWorkspaceTemplate",
			"Take a workspace template out of use; retros made from it keep their copy (workspace admins)",
			func(s *server, c call) (app.Result, error) {
				return s.deps.App.ArchiveTemplate(c.r.Context(), c.caller(), c.param("workspaceId"), c.param("templateId"))
			}),
		query("/v1/workspaces/{workspaceId}/templates/export", "exportWorkspaceTemplates",
			"The workspace's templates in use as one JSON bundle, to import elsewhere (workspace admins)",
			func(s *server, c call) (app.TemplateBundle, error) {
				return s.deps.App.ExportTemplates(c.r.Context(), c.p, c.param("workspaceId"))
			}),
		exchange("/v1/workspaces/{workspaceId}/templates/import", "importWorkspaceTemplates",
			"Import a bundle (as the export gives it) as new templates of the workspace (workspace admins)", true,
			func(s *server, c call, in app.TemplateBundle) (ImportedTemplates, error) {
				ids, err := s.deps.App.ImportTemplates(c.r.Context(), c.caller(), c.param("workspaceId"), in)
				return ImportedTemplates{IDs: ids}, err
			}),
	)
}
