package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hindsight-retro/hindsight/domain/integration"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/domain/survey"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/eventstore"
)

// CloudEventTypePrefix starts the type of every webhook CloudEvent; the
// kind follows ("hindsight.retro.closed").
const CloudEventTypePrefix = "hindsight."

// WebhookEvent is a webhook's body: a CloudEvents 1.0 event in structured
// mode. ID is the delivery's ID, the same in the Webhook-Id header.
type WebhookEvent struct {
	SpecVersion     string      `json:"specversion"`
	ID              string      `json:"id"`
	Source          string      `json:"source"`
	Type            string      `json:"type"`
	Subject         string      `json:"subject"`
	Time            time.Time   `json:"time"`
	DataContentType string      `json:"datacontenttype"`
	Data            WebhookData `json:"data"`
}

// WebhookData is what a webhook is told, as a team member who wrote
// nothing in the retro sees it: one of Retro, Action, Survey by the kind.
type WebhookData struct {
	TeamID string             `json:"teamId"`
	Retro  *retro.RetroView   `json:"retro,omitempty"`
	Action *WebhookAction     `json:"action,omitempty"`
	Survey *survey.SurveyView `json:"survey,omitempty"`
}

// WebhookAction is a team's action item without its comments (their
// authors may be pseudonyms from an anonymous review).
type WebhookAction struct {
	ID            string            `json:"id"`
	Title         string            `json:"title"`
	Assignee      string            `json:"assignee,omitempty"`
	Due           time.Time         `json:"due,omitzero"`
	Status        team.ActionStatus `json:"status"`
	OriginRetroID string            `json:"originRetroId,omitempty"`
	CreatedAt     time.Time         `json:"createdAt"`
	UpdatedAt     time.Time         `json:"updatedAt"`
}

// integrationEvent renders a delivery from its cause's aggregate as it was
// right after the cause, through the same views every other path uses.
func (a *App) integrationEvent(ctx context.Context, teamID string, d *integration.Delivery) (WebhookEvent, error) {
	ev := WebhookEvent{SpecVersion: "1.0", ID: d.ID, Source: "/v1/teams/" + teamID, Type: CloudEventTypePrefix + string(d.Kind),
		Subject: d.Cause.Subject, DataContentType: "application/json", Data: WebhookData{TeamID: teamID}}
	stream := eventstore.StreamID{Category: d.Cause.Category, ID: d.Cause.StreamID}
	switch d.Kind {
	case integration.KindRetroClosed:
		st, at, err := foldTo(ctx, a.d.Store, stream, d.Cause.Version, retro.Initial(), retro.DecodeEvent, retro.Evolve)
		if err != nil {
			return ev, err
		}
		v := retro.View(st, retro.Viewer{}, a.GroupPolicy())
		ev.Time, ev.Data.Retro = at, &v
	case integration.KindActionCreated, integration.KindActionChanged, integration.KindActionDue:
		st, at, err := foldTo(ctx, a.d.Store, stream, d.Cause.Version, team.Initial(), team.DecodeEvent, team.Evolve)
		if err != nil {
			return ev, err
		}
		act, ok := st.Actions[d.Cause.Subject]
		if !ok {
			return ev, fmt.Errorf("action %s is not on team %s", d.Cause.Subject, teamID)
		}
		ev.Time = at
		ev.Data.Action = &WebhookAction{ID: act.ID, Title: act.Title, Assignee: act.Assignee, Due: act.Due, Status: act.Status,
			OriginRetroID: act.OriginRetroID, CreatedAt: act.CreatedAt, UpdatedAt: act.UpdatedAt}
	case integration.KindSurveyClosed:
		st, at, err := foldTo(ctx, a.d.Store, stream, d.Cause.Version, survey.Initial(), survey.DecodeEvent, survey.Evolve)
		if err != nil {
			return ev, err
		}
		v := survey.View(st, survey.Viewer{At: at}, a.GroupPolicy())
		ev.Time, ev.Data.Survey = at, &v
	default:
		return ev, fmt.Errorf("no body for kind %q", d.Kind)
	}
	ev.Time = ev.Time.UTC()
	return ev, nil
}

