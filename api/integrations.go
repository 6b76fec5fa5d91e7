package api

import (
	"net/http"

	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/domain/integration"
)

// CreateWebhookRequest creates an outgoing webhook for the team of the path.
type CreateWebhookRequest struct {
	// URL receives the deliveries; for format slack, the Slack
	// incoming-webhook URL (kept sealed, never shown again).
	URL string `json:"url"`
	// Format: cloudevents (default; signed CloudEvents 1.0) or slack (Block
	// Kit messages).
	Format integration.Format `json:"format,omitempty"`
	// Kinds: retro.closed, action.created, action.changed, survey.closed.
	Kinds []integration.Kind `json:"kinds"`
}

func integrationRoutes() []route {
	return tagged("integrations",
		exchange("/v1/teams/{teamId}/webhooks", "createWebhook",
			"Create an outgoing webhook (team admins); the answer holds its signing secret, shown this once",
			true, func(s *server, c call, in CreateWebhookRequest) (app.CreatedWebhook, error) {
				return s.deps.App.CreateWebhook(c.r.Context(), c.caller(), c.param("teamId"),
					app.WebhookInput{URL: in.URL, Format: in.Format, Kinds: in.Kinds})
			}).created(),
		list("/v1/teams/{teamId}/webhooks", "listWebhooks", "The team's webhooks, without their secrets (team admins)",
			func(s *server, c call) ([]app.WebhookView, error) {
				return s.deps.App.Webhooks(c.r.Context(), c.p, c.param("teamId"))
			}),
		list("/v1/teams/{teamId}/webhooks/{webhookId}/deliveries", "listWebhookDeliveries",
			"A webhook's delivery log, newest first: each delivery's attempts with status and error (team admins)",
			func(s *server, c call) ([]app.DeliveryView, error) {
				return s.deps.App.WebhookDeliveries(c.r.Context(), c.p, c.param("teamId"), c.param("webhookId"))
			}),
		action(http.MethodDelete, "/v1/teams/{teamId}/webhooks/{webhookId}", "deleteWebhook",
			"Delete a webhook (team admins); its pending deliveries are dropped and its secret's key destroyed",
			func(s *server, c call) (app.Result, error) {
				return s.deps.App.DeleteWebhook(c.r.Context(), c.caller(), c.param("teamId"), c.param("webhookId"))
			}),
		action(http.MethodPost, "/v1/teams/{teamId}/webhooks/{webhookId}/enable", "enableWebhook",
			"Turn a webhook disabled after repeated failures back on (team admins); its queue resumes",
			func(s *server, c call) (app.Result, error) {
				return s.deps.App.EnableWebhook(c.r.Context(), c.caller(), c.param("teamId"), c.param("webhookId"))
			}),
	)
}
