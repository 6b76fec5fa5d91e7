package integration_test

import (
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/decidertest"
	"github.com/hindsight-retro/hindsight/domain/integration"
)

var (
	t0    = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	admin = domain.Actor{UserID: "ann"}
	d     = decidertest.For(integration.Decider())
	cause = integration.Cause{EventID: "ev1", Category: "retro", StreamID: "r1", Version: 7, Subject: "r1"}
)

func create(id string, kinds ...integration.Kind) integration.CreateWebhook {
	return integration.CreateWebhook{Actor: admin, At: t0, TeamID: "t1", WebhookID: id, Format: integration.FormatCloudEvents,
		URL: "https://example.com/hook", Kinds: kinds, SealedSecret: []byte("sealed")}
}

func created(id string, kinds ...integration.Kind) integration.Event {
	return integration.WebhookCreated{WebhookID: id, TeamID: "t1", Format: integration.FormatCloudEvents,
		URL: "https://example.com/hook", Kinds: kinds, SealedSecret: []byte("sealed"), CreatedBy: "ann", At: t0}
}

func queued(hook string, k integration.Kind) integration.Event {
	return integration.DeliveryQueued{DeliveryID: integration.DeliveryID(hook, cause.EventID), WebhookID: hook, Kind: k, Cause: cause, At: t0}
}

func failed(hook string, n int) []integration.Event {
	var out []integration.Event
	for i := 0; i < n; i++ {
		out = append(out, integration.DeliveryAttempted{DeliveryID: integration.DeliveryID(hook, cause.EventID), WebhookID: hook, Status: 500, At: t0})
	}
	return out
}

func TestAnAdminCreatesAWebhookForChosenKinds(t *testing.T) {
	s := d.Then(t, nil, create("w1", integration.KindRetroClosed), created("w1", integration.KindRetroClosed))
	if w := s.Webhooks["w1"]; !w.Live() || !w.Subscribed(integration.KindRetroClosed) || w.Subscribed(integration.KindActionCreated) {
		t.Errorf("webhook after creation: %+v", w)
	}
}

func TestAWebhookNeedsAURLKindsAndASealedSecret(t *testing.T) {
	with := func(change func(c *integration.CreateWebhook)) integration.Command {
		c := create("w2", integration.KindRetroClosed)
		change(&c)
		return c
	}
	given := []integration.Event{created("w1", integration.KindRetroClosed)}
	d.RefusedAll(t, map[string]decidertest.Refusal[integration.Command, integration.Event]{
		"no actor":           {When: with(func(c *integration.CreateWebhook) { c.Actor = domain.Actor{} }), Kind: domain.Invalid, Code: integration.CodeActorRequired},
		"ftp":                {When: with(func(c *integration.CreateWebhook) { c.URL = "ftp://example.com" }), Kind: domain.Invalid, Code: integration.CodeURLInvalid},
		"credentials in URL": {When: with(func(c *integration.CreateWebhook) { c.URL = "https://u:p@example.com" }), Kind: domain.Invalid, Code: integration.CodeURLInvalid},
		"relative":           {When: with(func(c *integration.CreateWebhook) { c.URL = "/hook" }), Kind: domain.Invalid, Code: integration.CodeURLInvalid},
		"slack URL in clear": {When: with(func(c *integration.CreateWebhook) { c.Format = integration.FormatSlack }), Kind: domain.Invalid, Code: integration.CodeURLInvalid},
		"unknown format":     {When: with(func(c *integration.CreateWebhook) { c.Format = "xml" }), Kind: domain.Invalid, Code: integration.CodeFormatInvalid},
		"no kinds":           {When: with(func(c *integration.CreateWebhook) { c.Kinds = nil }), Kind: domain.Invalid, Code: integration.CodeKindsInvalid},
		"unknown kind":       {When: with(func(c *integration.CreateWebhook) { c.Kinds = []integration.Kind{"card.added"} }), Kind: domain.Invalid, Code: integration.CodeKindsInvalid},
		"kind twice": {When: with(func(c *integration.CreateWebhook) {
			c.Kinds = []integration.Kind{integration.KindRetroClosed, integration.KindRetroClosed}
		}), Kind: domain.Invalid, Code: integration.CodeKindsInvalid},
		"no secret":     {When: with(func(c *integration.CreateWebhook) { c.SealedSecret = nil }), Kind: domain.Invalid, Code: integration.CodeSecretRequired},
		"another team":  {Given: given, When: with(func(c *integration.CreateWebhook) { c.TeamID = "t2" }), Kind: domain.Invalid, Code: integration.CodeIDRequired},
		"same ID twice": {Given: given, When: create("w1", integration.KindRetroClosed), Kind: domain.Conflict, Code: integration.CodeWebhookExists},
	})
}

