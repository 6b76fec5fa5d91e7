package export_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
	"github.com/hindsight-retro/hindsight/projections"
	"github.com/hindsight-retro/hindsight/projections/demo"
	"github.com/hindsight-retro/hindsight/projections/export"
)

const seed = 5

// workspace is a demo of two teams; it returns the store and a member of
// team-0000 who took part in its retros (its admin, the moderator).
func workspace(t *testing.T) *memstore.Store {
	t.Helper()
	store := memstore.New(nil)
	if _, err := demo.Generate(context.Background(), store, demo.Config{Seed: seed, Retros: 20, RetrosPerTeam: 10}); err != nil {
		t.Fatal(err)
	}
	return store
}

func viewer(u string) export.Viewer {
	return export.Viewer{UserID: u, Pseudonym: func(id string) string { return domain.Pseudonym(demo.Key(seed, id), u) }}
}

func lines(t *testing.T, b []byte) []export.CloudEvent {
	t.Helper()
	var out []export.CloudEvent
	for _, l := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
		var ce export.CloudEvent
		if err := json.Unmarshal(l, &ce); err != nil {
			t.Fatalf("line %s: %v", l, err)
		}
		out = append(out, ce)
	}
	return out
}

func TestAnExportIsCloudEventsRedactedForTheCaller(t *testing.T) {
	ctx := context.Background()
	// Given a workspace of two teams with anonymous and named retros.
	store := workspace(t)
	me := "u-0000-00"
	// When team-0000's history is exported for its admin.
	var buf bytes.Buffer
	if err := export.Export(ctx, store, export.Filter{TeamID: "team-0000"}, viewer(me), &buf); err != nil {
		t.Fatal(err)
	}
	evs := lines(t, buf.Bytes())
	// Cards written by others, from the log itself.
	others := map[string]bool{}
	_ = store.ReadAll(ctx, 0, func(_ context.Context, e eventstore.RecordedEvent) error {
		if e.Type == retro.TypeCardAdded {
			var c retro.CardAdded
			_ = json.Unmarshal(e.Payload, &c)
			if c.Author != me && c.Author != viewer(me).Pseudonym(e.Stream.ID) {
				others[e.Stream.ID+"/"+c.CardID] = true
			}
		}
		return nil
	})
	// Then every line is a CloudEvent of the team's streams, in log order.
	var last uint64
	ownVotes, othersText := 0, 0
	for _, ce := range evs {
		if ce.SpecVersion != "1.0" || ce.ID == "" || ce.DataContentType != "application/json" ||
			!strings.HasPrefix(ce.Type, "dev.hindsight.") || ce.Position < last {
			t.Fatalf("bad line %+v", ce)
		}
		last = ce.Position
		if ce.Source == "/hindsight/team-team-0001" || strings.Contains(ce.Subject, "r-0001-") {
			t.Fatalf("another team's event: %+v", ce)
		}
		// And nothing in it is a pseudonym, an other's vote, answer or
		// rating, or the text of an other's card written concealed.
		if bytes.Contains(ce.Data, []byte("anon:")) {
			t.Fatalf("pseudonym exported: %s", ce.Data)
		}
		switch ce.Type {
		case "dev.hindsight.retro.VoteCast":
			ownVotes++
		case "dev.hindsight.retro.HealthCheckAnswered", "dev.hindsight.retro.RotiRated":
			// only the viewer's own: checked by count below
		case "dev.hindsight.retro.CardAdded":
			var c retro.CardAdded
			_ = json.Unmarshal(ce.Data, &c)
			if others[ce.Subject+"/"+c.CardID] && c.Text != "" {
				othersText++
			}
		case "dev.hindsight.survey.ResponseSubmitted":
			if bytes.Contains(ce.Data, []byte(`"respondent":"`)) && !bytes.Contains(ce.Data, []byte(`"respondent":""`)) {
				t.Fatalf("survey respondent exported: %s", ce.Data)
			}
		}
	}
	if othersText != 0 {
		t.Errorf("%d concealed cards of others exported with their text", othersText)
	}
	// The admin moderates and votes 3 times in each of the team's 10 retros: only those.
	if ownVotes != 30 {
		t.Errorf("exported %d votes, want the viewer's own 30", ownVotes)
	}
	// And a stranger's export of the same team has no vote at all.
	buf.Reset()
	if err := export.Export(ctx, store, export.Filter{TeamID: "team-0000"}, viewer("u-stranger"), &buf); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "VoteCast") || strings.Contains(buf.String(), "HealthCheckAnswered") {
		t.Error("a stranger's export holds votes or health answers")
	}
}