// foldTo folds a stream up to and including version, and says when that
// version was recorded.
func foldTo[S, E any](ctx context.Context, store eventstore.Store, stream eventstore.StreamID, version int64, s S,
	decode func(string, int, []byte) (E, error), evolve func(S, E) S) (S, time.Time, error) {
	evs, err := store.Load(ctx, stream, 0)
	if err != nil {
		return s, time.Time{}, fmt.Errorf("load %s: %w", stream, err)
	}
	var at time.Time
	for _, e := range evs {
		if e.StreamVersion > version {
			break
		}
		ev, err := decode(e.Type, e.SchemaVersion, e.Payload)
		if err != nil {
			return s, at, fmt.Errorf("decode %s at %d: %w", stream, e.StreamVersion, err)
		}
		s, at = evolve(s, ev), e.RecordedAt
	}
	if at.IsZero() {
		return s, at, errors.New("the cause is not in its stream")
	}
	return s, at, nil
}

// ---- Slack ----

// Block Kit's limits that a message must keep to.
const (
	slackTextLimit   = 3000
	slackHeaderLimit = 150
	slackMaxActions  = 20
)

type slackText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type slackBlock struct {
	Type   string      `json:"type"`
	Text   *slackText  `json:"text,omitempty"`
	Fields []slackText `json:"fields,omitempty"`
}

type slackPayload struct {
	// Text is the notification's fallback.
	Text   string       `json:"text"`
	Blocks []slackBlock `json:"blocks"`
}

// slackMessage writes a delivery as a Slack Block Kit message for an
// incoming webhook, from the same redacted data a webhook gets.
func slackMessage(ev WebhookEvent) ([]byte, error) {
	var p slackPayload
	header := func(s string) {
		p.Blocks = append(p.Blocks, slackBlock{Type: "header", Text: &slackText{Type: "plain_text", Text: clip(s, slackHeaderLimit)}})
	}
	section := func(md string) {
		p.Blocks = append(p.Blocks, slackBlock{Type: "section", Text: &slackText{Type: "mrkdwn", Text: clip(md, slackTextLimit)}})
	}
	d := ev.Data
	switch {
	case d.Retro != nil:
		r := d.Retro
		p.Text = "Retro closed: " + r.Title
		header(p.Text)
		cards := 0
		for _, c := range r.Columns {
			cards += len(c.Cards)
		}
		p.Blocks = append(p.Blocks, slackBlock{Type: "section", Fields: []slackText{
			{Type: "mrkdwn", Text: fmt.Sprintf("*Participants*\n%d", len(r.Participants))},
			{Type: "mrkdwn", Text: fmt.Sprintf("*Cards*\n%d", cards)},
			{Type: "mrkdwn", Text: fmt.Sprintf("*Topics*\n%d", len(r.Topics))},
			{Type: "mrkdwn", Text: fmt.Sprintf("*Actions*\n%d", len(r.Actions))},
		}})
		var top []string
		for _, t := range r.Topics {
			if !t.Hidden && t.Title != "" && len(top) < 5 {
				top = append(top, fmt.Sprintf("• %s (%d votes)", slackEscape(t.Title), t.Votes))
			}
		}
		if len(top) > 0 {
			section("*Top topics*\n" + strings.Join(top, "\n"))
		}
		var acts []string
		for i, x := range r.Actions {
			if i == slackMaxActions {
				acts = append(acts, fmt.Sprintf("… and %d more", len(r.Actions)-i))
				break
			}
			acts = append(acts, "• "+slackEscape(x.Title)+dueText(x.Due))
		}
		if len(acts) > 0 {
			section("*Actions*\n" + strings.Join(acts, "\n"))
		}
	case d.Action != nil:
		verb := "New action"
		switch ev.Type {
		case CloudEventTypePrefix + string(integration.KindActionChanged):
			verb = "Action " + string(d.Action.Status)
		case CloudEventTypePrefix + string(integration.KindActionDue):
			verb = "Action due"
		}
		p.Text = verb + ": " + d.Action.Title
		due := (*time.Time)(nil)
		if !d.Action.Due.IsZero() {
			due = &d.Action.Due
		}
		section("*" + verb + "*\n" + slackEscape(d.Action.Title) + dueText(due))
	case d.Survey != nil:
		p.Text = "Survey closed: " + d.Survey.Title
		header(p.Text)
		section(fmt.Sprintf("%d responses", d.Survey.ResponseCount))
	default:
		return nil, errors.New("nothing to say")
	}
	p.Text = clip(p.Text, slackTextLimit)
	return json.Marshal(p)
}

func dueText(due *time.Time) string {
	if due == nil || due.IsZero() {
		return ""
	}
	return " (due " + due.UTC().Format("2006-01-02") + ")"
}

// slackEscape escapes what Slack's mrkdwn reads as control characters, so
// a title cannot ping a channel or forge a link.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