func TestACauseIsQueuedOnceForEveryLiveWebhookThatWantsItsKind(t *testing.T) {
	given := []integration.Event{
		created("w1", integration.KindRetroClosed), created("w2", integration.KindActionCreated),
		created("w3", integration.KindRetroClosed, integration.KindSurveyClosed), created("w4", integration.KindRetroClosed),
		integration.WebhookDeleted{WebhookID: "w4", By: "ann", At: t0},
	}
	q := integration.QueueDeliveries{At: t0, Kind: integration.KindRetroClosed, Cause: cause}
	after := append(given, queued("w1", integration.KindRetroClosed), queued("w3", integration.KindRetroClosed))
	d.Then(t, given, q, after[len(given):]...)
	// Offered again (the reactor delivers at least once): nothing more.
	d.Then(t, after, q)
}

func TestADeliveryKeepsItsIDAcrossAttemptsAndASuccessSettlesIt(t *testing.T) {
	given := []integration.Event{created("w1", integration.KindRetroClosed), queued("w1", integration.KindRetroClosed)}
	id := integration.DeliveryID("w1", cause.EventID)
	if id != integration.DeliveryID("w1", cause.EventID) || id == integration.DeliveryID("w2", cause.EventID) {
		t.Fatal("a delivery's ID is not a function of its webhook and cause")
	}
	fail := integration.DeliveryAttempted{DeliveryID: id, WebhookID: "w1", Status: 500, Error: "500 Internal Server Error", At: t0}
	s := d.Then(t, given, integration.RecordAttempt{At: t0, DeliveryID: id, Status: 500, Error: "500 Internal Server Error"}, fail)
	if p := s.Webhooks["w1"].Pending(); len(p) != 1 || len(p[0].Attempts) != 1 {
		t.Fatalf("after a failure the delivery is not pending with one attempt: %+v", p)
	}
	ok := integration.DeliveryAttempted{DeliveryID: id, WebhookID: "w1", Status: 204, OK: true, At: t0}
	s = d.Then(t, append(given, fail), integration.RecordAttempt{At: t0, DeliveryID: id, Status: 204, OK: true}, ok)
	if p := s.Webhooks["w1"].Pending(); len(p) != 0 || s.Webhooks["w1"].Failures != 0 {
		t.Fatalf("a delivered delivery is pending: %+v", p)
	}
	d.Refused(t, append(given, fail, ok), integration.RecordAttempt{At: t0, DeliveryID: id, OK: true}, domain.Conflict, integration.CodeDeliverySettled)
	d.Refused(t, given, integration.RecordAttempt{At: t0, DeliveryID: "nope"}, domain.NotFound, integration.CodeDeliveryUnknown)
}

func TestAWebhookIsDisabledAfterTooManyFailuresInARowAndAnAdminEnablesIt(t *testing.T) {
	id := integration.DeliveryID("w1", cause.EventID)
	given := append([]integration.Event{created("w1", integration.KindRetroClosed), queued("w1", integration.KindRetroClosed)}, failed("w1", 2)...)
	third := integration.DeliveryAttempted{DeliveryID: id, WebhookID: "w1", Status: 500, At: t0}
	s := d.Then(t, given, integration.RecordAttempt{At: t0, DeliveryID: id, Status: 500, MaxFailures: 3},
		third, integration.WebhookDisabled{WebhookID: "w1", Failures: 3, At: t0})
	if s.Webhooks["w1"].Live() || len(s.Webhooks["w1"].Pending()) != 1 {
		t.Fatalf("a disabled webhook is live or lost its queue: %+v", s.Webhooks["w1"])
	}
	disabled := append(given, third, integration.WebhookDisabled{WebhookID: "w1", Failures: 3, At: t0})
	// A disabled webhook is queued nothing new.
	d.Then(t, disabled, integration.QueueDeliveries{At: t0, Kind: integration.KindRetroClosed,
		Cause: integration.Cause{EventID: "ev2", Category: "retro", StreamID: "r1", Subject: "r1"}})
	s = d.Then(t, disabled, integration.EnableWebhook{Actor: admin, At: t0, WebhookID: "w1"},
		integration.WebhookEnabled{WebhookID: "w1", By: "ann", At: t0})
	if !s.Webhooks["w1"].Live() || s.Webhooks["w1"].Failures != 0 {
		t.Fatalf("an enabled webhook is not live with its count reset: %+v", s.Webhooks["w1"])
	}
	d.Refused(t, given, integration.EnableWebhook{Actor: admin, At: t0, WebhookID: "w1"}, domain.Conflict, integration.CodeNotDisabled)
}

