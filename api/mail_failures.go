package api

import (
	"net/http"

	"github.com/hindsight-retro/hindsight/app"
)

func mailFailureRoutes() []route {
	return tagged("mail",
		list("/v1/workspaces/{workspaceId}/mail-failures", "listMailFailures",
			"Addresses a mail server refused for good (SMTP 5xx) when mailing about this workspace, the most recently refused first: who, the address, each refusal's kind, cause and the server's reply; suppressed addresses get no mail until cleared (workspace admins)",
			func(s *server, c call) ([]app.MailFailure, error) {
				return s.deps.App.MailFailures(c.r.Context(), c.p, c.param("workspaceId"))
			}),
		action(http.MethodDelete, "/v1/workspaces/{workspaceId}/mail-failures/{addressHash}", "clearMailFailure",
			"Forget a failed address's refusals, so mail goes to it again: the person fixed their mailbox (workspace admins)",
			func(s *server, c call) (app.Result, error) {
				return s.deps.App.ClearMailFailure(c.r.Context(), c.caller(), c.param("workspaceId"), c.param("addressHash"))
			}),
	)
}