func TestAnExportReadsBackForReplayUpToItsBound(t *testing.T) {
	ctx := context.Background()
	store := workspace(t)
	last, _ := store.LastPosition(ctx)
	// When one retro's history is exported up to half the log, and read back.
	var buf bytes.Buffer
	f := export.Filter{TeamID: "team-0000", RetroID: "r-0000-000", Until: last / 2}
	if err := export.Export(ctx, store, f, viewer("u-0000-00"), &buf); err != nil {
		t.Fatal(err)
	}
	var got []eventstore.RecordedEvent
	if err := export.Read(&buf, func(e eventstore.RecordedEvent) error { got = append(got, e); return nil }); err != nil {
		t.Fatal(err)
	}
	// Then every event is that retro's, decodes, is within the bound, and commits are whole.
	if len(got) == 0 {
		t.Fatal("nothing read back")
	}
	for _, e := range got {
		if e.Stream.ID != "r-0000-000" || e.Position > last/2 {
			t.Fatalf("event %s at %d", e.Stream, e.Position)
		}
		if _, err := projections.Decode(e); err != nil {
			t.Fatal(err)
		}
	}
	if !got[len(got)-1].LastInCommit() {
		t.Error("the last event read back does not close its commit")
	}
	if err := export.Read(strings.NewReader("{\"specversion\":\"0.3\"}\n"), func(eventstore.RecordedEvent) error { return nil }); err == nil {
		t.Error("a line that is not a Hindsight CloudEvent was accepted")
	}
	if err := export.Export(ctx, store, export.Filter{}, viewer("u"), &buf); err == nil {
		t.Error("an export without a team was accepted")
	}
}

func TestAnExportAfterAPositionKeepsRetrosStartedBefore(t *testing.T) {
	ctx := context.Background()
	store := workspace(t)
	// Given a retro that started before a position and went on after it.
	recs, err := store.Load(ctx, eventstore.StreamID{Category: retro.Category, ID: "r-0000-000"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	mid := recs[len(recs)/2].Position
	// When the team is exported after that position.
	var buf bytes.Buffer
	if err := export.Export(ctx, store, export.Filter{TeamID: "team-0000", After: mid}, viewer("u-0000-00"), &buf); err != nil {
		t.Fatal(err)
	}
	// Then only later events are written, that retro's among them.
	found := false
	for _, ce := range lines(t, buf.Bytes()) {
		if ce.Position <= mid {
			t.Fatalf("event at %d written after %d", ce.Position, mid)
		}
		found = found || ce.Subject == "r-0000-000"
	}
	if !found {
		t.Error("the retro started before the position is missing after it")
	}
}

// A card the moderator hid is left out of every export but its author's,
// also in the events written before the hide.
func TestAnExportLeavesOutTheTextOfAHiddenCard(t *testing.T) {
	ctx := context.Background()
	store := workspace(t)
	me, author := "u-0000-00", "u-0000-01"
	// Given a card another member wrote into a revealed column of a named
	// retro of team-0000.
	var stream eventstore.StreamID
	var created retro.RetroCreated
	_ = store.ReadAll(ctx, 0, func(_ context.Context, e eventstore.RecordedEvent) error {
		if stream.ID != "" || e.Type != retro.TypeRetroCreated {
			return nil
		}
		var c retro.RetroCreated
		_ = json.Unmarshal(e.Payload, &c)
		if c.TeamID == "team-0000" && !c.Anonymous {
			stream, created = e.Stream, c
		}
		return nil
	})
	if stream.ID == "" {
		t.Fatal("the demo has no named retro of team-0000")
	}
	card := retro.CardAdded{CardID: "c-hidden", ColumnID: created.Columns[0].ID, Author: author,
		Text: "a remark the moderator will hide", At: created.At}
	appendEvent := func(e retro.Event) {
		t.Helper()
		typ, v, payload, err := retro.EncodeEvent(e)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := store.Append(ctx, eventstore.Commit{Stream: stream, ExpectedVersion: eventstore.Any, CommandID: "cmd-" + typ,
			Actor: me, Events: []eventstore.Event{{Type: typ, SchemaVersion: v, Payload: payload}}}); err != nil {
			t.Fatal(err)
		}
	}
	appendEvent(card)
	exportFor := func(u string) string {
		t.Helper()
		var buf bytes.Buffer
		if err := export.Export(ctx, store, export.Filter{TeamID: "team-0000"}, viewer(u), &buf); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	if !strings.Contains(exportFor(me), card.Text) {
		t.Fatalf("the card's text is not in another member's export before the hide")
	}
	// When the moderator hides it.
	appendEvent(retro.CardHidden{CardID: card.CardID, At: created.At})
	// Then others' exports leave its text out; its author's keeps it.
	if out := exportFor(me); strings.Contains(out, card.Text) || !strings.Contains(out, `"CardHidden"`) {
		t.Errorf("after the hide, another member's export has its text, or no CardHidden")
	}
	if !strings.Contains(exportFor(author), card.Text) {
		t.Errorf("its author's export lost the text")
	}
}
