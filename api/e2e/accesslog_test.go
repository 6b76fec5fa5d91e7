//go:build unix

package e2e_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/natsjs"
)

// contentTypes are the events of what people write and vote in a retro,
// with the payload fields that name the thing written or voted for.
var contentTypes = map[string][]string{
	"CardAdded": {"cardId"}, "CardEdited": {"cardId"}, "CardDeleted": {"cardId"},
	"IcebreakerAnswered": {"cardId"}, "CarriedActionCommented": {"commentId"},
	"VoteCast": {"topicId"}, "VoteRetracted": {"topicId"},
	"HealthCheckAnswered": {}, "RotiRated": {},
}

// The server's log of a whole anonymous retro, read beside the log of
// events (the NATS stream, as an operator holding both would), links no
// person to a card or a vote: no line names a person together with a
// command on the retro, no line names a card or a voted topic, the lines
// of those commands carry the minute only, and so do the content events,
// whose IDs carry no time either.
func TestTheServersLogOfAnAnonymousRetroLinksNobodyToACardOrAVote(t *testing.T) {
	url := startNATS(t)
	n := startNode(t, "node", "--nats-url", url, "--nats-replicas", "1")
	g := playRetro(t, []*node{n}, true, nil)

	// The log of events.
	store, err := natsjs.Open(t.Context(), natsjs.Config{URL: url, Replicas: 1})
	if err != nil {
		t.Fatalf("open the log: %v", err)
	}
	defer store.Close()
	content := map[string]string{} // ID of a card, comment or voted topic → event type
	var events []eventstore.RecordedEvent
	err = store.ReadAll(t.Context(), 0, func(_ context.Context, e eventstore.RecordedEvent) error {
		if e.Stream.Category != "retro" || e.Stream.ID != g.retro {
			return nil
		}
		fields, ok := contentTypes[e.Type]
		if !ok {
			return nil
		}
		events = append(events, e)
		var p map[string]any
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			t.Fatalf("%s: %v", e.Type, err)
		}
		for _, f := range fields {
			if id, _ := p[f].(string); id != "" {
				content[id] = e.Type
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("read the log: %v", err)
	}
	if len(events) < 20 || len(content) < 8 {
		t.Fatalf("the retro's log holds %d content events naming %d things: the game did not play", len(events), len(content))
	}
	for _, e := range events {
		var p struct {
			At     time.Time `json:"at"`
			CardID string    `json:"cardId"`
		}
		_ = json.Unmarshal(e.Payload, &p)
		if p.At.IsZero() || !p.At.Equal(p.At.Truncate(time.Minute)) {
			t.Errorf("%s v%d is dated %s: an anonymous record carries the minute only", e.Type, e.StreamVersion, p.At.Format(time.RFC3339Nano))
		}
		if u, err := uuid.Parse(p.CardID); p.CardID != "" && (err != nil || u.Version() != 4) {
			t.Errorf("%s names card %s: want a random UUID (v4), which carries no time", e.Type, p.CardID)
		}
	}

	people := map[string]string{}
	for _, p := range g.people {
		people[p.id] = p.name
	}
	lines := strings.Split(strings.TrimSpace(n.logText()), "\n")
	commands := 0
	for _, line := range lines {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) != nil {
			continue // the embedded NATS server's own lines, if any
		}
		for id, typ := range content {
			if strings.Contains(line, id) {
				t.Errorf("a log line names the %s %s: %s", typ, id, line)
			}
		}
		route, _ := rec["route"].(string)
		method, _ := rec["method"].(string)
		if !strings.HasPrefix(route, "/v1/retros/{retroId}") || method == "GET" {
			continue
		}
		commands++
		for id, name := range people {
			if strings.Contains(line, id) {
				t.Errorf("the line of a command on the retro names %s: %s", name, line)
			}
		}
		for _, attr := range []string{"user_id", "principal_kind", "remote", "path"} {
			if _, ok := rec[attr]; ok {
				t.Errorf("the line of a command on the retro carries %s: %s", attr, line)
			}
		}
		ts, _ := rec["time"].(string)
		if at, err := time.Parse(time.RFC3339Nano, ts); err != nil || !at.Equal(at.Truncate(time.Minute)) {
			t.Errorf("the line of a command on the retro is dated %v: want the minute only: %s", rec["time"], line)
		}
	}
	if commands < 30 {
		t.Fatalf("the server logged %d commands on the retro: want every one of them (access log lines missing?)\n%s", commands, tail(n.logText(), 40))
	}
}