func TestADeletedWebhookDropsItsQueueAndIsGone(t *testing.T) {
	given := []integration.Event{created("w1", integration.KindRetroClosed), queued("w1", integration.KindRetroClosed)}
	s := d.Then(t, given, integration.DeleteWebhook{Actor: admin, At: t0, WebhookID: "w1"}, integration.WebhookDeleted{WebhookID: "w1", By: "ann", At: t0})
	if len(s.Webhooks["w1"].Pending()) != 0 {
		t.Error("a deleted webhook keeps deliveries pending")
	}
	gone := append(given, integration.WebhookDeleted{WebhookID: "w1", By: "ann", At: t0})
	d.Refused(t, gone, integration.DeleteWebhook{Actor: admin, At: t0, WebhookID: "w1"}, domain.NotFound, integration.CodeWebhookNotFound)
	d.Refused(t, gone, integration.RecordAttempt{At: t0, DeliveryID: integration.DeliveryID("w1", cause.EventID), OK: true}, domain.NotFound, integration.CodeDeliveryUnknown)
}

func TestTheLogKeepsTheLatestSettledDeliveriesAndEveryPendingOne(t *testing.T) {
	evs := []integration.Event{created("w1", integration.KindRetroClosed)}
	for i := 0; i < integration.KeptDeliveries+5; i++ {
		id := integration.DeliveryID("w1", string(rune('a'+i%26))+time.Duration(i).String())
		evs = append(evs, integration.DeliveryQueued{DeliveryID: id, WebhookID: "w1", Kind: integration.KindRetroClosed, Cause: cause, At: t0},
			integration.DeliveryAttempted{DeliveryID: id, WebhookID: "w1", Status: 200, OK: true, At: t0})
	}
	evs = append(evs, integration.DeliveryQueued{DeliveryID: "pending", WebhookID: "w1", Kind: integration.KindRetroClosed, Cause: cause, At: t0})
	s := integration.Decider().Fold(evs)
	if w := s.Webhooks["w1"]; len(w.Log) != integration.KeptDeliveries+1 || len(w.Pending()) != 1 {
		t.Fatalf("log holds %d deliveries, %d pending", len(w.Log), len(w.Pending()))
	}
}

func TestAnActionsDueDateIsToldOnceEvenAfterItsDeliveryLeftTheLog(t *testing.T) {
	due := integration.Cause{EventID: "due-a1-2026-12-01", Category: "team", StreamID: "t1", Version: 3, Subject: "a1"}
	q := integration.QueueDeliveries{At: t0, Kind: integration.KindActionDue, Cause: due}
	given := []integration.Event{created("w1", integration.KindActionDue)}
	queuedDue := integration.DeliveryQueued{DeliveryID: integration.DeliveryID("w1", due.EventID), WebhookID: "w1", Kind: integration.KindActionDue, Cause: due, At: t0}
	d.Then(t, given, q, queuedDue)
	// Delivered, and later trimmed from the log by newer deliveries.
	after := append(given, queuedDue, integration.DeliveryAttempted{DeliveryID: queuedDue.DeliveryID, WebhookID: "w1", Status: 204, OK: true, At: t0})
	for i := 0; i < integration.KeptDeliveries+1; i++ {
		id := integration.DeliveryID("w1", "other"+time.Duration(i).String())
		after = append(after, integration.DeliveryQueued{DeliveryID: id, WebhookID: "w1", Kind: integration.KindActionDue, Cause: cause, At: t0},
			integration.DeliveryAttempted{DeliveryID: id, WebhookID: "w1", Status: 204, OK: true, At: t0})
	}
	if s := integration.Decider().Fold(after); s.Webhooks["w1"].Deliveries[queuedDue.DeliveryID] != nil {
		t.Fatal("the due delivery is still in the log; the test proves nothing")
	}
	d.Then(t, after, q)
}
